// The training side as a newcomer meets it, in the sample workspace with a `.venv` (the runner's
// own environment, found by itself like the Python extension finds a workspace .venv):
// - the first run in three palette steps (Launch → "this machine" → RUN.json) builds the tiny
//   model offline and reaches `done`, with a Trainer-style log and the run in the status bar;
// - Cancel on the run's progress notification cancels the run itself, and the status bar follows
//   it to `cancelled`;
// - a run on a Python without torch says why in the notification and in the log, with the fix
//   as buttons; the interpreter is set through "Select Python Interpreter", which writes
//   distillery.json, applied without a reload.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { findExtensionLog, openWorkbench, repoRoot, runCommand, screenshotOnFailure, showDistilleryContainer, statusItem, waitFor, waitForActivation, type Workbench } from './harness';
import { events, killLocalRuns, runDirs } from './runs-helpers';

const venv = join(repoRoot, 'python-runner/.venv');
const missing = !existsSync(join(venv, 'bin/python')) && 'python-runner/.venv is missing: run `bash scripts/setup-python.sh` (CI does it in .ci/run)';
const torchless = '/usr/bin/python3';

async function statusText(page: Page): Promise<string> {
  return `${(await statusItem(page).getAttribute('aria-label')) ?? ''} ${await statusItem(page).innerText()}`;
}

async function editorTexts(page: Page): Promise<string> {
  return (await page.locator('.editor-instance .monaco-editor .view-lines').allInnerTexts()).join('\n').replace(/\u00a0/g, ' ');
}

/** Picks a row of the open quick pick by its text. */
async function pick(page: Page, text: string | RegExp): Promise<void> {
  const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: text }).first();
  await row.waitFor({ state: 'visible', timeout: 30_000 });
  await row.click();
}

/** Launches from the palette: the three steps a newcomer takes. Returns the new run's folder. */
async function launchThreeSteps(wb: Workbench, config: string | RegExp): Promise<string> {
  const before = new Set(runDirs(wb));
  await runCommand(wb.page, 'Distillery: Launch Training Run'); // 1
  await pick(wb.page, 'this machine'); // 2
  await pick(wb.page, config); // 3
  return waitFor('the run folder on the host', () => runDirs(wb).find((d) => !before.has(d)), 240_000, 250);
}

