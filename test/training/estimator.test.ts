import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adviseModality, estimateMemory, loraTrainableParams, modelLinears, type EstimateInput } from '../../src/core/training/estimator';
import { findModel, shapeFromParams } from '../../src/core/training/models';

const model = (id: string) => {
  const m = findModel(id);
  assert.ok(m, `${id} is in the table`);
  return m;
};

const base = (id: string): Omit<EstimateInput, 'modality' | 'gradientCheckpointing'> => ({
  model: model(id), supervision: 'dss', precision: 'bf16', batchSize: 4, maxSourceLen: 256, maxTargetLen: 256, loraRank: 16, targetModules: 'all-linear',
});

test('LoRA trainable parameters match the counts PEFT prints for published models', () => {
  // PEFT README: "trainable params: 4,194,304 || all params: 6,742,609,920" (LLaMA-7B, r=8, q_proj+v_proj).
  assert.equal(loraTrainableParams(model('huggyllama/llama-7b'), 8, ['q_proj', 'v_proj']), 4_194_304);
  // PEFT README: mt0-large / flan-t5-large shape, r=8 on q and v: 2,359,296 (self- and cross-attention).
  assert.equal(loraTrainableParams(model('google/flan-t5-large'), 8, ['q', 'v']), 2_359_296);
  // all-linear covers attention and MLP projections, so it is strictly more.
  assert.ok(loraTrainableParams(model('huggyllama/llama-7b'), 8, 'all-linear') > 4_194_304 * 4);
});

test('full fine-tuning of a 7B model needs about 16 bytes per parameter before activations', () => {
  const e = estimateMemory({ ...base('huggyllama/llama-7b'), modality: 'full', gradientCheckpointing: true, batchSize: 1 });
  const states = e.breakdown.weights + e.breakdown.gradients + e.breakdown.optimizer;
  assert.ok(Math.abs(states - (16 * 6.74e9) / 1024 ** 3) < 0.5, `states ${states}`);
  assert.ok(e.totalGiB > 100 && e.totalGiB < 140, `total ${e.totalGiB}`);
});

test('QLoRA of a 7B model fits a 24 GiB card at batch 1 with checkpointing (QLoRA paper: ~6 GB)', () => {
  const e = estimateMemory({ ...base('huggyllama/llama-7b'), modality: 'qlora', gradientCheckpointing: true, batchSize: 1, supervision: 'label_only' });
  assert.ok(e.totalGiB > 4 && e.totalGiB < 10, `total ${e.totalGiB}`);
  const lora = estimateMemory({ ...base('huggyllama/llama-7b'), modality: 'lora', gradientCheckpointing: true, batchSize: 1, supervision: 'label_only' });
  assert.ok(lora.breakdown.weights > 3 * e.breakdown.weights, 'NF4 weights are about a quarter of bf16');
});

test('memory grows with batch, sequence length and the DSS second pass, and checkpointing cuts activations', () => {
  const b = { ...base('Qwen/Qwen2.5-0.5B'), modality: 'lora' as const, gradientCheckpointing: false };
  const e1 = estimateMemory(b);
  assert.ok(estimateMemory({ ...b, batchSize: 8 }).totalGiB > e1.totalGiB);
  assert.ok(estimateMemory({ ...b, maxSourceLen: 512 }).totalGiB > e1.totalGiB);
  assert.ok(estimateMemory({ ...b, supervision: 'label_only' }).breakdown.activations < e1.breakdown.activations);
  assert.ok(estimateMemory({ ...b, gradientCheckpointing: true }).breakdown.activations < e1.breakdown.activations / 4);
  const sum = Object.values(e1.breakdown).reduce((s, x) => s + x, 0);
  assert.ok(Math.abs(sum - e1.totalGiB) < 1e-9, 'breakdown adds up to the total');
});

test('advice picks full when it fits, else LoRA, else QLoRA, else says what to change', () => {
  const small = adviseModality(base('google/flan-t5-small'), 80);
  assert.equal(small.recommended?.modality, 'full');
  assert.equal(small.loraAlpha, 64);
  const mid = adviseModality({ ...base('meta-llama/Llama-3.1-8B'), batchSize: 1 }, 40);
  assert.equal(mid.recommended?.modality, 'lora');
  assert.match(mid.reason, /full .* would not fit/);
  const tight = adviseModality({ ...base('meta-llama/Llama-3.1-8B'), batchSize: 1 }, 12);
  assert.equal(tight.recommended?.modality, 'qlora');
  const none = adviseModality({ ...base('meta-llama/Llama-3.1-8B'), batchSize: 64, maxSourceLen: 2048 }, 8);
  assert.equal(none.recommended, null);
  assert.match(none.reason, /nothing fits in 8 GiB.*Lower --batch/);
});

test('unknown models are shaped from their parameter count', () => {
  const s = shapeFromParams(7e9, 'causal');
  assert.ok(s.hidden >= 3000 && s.hidden <= 5000, `hidden ${s.hidden}`);
  assert.ok(s.layers >= 24 && s.layers <= 40, `layers ${s.layers}`);
  const t = shapeFromParams(250e6, 'seq2seq');
  assert.ok(t.layers < shapeFromParams(250e6, 'causal').layers, 'seq2seq splits its layers over two stacks');
  assert.throws(() => shapeFromParams(0, 'causal'), /must be positive/);
  assert.equal(findModel('FLAN-T5-BASE')?.id, 'google/flan-t5-base');
});


