// A training run launched from VS Code through a real one-node Slurm cluster (test/helpers/slurm.ts):
// the host profile names `scheduler: slurm`, "Run on" offers Slurm first, the run is submitted with
// sbatch, its log lines stream into the log editor, the Runs view shows the job's state, and
// "Cancel Run" ends it with scancel. The same tiny model and run as the local test (runs.test.ts).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { startSlurm, type SlurmCluster } from '../helpers/slurm';
import { screenshotOnFailure, openWorkbench, repoRoot, waitFor, waitForActivation, type Workbench } from './harness';
import { cancelScheduledRun, events, launchScheduledRun, makeTinyModel, prepareTinyRunWorkspace, python, runsMissing, runsViewRow, waitForStepLines } from './runs-helpers';

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
    const { runDir, runId, jobId } = await launchScheduledRun(wb, 'Slurm');
    assert.match(jobId, /^\d+$/, 'sbatch gave the run a job id');
    await waitFor(`job ${jobId} to run on the cluster`, () => /RUNNING/.test(slurm.run('squeue', ['-h', '-j', jobId, '-o', '%T']).stdout), 120_000, 500);
    await waitForStepLines(page);
    // The Runs view names the run and the scheduler's word for its job.
    const row = await runsViewRow(page, 'cluster', runId);
    await waitFor('the run in the Runs view with its Slurm state', async () => /RUNNING/.test(await row.innerText().catch(() => '')), 60_000, 500);
    await wb.screenshot('slurm-run');
    await cancelScheduledRun(page, row, 'the Slurm job to be cancelled', () => slurm.run('squeue', ['-h', '-j', jobId]).stdout.trim() === '', /cancel/i);
    await wb.screenshot('slurm-run-cancelled');
    assert.ok(events(runDir).some((e) => e.event === 'step'), 'the run logged steps on the cluster before it was cancelled');
  });
});
