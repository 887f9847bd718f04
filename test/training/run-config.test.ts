import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseRunConfig, checkRunConfig, RunConfigError, runConfigSchema } from '../../src/core/training/run-config';

const base = { baseModel: 'google/flan-t5-base', data: { train: 'train.jsonl' } };

function errorOf(json: unknown): RunConfigError {
  try {
    parseRunConfig(json);
  } catch (e) {
    assert.ok(e instanceof RunConfigError, String(e));
    return e;
  }
  assert.fail(`accepted ${JSON.stringify(json)}`);
}

test('fills the runner defaults', () => {
  const c = parseRunConfig(base);
  assert.equal(c.arch, 'auto');
  assert.equal(c.modality, 'lora');
  assert.equal(c.supervision, 'dss');
  assert.equal(c.dssWeight, 0.5);
  assert.deepEqual(c.lora, { r: 16, alpha: 64, dropout: 0.05, targetModules: 'all-linear' });
  assert.deepEqual(c.data, { train: 'train.jsonl', val: null, test: null });
  assert.equal(c.train.precision, 'auto');
  assert.equal(c.train.maxSteps, null);
  assert.equal(c.train.lr, 2e-4);
  assert.equal(c.train.batchSize, 8);
  assert.equal(c.train.seed, 42);
  assert.equal(c.train.scheduler, 'cosine');
  assert.equal(c.train.groupByLength, true);
});

test('alpha defaults to 4 × r; label_only means w = 1', () => {
  assert.equal(parseRunConfig({ ...base, lora: { r: 8 } }).lora.alpha, 32);
  assert.equal(parseRunConfig({ ...base, lora: { r: 8, alpha: 8 } }).lora.alpha, 8);
  assert.equal(parseRunConfig({ ...base, supervision: 'label_only' }).dssWeight, 1);
  assert.equal(parseRunConfig({ ...base, supervision: 'label_only', dssWeight: 1 }).dssWeight, 1);
  assert.deepEqual(parseRunConfig({ ...base, lora: { targetModules: ['q', 'v'] } }).lora.targetModules, ['q', 'v']);
});

test('accepts a complete config and keeps runId', () => {
  const c = parseRunConfig({
    $schema: 'x', runId: 'r1', baseModel: 'm', arch: 'causal', modality: 'qlora', supervision: 'dss', dssWeight: 0.7,
    lora: { r: 4, alpha: 16, dropout: 0.1, targetModules: 'all-linear' },
    train: { epochs: 1, maxSteps: 10, lr: 1e-4, batchSize: 2, gradAccum: 4, maxSourceLen: 128, maxTargetLen: 128, seed: 1, precision: 'bf16',
      gradientCheckpointing: true, warmupRatio: 0.1, scheduler: 'reduce_on_plateau', weightDecay: 0.01, maxGradNorm: 0.5, logSteps: 1,
      evalSteps: 5, saveSteps: 10, saveTotalLimit: 1, earlyStoppingPatience: 3, groupByLength: false, evalBatchSize: 4 },
    data: { train: 'a', val: 'b', test: 'c' },
  });
  assert.equal(c.runId, 'r1');
  assert.equal(c.train.earlyStoppingPatience, 3);
});

// Every case below was produced by the Python runner (python-runner/tests/fixtures, checked by
// test_config.py): the TypeScript schema must give the same message and hint, word for word.
interface Case { name: string; config: unknown; message: string; hint: string | null }
const cases = JSON.parse(readFileSync(join(import.meta.dirname, '../../python-runner/tests/fixtures/run-config-errors.json'), 'utf8')) as Case[];

for (const c of cases) {
  test(`rejects like the runner: ${c.name}`, () => {
    const e = errorOf(c.config);
    assert.equal(e.message, c.message);
    assert.equal(e.hint ?? null, c.hint);
  });
}

test('required keys and non-objects', () => {
  assert.match(errorOf({ data: { train: 't' } }).message, /'baseModel' is required/);
  assert.match(errorOf({ baseModel: 'm' }).message, /'data' is required/);
  assert.match(errorOf([1]).message, /RUN.json must hold a JSON object, got array/);
  assert.match(errorOf({ ...base, lora: 'x' }).message, /'lora' must be an object/);
});

test('hints carry the fix; checkRunConfig returns instead of throwing', () => {
  const r = checkRunConfig({ ...base, modality: 'full', lora: {} });
  assert.equal(r.ok, false);
  if (!r.ok) assert.equal(r.error.hint, "remove 'lora', or set modality to 'lora'");
  assert.equal(runConfigSchema.safeParse(base).success, true);
});
