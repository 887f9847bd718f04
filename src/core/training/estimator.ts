// Peak GPU memory of a training step for full fine-tuning, LoRA and QLoRA, and the modality advice
// built on it (`distillery plan`, the run form, preflight). The model is analytic: weights,
// gradients, optimizer state, activations (after Korthikanti et al. 2022, "Reducing Activation
// Recomputation in Large Transformer Models", with SDPA/flash attention, so no s² term), logits
// and a fixed CUDA context. docs/training.md lists the assumptions and the measured error.
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
}

export interface MemoryEstimate {
  totalGiB: number;
  trainableParams: number;
  /** GiB per component, adding up to totalGiB. */
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

export function estimateMemory(input: EstimateInput): MemoryEstimate {
  const { model: m, modality, precision: p } = input;
  const N = m.params;
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
    weights = bytesPerValue(p) * N + 4 * trainable;
    gradients = 4 * trainable;
    optimizer = 8 * trainable;
  } else {
    // Linear weights in NF4; embeddings, norms and the head stay 16-bit; paged 8-bit AdamW.
    weights = NF4_BYTES_PER_PARAM * linearParams + 2 * otherParams + 4 * trainable;
    gradients = 4 * trainable;
    optimizer = 2 * trainable;
  }

  const b = input.batchSize;
  const passes = input.supervision === 'dss' ? 2 : 1;
  let activations: number;
  let logitTokens: number;
  const act = (tokens: number, layers: number, cross: boolean): number => {
    const perLayer = activationBytesPerTokenLayer(m, p, cross);
    // With checkpointing only each layer's input survives, plus one layer recomputed in full.
    return input.gradientCheckpointing ? tokens * (layers * m.hidden * bytesPerValue(p) + perLayer) : tokens * layers * perLayer;
  };
  if (m.arch === 'seq2seq') {
    activations = act(b * input.maxSourceLen, m.layers, false) + act(b * input.maxTargetLen, m.layers, true);
    logitTokens = b * input.maxTargetLen;
  } else {
    const seq = input.maxSourceLen + input.maxTargetLen;
    activations = act(b * seq, m.layers, false);
    logitTokens = b * seq;
  }
  // Logits in the compute dtype, their fp32 upcast for cross-entropy, and its gradient.
  let logits = logitTokens * m.vocab * (bytesPerValue(p) + 4 + 4);
  // DSS runs the predict and explain passes of a batch before one backward, so both graphs live.
  activations *= passes;
  logits *= passes;

  const live = weights + gradients + optimizer + activations + logits;
  const overhead = CUDA_CONTEXT_BYTES + FRAGMENTATION * live;
  const breakdown = {
    weights: weights / GiB,
    gradients: gradients / GiB,
    optimizer: optimizer / GiB,
    activations: activations / GiB,
    logits: logits / GiB,
    overhead: overhead / GiB,
  };
  return { totalGiB: (live + overhead) / GiB, trainableParams: trainable, breakdown };
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
