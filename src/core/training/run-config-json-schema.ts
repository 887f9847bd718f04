// The JSON Schema of RUN.json, generated from the zod schema in run-config.ts at build time
// (dist/run.schema.json, contributed to VS Code through `jsonValidation` for RUN.json and
// *.run.json), so completion, hover and squiggles in the editor say what the launch would say.
// The descriptions below are the README's, key for key.
import { zodToJsonSchema } from 'zod-to-json-schema';
import { ARCHES, MODALITIES, PRECISIONS, runConfigSections, SCHEDULERS, SUPERVISIONS } from './run-config';

const DESCRIPTIONS: Record<string, string> = {
  baseModel: 'Hugging Face hub id (google/flan-t5-base) or a model folder on the host (relative paths are relative to this file).',
  arch: `Model family: ${ARCHES.join(' | ')}; auto reads the model config.`,
  modality: `${MODALITIES.join(' | ')}: full fine-tuning, LoRA adapters, or LoRA on a 4-bit base (CUDA only). "Distillery: Recommend Training Modality" says which fits your GPU.`,
  supervision: `${SUPERVISIONS.join(' | ')}: Distilling Step-by-Step trains on rationales too; label_only trains the DSL only.`,
  dssWeight: 'w in (0, 1]: loss = w·L_label + (1−w)·L_rationale. 0.5 is the paper\'s setting; 1 trains the label only.',
  runId: 'Optional run id (shown in the start event); default: time, modality, supervision and rank.',
  lora: 'LoRA settings (modality lora or qlora only).',
  'lora.r': 'LoRA rank.',
  'lora.alpha': 'LoRA alpha; default 4 × r.',
  'lora.dropout': 'Dropout on the LoRA path, in [0, 1).',
  'lora.targetModules': '"all-linear" or the names of the modules to adapt.',
  train: 'Optimisation settings; every key has a default.',
  'train.epochs': 'Passes over the training split (ignored when maxSteps is set).',
  'train.maxSteps': 'Optimizer steps; overrides epochs. null trains for train.epochs.',
  'train.lr': 'Peak learning rate.',
  'train.batchSize': 'Micro-batch size per device. Lower it (and raise gradAccum) when the GPU runs out of memory.',
  'train.gradAccum': 'Gradient accumulation steps; effective batch = batchSize × gradAccum × devices.',
  'train.maxSourceLen': 'Tokens of the question kept (longer ones are cut).',
  'train.maxTargetLen': 'Tokens of the DSL / rationale kept.',
  'train.seed': 'Seed for initialisation, data order and dropout.',
  'train.precision': `${PRECISIONS.join(' | ')}; auto = bf16 where supported, else fp16 on GPU, fp32 on CPU.`,
  'train.gradientCheckpointing': 'Trades compute for memory: recompute activations in the backward pass.',
  'train.scheduler': `Learning-rate schedule: ${SCHEDULERS.join(' | ')}.`,
  'train.logSteps': 'A step event (loss, lr, tokens/s, ETA) every N steps.',
  'train.evalSteps': 'Validation every N steps.',
  'train.saveSteps': 'A checkpoint every N steps.',
  'train.earlyStoppingPatience': 'Evaluations without validation-loss improvement before stopping; needs data.val.',
  data: 'Files written by "Distillery: Export Dataset" (format dss), relative to this file.',
  'data.train': 'Training split (JSONL: id, question, rationale, dsl).',
  'data.val': 'Validation split, or null.',
  'data.test': 'Test split scored at the end (else val), or null.',
};

type Json = Record<string, unknown>;

function describe(schema: Json, prefix = ''): void {
  const props = schema['properties'] as Record<string, Json> | undefined;
  if (!props) return;
  for (const [key, sub] of Object.entries(props)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (DESCRIPTIONS[path]) sub['description'] = DESCRIPTIONS[path];
    describe(sub, path);
  }
}

export function runConfigJsonSchema(): Json {
  const { top, lora, train, data } = runConfigSections;
  const shape = top.extend({ lora: lora.optional(), train: train.optional(), data });
  const schema = zodToJsonSchema(shape, { $refStrategy: 'none', effectStrategy: 'input' }) as Json;
  const props = schema['properties'] as Record<string, Json>;
  // z.custom has no JSON Schema of its own.
  const loraProps = props['lora']?.['properties'] as Record<string, Json> | undefined;
  if (loraProps) loraProps['targetModules'] = { anyOf: [{ const: 'all-linear' }, { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1 }], default: 'all-linear' };
  describe(schema);
  return { ...schema, title: 'Distillery run config (RUN.json)', required: ['baseModel', 'data'] };
}
