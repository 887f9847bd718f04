// Peak GPU memory of a training step for full fine-tuning, LoRA and QLoRA, and the modality advice
// built on it (`distillery plan`, the run form, preflight). The model is analytic: weights,
// gradients, optimizer state, activations (after Korthikanti et al. 2022, "Reducing Activation
// Recomputation in Large Transformer Models", with SDPA/flash attention, so no s² term except
// T5's position bias and eager attention), LoRA dropout copies, logits and a fixed CUDA context.
// It follows what python-runner does (docs/training.md lists the assumptions); it has not yet been
// calibrated against measured peaks on a GPU (python-runner/BENCHMARKS.md).
import type { ModelShape } from './models';

export type Modality = 'full' | 'lora' | 'qlora';
export type Precision = 'bf16' | 'fp16' | 'fp32';
export type Supervision = 'dss' | 'label_only';

export interface EstimateInput {
  model: ModelShape;
  modality: Modality;
  supervision: Supervision;
  precision: Precision;
  batchSize: number;
  maxSourceLen: number;
  maxTargetLen: number;
  gradientCheckpointing: boolean;
  loraRank: number;
  /** 'all-linear' (PEFT's default here) or module names such as ['q_proj', 'v_proj'] / ['q', 'v'] for T5. */
  targetModules: 'all-linear' | string[];
  /** LoRA dropout (the runner's default 0.05): above 0 PEFT keeps a dropped-out copy of every adapted layer's input. */
  loraDropout?: number;
  /** Micro-batches per optimiser step (default 1): above 1 the gradients stay allocated through the next forward. */
  gradAccum?: number;
  /** Attention kernel (default 'sdpa', what transformers picks): 'eager' keeps each layer's s² probabilities. */
  attention?: 'sdpa' | 'eager';
}

export interface MemoryEstimate {
  totalGiB: number;
  trainableParams: number;
  /**
   * GiB per component live at the peak, adding up to totalGiB. The peak is either the end of the
   * forward (activations and logits, gradients not yet allocated) or the end of the backward
   * (gradients, activations freed), whichever is larger; with gradient accumulation both at once.
   */
  breakdown: { weights: number; gradients: number; optimizer: number; activations: number; logits: number; overhead: number };
}

const GiB = 1024 ** 3;
/** CUDA context, cuBLAS workspaces and the caching allocator's reserve, measured on A100/H100 with torch 2.x. */
const CUDA_CONTEXT_BYTES = 0.75 * GiB;
/** Fragmentation of the caching allocator on top of live tensors. */
const FRAGMENTATION = 0.08;
/** NF4 with double quantisation: 4 bits + 8-bit absmax per 64 weights + fp32 per 256 absmax blocks. */
const NF4_BYTES_PER_PARAM = (4 + 8 / 64 + 32 / (64 * 256)) / 8;

interface Linear { name: string; inFeatures: number; outFeatures: number }

