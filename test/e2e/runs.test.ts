// A training run launched from VS Code on the `local` host with the real runner and a tiny model
// built on the spot (no hub downloads): log lines stream into the log editor, the status bar shows
// the step, and "Cancel Run" stops it (the runner saves and reports `cancelled`).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { answerPrompts, isPlaceholder, screenshotOnFailure, openWorkbench, readRecords, repoRoot, runCommand, statusItem, waitFor, waitForActivation, type Workbench } from './harness';

const python = join(repoRoot, 'python-runner/.venv/bin/python');
const runsMissing =
  (isPlaceholder('src/extension/features/runs.ts') &&
    'training runs (src/extension/features/runs.ts) are still the scaffold placeholder: "Distillery: Launch Training Run" has no handler') ||
  (!existsSync(python) && 'python-runner/.venv is missing: run `bash scripts/setup-python.sh` (CI does it in .ci/run)');

/** Runs the extension started under the code-server's HOME (~/.distillery/runs/<id>/). */
function runDirs(wb: Workbench): string[] {
  const root = join(wb.server.dirs.home, '.distillery', 'runs');
  return existsSync(root) ? readdirSync(root).map((id) => join(root, id)) : [];
}

function events(runDir: string): { event: string; status?: string; step?: number }[] {
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
function makeTinyModel(out: string): Promise<string> {
  rmSync(out, { recursive: true, force: true });
  return new Promise((resolve, reject) => {
    const child = spawn(python, ['-m', 'distillery_runner', 'make-tiny-model', '--arch', 't5', '--out', out], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`make-tiny-model failed (${code}):\n${stderr}`))));
  });
}

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
      prepareWorkspace(dir) {
        // The host profile points at the runner's venv, so the run needs no setup step.
        const projectFile = join(dir, 'distillery.json');
        const project = JSON.parse(readFileSync(projectFile, 'utf8')) as Record<string, unknown>;
        project['hosts'] = [{ name: 'this machine', target: 'local', python }];
        writeFileSync(projectFile, JSON.stringify(project, null, 2));
        // Training data in the runner's format (id, question, rationale, dsl) from the accepted records.
        const accepted = readRecords(join(dir, 'dataset.dss.jsonl')).filter((x) => x.status === 'accepted');
        const line = (x: (typeof accepted)[number]) => JSON.stringify({ id: x.id, question: x['question'], rationale: x.rationale, dsl: x.dsl });
        mkdirSync(join(dir, 'data'), { recursive: true });
        writeFileSync(join(dir, 'data', 'train.jsonl'), accepted.map(line).join('\n') + '\n');
        writeFileSync(join(dir, 'data', 'val.jsonl'), accepted.slice(0, 2).map(line).join('\n') + '\n');
        // Long enough that cancel has something to stop; a log line every step so lines stream.
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
        // The sample's own RUN.json (a 20-step run) would be offered too; this test wants the long one.
        rmSync(join(dir, 'RUN.json'));
      },
    });
    await Promise.all([waitForActivation(wb), modelReady]);
  });

  afterEach(screenshotOnFailure(() => wb));

  after(async () => {
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
