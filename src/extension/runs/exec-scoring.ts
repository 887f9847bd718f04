// Execution accuracy for a fetched run's predictions (docs/elasticsearch.md, "Execution accuracy"):
// the pairs execEval runs, taken from predictions.jsonl by the same rules as predictionRows (so
// record i of one is row i of the other), and the verdicts merged into the run view's rows and
// summary. Pure: no VS Code; the extension runs execEval on the active cluster in between.
import type { ExecPair, ExecRecord, ExecSummary } from '../../core/elasticsearch';
import { parsePrediction } from '../../core/training/metrics';
import type { PredictionsResult } from './predictions';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function goldOf(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return v;
  }
}

/**
 * One pair per line predictionRows scores, in the same order; a gold that is not a JSON object
 * cannot run and is left out (its index is kept in `rowOf` so verdicts still land on the right row).
 */
export function execPairsFrom(jsonl: string): { pairs: ExecPair[]; rowOf: number[] } {
  const pairs: ExecPair[] = [];
  const rowOf: number[] = [];
  let row = 0;
  jsonl.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) return;
    let rec: unknown;
    try {
      rec = JSON.parse(line);
    } catch {
      return;
    }
    if (!isObject(rec) || !('gold' in rec) || !('prediction' in rec)) return;
    const id = typeof rec['id'] === 'string' && rec['id'] ? rec['id'] : `line ${i + 1}`;
    const gold = goldOf(rec['gold']);
    if (isObject(gold)) {
      pairs.push({ id, gold, prediction: parsePrediction(rec['prediction']) ?? undefined });
      rowOf.push(row);
    }
    row++;
  });
  return { pairs, rowOf };
}

/** The predictions result with each row's exec verdict and the summary's execution figures. */
export function withExecution(result: PredictionsResult, exec: { summary: ExecSummary; records: ExecRecord[] }, rowOf: readonly number[]): PredictionsResult {
  const rows = result.rows.map((r) => ({ ...r }));
  exec.records.forEach((rec, i) => {
    const row = rows[rowOf[i]!];
    if (!row) return; // beyond the rows sent to the view; the summary still counts it
    row.exec = rec.exec;
    if (rec.reason) row.execReason = rec.reason.slice(0, 4000);
  });
  return { ...result, rows, summary: { ...result.summary, execAccuracy: exec.summary.execAccuracy, bothEmpty: exec.summary.bothEmpty, execErrors: exec.summary.execErrors } };
}
