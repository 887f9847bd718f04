// A training run launched from VS Code on the `local` host with the real runner and a tiny model
// built on the spot (no hub downloads): log lines stream into the log editor, the status bar shows
// the step, and "Cancel Run" stops it (the runner saves and reports `cancelled`).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { answerPrompts, screenshotOnFailure, openWorkbench, repoRoot, runCommand, statusItem, waitFor, waitForActivation, type Workbench } from './harness';
import { events, killLocalRuns, makeTinyModel, prepareTinyRunWorkspace, python, runDirs, runsMissing } from './runs-helpers';

describe('training runs in VS Code', { skip: runsMissing, timeout: 420_000 }, () => {
  let wb: Workbench;

  before(async () => {
    // Torch takes a while to import on a small machine: build the model while code-server starts.
    const model = join(repoRoot, '.e2e', 'runs-tiny-t5');
    const modelReady = makeTinyModel(model);
    modelReady.catch(() => undefined);
    wb = await openWorkbench({
      name: 'runs',
      env: { PYTHONUNBUFFERED: '1' },
      // The host profile points at the runner's venv, so the run needs no setup step.
      prepareWorkspace: (dir) => prepareTinyRunWorkspace(dir, model, [{ name: 'this machine', target: 'local', python }]),
    });
    await Promise.all([waitForActivation(wb), modelReady]);
  });

  afterEach(screenshotOnFailure(() => wb));

  after(async () => {
    killLocalRuns(wb);
    await wb?.close();
  });

  it('streams log lines into the log editor and the step into the status bar; cancel stops it', async () => {
    const { page } = wb;
    await runCommand(page, 'Distillery: Launch Training Run');
    await answerPrompts(page, 'the run to start on local', /^(Launch|Start|Run|OK)/, () => runDirs(wb).length > 0, 120_000);
    const [runDir] = runDirs(wb);
    const runId = runDir!.split('/').at(-1)!;

    // The log editor: an editor whose text shows the runner's step lines.
    const editorText = page.locator('.editor-instance .monaco-editor .view-lines');
    await waitFor('step lines in the log editor', async () => {
      for (const text of await editorText.allInnerTexts()) if (/step/i.test(text) && /loss/i.test(text)) return true;
      return false;
    }, 180_000, 500);
    await waitFor('the status bar to show the run and its step', async () => {
      const label = `${(await statusItem(page).getAttribute('aria-label')) ?? ''} ${await statusItem(page).innerText()}`;
      return label.includes(runId) && /step \d+/.test(label);
    }, 60_000, 250);
    await wb.screenshot('run');

    await runCommand(page, 'Distillery: Cancel Run');
    await answerPrompts(page, 'the runner to report the run cancelled', /^(Cancel Run|Cancel run|Stop|Yes|OK)/, () =>
      events(runDir!).some((e) => e.event === 'done' && e.status === 'cancelled'),
    120_000);
    await waitFor('the status bar to show the run cancelled', async () => {
      const label = `${(await statusItem(page).getAttribute('aria-label')) ?? ''} ${await statusItem(page).innerText()}`;
      return /cancel/i.test(label) || /circle-slash/.test(await statusItem(page).innerHTML());
    }, 30_000, 250);
    await wb.screenshot('run-cancelled');
    assert.ok(events(runDir!).some((e) => e.event === 'step'), 'the run logged steps before it was cancelled');
    // No process of the run's group is left (the runner was started detached in its own group).
    const pgid = Number(readFileSync(join(runDir!, 'pid'), 'utf8').trim());
    assert.ok(pgid > 0, 'the run recorded its process group id');
    await waitFor(`process group ${pgid} to be gone`, () => {
      try {
        process.kill(-pgid, 0);
        return false;
      } catch {
        return true;
      }
    }, 15_000, 200);
  });
});
