// The Launch dialogs' decisions: "Run on" choices from a host profile, and whether Launch Sweep
// offers parallel points on the free GPUs of the host's last preflight.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { schedulerChoices, sweepPlan } from '../../src/extension/runs/launch-choices';

const gpu = (index: number, memGiB: number, freeMemGiB: number) => ({ index, name: 'NVIDIA A100', memGiB, freeMemGiB });

describe('Run on: scheduler choices for one launch', () => {
  test('a host without a scheduler asks nothing', () => {
    assert.deepEqual(schedulerChoices(undefined), []);
    assert.deepEqual(schedulerChoices({ scheduler: 'none' }), []);
  });

  test('a Slurm host offers Slurm (with its partition) first, then this host directly', () => {
    const choices = schedulerChoices({ scheduler: 'slurm', slurm: { partition: 'gpu', gres: 'gpu:2' } });
    assert.deepEqual(choices.map((c) => c.label), ['Slurm', 'This host directly']);
    assert.match(choices[0]!.description ?? '', /partition gpu.*--gres=gpu:2/);
    assert.deepEqual(choices[0]!.settings, { kind: 'slurm', slurm: { partition: 'gpu', gres: 'gpu:2' } });
    assert.deepEqual(choices[1]!.settings, { kind: 'none' });
  });

  test('a Ray host offers Ray with its dashboard address, then this host directly', () => {
    const choices = schedulerChoices({ scheduler: 'ray', ray: { address: 'http://127.0.0.1:8265' } });
    assert.deepEqual(choices.map((c) => [c.label, c.settings.kind]), [['Ray', 'ray'], ['This host directly', 'none']]);
    assert.equal(choices[0]!.description, 'http://127.0.0.1:8265');
  });
});

describe('Launch Sweep: parallel on free GPUs or one after another', () => {
  test('two free GPUs of three: asks, naming them', () => {
    const plan = sweepPlan(4, 'box', { gpus: [gpu(0, 40, 39), gpu(1, 40, 2), gpu(3, 40, 38)] }, false);
    assert.equal(plan.kind, 'ask');
    if (plan.kind !== 'ask') return;
    assert.deepEqual(plan.gpus, ['0', '3']);
    assert.match(plan.question, /Run 4 points on box: GPUs 0,3 are free/);
    assert.equal(plan.parallel, 'In parallel on GPUs 0,3');
    assert.equal(plan.sequential, 'One after another');
  });

  test('one free GPU, one point, no preflight yet, or a scheduler host: no parallel offer', () => {
    assert.equal(sweepPlan(4, 'box', { gpus: [gpu(0, 40, 39), gpu(1, 40, 2)] }, false).kind, 'sequential');
    assert.equal(sweepPlan(1, 'box', { gpus: [gpu(0, 40, 39), gpu(1, 40, 39)] }, false).kind, 'sequential');
    const unchecked = sweepPlan(4, 'box', undefined, false);
    assert.equal(unchecked.kind, 'sequential');
    assert.match(unchecked.question, /Check GPU Host first/);
    const failed = sweepPlan(4, 'box', undefined, false, 'ssh: connect to host box port 22: Connection refused\nmore detail');
    assert.equal(failed.kind, 'sequential');
    assert.match(failed.question, /its GPUs could not be checked \(ssh: connect to host box port 22: Connection refused\)/);
    const scheduled = sweepPlan(4, 'cluster', { gpus: [gpu(0, 40, 39), gpu(1, 40, 39)] }, true);
    assert.equal(scheduled.kind, 'sequential');
    assert.match(scheduled.question, /to its scheduler/);
  });
});
