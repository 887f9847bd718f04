// The run log's console view, the failure explanations and the first-run helpers (pure parts of
// src/extension/runs), and RUN.json's JSON Schema generated from the zod schema.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { explainFailure, halveBatch, lastExceptionLine, stderrTail } from '../../src/extension/runs/failure';
import { isLocalModelPath, newRunConfig, tinyModelArch } from '../../src/extension/runs/first-run';
import { autoInterpreter, findInterpreters } from '../../src/extension/runs/interpreters';
import { duration, formatEvent, isLifecycle, progressLine, short } from '../../src/extension/runs/log-format';
import { checkRunConfig } from '../../src/core/training/run-config';
import { runConfigJsonSchema } from '../../src/core/training/run-config-json-schema';

describe('run log console view', () => {
  it('renders a step like the Trainer console, rounded for reading', () => {
    const line = formatEvent(
      { event: 'step', step: 10, epoch: 0.1, loss: 6.5612345678901234, lossLabel: null, lr: 0.00075, gradNorm: 0.9, tokensPerSec: 412.36, gpuMemGiB: 0, etaSec: 29.4 },
      { totalSteps: 80 },
    );
    assert.equal(line, 'step 10/80 · loss 6.56 · lr 7.5e-4 · 412 tok/s · ETA 29s');
  });

  it('shows both DSS losses, GPU memory and long ETAs', () => {
    const line = formatEvent({ event: 'step', step: 3, loss: 1.25, lossLabel: 1.1, lossRationale: 1.4, lr: 2e-4, tokensPerSec: 5400, gpuMemGiB: 11.24, etaSec: 3725 });
    assert.equal(line, 'step 3 · loss 1.25 · (label 1.1, rationale 1.4) · lr 2e-4 · 5400 tok/s · 11.2 GiB · ETA 1h 02m');
  });

  it('says how a run started, evaluated and ended, and why it failed', () => {
    assert.match(formatEvent({ event: 'start', runId: 'r1', device: 'cpu', gpu: null, params: { total: 200000, trainable: 1500 }, modality: 'lora', supervision: 'dss', precision: 'fp32', trainExamples: 16, valExamples: 3 }), /^▶ run r1 · lora dss · on cpu · fp32 · 1500 of 200000 params trainable · 16 train \/ 3 val examples$/);
    assert.equal(formatEvent({ event: 'eval', step: 10, split: 'val', valLoss: 0.41234 }), 'eval (val) @ step 10 · val loss 0.412');
    assert.equal(formatEvent({ event: 'done', status: 'ok', wallSec: 65, peakMemGiB: 0, metrics: { exactMatch: 0.5, validDsl: 1 } }), '✔ done · in 1m 05s · exact match 50.0% · valid DSL 100.0%');
    assert.equal(formatEvent({ event: 'done', status: 'cancelled', wallSec: 3 }), '■ cancelled · in 3s');
    assert.equal(formatEvent({ event: 'error', kind: 'oom', message: 'CUDA out of memory', hint: 'lower train.batchSize' }), '✖ oom error: CUDA out of memory\n  hint: lower train.batchSize');
  });

  it('keeps the progress notification short', () => {
    assert.equal(progressLine({ event: 'step', step: 2, loss: 6.9012, lossLabel: 6.7, lossRationale: 7.1, lr: 3e-7, etaSec: 258_000 }, { totalSteps: 100000 }), 'step 2/100000 · loss 6.9 · ETA 71h 40m');
  });

  it('keeps steps out of the Output channel', () => {
    assert.equal(isLifecycle({ event: 'step' }), false);
    for (const event of ['start', 'eval', 'checkpoint', 'done', 'error']) assert.equal(isLifecycle({ event }), true);
  });

  it('formats numbers and durations', () => {
    assert.equal(short(0.000123), '1.2e-4');
    assert.equal(short(123.456), '123.46');
    assert.equal(short(42), '42');
    assert.equal(duration(59.6), '1m 00s');
  });
});

describe('why a run failed', () => {
  const torchMissing = `Traceback (most recent call last):
  File "<frozen runpy>", line 198, in _run_module_as_main
  File "/x/distillery_runner/cli.py", line 135, in _dispatch
    import torch
ModuleNotFoundError: No module named 'torch'

`;
  it('names the missing package and offers another interpreter or the setup', () => {
    const tail = stderrTail(torchMissing);
    assert.equal(lastExceptionLine(tail), "ModuleNotFoundError: No module named 'torch'");
    const why = explainFailure(undefined, tail, 1);
    assert.match(why.reason, /cannot import torch/);
    assert.deepEqual(why.fixes, ['selectPython', 'setupPython']);
  });

  it("uses the runner's error event and hint when there is one", () => {
    const why = explainFailure({ event: 'error', kind: 'oom', message: 'CUDA out of memory. Tried to allocate 2 GiB', hint: 'lower train.batchSize' }, []);
    assert.equal(why.reason, 'oom error: CUDA out of memory. Tried to allocate 2 GiB');
    assert.equal(why.hint, 'lower train.batchSize');
    assert.deepEqual(why.fixes, ['smallerBatch', 'openConfig']);
    assert.deepEqual(explainFailure({ event: 'error', kind: 'config', message: "unknown key 'lr'" }, []).fixes, ['openConfig']);
  });

  it('says when the runner left nothing at all', () => {
    assert.match(explainFailure(undefined, [], 137).reason, /without an event or any stderr output \(exit code 137\)/);
  });

  it('halves the batch and doubles accumulation, keeping the effective batch', () => {
    assert.deepEqual(halveBatch({ baseModel: 'm', train: { batchSize: 8, gradAccum: 2 } })?.['train'], { batchSize: 4, gradAccum: 4 });
    assert.deepEqual(halveBatch({ baseModel: 'm' })?.['train'], { batchSize: 4, gradAccum: 2 });
    assert.equal(halveBatch({ baseModel: 'm', train: { batchSize: 1 } }), undefined);
  });
});

