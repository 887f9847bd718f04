// The pure parts of the scheduler drivers: what the profile turns into (sbatch argv, the
// torchrun launcher, Ray's entrypoint resources), how Slurm's and Ray's words become a run's
// status and reason, and the profile schema. The engines themselves are in slurm.test.ts and
// ray.test.ts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applySlurmState, gpusPerNode, parseSlurmProbe, sbatchOptions, slurmJobOptions, slurmMinutes } from '../../src/core/remote/schedulers/slurm';
import { applyRayState, rayJobOptions } from '../../src/core/remote/schedulers/ray';
import { schedulerLabel, schedulerSettingsOf } from '../../src/core/remote/schedulers/settings';
import { parseProjectConfig } from '../../src/core/project/config';
import type { ProbedSummary } from '../../src/core/remote/jobs';

const run = (over: Partial<ProbedSummary>): ProbedSummary => ({ runId: 'r', status: 'running', startedAt: null, config: null, metrics: null, scheduler: 'slurm', jobId: '7', ...over });

describe('Slurm driver', () => {
  test('reads squeue and scontrol lines', () => {
    assert.deepEqual(parseSlurmProbe('squeue|7|PENDING|Priority'), { state: 'PENDING', reason: 'Priority' });
    assert.deepEqual(parseSlurmProbe('squeue|7|RUNNING|None'), { state: 'RUNNING' });
    assert.deepEqual(parseSlurmProbe('scontrol|JobId=7 JobName=a b JobState=TIMEOUT Reason=TimeLimit Dependency=(null) ExitCode=0:15'), { state: 'TIMEOUT', reason: 'TimeLimit', exitCode: '0:15' });
    assert.equal(parseSlurmProbe('scontrol|'), undefined);
    assert.equal(parseSlurmProbe(undefined), undefined);
  });

  test('maps states to statuses, keeping the runner’s own final event where it decides', () => {
    const pending = run({ probe: 'squeue|7|PENDING|Resources', status: 'queued' });
    applySlurmState(pending);
    assert.equal(pending.status, 'queued');
    assert.equal(schedulerLabel(pending), 'PENDING (Resources)');
    const timeout = run({ probe: 'scontrol|JobId=7 JobState=TIMEOUT Reason=TimeLimit ExitCode=0:15', status: 'cancelled', final: { event: 'done', status: 'cancelled' } });
    applySlurmState(timeout);
    assert.equal(timeout.status, 'failed', 'a time limit is a failure even though the runner saved and stopped');
    assert.match(timeout.schedulerReason!, /TimeLimit; the job ran past its time limit/);
    const oom = run({ probe: 'scontrol|JobId=7 JobState=OUT_OF_MEMORY Reason=OutOfMemory ExitCode=0:125' });
    applySlurmState(oom);
    assert.equal(oom.status, 'failed');
    assert.match(oom.schedulerReason!, /ran out of memory/);
    const completedNoEvent = run({ probe: 'scontrol|JobId=7 JobState=COMPLETED Reason=None ExitCode=0:0' });
    applySlurmState(completedNoEvent);
    assert.equal(completedNoEvent.status, 'failed', 'a job that ended without a done event did not train');
    const cancelled = run({ probe: 'scontrol|JobId=7 JobState=CANCELLED Reason=None ExitCode=0:15', status: 'queued' });
    applySlurmState(cancelled);
    assert.equal(cancelled.status, 'cancelled');
    const forgotten = run({ status: 'done', final: { event: 'done', status: 'ok' } });
    applySlurmState(forgotten);
    assert.equal(forgotten.status, 'done');
    assert.equal(forgotten.schedulerState, undefined);
  });

  test('profile options become argv words; GPUs or nodes switch to srun + torchrun', () => {
    assert.deepEqual(sbatchOptions({ partition: 'gpu', account: "it's", time: '04:00:00', gres: 'gpu:a100:4', nodes: 2, directives: ['--mem=64G'] }, 'distillery-x'), [
      '--parsable',
      '--job-name=distillery-x',
      '--partition=gpu',
      "--account=it's",
      '--time=04:00:00',
      '--gres=gpu:a100:4',
      '--nodes=2',
      '--ntasks-per-node=1',
      '--mem=64G',
    ]);
    assert.equal(gpusPerNode('gpu:a100:4'), 4);
    assert.equal(gpusPerNode('gpu'), 1);
    assert.equal(gpusPerNode('gpu:4'), 4);
    assert.equal(gpusPerNode('gpu:a100'), 1);
    assert.equal(gpusPerNode('shard:2'), 0);
    assert.equal(slurmJobOptions({ gres: 'gpu:1' }).launcher, undefined);
    const multi = slurmJobOptions({ gres: 'gpu:4', nodes: 2, setup: ['module load cuda'] });
    assert.match(multi.launcher!, /^srun --ntasks-per-node=1 .*torch\.distributed\.run .*--nproc-per-node=4 .*--rdzv-backend=c10d .*-m distillery_runner$/);
    assert.deepEqual(multi.setup, ['module load cuda']);
  });

  test('time limits compare in minutes', () => {
    assert.equal(slurmMinutes('90'), 90);
    assert.equal(slurmMinutes('01:30:00'), 90);
    assert.equal(slurmMinutes('1-00:00:00'), 1440);
    assert.equal(slurmMinutes('2-12'), 2 * 1440 + 720);
    assert.ok(slurmMinutes('02:00:00') > slurmMinutes('00:30:00'));
  });
});

