// A training run launched from VS Code through a real one-node Slurm cluster (test/helpers/slurm.ts):
// the host profile names `scheduler: slurm`, "Run on" offers Slurm first, the run is submitted with
// sbatch, its log lines stream into the log editor, the Runs view shows the job's state, and
// "Cancel Run" ends it with scancel. The same tiny model and run as the local test (runs.test.ts).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { startSlurm, type SlurmCluster } from '../helpers/slurm';
import { answerPrompts, screenshotOnFailure, openWorkbench, repoRoot, runCommand, showDistilleryContainer, waitFor, waitForActivation, type Workbench } from './harness';
import { events, makeTinyModel, prepareTinyRunWorkspace, python, runDirs, runsMissing } from './runs-helpers';

describe('a training run on Slurm from VS Code', { skip: runsMissing, timeout: 480_000 }, () => {
  let wb: Workbench;
  let slurm: SlurmCluster;

  before(async () => {
    const model = join(repoRoot, '.e2e', 'slurm-tiny-t5');
    const modelReady = makeTinyModel(model);
    modelReady.catch(() => undefined);
    // Not skipped when Slurm cannot start: CI installs it (.ci/run), and a skip would hide that.
    slurm = await startSlurm();
    wb = await openWorkbench({
      name: 'slurm',
      // The extension host finds the cluster as a login node's shell does: SLURM_CONF.
      env: { PYTHONUNBUFFERED: '1', ...slurm.env },
      prepareWorkspace: (dir) =>
        prepareTinyRunWorkspace(dir, model, [{ name: 'cluster', target: 'local', python, scheduler: 'slurm', slurm: { partition: 'debug', time: '00:20:00' } }]),
    });
    await Promise.all([waitForActivation(wb), modelReady]);
  });

  afterEach(screenshotOnFailure(() => wb));

  after(async () => {
    await wb?.close();
    await slurm?.stop();
  });

  it('submits through Slurm, streams the log, shows the job state, and Cancel Run scancels the job', async () => {
    const { page } = wb;
    await runCommand(page, 'Distillery: Launch Training Run');
    // The pickers take their first entry: the one host, tiny.run.json, and "Run on: Slurm".
    await answerPrompts(page, 'the run to be submitted to Slurm', /^(Launch|Start|Run|OK|Submit)/, () => runDirs(wb).some((d) => readable(join(d, 'jobid')) !== ''), 180_000);
    const [runDir] = runDirs(wb);
    const runId = runDir!.split('/').at(-1)!;
    const jobId = readable(join(runDir!, 'jobid'));
    assert.match(jobId, /^\d+$/, 'sbatch gave the run a job id');

    await waitFor(`job ${jobId} to run on the cluster`, () => /RUNNING/.test(slurm.run('squeue', ['-h', '-j', jobId, '-o', '%T']).stdout), 120_000, 500);
    const editorText = page.locator('.editor-instance .monaco-editor .view-lines');
    await waitFor('step lines in the log editor', async () => {
      for (const text of await editorText.allInnerTexts()) if (/step/i.test(text) && /loss/i.test(text)) return true;
      return false;
    }, 240_000, 500);

    // The Runs view names the run and the scheduler's word for its job.
    await showDistilleryContainer(page);
    const runsHeader = page.locator('.part.sidebar .pane-header', { hasText: /Runs/i }).first();
    if ((await runsHeader.getAttribute('aria-expanded')) === 'false') await runsHeader.click();
    const hostRow = page.locator('.part.sidebar .monaco-list-row', { hasText: /^\s*cluster\s*$/ }).first();
    await hostRow.waitFor({ timeout: 30_000 });
    if ((await hostRow.getAttribute('aria-expanded')) === 'false') await hostRow.click();
    const row = page.locator('.part.sidebar .monaco-list-row', { hasText: runId }).first();
    await waitFor('the run in the Runs view with its Slurm state', async () => /RUNNING/.test(await row.innerText().catch(() => '')), 60_000, 500);
    await wb.screenshot('slurm-run');

    await runCommand(page, 'Distillery: Cancel Run');
    await answerPrompts(page, 'the Slurm job to be cancelled', /^(Cancel Run|Cancel run|Stop|Yes|OK)/, () => slurm.run('squeue', ['-h', '-j', jobId]).stdout.trim() === '', 120_000);
    await waitFor('the Runs view to show the run cancelled', async () => /cancel/i.test(await row.innerText().catch(() => '')), 90_000, 500);
    await wb.screenshot('slurm-run-cancelled');
    assert.ok(events(runDir!).some((e) => e.event === 'step'), 'the run logged steps on the cluster before it was cancelled');
  });
});

function readable(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return '';
  }
}
