// Preflight + estimator: for a RUN.json whose base model the estimator knows, the memory of each
// modality on the host's smallest GPU and the recommended one (src/core/training/estimator.ts).
import { adviseModality, type Precision, type Supervision } from '../training/estimator';
import { findModel } from '../training/models';

export interface HostAdvice {
  gpuMemGiB: number;
  recommended: string | null;
  reason: string;
  lines: string[];
}

export function adviceFor(env: Record<string, unknown> | null, config: Record<string, unknown> | undefined): HostAdvice | undefined {
  const gpus = Array.isArray(env?.['gpus']) ? (env!['gpus'] as { memGiB?: unknown }[]) : [];
  const mems = gpus.map((g) => Number(g.memGiB)).filter((n) => n > 0);
  if (!mems.length || !config || typeof config['baseModel'] !== 'string') return undefined;
  const model = findModel(config['baseModel']);
  if (!model) return undefined;
  const train = (config['train'] ?? {}) as Record<string, unknown>;
  const lora = (config['lora'] ?? {}) as Record<string, unknown>;
  const precision = (['bf16', 'fp16', 'fp32'].includes(String(train['precision'])) ? train['precision'] : env?.['bf16'] ? 'bf16' : 'fp16') as Precision;
  const gpuMemGiB = Math.min(...mems);
  const advice = adviseModality(
    {
      model,
      supervision: (config['supervision'] === 'label_only' ? 'label_only' : 'dss') as Supervision,
      precision,
      batchSize: Number(train['batchSize'] ?? 8),
      maxSourceLen: Number(train['maxSourceLen'] ?? 256),
      maxTargetLen: Number(train['maxTargetLen'] ?? 256),
      loraRank: Number(lora['r'] ?? 16),
      targetModules: Array.isArray(lora['targetModules']) ? (lora['targetModules'] as string[]) : 'all-linear',
    },
    gpuMemGiB,
  );
  const r = advice.recommended;
  return {
    gpuMemGiB,
    recommended: r ? `${r.modality}${r.gradientCheckpointing ? ' + gradient checkpointing' : ''}` : null,
    reason: advice.reason,
    lines: advice.candidates.map((c) => `${c.modality}${c.gradientCheckpointing ? ' + GC' : ''}: ${c.estimate.totalGiB.toFixed(1)} GiB${c.fits ? '' : ' (does not fit)'}`),
  };
}
