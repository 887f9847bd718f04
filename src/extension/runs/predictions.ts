// A fetched run's predictions.jsonl next to gold, re-scored with the full Query DSL engine (the
// runner's own check is deliberately light). Pure: no VS Code, so the tests call it directly.
// Each line is what python-runner/distillery_runner/evaluate.py writes:
// {"id", "question", "prediction": model text, "gold": canonical JSON text or an object, ...}.
import { aggregate, parsePrediction, scoreOne, type Scored } from '../../core/training/metrics';
import type { ValidateOptions } from '../../core/dsl';
import type { PredictionRow, PredictionSummary } from '../../shared/run-view-protocol';

/** Rows sent to the view at most; the summary always covers every line. */
export const MAX_PREDICTION_ROWS = 5000;
const MAX_TEXT = 200_000;

export interface PredictionsResult {
  rows: PredictionRow[];
  summary: PredictionSummary;
  /** Rows left out of `rows` beyond MAX_PREDICTION_ROWS. */
  truncated: number;
  /** Lines that were not a prediction record, with why (1-based line numbers). */
  skipped: { line: number; reason: string }[];
  /** The cluster that scored execution, when one did (names the side-by-side action). */
  execCluster?: string;
}

const clip = (s: string, max: number): string => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

function goldOf(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return v;
  }
}

export function predictionRows(jsonl: string, options: ValidateOptions = {}, maxRows = MAX_PREDICTION_ROWS): PredictionsResult {
  const rows: PredictionRow[] = [];
  const scores: Scored[] = [];
  const skipped: PredictionsResult['skipped'] = [];
  let truncated = 0;
  const lines = jsonl.split(/\r?\n/);
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    let rec: unknown;
    try {
      rec = JSON.parse(line);
    } catch (e) {
      skipped.push({ line: i + 1, reason: `not JSON (${(e as Error).message})` });
      return;
    }
    if (!rec || typeof rec !== 'object' || Array.isArray(rec)) {
      skipped.push({ line: i + 1, reason: 'not a JSON object' });
      return;
    }
    const r = rec as Record<string, unknown>;
    const id = typeof r['id'] === 'string' && r['id'] ? r['id'] : `line ${i + 1}`;
    if (!('gold' in r) || !('prediction' in r)) {
      skipped.push({ line: i + 1, reason: 'no "gold" or "prediction" field' });
      return;
    }
    const gold = goldOf(r['gold']);
    const prediction = r['prediction'];
    const score = scoreOne(id, prediction, gold, options);
    scores.push(score);
    if (rows.length >= maxRows) {
      truncated++;
      return;
    }
    const parsed = parsePrediction(prediction);
    rows.push({
      id: clip(id, 512),
      question: clip(typeof r['question'] === 'string' ? r['question'] : '', 10_000),
      goldText: clip(typeof gold === 'string' ? gold : JSON.stringify(gold, null, 2), MAX_TEXT),
      predictedText: clip(parsed ? JSON.stringify(parsed, null, 2) : typeof prediction === 'string' ? prediction : JSON.stringify(prediction), MAX_TEXT),
      parsed: score.parsed,
      valid: score.valid,
      exact: score.exact,
      clauses: score.clauses,
      errors: score.errors.slice(0, 200).map((e) => clip(e, 4000)),
    });
  });
  const m = aggregate(scores);
  return {
    rows,
    truncated,
    skipped,
    summary: { count: m.count, parseRate: m.parseRate, validDsl: m.validDsl, exactMatch: m.exactMatch, clausePrecision: m.clausePrecision, clauseRecall: m.clauseRecall, clauseF1: m.clauseF1 },
  };
}

/** Clause F1 from a run's metrics: `clauseF1` if the runner wrote it, else from precision and recall. */
export function clauseF1Of(metrics: Record<string, unknown> | null | undefined): number | undefined {
  if (!metrics) return undefined;
  const num = (k: string): number | undefined => {
    const v = metrics[k] ?? metrics[`test/${k}`] ?? metrics[`eval/${k}`];
    return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
  };
  const f1 = num('clauseF1');
  if (f1 !== undefined) return f1;
  const p = num('clausePrecision');
  const r = num('clauseRecall');
  if (p === undefined || r === undefined) return undefined;
  return p + r ? (2 * p * r) / (p + r) : 0;
}
