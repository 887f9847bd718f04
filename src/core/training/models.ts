// Shapes of well-known student models, enough to estimate training memory without downloading a
// config. Numbers are from each model's published config.json. Unknown models are described by a
// parameter count, from which a plausible shape is derived (see `shapeFromParams`).

export type Arch = 'causal' | 'seq2seq';

export interface ModelShape {
  id: string;
  arch: Arch;
  /** Total parameters, embeddings included. */
  params: number;
  hidden: number;
  /** Decoder layers for causal models; layers per stack (encoder = decoder) for seq2seq. */
  layers: number;
  /** heads × head dim of attention when it differs from `hidden` (T5 small: 6 × 64 = 384). */
  attnInner?: number;
  /** Width of the MLP's hidden layer. */
  intermediate: number;
  vocab: number;
  heads: number;
  kvHeads: number;
  /** Gated MLP (SwiGLU/GeGLU) has three projection matrices instead of two. */
  gatedMlp: boolean;
  tiedEmbeddings: boolean;
}

const m = (s: ModelShape): ModelShape => s;

export const KNOWN_MODELS: readonly ModelShape[] = [
  m({ id: 'google/flan-t5-small', arch: 'seq2seq', params: 77e6, hidden: 512, layers: 8, attnInner: 384, intermediate: 1024, vocab: 32128, heads: 6, kvHeads: 6, gatedMlp: true, tiedEmbeddings: false }),
  m({ id: 'google/flan-t5-base', arch: 'seq2seq', params: 248e6, hidden: 768, layers: 12, intermediate: 2048, vocab: 32128, heads: 12, kvHeads: 12, gatedMlp: true, tiedEmbeddings: false }),
  m({ id: 'google/flan-t5-large', arch: 'seq2seq', params: 783e6, hidden: 1024, layers: 24, intermediate: 2816, vocab: 32128, heads: 16, kvHeads: 16, gatedMlp: true, tiedEmbeddings: false }),
  m({ id: 'google/flan-t5-xl', arch: 'seq2seq', params: 2.85e9, hidden: 2048, layers: 24, intermediate: 5120, vocab: 32128, heads: 32, kvHeads: 32, gatedMlp: true, tiedEmbeddings: false }),
  m({ id: 'google/flan-t5-xxl', arch: 'seq2seq', params: 11.3e9, hidden: 4096, layers: 24, intermediate: 10240, vocab: 32128, heads: 64, kvHeads: 64, gatedMlp: true, tiedEmbeddings: false }),
  m({ id: 'Qwen/Qwen2.5-0.5B', arch: 'causal', params: 494e6, hidden: 896, layers: 24, intermediate: 4864, vocab: 151936, heads: 14, kvHeads: 2, gatedMlp: true, tiedEmbeddings: true }),
  m({ id: 'Qwen/Qwen2.5-1.5B', arch: 'causal', params: 1.54e9, hidden: 1536, layers: 28, intermediate: 8960, vocab: 151936, heads: 12, kvHeads: 2, gatedMlp: true, tiedEmbeddings: true }),
  m({ id: 'Qwen/Qwen2.5-3B', arch: 'causal', params: 3.09e9, hidden: 2048, layers: 36, intermediate: 11008, vocab: 151936, heads: 16, kvHeads: 2, gatedMlp: true, tiedEmbeddings: true }),
  m({ id: 'Qwen/Qwen2.5-7B', arch: 'causal', params: 7.62e9, hidden: 3584, layers: 28, intermediate: 18944, vocab: 152064, heads: 28, kvHeads: 4, gatedMlp: true, tiedEmbeddings: false }),
  m({ id: 'meta-llama/Llama-3.2-1B', arch: 'causal', params: 1.24e9, hidden: 2048, layers: 16, intermediate: 8192, vocab: 128256, heads: 32, kvHeads: 8, gatedMlp: true, tiedEmbeddings: true }),
  m({ id: 'meta-llama/Llama-3.2-3B', arch: 'causal', params: 3.21e9, hidden: 3072, layers: 28, intermediate: 8192, vocab: 128256, heads: 24, kvHeads: 8, gatedMlp: true, tiedEmbeddings: true }),
  m({ id: 'meta-llama/Llama-3.1-8B', arch: 'causal', params: 8.03e9, hidden: 4096, layers: 32, intermediate: 14336, vocab: 128256, heads: 32, kvHeads: 8, gatedMlp: true, tiedEmbeddings: false }),
  m({ id: 'huggyllama/llama-7b', arch: 'causal', params: 6.74e9, hidden: 4096, layers: 32, intermediate: 11008, vocab: 32000, heads: 32, kvHeads: 32, gatedMlp: true, tiedEmbeddings: false }),
  m({ id: 'mistralai/Mistral-7B-v0.3', arch: 'causal', params: 7.25e9, hidden: 4096, layers: 32, intermediate: 14336, vocab: 32768, heads: 32, kvHeads: 8, gatedMlp: true, tiedEmbeddings: false }),
  m({ id: 'microsoft/Phi-3-mini-4k-instruct', arch: 'causal', params: 3.82e9, hidden: 3072, layers: 32, intermediate: 8192, vocab: 32064, heads: 32, kvHeads: 32, gatedMlp: true, tiedEmbeddings: false }),
  m({ id: 'google/gemma-2-2b', arch: 'causal', params: 2.61e9, hidden: 2304, layers: 26, intermediate: 9216, vocab: 256000, heads: 8, kvHeads: 4, gatedMlp: true, tiedEmbeddings: true }),
  m({ id: 'HuggingFaceTB/SmolLM2-360M', arch: 'causal', params: 362e6, hidden: 960, layers: 32, intermediate: 2560, vocab: 49152, heads: 15, kvHeads: 5, gatedMlp: true, tiedEmbeddings: true }),
];

