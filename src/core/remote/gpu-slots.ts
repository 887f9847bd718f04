// Which GPUs of a host a sweep may run its points on at once: `--gpus auto|0,1,3|none` and the
// extension's Launch Sweep both come here, so the rule for "free" is written down once.
//
// The rule: a GPU is free when at least FREE_FRACTION (90 %) of its memory is free in the
// runner's `env` report (torch.cuda.mem_get_info). Another process training or serving on a GPU
// holds far more than 10 % of it; a desktop session or an idle CUDA context holds less. The
// report has no per-process list (that needs NVML, which the runner does not require), so memory
// is the signal we have.

export const FREE_FRACTION = 0.9;

export interface EnvGpu {
  index: number;
  name?: string;
  memGiB: number;
  freeMemGiB: number;
}

export type GpuChoice = { kind: 'auto' } | { kind: 'none' } | { kind: 'list'; gpus: string[] };

/** Parses `auto`, `none` or a comma list of distinct GPU indices ("0,1,3"). */
export function parseGpuChoice(text: string): GpuChoice {
  const t = text.trim();
  if (t === 'auto') return { kind: 'auto' };
  if (t === 'none') return { kind: 'none' };
  const gpus = t.split(',').map((g) => g.trim());
  const bad = gpus.find((g) => !/^\d+$/.test(g));
  if (bad !== undefined) throw new Error(`"${text}" is not auto, none or a list of GPU indices such as 0,1,3 ("${bad}" is not an index)`);
  if (new Set(gpus).size !== gpus.length) throw new Error(`"${text}" names a GPU twice`);
  return { kind: 'list', gpus };
}

/** The GPUs of an `env` report (preflight's `env`) that pass the free rule, as index strings. */
export function freeGpus(env: Record<string, unknown> | null | undefined): string[] {
  const list = Array.isArray(env?.['gpus']) ? (env['gpus'] as unknown[]) : [];
  const free: string[] = [];
  for (const g of list) {
    const gpu = g as Partial<EnvGpu>;
    if (typeof gpu.index !== 'number' || typeof gpu.memGiB !== 'number' || typeof gpu.freeMemGiB !== 'number' || gpu.memGiB <= 0) continue;
    if (gpu.freeMemGiB >= FREE_FRACTION * gpu.memGiB) free.push(String(gpu.index));
  }
  return free;
}

/** How many GPUs the report lists at all (free or not). */
export function gpuCount(env: Record<string, unknown> | null | undefined): number {
  return Array.isArray(env?.['gpus']) ? (env['gpus'] as unknown[]).length : 0;
}

/**
 * The slots for `auto`: the free GPUs when the host has at least two GPUs and two of them are
 * free (one slot is the same as queueing), else [] (one after another, as before).
 */
export function autoSlots(env: Record<string, unknown> | null | undefined): string[] {
  if (gpuCount(env) < 2) return [];
  const free = freeGpus(env);
  return free.length >= 2 ? free : [];
}