describe('first run from the sample', { skip: missing, timeout: 900_000 }, () => {
  let wb: Workbench;

  before(async () => {
    wb = await openWorkbench({
      name: 'first-run',
      env: { PYTHONUNBUFFERED: '1' },
      prepareWorkspace(dir) {
        symlinkSync(venv, join(dir, '.venv'));
        // A long run for the cancel test (the sample's RUN.json ends in seconds).
        const run = JSON.parse(readFileSync(join(dir, 'RUN.json'), 'utf8')) as { train: Record<string, unknown> };
        run.train['maxSteps'] = 100000;
        run.train['evalSteps'] = 100000;
        run.train['saveSteps'] = 100000;
        writeFileSync(join(dir, 'long.run.json'), JSON.stringify(run, null, 2));
      },
    });
    await waitForActivation(wb);
  });

  afterEach(screenshotOnFailure(() => wb));

  after(async () => {
    killLocalRuns(wb);
    await wb?.close();
  });

  it('reaches done in three steps, with a Trainer-style log and the status bar', async () => {
    const { page } = wb;
    const runDir = await launchThreeSteps(wb, /^RUN\.json/);
    const runId = runDir.split('/').at(-1)!;
    const ended = await waitFor('the runner to end (done or error)', () => events(runDir).find((e) => e.event === 'done' || e.event === 'error'), 400_000, 500);
    // A run that fails at once (e.g. the sample's lengths refused by the runner) says so here, not after the timeout.
    assert.equal(ended.event === 'done' && ended.status === 'ok', true, `the sample run ended with ${JSON.stringify(ended)}`);
    assert.ok(existsSync(join(wb.workspace, 'models/tiny-random-t5/config.json')), 'the launch built the tiny model in the workspace');
    await waitFor('the console-style log in the editor', async () => /step \d+\/20 · loss [\d.]+ .*· lr [\d.e-]+ · \d+ tok\/s · ETA \d+s/.test(await editorTexts(page)) && /✔ done/.test(await editorTexts(page)), 30_000, 250);
    await waitFor('the status bar to show the run done', async () => (await statusText(page)).includes(runId) && /finished|done/.test(await statusText(page)), 30_000, 250);
    await wb.screenshot('done');
    // The raw events are one toggle away, exactly as the runner wrote them (full precision).
    await runCommand(page, 'Distillery: Toggle Raw Run Events');
    await waitFor('raw event lines in the log editor', async () => /\{"event": ?"step"/.test(await editorTexts(page)), 15_000, 250);
    await wb.screenshot('raw-events');
    // The Output channel keeps lifecycle lines, not steps.
    const logs = join(wb.server.dirs.userDataDir, 'logs');
    const runsLog = findFile(logs, 'Distillery Runs.log');
    assert.ok(runsLog, 'the Distillery Runs output channel wrote its log');
    const text = readFileSync(runsLog, 'utf8');
    assert.match(text, /▶ run /);
    assert.doesNotMatch(text, /"event":"step"|step \d+\/20/);
  });

  it('Cancel on the progress notification cancels the run; the status bar follows it', async () => {
    const { page } = wb;
    const runDir = await launchThreeSteps(wb, 'long.run.json');
    const runId = runDir.split('/').at(-1)!;
    await waitFor('steps of the long run', () => events(runDir).filter((e) => e.event === 'step').length >= 2, 240_000, 250);
    const toast = page.locator('.notifications-toasts .notification-toast', { hasText: `Run ${runId}` }).first();
    await toast.waitFor({ timeout: 30_000 });
    await toast.hover();
    await wb.screenshot('progress');
    await toast.locator('.monaco-button', { hasText: /^Cancel$/ }).click();
    await waitFor('the runner to report the run cancelled', () => events(runDir).some((e) => e.event === 'done' && e.status === 'cancelled'), 120_000, 250);
    await waitFor('the status bar to show the run cancelled', async () => (await statusText(page)).includes(runId) && /cancelled/.test(await statusText(page)), 30_000, 250);
    const pgid = Number(readFileSync(join(runDir, 'pid'), 'utf8').trim());
    await waitFor(`process group ${pgid} to be gone`, () => {
      try {
        process.kill(-pgid, 0);
        return false;
      } catch {
        return true;
      }
    }, 30_000, 200);
    await wb.screenshot('cancelled');
  });

  it('a run on a Python without torch says why, with the fixes as buttons', async () => {
    const { page } = wb;
    await runCommand(page, 'Distillery: Select Python Interpreter');
    await pick(page, 'Enter interpreter path');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.fill(torchless);
    await page.keyboard.press('Enter');
    await waitFor('distillery.json to name the interpreter', () => readFileSync(join(wb.workspace, 'distillery.json'), 'utf8').includes(torchless), 15_000, 100);
    const runDir = await launchThreeSteps(wb, /^RUN\.json/);
    const runId = runDir.split('/').at(-1)!;
    const toast = page.locator('.notifications-toasts .notification-toast', { hasText: `run ${runId}` }).filter({ hasText: /cannot import torch/ }).first();
    await toast.waitFor({ timeout: 120_000 });
    // The run's progress notification is gone: nothing pretends the run still goes on.
    await waitFor('the progress notification of the failed run to close', async () => (await page.locator('.notifications-toasts .notification-toast', { hasText: `Run ${runId}` }).filter({ hasText: /Cancel/ }).count()) === 0, 15_000, 100);
    const buttons = (await toast.locator('.monaco-button').allInnerTexts()).map((t) => t.trim());
    assert.ok(buttons.includes('Select Python Interpreter') && buttons.includes('Set Up Python Environment'), `fix buttons offered: ${buttons.join(', ')}`);
    await waitFor('the stderr tail in the log editor', async () => /No module named 'torch'/.test(await editorTexts(page)) && /run failed/.test(await editorTexts(page)), 30_000, 250);
    await waitFor('the status bar to show the run failed', async () => (await statusText(page)).includes(runId) && /failed/.test(await statusText(page)), 30_000, 250);
    await wb.screenshot('failed');
    assert.match(readFileSync(findExtensionLog(wb)!, 'utf8'), /distillery\.json changed: hosts reloaded/);
  });

  it('Check GPU Host reports the missing torch in words, in a read-only document', async () => {
    const { page } = wb;
    await runCommand(page, 'Distillery: Check GPU Host');
    await pick(page, 'this machine');
    const tab = page.locator('.tabs-container .tab', { hasText: /Check GPU Host — this machine/ }).first();
    await tab.waitFor({ timeout: 120_000 });
    await waitFor('the report text', async () => /cannot start with this Python/.test(await editorTexts(page)), 30_000, 250);
    const text = await editorTexts(page);
    assert.match(text, /cannot import torch/);
    assert.match(text, /Select Python Interpreter/);
    assert.doesNotMatch(text, /Traceback|```|\bnull\b/, 'no raw traceback, no JSON dump');
    assert.equal(await tab.evaluate((el) => el.classList.contains('dirty')), false, 'the report is not an unsaved document');
    await wb.screenshot('preflight');
  });

  it('lists this machine once in the Runs view, each run once', async () => {
    const { page } = wb;
    await showDistilleryContainer(page);
    const runsPane = page.locator('.part.sidebar .pane', { has: page.locator('.pane-header', { hasText: /Runs/i }) }).first();
    const header = runsPane.locator('.pane-header').first();
    if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
    const rows = runsPane.locator('.monaco-list-row');
    await waitFor('the host row', async () => (await rows.allInnerTexts()).some((t) => t.includes('this machine')), 30_000, 250);
    const hostRows = (await rows.allInnerTexts()).filter((t) => /^(this machine|local)$/.test(t.trim()));
    assert.deepEqual(hostRows.map((t) => t.trim()), ['this machine'], 'the built-in local is the same machine as the sample host');
    await rows.filter({ hasText: 'this machine' }).first().click();
    const runs = runDirs(wb).map((d) => d.split('/').at(-1)!);
    await waitFor('the runs under this machine', async () => {
      const texts = await rows.allInnerTexts();
      return runs.every((id) => texts.filter((t) => t.includes(id)).length === 1);
    }, 30_000, 250);
    await wb.screenshot('runs-view');
  });
});

function findFile(dir: string, name: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) {
      const found = findFile(p, name);
      if (found) return found;
    } else if (entry.name === name) return p;
  }
  return undefined;
}
