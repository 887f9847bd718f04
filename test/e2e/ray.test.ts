// A training run launched from VS Code through a real local Ray head (test/helpers/ray.ts): the host
// profile names `scheduler: ray` with the head's dashboard address, "Run on" offers Ray first, the
// run is submitted through the Ray Jobs API, its log lines stream into the log editor, the Runs view
// shows the job's state, and "Cancel Run" stops the job. The same tiny run as runs.test.ts.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { startRay, type RayHead } from '../helpers/ray';
import { answerPrompts, screenshotOnFailure, openWorkbench, repoRoot, runCommand, showDistilleryContainer, waitFor, waitForActivation, type Workbench } from './harness';
import { events, makeTinyModel, prepareTinyRunWorkspace, python, runDirs, runsMissing } from './runs-helpers';

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
    await runCommand(page, 'Distillery: Launch Training Run');
    // The pickers take their first entry: the one host, tiny.run.json, and "Run on: Ray".
    await answerPrompts(page, 'the run to be submitted to Ray', /^(Launch|Start|Run|OK|Submit)/, () => runDirs(wb).some((d) => readable(join(d, 'jobid')) !== ''), 180_000);
    const [runDir] = runDirs(wb);
    const runId = runDir!.split('/').at(-1)!;
    const jobId = readable(join(runDir!, 'jobid'));
    assert.ok(jobId, 'the run recorded its Ray submission id');

    await waitFor(`Ray job ${jobId} to run`, async () => (await jobStatus(jobId)) === 'RUNNING', 180_000, 1000);
    const editorText = page.locator('.editor-instance .monaco-editor .view-lines');
    await waitFor('step lines in the log editor', async () => {
      for (const text of await editorText.allInnerTexts()) if (/step/i.test(text) && /loss/i.test(text)) return true;
      return false;
    }, 240_000, 500);

    // The Runs view names the run and Ray's word for its job.
    await showDistilleryContainer(page);
    const runsHeader = page.locator('.part.sidebar .pane-header', { hasText: /Runs/i }).first();
    if ((await runsHeader.getAttribute('aria-expanded')) === 'false') await runsHeader.click();
    const hostRow = page.locator('.part.sidebar .monaco-list-row', { hasText: /^\s*cluster\s*$/ }).first();
    await hostRow.waitFor({ timeout: 30_000 });
    if ((await hostRow.getAttribute('aria-expanded')) === 'false') await hostRow.click();
    const row = page.locator('.part.sidebar .monaco-list-row', { hasText: runId }).first();
    await waitFor('the run in the Runs view with its Ray state', async () => /RUNNING/.test(await row.innerText().catch(() => '')), 60_000, 500);
    await wb.screenshot('ray-run');

    await runCommand(page, 'Distillery: Cancel Run');
    await answerPrompts(page, 'the Ray job to be stopped', /^(Cancel Run|Cancel run|Stop|Yes|OK)/, async () => (await jobStatus(jobId)) === 'STOPPED', 120_000);
    await waitFor('the Runs view to show the run cancelled', async () => /cancel|STOPPED/i.test(await row.innerText().catch(() => '')), 90_000, 500);
    await wb.screenshot('ray-run-cancelled');
    assert.ok(events(runDir!).some((e) => e.event === 'step'), 'the run logged steps under Ray before it was cancelled');
  });
});

function readable(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return '';
  }
}