/** The linear layers of one transformer block (per stack for seq2seq), named as in HF checkpoints. */
function blockLinears(m: ModelShape, kind: 'decoder' | 'encoder' | 'seq2seq-decoder'): Linear[] {
  const h = m.hidden;
  const inner = m.attnInner ?? h;
  const kv = (inner / m.heads) * m.kvHeads;
  if (m.arch === 'seq2seq') {
    const attn = (prefix: string): Linear[] => ['q', 'k', 'v'].map((n) => ({ name: n, inFeatures: h, outFeatures: n === 'q' ? inner : kv })).concat({ name: 'o', inFeatures: inner, outFeatures: h }).map((l) => ({ ...l, name: `${prefix}${l.name}` }));
    const mlp: Linear[] = m.gatedMlp
      ? [{ name: 'wi_0', inFeatures: h, outFeatures: m.intermediate }, { name: 'wi_1', inFeatures: h, outFeatures: m.intermediate }, { name: 'wo', inFeatures: m.intermediate, outFeatures: h }]
      : [{ name: 'wi', inFeatures: h, outFeatures: m.intermediate }, { name: 'wo', inFeatures: m.intermediate, outFeatures: h }];
    // PEFT matches T5 modules by their last name (q, k, v, o), for self- and cross-attention alike.
    const selfAttention = attn('');
    const crossAttention = kind === 'seq2seq-decoder' ? attn('') : [];
    return [...selfAttention, ...crossAttention, ...mlp];
  }
  const attn: Linear[] = [
    { name: 'q_proj', inFeatures: h, outFeatures: inner },
    { name: 'k_proj', inFeatures: h, outFeatures: kv },
    { name: 'v_proj', inFeatures: h, outFeatures: kv },
    { name: 'o_proj', inFeatures: inner, outFeatures: h },
  ];
  const mlp: Linear[] = m.gatedMlp
    ? [{ name: 'gate_proj', inFeatures: h, outFeatures: m.intermediate }, { name: 'up_proj', inFeatures: h, outFeatures: m.intermediate }, { name: 'down_proj', inFeatures: m.intermediate, outFeatures: h }]
    : [{ name: 'up_proj', inFeatures: h, outFeatures: m.intermediate }, { name: 'down_proj', inFeatures: m.intermediate, outFeatures: h }];
  return [...attn, ...mlp];
}

/** Every linear layer of the model except the output head (PEFT's 'all-linear' skips it too). */
export function modelLinears(m: ModelShape): Linear[] {
  if (m.arch === 'seq2seq') {
    const enc = blockLinears(m, 'encoder');
    const dec = blockLinears(m, 'seq2seq-decoder');
    return [...Array.from({ length: m.layers }, () => enc).flat(), ...Array.from({ length: m.layers }, () => dec).flat()];
  }
  const block = blockLinears(m, 'decoder');
  return Array.from({ length: m.layers }, () => block).flat();
}

/** Trainable parameters LoRA adds: r·(in + out) for each targeted linear layer. */
export function loraTrainableParams(m: ModelShape, rank: number, targetModules: 'all-linear' | string[]): number {
  const wanted = targetModules === 'all-linear' ? null : new Set(targetModules);
  let total = 0;
  for (const l of modelLinears(m)) if (!wanted || wanted.has(l.name)) total += rank * (l.inFeatures + l.outFeatures);
  return total;
}

function bytesPerValue(p: Precision): number {
  return p === 'fp32' ? 4 : 2;
}

/** Activation bytes per token per transformer layer (Korthikanti et al., generalised to gated MLPs). */
function activationBytesPerTokenLayer(m: ModelShape, p: Precision, crossAttention: boolean): number {
  const h = m.hidden;
  const inner = m.attnInner ?? h;
  // Attention: LN input, QKV input, Q/K/V, context, output projection input, dropout masks ≈ 11h (16-bit).
  const attention = 4 * h + 7 * inner;
  const layerNorms = 4 * h;
  // MLP: input, the up (and gate) projections and their activation, dropout mask.
  const mlp = 3 * h + (m.gatedMlp ? 8 : 4) * m.intermediate;
  const perToken16 = attention * (crossAttention ? 2 : 1) + layerNorms + mlp;
  return perToken16 * (bytesPerValue(p) / 2);
}

/** T5 keeps its FFN output projection unquantised in fp32 under 4-bit loading (transformers' `_keep_in_fp32_modules`). */
function fp32UnderQlora(m: ModelShape): number {
  return m.arch === 'seq2seq' ? 2 * m.layers * m.intermediate * m.hidden : 0;
}

/** Bytes per token and layer that LoRA adds: the dropped-out input copy and its mask per adapted linear (dropout > 0), and the rank-r intermediate. */
function loraBytesPerTokenLayer(m: ModelShape, input: EstimateInput, kind: 'encoder' | 'decoder'): number {
  const wanted = input.targetModules === 'all-linear' ? null : new Set(input.targetModules);
  const layer = blockLinears(m, m.arch === 'causal' ? 'decoder' : kind === 'encoder' ? 'encoder' : 'seq2seq-decoder');
  const bytes = bytesPerValue(input.precision);
  const dropout = (input.loraDropout ?? 0.05) > 0;
  let total = 0;
  for (const l of layer) if (!wanted || wanted.has(l.name)) total += (dropout ? l.inFeatures * (bytes + 1) : 0) + input.loraRank * bytes;
  return total;
}

