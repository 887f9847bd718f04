// A training run launched from VS Code through a real local Ray head (test/helpers/ray.ts): the host
// profile names `scheduler: ray` with the head's dashboard address, "Run on" offers Ray first, the
// run is submitted through the Ray Jobs API, its log lines stream into the log editor, the Runs view
// shows the job's state, and "Cancel Run" stops the job. The same tiny run as runs.test.ts.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { startRay, type RayHead } from '../helpers/ray';
import { screenshotOnFailure, openWorkbench, repoRoot, waitFor, waitForActivation, type Workbench } from './harness';
import { cancelScheduledRun, events, launchScheduledRun, makeTinyModel, prepareTinyRunWorkspace, python, runsMissing, runsViewRow, waitForStepLines } from './runs-helpers';

describe('a training run on Ray from VS Code', { skip: runsMissing, timeout: 480_000 }, () => {
  let wb: Workbench;
  let ray: RayHead;

  /** The Ray Jobs API's word for a job. */
  async function jobStatus(id: string): Promise<string> {
    const r = await fetch(`${ray.address}/api/jobs/${encodeURIComponent(id)}`);
    return r.ok ? ((await r.json()) as { status: string }).status : `HTTP ${r.status}`;
  }

  before(async () => {
    const model = join(repoRoot, '.e2e', 'ray-tiny-t5');
    const modelReady = makeTinyModel(model);
    modelReady.catch(() => undefined);
    // Not skipped when Ray cannot start: CI installs it (the runner's ray extra), and a skip would hide that.
    ray = await startRay(python, { cpus: 2 });
    wb = await openWorkbench({
      name: 'ray',
      env: { PYTHONUNBUFFERED: '1' },
      prepareWorkspace: (dir) => prepareTinyRunWorkspace(dir, model, [{ name: 'cluster', target: 'local', python, scheduler: 'ray', ray: { address: ray.address } }]),
    });
    await Promise.all([waitForActivation(wb), modelReady]);
  });

  afterEach(screenshotOnFailure(() => wb));

  after(async () => {
    await wb?.close();
    await ray?.stop();
  });

  it('submits through the Ray Jobs API, streams the log, shows the job state, and Cancel Run stops the job', async () => {
    const { page } = wb;
    const { runDir, runId, jobId } = await launchScheduledRun(wb, 'Ray');
    assert.ok(jobId, 'the run recorded its Ray submission id');
    await waitFor(`Ray job ${jobId} to run`, async () => (await jobStatus(jobId)) === 'RUNNING', 180_000, 1000);
    await waitForStepLines(page);
    // The Runs view names the run and Ray's word for its job.
    const row = await runsViewRow(page, 'cluster', runId);
    await waitFor('the run in the Runs view with its Ray state', async () => /RUNNING/.test(await row.innerText().catch(() => '')), 60_000, 500);
    await wb.screenshot('ray-run');
    await cancelScheduledRun(page, row, 'the Ray job to be stopped', async () => (await jobStatus(jobId)) === 'STOPPED', /cancel|STOPPED/i);
    await wb.screenshot('ray-run-cancelled');
    assert.ok(events(runDir).some((e) => e.event === 'step'), 'the run logged steps under Ray before it was cancelled');
  });
});
