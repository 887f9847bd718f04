// RUN.json for `python -m distillery_runner train` (docs/ARCHITECTURE.md, "Runner contract").
// This schema mirrors python-runner/distillery_runner/config.py rule for rule: the same keys,
// defaults, ranges, combinations and messages, so the launch form and `distillery train` reject
// exactly what the runner would reject, before anything is uploaded. Change both together.
// Not mirrored (the runner checks them on the GPU box, where the answer is known): fp16/bf16 on a
// machine without CUDA, bf16 on a GPU without it, and QLoRA without a working bitsandbytes.
import { z } from 'zod';

export const ARCHES = ['auto', 'causal', 'seq2seq'] as const;
export const MODALITIES = ['full', 'lora', 'qlora'] as const;
export const SUPERVISIONS = ['dss', 'label_only'] as const;
export const PRECISIONS = ['auto', 'bf16', 'fp16', 'fp32'] as const;
export const SCHEDULERS = ['cosine', 'linear', 'constant', 'reduce_on_plateau'] as const;

/** Defaults the runner fills in (lora.alpha defaults to 4 × r, dssWeight to 1 under label_only). */
export const RUN_CONFIG_DEFAULTS = {
  arch: 'auto',
  modality: 'lora',
  supervision: 'dss',
  dssWeight: 0.5,
  lora: { r: 16, dropout: 0.05, targetModules: 'all-linear' },
  train: {
    epochs: 3,
    maxSteps: null,
    lr: 2e-4,
    batchSize: 8,
    gradAccum: 1,
    maxSourceLen: 256,
    maxTargetLen: 256,
    seed: 42,
    precision: 'auto',
    gradientCheckpointing: false,
    warmupRatio: 0.03,
    scheduler: 'cosine',
    weightDecay: 0,
    maxGradNorm: 1,
    logSteps: 10,
    evalSteps: 200,
    saveSteps: 200,
    saveTotalLimit: 2,
    earlyStoppingPatience: null,
    groupByLength: true,
    evalBatchSize: null,
  },
} as const;

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value === 'object' ? 'object' : typeof value;
}

function mustBe(key: string, expected: string): z.ZodErrorMap {
  return (_issue, ctx) => ({
    message: ctx.data === undefined ? `'${key}' is required` : `'${key}' must be ${expected}, got ${JSON.stringify(ctx.data)} (${typeName(ctx.data)})`,
  });
}

const str = (key: string) => z.string({ errorMap: mustBe(key, 'a non-empty string') }).min(1);
const num = (key: string) => z.number({ errorMap: mustBe(key, 'a number') });
const int = (key: string) => z.number({ errorMap: mustBe(key, 'an integer') }).int();
const bool = (key: string) => z.boolean({ errorMap: mustBe(key, 'true or false') });
const oneOf = <T extends readonly [string, ...string[]]>(key: string, values: T) => z.enum(values, { errorMap: mustBe(key, values.join(' | ')) });
const atLeast = <S extends z.ZodNumber>(schema: S, key: string, low: number, fix = '') =>
  schema.refine((v) => v >= low, (v) => ({ message: `'${key}' must be ≥ ${low}, got ${v}${fix ? `; ${fix}` : ''}` }));
const above = <S extends z.ZodNumber>(schema: S, key: string, extra = '') =>
  schema.refine((v) => v > 0, (v) => ({ message: `'${key}' must be > 0, got ${v}${extra}` }));

const loraSchema = z
  .object({
    r: atLeast(int('lora.r'), 'lora.r', 1).default(RUN_CONFIG_DEFAULTS.lora.r),
    alpha: above(num('lora.alpha'), 'lora.alpha', '; the default is 4 × r').optional(),
    dropout: num('lora.dropout')
      .refine((v) => v >= 0 && v < 1, (v) => ({ message: `'lora.dropout' must be in [0, 1), got ${v}` }))
      .default(RUN_CONFIG_DEFAULTS.lora.dropout),
    targetModules: z
      .custom<'all-linear' | string[]>(
        (v) => v === 'all-linear' || (Array.isArray(v) && v.length > 0 && v.every((m) => typeof m === 'string' && m.length > 0)),
        (v: unknown) => ({ message: `'lora.targetModules' must be "all-linear" or a non-empty array of module names, got ${JSON.stringify(v)} (${typeName(v)})` }),
      )
      .default(RUN_CONFIG_DEFAULTS.lora.targetModules),
  })
  .strict();