export function estimateMemory(input: EstimateInput): MemoryEstimate {
  const { model: m, modality, precision: p } = input;
  const N = m.params;
  const bytes = bytesPerValue(p);
  const linearParams = modelLinears(m).reduce((s, l) => s + l.inFeatures * l.outFeatures, 0);
  const otherParams = Math.max(0, N - linearParams);
  const trainable = modality === 'full' ? N : loraTrainableParams(m, input.loraRank, input.targetModules);

  let weights: number;
  let gradients: number;
  let optimizer: number;
  if (modality === 'full') {
    // Mixed precision keeps fp32 master weights: 4 bytes weight + 4 gradient + 8 AdamW moments.
    weights = 4 * N;
    gradients = 4 * N;
    optimizer = 8 * N;
  } else if (modality === 'lora') {
    // The frozen base is held in the compute precision; adapters are fp32 with AdamW.
    weights = bytes * N + 4 * trainable;
    gradients = 4 * trainable;
    optimizer = 8 * trainable;
  } else {
    // Linear weights in NF4 except T5's fp32 `wo`; embeddings, norms and the head stay 16-bit (the
    // runner does not upcast them, unlike peft.prepare_model_for_kbit_training); paged 8-bit AdamW.
    // One linear at a time is dequantised to the compute dtype for its matmul.
    const keptFp32 = fp32UnderQlora(m);
    const largestLinear = Math.max(...modelLinears(m).map((l) => l.inFeatures * l.outFeatures));
    weights = NF4_BYTES_PER_PARAM * (linearParams - keptFp32) + 4 * keptFp32 + 2 * otherParams + 4 * trainable + 2 * largestLinear;
    gradients = 4 * trainable;
    optimizer = 2 * trainable;
  }

  const b = input.batchSize;
  const passes = input.supervision === 'dss' ? 2 : 1;
  const adapters = modality !== 'full';
  const eager = input.attention === 'eager';
  const act = (tokens: number, layers: number, cross: boolean, kind: 'encoder' | 'decoder', attentionPerLayer: number): number => {
    const perLayer = activationBytesPerTokenLayer(m, p, cross) + (adapters ? loraBytesPerTokenLayer(m, input, kind) : 0);
    const scores = eager ? attentionPerLayer : 0;
    // With checkpointing only each layer's input survives, plus one layer recomputed in full.
    return input.gradientCheckpointing ? tokens * (layers * m.hidden * bytes + perLayer) + scores : tokens * layers * perLayer + layers * scores;
  };
  // Eager attention keeps per layer the probabilities, the dropout mask and the dropped-out
  // probabilities (2·bytes + 1 per score); SDPA keeps none of them.
  const scoreBytes = 2 * bytes + 1;
  let activations: number;
  let tokensPerPass: number;
  if (m.arch === 'seq2seq') {
    const S = input.maxSourceLen;
    const T = input.maxTargetLen;
    activations =
      act(b * S, m.layers, false, 'encoder', b * m.heads * S * S * scoreBytes) +
      act(b * T, m.layers, true, 'decoder', b * m.heads * (T * T + T * S) * scoreBytes);
    // T5's relative position bias, expanded over the batch and merged with the mask, is one tensor
    // per stack that every layer's attention reads, so it lives for the whole step.
    activations += b * m.heads * (S * S + T * T) * bytes;
    tokensPerPass = b * T;
  } else {
    const seq = input.maxSourceLen + input.maxTargetLen;
    activations = act(b * seq, m.layers, false, 'decoder', b * m.heads * seq * seq * scoreBytes);
    tokensPerPass = b * seq;
  }
  // DSS runs the predict and explain passes of a batch before one backward (decoder-only: packed
  // into one forward), so both graphs live.
  activations *= passes;
  // Cross-entropy saves fp32 log-probabilities (4 bytes per logit) for every pass. On top, while
  // one unit is in flight: its compute-dtype logits or gradient plus the fp32 upcast and its
  // gradient (8 + bytes). The unit is one pass for T5's two passes, both for a packed decoder.
  const unit = m.arch === 'causal' ? passes * tokensPerPass : tokensPerPass;
  const logits = (passes * tokensPerPass * 4 + unit * (8 + bytes)) * m.vocab;

  // Gradients are allocated during the backward while activations are freed; they coexist with
  // the forward's peak only when accumulation keeps them from the previous micro-batch.
  const forwardPeak = activations + logits;
  const accumulating = (input.gradAccum ?? 1) > 1;
  const atForwardPeak = accumulating || forwardPeak >= gradients;
  const live = {
    gradients: accumulating || !atForwardPeak ? gradients : 0,
    activations: atForwardPeak ? activations : 0,
    logits: atForwardPeak ? logits : 0,
  };
  const total = weights + optimizer + live.gradients + live.activations + live.logits;
  const overhead = CUDA_CONTEXT_BYTES + FRAGMENTATION * total;
  const breakdown = {
    weights: weights / GiB,
    gradients: live.gradients / GiB,
    optimizer: optimizer / GiB,
    activations: live.activations / GiB,
    logits: live.logits / GiB,
    overhead: overhead / GiB,
  };
  return { totalGiB: (total + overhead) / GiB, trainableParams: trainable, breakdown };
}