describe('Ray driver', () => {
  test('maps job statuses and keeps the message of a failure', () => {
    const failed = run({ scheduler: 'ray' });
    applyRayState(failed, { status: 'FAILED', message: 'Job entrypoint command failed with exit code 1' }, false);
    assert.equal(failed.status, 'failed');
    assert.match(failed.schedulerReason!, /exit code 1/);
    const stopped = run({ scheduler: 'ray' });
    applyRayState(stopped, { status: 'STOPPED' }, false);
    assert.equal(stopped.status, 'cancelled');
    const waiting = run({ scheduler: 'ray', status: 'queued' });
    applyRayState(waiting, undefined, true);
    assert.equal(waiting.schedulerState, 'WAITING');
    assert.equal(waiting.status, 'queued');
  });

  test('more than one worker runs the runner under TorchTrainer', () => {
    assert.deepEqual(rayJobOptions({ address: 'http://127.0.0.1:8265' }), {});
    assert.match(rayJobOptions({ address: 'http://127.0.0.1:8265', workers: 2, resourcesPerWorker: { GPU: 1 } }).launcher!, /distillery_runner\.ray_entry --workers 2 --resources '\{"GPU":1\}' --$/);
  });
});

describe('host profile schema', () => {
  test('accepts the scheduler contract and refuses a directive that would add a line', () => {
    const cfg = parseProjectConfig(
      JSON.stringify({
        hosts: [
          { name: 'hpc', target: 'login', scheduler: 'slurm', slurm: { partition: 'gpu', account: 'proj', qos: 'normal', time: '04:00:00', gres: 'gpu:1', nodes: 1, directives: ['--mem=64G'], setup: ['module load cuda/12.4'] } },
          { name: 'ray', target: 'head', scheduler: 'ray', ray: { address: 'http://127.0.0.1:8265', resourcesPerWorker: { GPU: 1 }, workers: 1 } },
        ],
      }),
    );
    assert.deepEqual(schedulerSettingsOf(cfg.hosts[0]), { kind: 'slurm', slurm: cfg.hosts[0]!.slurm });
    assert.equal(schedulerSettingsOf(cfg.hosts[1]).kind, 'ray');
    assert.deepEqual(schedulerSettingsOf({}), { kind: 'none' });
    assert.throws(() => parseProjectConfig(JSON.stringify({ hosts: [{ name: 'x', target: 'y', scheduler: 'slurm', slurm: { directives: ['--mem=1G\nrm -rf ~'] } }] })), /single line/);
    assert.throws(() => parseProjectConfig(JSON.stringify({ hosts: [{ name: 'x', target: 'y', slurm: { partiton: 'gpu' } }] })), /partiton|Unrecognized/);
    assert.throws(() => parseProjectConfig(JSON.stringify({ hosts: [{ name: 'x', target: 'y', slurm: { time: 'four hours' } }] })), /time looks like/);
  });
});
