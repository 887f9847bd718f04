// `distillery plan`: estimated peak GPU memory for full / LoRA / QLoRA and the recommended modality.
import { adviseModality, estimateMemory, type Candidate, type EstimateInput, type Precision, type Supervision } from '../../core/training/estimator';
import { findModel, KNOWN_MODELS, shapeFromParams, type Arch, type ModelShape } from '../../core/training/models';
import { EXIT, numberFlag, parse, UsageError } from '../usage';

const HELP = `usage: distillery plan --model ID | --params N [options]

Estimates peak GPU memory of one training step and recommends full, LoRA or QLoRA.

  --model ID          a known model (${KNOWN_MODELS.length} built in, e.g. google/flan-t5-large, Qwen/Qwen2.5-1.5B)
  --params N          parameter count of another model (7e9, 1.5B, 350M)
  --arch A            causal | seq2seq (default: from the model table, else causal)
  --gpu-mem GiB       memory of the GPU; with it, a recommendation
  --seq-len L         source and target length (default 256 each); or --source-len / --target-len
  --batch B           micro-batch size (default 8)
  --rank R            LoRA rank (default 16; alpha = 4 × rank)
  --supervision S     dss (default) | label_only
  --precision P       bf16 (default) | fp16 | fp32
  --format F          text (default) | json`;

function parseCount(value: string): number {
  const m = /^([\d.]+(?:e\d+)?)\s*([kmbt]?)$/i.exec(value.trim());
  const scale: Record<string, number> = { '': 1, k: 1e3, m: 1e6, b: 1e9, t: 1e12 };
  const n = m ? Number(m[1]) * (scale[m[2]!.toLowerCase()] ?? NaN) : NaN;
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--params must be a positive count such as 7e9, 1.5B or 350M, got "${value}"`);
  return n;
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parse('plan', argv, {
    model: { type: 'string' },
    params: { type: 'string' },
    arch: { type: 'string' },
    'gpu-mem': { type: 'string' },
    'seq-len': { type: 'string' },
    'source-len': { type: 'string' },
    'target-len': { type: 'string' },
    batch: { type: 'string' },
    rank: { type: 'string' },
    supervision: { type: 'string' },
    precision: { type: 'string' },
    format: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return EXIT.ok;
  }
  if (values.arch !== undefined && values.arch !== 'causal' && values.arch !== 'seq2seq') throw new UsageError(`--arch must be causal or seq2seq, got "${values.arch}"`);
  let model: ModelShape;
  if (values.model) {
    const known = findModel(values.model);
    if (known) model = values.arch && values.arch !== known.arch ? { ...known, arch: values.arch as Arch } : known;
    else if (values.params) model = { ...shapeFromParams(parseCount(values.params), (values.arch as Arch | undefined) ?? 'causal'), id: values.model };
    else throw new UsageError(`--model ${values.model} is not in the built-in table; add --params N (and --arch) to describe it, or use one of: ${KNOWN_MODELS.map((k) => k.id).join(', ')}`);
  } else if (values.params) {
    model = shapeFromParams(parseCount(values.params), (values.arch as Arch | undefined) ?? 'causal');
  } else {
    throw new UsageError('distillery plan needs --model ID or --params N; see --help');
  }
  const seq = numberFlag('seq-len', values['seq-len'], { min: 1, integer: true }) ?? 256;
  const supervision = (values.supervision ?? 'dss') as Supervision;
  if (supervision !== 'dss' && supervision !== 'label_only') throw new UsageError(`--supervision must be dss or label_only, got "${values.supervision}"`);
  const precision = (values.precision ?? 'bf16') as Precision;
  if (!['bf16', 'fp16', 'fp32'].includes(precision)) throw new UsageError(`--precision must be bf16, fp16 or fp32, got "${values.precision}"`);
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError(`--format must be text or json, got "${format}"`);
  const base: Omit<EstimateInput, 'modality' | 'gradientCheckpointing'> = {
    model,
    supervision,
    precision,
    batchSize: numberFlag('batch', values.batch, { min: 1, integer: true }) ?? 8,
    maxSourceLen: numberFlag('source-len', values['source-len'], { min: 1, integer: true }) ?? seq,
    maxTargetLen: numberFlag('target-len', values['target-len'], { min: 1, integer: true }) ?? seq,
    loraRank: numberFlag('rank', values.rank, { min: 1, integer: true }) ?? 16,
    targetModules: 'all-linear',
  };
  const gpuMem = numberFlag('gpu-mem', values['gpu-mem'], { min: 0.1 });
  const advice = gpuMem !== undefined ? adviseModality(base, gpuMem) : undefined;
  const candidates: Candidate[] = advice?.candidates ??
    (['full', 'lora', 'qlora'] as const).flatMap((modality) => [false, true].map((gc) => ({ modality, gradientCheckpointing: gc, estimate: estimateMemory({ ...base, modality, gradientCheckpointing: gc }), fits: true })));

  if (format === 'json') {
    process.stdout.write(JSON.stringify({
      model: { id: model.id, arch: model.arch, params: model.params },
      settings: { batchSize: base.batchSize, maxSourceLen: base.maxSourceLen, maxTargetLen: base.maxTargetLen, precision, supervision, loraRank: base.loraRank, loraAlpha: 4 * base.loraRank },
      gpuMemGiB: gpuMem ?? null,
      candidates: candidates.map((c) => ({ modality: c.modality, gradientCheckpointing: c.gradientCheckpointing, peakGiB: round(c.estimate.totalGiB), trainableParams: c.estimate.trainableParams, fits: gpuMem === undefined ? null : c.fits, breakdownGiB: mapValues(c.estimate.breakdown, round) })),
      recommended: advice?.recommended ? { modality: advice.recommended.modality, gradientCheckpointing: advice.recommended.gradientCheckpointing, peakGiB: round(advice.recommended.estimate.totalGiB) } : null,
      reason: advice?.reason ?? null,
    }, null, 2) + '\n');
  } else {
    const lines = [`${model.id} (${model.arch}, ${(model.params / 1e9).toFixed(2)}B params), batch ${base.batchSize}, lengths ${base.maxSourceLen}/${base.maxTargetLen}, ${precision}, ${supervision}, LoRA r=${base.loraRank} alpha=${4 * base.loraRank}`, ''];
    lines.push('modality  checkpointing  peak GiB  trainable params' + (gpuMem !== undefined ? '  fits' : ''));
    for (const c of candidates) {
      lines.push(`${c.modality.padEnd(8)}  ${(c.gradientCheckpointing ? 'yes' : 'no').padEnd(13)}  ${c.estimate.totalGiB.toFixed(1).padStart(8)}  ${c.estimate.trainableParams.toLocaleString('en-US').padStart(16)}` + (gpuMem !== undefined ? `  ${c.fits ? 'yes' : 'no'}` : ''));
    }
    if (advice) lines.push('', `recommended: ${advice.recommended ? advice.recommended.modality + (advice.recommended.gradientCheckpointing ? ' with gradient checkpointing' : '') : 'none'}`, `why: ${advice.reason}`);
    process.stdout.write(lines.join('\n') + '\n');
  }
  return advice && !advice.recommended ? EXIT.failed : EXIT.ok;
}

const round = (x: number) => Math.round(x * 100) / 100;
function mapValues<T extends Record<string, number>>(o: T, f: (x: number) => number): Record<keyof T, number> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)])) as Record<keyof T, number>;
}