describe('first run', () => {
  it('knows a tiny random model folder from a hub id', () => {
    assert.equal(tinyModelArch('./models/tiny-random-t5'), 't5');
    assert.equal(tinyModelArch('models/tiny-random-llama/'), 'llama');
    assert.equal(tinyModelArch('google/flan-t5-small'), undefined);
    assert.equal(isLocalModelPath('./models/x'), true);
    assert.equal(isLocalModelPath('/abs/x'), true);
    assert.equal(isLocalModelPath('google/flan-t5-small'), false);
  });

  it('writes a RUN.json the launch accepts, from runDefaults and the advice', () => {
    const recommended = { modality: 'qlora' as const, gradientCheckpointing: true, fits: true, estimate: { totalGiB: 9, trainableParams: 1, breakdown: {} as never } };
    const config = newRunConfig({
      runDefaults: { baseModel: 'google/flan-t5-small', modality: 'lora', supervision: 'dss', lora: { r: 16 } },
      baseModel: 'google/flan-t5-xl',
      advice: { recommended, candidates: [recommended], reason: '', loraAlpha: 64 },
      data: { train: 'export/train.jsonl', val: 'export/val.jsonl' },
    });
    assert.equal(config['modality'], 'qlora');
    assert.deepEqual(config['train'], { gradientCheckpointing: true });
    assert.deepEqual(config['data'], { train: 'export/train.jsonl', val: 'export/val.jsonl', test: null });
    assert.equal(checkRunConfig(config).ok, true);
  });

  it('gives the tiny model a short CPU smoke-test schedule the schema accepts', () => {
    const config = newRunConfig({ runDefaults: { modality: 'full' }, baseModel: './models/tiny-random-t5', data: { train: 'export/train.jsonl' } });
    assert.equal(config['modality'], 'lora');
    assert.equal((config['train'] as { maxSteps: number }).maxSteps, 20);
    const checked = checkRunConfig(config);
    assert.ok(checked.ok, checked.ok ? '' : checked.error.message);
  });

  it('finds workspace environments first, preferring one with torch', () => {
    const root = mkdtempSync(join(tmpdir(), 'interp-'));
    for (const venv of ['.venv', 'python-runner/.venv']) {
      mkdirSync(join(root, venv, 'bin'), { recursive: true });
      writeFileSync(join(root, venv, 'bin', 'python'), '');
    }
    mkdirSync(join(root, 'python-runner/.venv/lib/python3.11/site-packages/torch'), { recursive: true });
    const found = findInterpreters({ workspaceRoot: root, home: join(root, 'home') });
    assert.deepEqual(found.map((c) => [c.source, c.hasTorch]), [['workspace .venv', false], ['workspace python-runner/.venv', true]]);
    assert.equal(autoInterpreter(found)?.path, join(root, 'python-runner/.venv/bin/python'));
  });
});

describe('RUN.json JSON Schema', () => {
  it('comes from the zod schema: enums, defaults, required keys and no unknown keys', () => {
    const schema = runConfigJsonSchema() as { required: string[]; additionalProperties: boolean; properties: Record<string, { enum?: string[]; properties?: Record<string, { default?: unknown; description?: string }> }> };
    assert.deepEqual(schema.required, ['baseModel', 'data']);
    assert.equal(schema.additionalProperties, false);
    assert.deepEqual(schema.properties['modality']?.enum, ['full', 'lora', 'qlora']);
    assert.equal(schema.properties['train']?.properties?.['batchSize']?.default, 8);
    assert.match(schema.properties['train']?.properties?.['batchSize']?.description ?? '', /gradAccum/);
    assert.ok(schema.properties['data']?.properties?.['train']);
  });
});

describe('the sample workspace', () => {
  it("has a RUN.json the launch accepts, on a tiny model the launch can build, with splits that exist", async () => {
    const { readFileSync, existsSync } = await import('node:fs');
    const dir = join(import.meta.dirname, '../../examples');
    const config = JSON.parse(readFileSync(join(dir, 'RUN.json'), 'utf8')) as { baseModel: string; data: Record<string, string> };
    const checked = checkRunConfig(config);
    assert.ok(checked.ok, checked.ok ? '' : checked.error.message);
    assert.equal(tinyModelArch(config.baseModel), 't5');
    for (const split of ['train', 'val', 'test']) assert.ok(existsSync(join(dir, config.data[split]!)), `examples/${config.data[split]} exists`);
  });
});
