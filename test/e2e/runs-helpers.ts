// What the VS Code run tests share: the runner's venv, the runs the extension started, their
// events, a tiny model built on the spot (no hub downloads), and a workspace set up for one long
// tiny run that a test can watch stream and then cancel.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { answerPrompts, isPlaceholder, readRecords, repoRoot, runCommand, showDistilleryContainer, waitFor, type Workbench } from './harness';

export const python = join(repoRoot, 'python-runner/.venv/bin/python');

/** Why the run tests cannot run here, or false. */
export const runsMissing =
  (isPlaceholder('src/extension/features/runs.ts') &&
    'training runs (src/extension/features/runs.ts) are still the scaffold placeholder: "Distillery: Launch Training Run" has no handler') ||
  (!existsSync(python) && 'python-runner/.venv is missing: run `bash scripts/setup-python.sh` (CI does it in .ci/run)');

/** Runs the extension started under the code-server's HOME (~/.distillery/runs/<id>/). */
export function runDirs(wb: Workbench): string[] {
  const root = join(wb.server.dirs.home, '.distillery', 'runs');
  return existsSync(root) ? readdirSync(root).map((id) => join(root, id)) : [];
}

export function events(runDir: string): { event: string; status?: string; step?: number }[] {
  const file = join(runDir, 'events.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).flatMap((l) => {
    try {
      return [JSON.parse(l)];
    } catch {
      return [];
    }
  });
}

/** Builds a random tiny T5 + local tokenizer with the runner (no network); resolves with its folder. */
export function makeTinyModel(out: string): Promise<string> {
  rmSync(out, { recursive: true, force: true });
  return new Promise((resolve, reject) => {
    const child = spawn(python, ['-m', 'distillery_runner', 'make-tiny-model', '--arch', 't5', '--out', out], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`make-tiny-model failed (${code}):\n${stderr}`))));
  });
}

/**
 * Prepares a copy of examples/ for one long tiny run: `hosts` replace the sample's, the accepted
 * records become data/train.jsonl and data/val.jsonl, and tiny.run.json (a log line every step,
 * steps enough that cancel has something to stop) is the only run config offered.
 */
export function prepareTinyRunWorkspace(dir: string, model: string, hosts: Record<string, unknown>[]): void {
  const projectFile = join(dir, 'distillery.json');
  const project = JSON.parse(readFileSync(projectFile, 'utf8')) as Record<string, unknown>;
  project['hosts'] = hosts;
  writeFileSync(projectFile, JSON.stringify(project, null, 2));
  // Training data in the runner's format (id, question, rationale, dsl) from the accepted records.
  const accepted = readRecords(join(dir, 'dataset.dss.jsonl')).filter((x) => x.status === 'accepted');
  const line = (x: (typeof accepted)[number]) => JSON.stringify({ id: x.id, question: x['question'], rationale: x.rationale, dsl: x.dsl });
  mkdirSync(join(dir, 'data'), { recursive: true });
  writeFileSync(join(dir, 'data', 'train.jsonl'), accepted.map(line).join('\n') + '\n');
  writeFileSync(join(dir, 'data', 'val.jsonl'), accepted.slice(0, 2).map(line).join('\n') + '\n');
  const run = {
    baseModel: model,
    arch: 'seq2seq',
    modality: 'lora',
    supervision: 'dss',
    lora: { r: 4 },
    // Lengths cover the example records: the runner refuses data it would cut (issue 10).
    train: { maxSteps: 100000, batchSize: 2, logSteps: 1, evalSteps: 100000, saveSteps: 100000, maxSourceLen: 64, maxTargetLen: 160, lr: 1e-3, seed: 7, precision: 'fp32' },
    data: { train: 'data/train.jsonl', val: 'data/val.jsonl' },
  };
  writeFileSync(join(dir, 'tiny.run.json'), JSON.stringify(run, null, 2));
  // The sample's own RUN.json (a 20-step run) would be offered too; these tests want the long one.
  rmSync(join(dir, 'RUN.json'));
}

/**
 * Kills the process groups of the runs the extension started on `local` (their `pid` files), so a
 * test that fails before it cancels its run leaves no training process behind for later tests.
 */
export function killLocalRuns(wb: Workbench | undefined): void {
  if (!wb) return;
  for (const dir of runDirs(wb)) {
    let pgid: number;
    try {
      pgid = Number(readFileSync(join(dir, 'pid'), 'utf8').trim());
    } catch {
      continue;
    }
    if (!Number.isInteger(pgid) || pgid <= 1) continue;
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** A file's trimmed text, '' when it is not there (yet). */
export function readTrimmed(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return '';
  }
}

/**
 * Launches the workspace's tiny run from the palette on a scheduler host, taking each picker's
 * first entry (the one host, tiny.run.json, "Run on" the profile's scheduler), and waits for the
 * run folder to hold the scheduler's job id.
 */
export async function launchScheduledRun(wb: Workbench, scheduler: string): Promise<{ runDir: string; runId: string; jobId: string }> {
  await runCommand(wb.page, 'Distillery: Launch Training Run');
  await answerPrompts(wb.page, `the run to be submitted to ${scheduler}`, /^(Launch|Start|Run|OK|Submit)/, () => runDirs(wb).some((d) => readTrimmed(join(d, 'jobid')) !== ''), 180_000);
  const [runDir] = runDirs(wb);
  return { runDir: runDir!, runId: runDir!.split('/').at(-1)!, jobId: readTrimmed(join(runDir!, 'jobid')) };
}

/** Waits for the runner's step lines in the log editor the launch opened. */
export async function waitForStepLines(page: Page): Promise<void> {
  const editorText = page.locator('.editor-instance .monaco-editor .view-lines');
  await waitFor('step lines in the log editor', async () => {
    for (const text of await editorText.allInnerTexts()) if (/step/i.test(text) && /loss/i.test(text)) return true;
    return false;
  }, 240_000, 500);
}

/** The run's row in the Runs view, under its host (both expanded as needed). */
export async function runsViewRow(page: Page, hostName: string, runId: string): Promise<Locator> {
  await showDistilleryContainer(page);
  const runsHeader = page.locator('.part.sidebar .pane-header', { hasText: /Runs/i }).first();
  if ((await runsHeader.getAttribute('aria-expanded')) === 'false') await runsHeader.click();
  const hostRow = page.locator('.part.sidebar .monaco-list-row', { hasText: new RegExp(`^\\s*${hostName}\\s*$`) }).first();
  await hostRow.waitFor({ timeout: 30_000 });
  if ((await hostRow.getAttribute('aria-expanded')) === 'false') await hostRow.click();
  return page.locator('.part.sidebar .monaco-list-row', { hasText: runId }).first();
}

/** Cancel Run from the palette, confirmed, until `stopped()` holds; then the row shows `cancelled`. */
export async function cancelScheduledRun(page: Page, row: Locator, what: string, stopped: () => boolean | Promise<boolean>, cancelled: RegExp): Promise<void> {
  await runCommand(page, 'Distillery: Cancel Run');
  await answerPrompts(page, what, /^(Cancel Run|Cancel run|Stop|Yes|OK)/, stopped, 120_000);
  await waitFor('the Runs view to show the run cancelled', async () => cancelled.test(await row.innerText().catch(() => '')), 90_000, 500);
}