/** Finds a known model by id, case-insensitively, also by its name without the organisation. */
export function findModel(id: string): ModelShape | undefined {
  const want = id.trim().toLowerCase().replace(/\/+$/, '');
  const name = want.split('/').pop() ?? want;
  return KNOWN_MODELS.find((s) => s.id.toLowerCase() === want) ?? KNOWN_MODELS.find((s) => s.id.toLowerCase().split('/').pop() === name);
}

/**
 * A plausible shape for an unknown model of `params` parameters. Decoder-only models of a given size
 * cluster around hidden ≈ 128·√(params/1e6)·… ; we fit hidden and layers to the Llama/Qwen family:
 * 12·L·h² dominates, with L ≈ h/128 for small models and capped at 80 layers.
 */
export function shapeFromParams(params: number, arch: Arch, vocab = 32000): ModelShape {
  if (!(params > 0)) throw new Error(`parameter count must be positive, got ${params}`);
  // Solve 12·L·h² + 2·V·h ≈ params with L = clamp(h/128, 4, 80); a few fixed-point iterations suffice.
  let hidden = 512;
  for (let i = 0; i < 40; i++) {
    const layers = Math.min(80, Math.max(4, hidden / 128));
    const body = Math.max(params - 2 * vocab * hidden, params * 0.3);
    hidden = Math.sqrt(body / (12 * layers));
  }
  hidden = Math.max(64, Math.round(hidden / 64) * 64);
  const layers = Math.round(Math.min(80, Math.max(4, hidden / 128)));
  const heads = Math.max(1, Math.round(hidden / 64));
  return {
    id: `custom-${(params / 1e6).toFixed(0)}M`,
    arch,
    params,
    hidden,
    // A seq2seq model spends its parameters on two stacks of about equal size.
    layers: arch === 'seq2seq' ? Math.max(2, Math.round(layers / 2)) : layers,
    intermediate: Math.round((hidden * 8) / 3 / 64) * 64,
    vocab,
    heads,
    kvHeads: heads,
    gatedMlp: true,
    tiedEmbeddings: false,
  };
}