export interface Candidate {
  modality: Modality;
  gradientCheckpointing: boolean;
  estimate: MemoryEstimate;
  fits: boolean;
}

export interface Advice {
  recommended: Candidate | null;
  candidates: Candidate[];
  reason: string;
  loraAlpha: number;
}

/** Share of the GPU a plan may fill; the rest absorbs spikes the model does not see (eval, saving). */
export const HEADROOM = 0.9;

/**
 * Recommends the modality with the best expected quality that fits: full if it fits, else LoRA,
 * else QLoRA; within a modality, without gradient checkpointing (faster) before with it.
 */
export function adviseModality(base: Omit<EstimateInput, 'modality' | 'gradientCheckpointing'>, gpuMemGiB: number): Advice {
  const budget = gpuMemGiB * HEADROOM;
  const order: [Modality, boolean][] = [['full', false], ['full', true], ['lora', false], ['lora', true], ['qlora', false], ['qlora', true]];
  const candidates = order.map(([modality, gradientCheckpointing]) => {
    const estimate = estimateMemory({ ...base, modality, gradientCheckpointing });
    return { modality, gradientCheckpointing, estimate, fits: estimate.totalGiB <= budget };
  });
  const recommended = candidates.find((c) => c.fits) ?? null;
  const fmt = (c: Candidate) => `${c.modality}${c.gradientCheckpointing ? ' + gradient checkpointing' : ''} ≈ ${c.estimate.totalGiB.toFixed(1)} GiB`;
  let reason: string;
  if (!recommended) {
    const smallest = candidates[candidates.length - 1]!;
    reason = `nothing fits in ${gpuMemGiB} GiB (${(HEADROOM * 100).toFixed(0)}% usable): even ${fmt(smallest)}. Lower --batch or the sequence lengths, or use a smaller base model.`;
  } else {
    const skipped = candidates.slice(0, candidates.indexOf(recommended)).filter((c) => !c.gradientCheckpointing || c.modality !== recommended.modality);
    const why = skipped.length ? `; ${skipped.map(fmt).join(', ')} would not fit` : '';
    const paper = recommended.modality !== 'full' && base.supervision === 'label_only' ? ' Rationales (DSS) help most in the parameter-efficient modes: consider --supervision dss.' : '';
    reason = `${fmt(recommended)} fits in ${gpuMemGiB} GiB${why}.${paper}`;
  }
  return { recommended, candidates, reason, loraAlpha: 4 * base.loraRank };
}
