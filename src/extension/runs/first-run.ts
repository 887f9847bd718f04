// What a first run needs that a newcomer does not have yet: a RUN.json (written from the project's
// runDefaults and the planner's advice) and, for a smoke test without downloads, a tiny random
// model. A local baseModel folder named `tiny-random-t5` or `tiny-random-llama` (the naming the
// Hugging Face test models use) that does not exist yet is built by the launch with the runner's
// `make-tiny-model`: offline, a few hundred thousand parameters, once. Pure (no VS Code).
import { isAbsolute, resolve, basename } from 'node:path';
import type { Advice } from '../../core/training/estimator';

export const TINY_MODEL_PATH = './models/tiny-random-t5';

/** The make-tiny-model architecture a baseModel asks for, when it names a tiny random model folder. */
export function tinyModelArch(baseModel: string): 't5' | 'llama' | undefined {
  const m = /^tiny-random-(t5|llama)$/.exec(basename(baseModel.replace(/[\\/]+$/, '')));
  return m ? (m[1] as 't5' | 'llama') : undefined;
}

/** A baseModel that names a folder rather than a hub id: it starts with ./, ../, / or ~. */
export function isLocalModelPath(baseModel: string): boolean {
  return /^(\.{1,2}[\\/]|[\\/]|~[\\/])/.test(baseModel) || isAbsolute(baseModel);
}

export function resolveModelPath(baseModel: string, configDir: string, home: string): string {
  if (baseModel.startsWith('~/')) return resolve(home, baseModel.slice(2));
  return resolve(configDir, baseModel);
}

export interface NewRunConfigInput {
  runDefaults: Record<string, unknown>;
  baseModel: string;
  /** The planner's advice for this model on the chosen GPU, when there is one. */
  advice?: Advice;
  /** Relative paths of the exported splits that exist (train is required by the schema). */
  data: { train: string; val?: string; test?: string };
}

/** RUN.json from runDefaults, the chosen model and the advice; a tiny model gets a short smoke-test schedule. */
export function newRunConfig(input: NewRunConfigInput): Record<string, unknown> {
  const defaults = structuredClone(input.runDefaults);
  const config: Record<string, unknown> = { baseModel: input.baseModel };
  for (const key of ['arch', 'modality', 'supervision', 'dssWeight']) if (defaults[key] !== undefined) config[key] = defaults[key];
  const train = { ...((defaults['train'] ?? {}) as Record<string, unknown>) };
  let lora = defaults['lora'] as Record<string, unknown> | undefined;
  const rec = input.advice?.recommended;
  if (rec) {
    config['modality'] = rec.modality;
    if (rec.gradientCheckpointing) train['gradientCheckpointing'] = true;
  }
  const tiny = tinyModelArch(input.baseModel);
  if (tiny) {
    // A smoke test: seconds on a CPU, every event kind once (step, eval, checkpoint, done).
    config['arch'] = tiny === 't5' ? 'seq2seq' : 'causal';
    config['modality'] = 'lora';
    lora = { r: 4 };
    Object.assign(train, { maxSteps: 20, batchSize: 4, lr: 1e-3, logSteps: 2, evalSteps: 10, saveSteps: 20, maxSourceLen: 96, maxTargetLen: 192, precision: 'fp32', seed: 7 });
  }
  if (config['modality'] === 'full') lora = undefined;
  else config['lora'] = lora ?? { r: 16 };
  if (Object.keys(train).length) config['train'] = train;
  config['data'] = { train: input.data.train, val: input.data.val ?? null, test: input.data.test ?? null };
  return config;
}
