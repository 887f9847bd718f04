// `distillery eval --predictions P --gold G [--mapping M] [--format text|json]`: scores a model's
// predicted DSL against gold pairs with the full Query DSL engine (the runner's own check is only
// a JSON-shape test). Records are joined by `id`, else by line order.
import { aggregate, parsePrediction, scoreOne, type Scored } from '../../core/training/metrics';
import { loadMappingFile, readTextFile } from '../../core/project/files';
import type { ValidateOptions } from '../../core/dsl';
import { EXIT, parse, UsageError, UserError } from '../usage';
import { clusterExecution, type ExecPair } from '../eval-cluster';

const HELP = `usage: distillery eval --predictions P --gold G [--mapping M] [--format text|json] [--details]
                       [--cluster C [--index I] [--exec-cache FILE] [--fresh]]

P: JSONL with "id" and the predicted DSL in "prediction" (a JSON string or object; also "predicted",
"output" or "dsl"), e.g. the runner's predictions.jsonl. G: JSONL with "id" and "dsl", e.g. an
exported test split or a .dss.jsonl dataset. Prints parse rate, valid-DSL rate (no validator
errors), exact match after canonical normalisation, and clause-level precision/recall/F1.

With --cluster C (a URL or a cluster name from distillery.json) gold and prediction also run on
the cluster (read-only, guarded, _msearch batches) for execution accuracy: the same hit ids (in order
when the gold sorts), total and aggregation buckets. Answers are cached as they come in
(--exec-cache, default P.exec-cache.jsonl next to the predictions): when the cluster dies mid-run,
rerun the same command to resume; --fresh starts the cache over.`;

interface Line { line: number; value: Record<string, unknown> }

function readJsonl(path: string, what: string): Line[] {
  let text: string;
  try {
    text = readTextFile(path, what);
  } catch (e) {
    throw new UserError((e as Error).message);
  }
  const out: Line[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (!raw) continue;
    let v: unknown;
    try {
      v = JSON.parse(raw);
    } catch (e) {
      throw new UserError(`${what} ${path} line ${i + 1} is not JSON (${(e as Error).message}); fix or remove that line`);
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new UserError(`${what} ${path} line ${i + 1} is not a JSON object`);
    out.push({ line: i + 1, value: v as Record<string, unknown> });
  }
  return out;
}

const PREDICTION_KEYS = ['prediction', 'predicted', 'output', 'dsl'];

export async function run(argv: string[]): Promise<number> {
  const { values } = parse('eval', argv, {
    predictions: { type: 'string' },
    gold: { type: 'string' },
    mapping: { type: 'string' },
    format: { type: 'string', default: 'text' },
    details: { type: 'boolean' },
    cluster: { type: 'string' },
    index: { type: 'string' },
    'exec-cache': { type: 'string' },
    fresh: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return EXIT.ok;
  }
  if (!values.predictions || !values.gold) throw new UsageError('distillery eval needs --predictions P and --gold G; see --help');
  if (values.format !== 'text' && values.format !== 'json') throw new UsageError(`--format must be text or json, got "${values.format}"`);
  const options: ValidateOptions = {};
  if (values.mapping) {
    try {
      options.mapping = loadMappingFile(values.mapping);
    } catch (e) {
      throw new UserError((e as Error).message, EXIT.usage);
    }
  }
  const predictions = readJsonl(values.predictions, 'predictions');
  const gold = readJsonl(values.gold, 'gold');
  const byId = gold.every((g) => typeof g.value['id'] === 'string') && predictions.every((p) => typeof p.value['id'] === 'string');
  const goldById = new Map(gold.map((g, i) => [byId ? String(g.value['id']) : String(i), g]));
  const scores: Scored[] = [];
  const pairs: ExecPair[] = [];
  const execPair = (id: string, prediction: unknown, g: unknown) => {
    const parsed = prediction === undefined ? null : parsePrediction(prediction);
    if (typeof g === 'object' && g !== null && !Array.isArray(g)) pairs.push({ id, gold: g as ExecPair['gold'], prediction: parsed ?? undefined });
  };
  const unknownIds: string[] = [];
  predictions.forEach((p, i) => {
    const id = byId ? String(p.value['id']) : String(i);
    const g = goldById.get(id);
    if (!g) {
      unknownIds.push(id);
      return;
    }
    goldById.delete(id);
    const key = PREDICTION_KEYS.find((k) => k in p.value);
    scores.push(scoreOne(id, key ? p.value[key] : undefined, g.value['dsl'], options));
    execPair(id, key ? p.value[key] : undefined, g.value['dsl']);
  });
  if (unknownIds.length) throw new UserError(`${unknownIds.length} prediction(s) have no gold record with the same id (first: ${unknownIds[0]}); pass the gold file the predictions were made from`);
  // Gold records without a prediction count as misses, never silently dropped.
  for (const [id, g] of goldById) {
    scores.push(scoreOne(id, undefined, g.value['dsl'], options));
    execPair(id, undefined, g.value['dsl']);
  }
  const metrics = aggregate(scores);
  const exec = values.cluster ? await clusterExecution(values.cluster, values.index, pairs, values['exec-cache'] ?? `${values.predictions}.exec-cache.jsonl`, values.fresh === true, values.predictions) : undefined;
  const execById = new Map(exec?.records.map((r) => [r.id, r]));
  const missing = goldById.size;
  if (values.format === 'json') {
    const execMetrics = exec ? { execAccuracy: exec.summary.execAccuracy, bothEmpty: exec.summary.bothEmpty, execErrors: exec.summary.execErrors, goldErrors: exec.summary.goldErrors } : {};
    const records = scores.map((s) => { const e = execById.get(s.id); return e ? { ...s, exec: e.exec, ...(e.reason ? { execReason: e.reason } : {}) } : s; });
    process.stdout.write(JSON.stringify({ metrics: { ...metrics, ...execMetrics }, missing, ...(values.details ? { records } : {}) }) + '\n');
  } else {
    const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
    const lines = [
      `records        ${metrics.count}${missing ? ` (${missing} without a prediction, scored as misses)` : ''}`,
      `parse rate     ${pct(metrics.parseRate)}`,
      `valid DSL      ${pct(metrics.validDsl)}`,
      `exact match    ${pct(metrics.exactMatch)}`,
      `clause P/R/F1  ${pct(metrics.clausePrecision)} / ${pct(metrics.clauseRecall)} / ${pct(metrics.clauseF1)}`,
    ];
    if (exec) {
      lines.push(`exec accuracy  ${pct(exec.summary.execAccuracy)} (both empty ${pct(exec.summary.bothEmpty)}, prediction errors ${pct(exec.summary.execErrors)}${exec.summary.goldErrors ? `, ${exec.summary.goldErrors} gold bodies rejected by the cluster` : ''})`);
      if (values.details) for (const r of exec.records.filter((x) => x.exec !== 'match' && x.exec !== 'bothEmpty')) lines.push(`  ${r.id}: exec ${r.exec}${r.reason ? ` (${r.reason})` : ''}`);
    }
    if (values.details) for (const s of scores.filter((x) => !x.exact)) lines.push(`  ${s.id}: ${!s.parsed ? 'unparsable' : !s.valid ? `invalid (${s.errors[0]})` : 'differs from gold'}`);
    process.stdout.write(lines.join('\n') + '\n');
  }
  return EXIT.ok;
}