const d = RUN_CONFIG_DEFAULTS.train;
const trainSchema = z
  .object({
    epochs: above(num('train.epochs'), 'train.epochs').default(d.epochs),
    maxSteps: atLeast(int('train.maxSteps'), 'train.maxSteps', 1, 'use null to train for train.epochs').nullable().default(d.maxSteps),
    lr: above(num('train.lr'), 'train.lr').default(d.lr),
    batchSize: atLeast(int('train.batchSize'), 'train.batchSize', 1).default(d.batchSize),
    gradAccum: atLeast(int('train.gradAccum'), 'train.gradAccum', 1).default(d.gradAccum),
    maxSourceLen: atLeast(int('train.maxSourceLen'), 'train.maxSourceLen', 8).default(d.maxSourceLen),
    maxTargetLen: atLeast(int('train.maxTargetLen'), 'train.maxTargetLen', 8).default(d.maxTargetLen),
    seed: atLeast(int('train.seed'), 'train.seed', 0).default(d.seed),
    precision: oneOf('train.precision', PRECISIONS).default(d.precision),
    gradientCheckpointing: bool('train.gradientCheckpointing').default(d.gradientCheckpointing),
    warmupRatio: num('train.warmupRatio')
      .refine((v) => v >= 0 && v < 1, (v) => ({ message: `'train.warmupRatio' must be in [0, 1), got ${v}` }))
      .default(d.warmupRatio),
    scheduler: oneOf('train.scheduler', SCHEDULERS).default(d.scheduler),
    weightDecay: atLeast(num('train.weightDecay'), 'train.weightDecay', 0).default(d.weightDecay),
    maxGradNorm: above(num('train.maxGradNorm'), 'train.maxGradNorm').default(d.maxGradNorm),
    logSteps: atLeast(int('train.logSteps'), 'train.logSteps', 1).default(d.logSteps),
    evalSteps: atLeast(int('train.evalSteps'), 'train.evalSteps', 1).default(d.evalSteps),
    saveSteps: atLeast(int('train.saveSteps'), 'train.saveSteps', 1).default(d.saveSteps),
    saveTotalLimit: atLeast(int('train.saveTotalLimit'), 'train.saveTotalLimit', 1).default(d.saveTotalLimit),
    earlyStoppingPatience: atLeast(int('train.earlyStoppingPatience'), 'train.earlyStoppingPatience', 1).nullable().default(d.earlyStoppingPatience),
    groupByLength: bool('train.groupByLength').default(d.groupByLength),
    evalBatchSize: atLeast(int('train.evalBatchSize'), 'train.evalBatchSize', 1).nullable().default(d.evalBatchSize),
  })
  .strict();

const dataSchema = z
  .object(
    {
      train: z.string({
        errorMap: (_i, ctx) => ({
          message: ctx.data === undefined
            ? "'data.train' is required: the JSONL file exported by `distillery export --format dss`"
            : mustBe('data.train', 'a non-empty string')(_i, ctx).message,
        }),
      }).min(1),
      val: str('data.val').nullable().default(null),
      test: str('data.test').nullable().default(null),
    },
    { errorMap: mustBe('data', 'an object') },
  )
  .strict();