const lora = (id: string, over: Partial<EstimateInput> = {}): EstimateInput => ({ ...base(id), modality: 'lora', gradientCheckpointing: false, ...over });

test('logits are charged the fp32 log-probabilities cross-entropy saves per pass plus one unit in flight, not 10 bytes per pass', () => {
  const m = model('Qwen/Qwen2.5-0.5B');
  const tokens = 4 * (256 + 256);
  const one = estimateMemory(lora('Qwen/Qwen2.5-0.5B', { supervision: 'label_only' }));
  assert.ok(Math.abs(one.breakdown.logits - (tokens * 4 + tokens * 10) * m.vocab / 1024 ** 3) < 1e-9);
  // Decoder-only DSS packs both passes into one forward: both saved, both in flight at once.
  const dss = estimateMemory(lora('Qwen/Qwen2.5-0.5B'));
  assert.ok(Math.abs(dss.breakdown.logits - (2 * tokens * 4 + 2 * tokens * 10) * m.vocab / 1024 ** 3) < 1e-9);
  // T5 runs two passes: both saved, one in flight; only decoder positions have logits.
  const t5 = model('google/flan-t5-base');
  const t5dss = estimateMemory(lora('google/flan-t5-base'));
  assert.ok(Math.abs(t5dss.breakdown.logits - (2 * 4 * 256 * 4 + 4 * 256 * 10) * t5.vocab / 1024 ** 3) < 1e-9);
});

test('LoRA dropout keeps a copy of every adapted input, and T5 pays for its position bias', () => {
  const withDropout = estimateMemory(lora('Qwen/Qwen2.5-0.5B'));
  const without = estimateMemory(lora('Qwen/Qwen2.5-0.5B', { loraDropout: 0 }));
  const m = model('Qwen/Qwen2.5-0.5B');
  // all-linear on a gated decoder block: q, k, v, gate, up read hidden; o reads attnInner; down reads intermediate.
  const inputsPerToken = m.layers * (5 * m.hidden + m.hidden + m.intermediate);
  const tokens = 2 * 4 * 512;
  assert.ok(Math.abs((withDropout.breakdown.activations - without.breakdown.activations) - (tokens * inputsPerToken * 3) / 1024 ** 3) < 1e-6);

  const t5 = model('google/flan-t5-base');
  const sdpa = estimateMemory(lora('google/flan-t5-base', { loraDropout: 0 }));
  const bias = (2 * 4 * t5.heads * (256 * 256 + 256 * 256) * 2) / 1024 ** 3;
  assert.ok(sdpa.breakdown.activations > bias);
  const eager = estimateMemory(lora('google/flan-t5-base', { loraDropout: 0, attention: 'eager' }));
  // Eager keeps probabilities, mask and dropped-out probabilities per layer: 5 bytes a score in bf16.
  const scores = (2 * t5.layers * 4 * t5.heads * (256 * 256 + 256 * 256 + 256 * 256) * 5) / 1024 ** 3;
  assert.ok(Math.abs((eager.breakdown.activations - sdpa.breakdown.activations) - scores) < 1e-6);
});

test('QLoRA keeps T5 `wo` in fp32 and the rest of the non-linear weights in 16 bits', () => {
  const t5 = model('google/flan-t5-large');
  const q = estimateMemory({ ...lora('google/flan-t5-large'), modality: 'qlora' });
  const wo = 2 * t5.layers * t5.intermediate * t5.hidden;
  const linears = modelLinears(t5);
  const linear = linears.reduce((s, l) => s + l.inFeatures * l.outFeatures, 0);
  const largest = Math.max(...linears.map((l) => l.inFeatures * l.outFeatures));
  const nf4 = (4 + 8 / 64 + 32 / (64 * 256)) / 8;
  const expected = nf4 * (linear - wo) + 4 * wo + 2 * (t5.params - linear) + 4 * q.trainableParams + 2 * largest;
  assert.ok(Math.abs(q.breakdown.weights - expected / 1024 ** 3) < 1e-9, `${q.breakdown.weights} vs ${expected / 1024 ** 3}`);
  const qwen = estimateMemory({ ...lora('Qwen/Qwen2.5-7B', { batchSize: 1 }), modality: 'qlora' });
  const m = model('Qwen/Qwen2.5-7B');
  const embeddings = 2 * m.vocab * m.hidden; // untied: input and output matrices
  assert.ok(qwen.breakdown.weights < (embeddings * 2 + m.params * 0.6) / 1024 ** 3, 'no fp32 copy of the embeddings and head');
});

test('full fine-tuning gradients are not counted at the activation peak unless accumulation keeps them', () => {
  const big = { ...base('Qwen/Qwen2.5-0.5B'), modality: 'full' as const, gradientCheckpointing: false, batchSize: 16 };
  const e = estimateMemory(big);
  assert.equal(e.breakdown.gradients, 0);
  assert.ok(e.breakdown.activations > 0);
  const accumulating = estimateMemory({ ...big, gradAccum: 4 });
  assert.ok(Math.abs(accumulating.breakdown.gradients - (4 * model('Qwen/Qwen2.5-0.5B').params) / 1024 ** 3) < 1e-9);
  assert.ok(accumulating.totalGiB > e.totalGiB);
  // A tiny batch with checkpointing peaks at the end of the backward: gradients, no activations.
  const small = estimateMemory({ ...big, batchSize: 1, gradientCheckpointing: true, supervision: 'label_only', maxSourceLen: 32, maxTargetLen: 32 });
  assert.ok(small.breakdown.gradients > 0 && small.breakdown.activations === 0);
});
