// Chart data: runner events become points, and every series stays under MAX_POINTS however long
// the run, with its shape (means per bucket) and its last value kept.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_POINTS, pointFromEvent, RunSeries, Series } from '../../src/webview/run-view/series';

describe('pointFromEvent', () => {
  it('takes the step fields of a step event and the eval fields of an eval event', () => {
    assert.deepEqual(pointFromEvent({ event: 'step', step: 10, epoch: 0.1, loss: 1.23, lossLabel: 1.1, lossRationale: 1.4, lr: 2e-4, gradNorm: 0.9, gpuMemGiB: 11.2, etaSec: 840 }), {
      kind: 'step',
      step: 10,
      values: { loss: 1.23, lossLabel: 1.1, lossRationale: 1.4, lr: 2e-4, gpuMemGiB: 11.2 },
    });
    assert.deepEqual(pointFromEvent({ event: 'eval', step: 100, valLoss: 0.41, exactMatch: 0.62, validDsl: 0.97, fieldF1: 0.88, loss: 9 }), {
      kind: 'eval',
      step: 100,
      values: { valLoss: 0.41, exactMatch: 0.62, validDsl: 0.97 },
    });
  });

  it('leaves out null and non-numeric fields (label_only has lossRationale null) and ignores other events', () => {
    assert.deepEqual(pointFromEvent({ event: 'step', step: 3, loss: 2, lossRationale: null, lr: 'x', gpuMemGiB: Number.NaN }), { kind: 'step', step: 3, values: { loss: 2 } });
    assert.equal(pointFromEvent({ event: 'checkpoint', step: 100 }), undefined);
    assert.equal(pointFromEvent({ event: 'step', loss: 1 }), undefined);
    assert.equal(pointFromEvent({ event: 'step', step: -1, loss: 1 }), undefined);
  });
});

describe('Series downsampling', () => {
  it('keeps every point while under the cap', () => {
    const s = new Series();
    for (let i = 1; i <= 1500; i++) s.add(i, i * 2);
    assert.equal(s.size, 1500);
    assert.deepEqual(s.points()[0], [1, 2]);
    assert.deepEqual(s.points().at(-1), [1500, 3000]);
  });

  it(`stays at or under ${MAX_POINTS} points for a million steps, ordered, covering the whole run`, () => {
    const s = new Series();
    for (let i = 1; i <= 1_000_000; i++) {
      s.add(i, Math.sin(i / 50_000));
      if (i % 997 === 0) assert.ok(s.size <= MAX_POINTS, `size ${s.size} at step ${i}`);
    }
    const pts = s.points();
    assert.ok(pts.length <= MAX_POINTS && pts.length > MAX_POINTS / 4, `kept ${pts.length}`);
    for (let i = 1; i < pts.length; i++) assert.ok(pts[i]![0] > pts[i - 1]![0], 'steps increase');
    assert.ok(pts[0]![0] < 1000, 'starts near the first step');
    assert.ok(pts.at(-1)![0] > 999_000, 'ends near the last step');
    assert.equal(s.seen, 1_000_000);
    assert.deepEqual(s.last, { step: 1_000_000, value: Math.sin(20) });
    // Bucket means follow the curve: each point is close to sin at its step.
    for (const [x, y] of pts) assert.ok(Math.abs(y - Math.sin(x / 50_000)) < 0.02, `point at ${x}`);
  });

  it('keeps the true min and max even when buckets average a spike away', () => {
    const s = new Series(8);
    for (let i = 0; i < 100; i++) s.add(i, i === 37 ? 100 : 1);
    assert.equal(s.max, 100);
    assert.equal(s.min, 1);
    assert.ok(s.size <= 8);
  });
});

describe('RunSeries', () => {
  it('routes values to their series and its snapshot replays to the same points', () => {
    const run = new RunSeries(50);
    for (let i = 1; i <= 400; i++) {
      run.add(pointFromEvent({ event: 'step', step: i, loss: 3 / i, lr: 1e-4, gpuMemGiB: 10 + (i % 3) })!);
      if (i % 100 === 0) run.add(pointFromEvent({ event: 'eval', step: i, valLoss: 1 / i, exactMatch: i / 400, validDsl: 0.9 })!);
    }
    assert.equal(run.lastStep, 400);
    assert.equal(run.get('exactMatch')!.size, 4);
    assert.ok(run.get('loss')!.size <= 50);
    assert.equal(run.get('lossRationale'), undefined);
    const replay = new RunSeries(50);
    for (const p of run.snapshot()) replay.add(p);
    for (const name of ['loss', 'lr', 'gpuMemGiB', 'valLoss', 'exactMatch', 'validDsl'] as const) {
      assert.equal(replay.get(name)!.size, run.get(name)!.size, name);
    }
  });
});