const base = z
  .object(
    {
      $schema: str('$schema').optional(),
      runId: str('runId').optional(),
      baseModel: z.string({
        errorMap: (_i, ctx) => ({
          message: ctx.data === undefined
            ? "'baseModel' is required: a Hugging Face hub id or a local model folder"
            : mustBe('baseModel', 'a non-empty string')(_i, ctx).message,
        }),
      }).min(1),
      arch: oneOf('arch', ARCHES).default(RUN_CONFIG_DEFAULTS.arch),
      modality: oneOf('modality', MODALITIES).default(RUN_CONFIG_DEFAULTS.modality),
      supervision: oneOf('supervision', SUPERVISIONS).default(RUN_CONFIG_DEFAULTS.supervision),
      dssWeight: num('dssWeight').optional(),
      lora: z.unknown().optional(),
      train: z.unknown().optional(),
      data: z.unknown(),
      gpus: z
        .custom<number[]>(
          (v) => Array.isArray(v) && v.length > 0 && new Set(v).size === v.length && v.every((g) => Number.isInteger(g) && g >= 0),
          (v: unknown) => ({ message: `'gpus' must be a non-empty array of distinct GPU indices (integers ≥ 0), or null for the default GPU, got ${JSON.stringify(v)} (${typeName(v)})` }),
        )
        .nullable()
        .optional(),
    },
    { errorMap: (_i, ctx) => ({ message: `RUN.json must hold a JSON object, got ${typeName(ctx.data)}` }) },
  )
  .strict();

/** RUN.json → the effective run config with every default filled in (what the runner trains with). */
export const runConfigSchema = base
  .superRefine((raw, ctx) => {
    if (raw.data === undefined) {
      ctx.addIssue({ code: 'custom', path: ['data'], message: `'data' is required: {"train": "train.jsonl", "val": …, "test": …}` });
    }
  })
  .transform((raw, ctx) => {
    const issue = (message: string, path: string[], hint?: string): never => {
      ctx.addIssue({ code: 'custom', path, message, params: hint ? { hint } : {} });
      return z.NEVER;
    };
    const section = <T extends z.ZodTypeAny>(schema: T, value: unknown, key: string): z.output<T> | undefined => {
      if (value === null) {
        issue(`'${key}' must not be null`, [key]);
        return undefined;
      }
      if (value !== undefined && (typeof value !== 'object' || Array.isArray(value))) {
        issue(`'${key}' must be an object, got ${JSON.stringify(value)} (${typeName(value)})`, [key]);
        return undefined;
      }
      const r = schema.safeParse(value ?? {});
      if (!r.success) {
        for (const i of r.error.issues) ctx.addIssue({ ...i, path: [key, ...i.path] });
        return undefined;
      }
      return r.data as z.output<T>;
    };

    const data = section(dataSchema, raw.data, 'data');
    if (!data) return z.NEVER;

    const supervision = raw.supervision;
    if (raw.dssWeight !== undefined) {
      const w = raw.dssWeight;
      if (supervision === 'label_only' && w !== 1) {
        return issue(`'dssWeight' ${w} conflicts with supervision 'label_only' (which trains the label only, w = 1)`, ['dssWeight'], 'remove dssWeight, or set supervision to \'dss\'');
      }
      if (!(w > 0 && w <= 1)) {
        return issue(`'dssWeight' must be in (0, 1], got ${w}; 1.0 trains the label only, 0.5 is the paper's setting`, ['dssWeight']);
      }
    }
    const dssWeight = raw.dssWeight ?? (supervision === 'label_only' ? 1 : RUN_CONFIG_DEFAULTS.dssWeight);

    if (raw.lora !== undefined && raw.modality === 'full') {
      return issue("'lora' settings apply only to modality 'lora' or 'qlora'", ['lora'], "remove 'lora', or set modality to 'lora'");
    }
    const lora = section(loraSchema, raw.lora, 'lora');
    if (!lora) return z.NEVER;
    const train = section(trainSchema, raw.train, 'train');
    if (!train) return z.NEVER;

    if (train.earlyStoppingPatience !== null) {
      if (data.val === null) {
        return issue("'train.earlyStoppingPatience' needs a validation split", ['train', 'earlyStoppingPatience'], 'set data.val, or remove earlyStoppingPatience');
      }
      if (train.saveSteps % train.evalSteps !== 0) {
        return issue(
          `'train.saveSteps' (${train.saveSteps}) must be a multiple of 'train.evalSteps' (${train.evalSteps}) with early stopping`,
          ['train', 'saveSteps'],
          `set train.saveSteps to ${train.evalSteps}`,
        );
      }
    }
    if (train.scheduler === 'reduce_on_plateau' && data.val === null) {
      return issue("'train.scheduler' reduce_on_plateau needs a validation split", ['train', 'scheduler'], "set data.val, or use scheduler 'cosine'");
    }
    if (raw.modality === 'qlora' && train.precision === 'fp32') {
      return issue("'train.precision' fp32 does not fit modality 'qlora' (4-bit weights compute in bf16/fp16)", ['train', 'precision'], "use precision 'auto'");
    }

    const config = {
      baseModel: raw.baseModel,
      arch: raw.arch,
      modality: raw.modality,
      supervision,
      dssWeight,
      lora: { r: lora.r, alpha: lora.alpha ?? 4 * lora.r, dropout: lora.dropout, targetModules: lora.targetModules },
      train,
      data,
      // More than one GPU index starts one torchrun rank per GPU on the box.
      gpus: raw.gpus ?? null,
      ...(raw.runId !== undefined ? { runId: raw.runId } : {}),
    };
    return config;
  });

export type RunConfig = z.output<typeof runConfigSchema>;
/** What a person writes: every key but baseModel and data.train may be left out. */
export type RunConfigInput = z.input<typeof runConfigSchema>;

export class RunConfigError extends Error {
  constructor(
    message: string,
    /** Dotted key the message is about ('' for the whole file). */
    readonly key: string,
    /** What to do about it, when there is more to say than the message. */
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'RunConfigError';
  }
}

const KEYS: Record<string, readonly string[]> = {
  '': ['runId', 'baseModel', 'arch', 'modality', 'supervision', 'dssWeight', 'lora', 'train', 'data', 'gpus'],
  lora: Object.keys(loraSchema.shape),
  train: Object.keys(trainSchema.shape),
  data: Object.keys(dataSchema.shape),
};

/** Levenshtein distance, for "did you mean" on unknown keys. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

function didYouMean(key: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestScore = 0;
  for (const candidate of allowed) {
    const score = 1 - distance(key, candidate) / Math.max(key.length, candidate.length);
    if (score >= 0.6 && score > bestScore) [best, bestScore] = [candidate, score];
  }
  return best;
}

function toError(issues: z.ZodIssue[]): RunConfigError {
  // Unknown keys first, as the runner reports them before anything else.
  const unknown = issues.find((i) => i.code === 'unrecognized_keys');
  if (unknown && unknown.code === 'unrecognized_keys') {
    const where = unknown.path.join('.');
    const key = unknown.keys[0]!;
    const name = where ? `${where}.${key}` : key;
    const allowed = KEYS[where] ?? [];
    const close = didYouMean(key, allowed);
    const fix = close ? `did you mean '${close}'?` : `allowed keys: ${allowed.join(', ')}`;
    return new RunConfigError(`unknown key '${name}' in RUN.json; ${fix}`, name, 'remove or rename the key');
  }
  const first = issues[0]!;
  const hint = first.code === 'custom' && typeof first.params?.['hint'] === 'string' ? (first.params['hint'] as string) : undefined;
  return new RunConfigError(first.message, first.path.join('.'), hint);
}

/**
 * Validates a parsed RUN.json and fills defaults. Throws RunConfigError whose message names the
 * key and the fix, worded as the runner's `error` event of kind `config` would be.
 */
export function parseRunConfig(json: unknown): RunConfig {
  const result = runConfigSchema.safeParse(json);
  if (result.success) return result.data;
  throw toError(result.error.issues);
}

/** Like parseRunConfig, for forms: the error instead of a throw. */
export function checkRunConfig(json: unknown): { ok: true; config: RunConfig } | { ok: false; error: RunConfigError } {
  try {
    return { ok: true, config: parseRunConfig(json) };
  } catch (e) {
    if (e instanceof RunConfigError) return { ok: false, error: e };
    throw e;
  }
}

/** The sections as a person writes them, for the JSON Schema of RUN.json (run-config-json-schema.ts). */
export const runConfigSections = { top: base, lora: loraSchema, train: trainSchema, data: dataSchema };
