// Record-shape check for dataset lines. zod (recordSchema in src/shared/dataset-record.ts) is the
// authority, but running it on every line costs more than parsing the line; so a hand-written
// check that mirrors the schema clears the common valid record, and zod runs only on lines that
// fail it, to produce its messages. test/dsl/record-shape.test.ts keeps the two in step.
import { RECORD_STATUSES, SPLITS, recordSchema } from '../../shared/dataset-record';
import type { DslProblem } from './types';
import { escapePointerSegment } from './walk/json';

const STATUSES: ReadonlySet<unknown> = new Set(RECORD_STATUSES);
const SPLIT_SET: ReadonlySet<unknown> = new Set(SPLITS);
const SOURCE_KINDS: ReadonlySet<unknown> = new Set(['teacher', 'human', 'import']);

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
const optString = (v: unknown): boolean => v === undefined || typeof v === 'string';
const optNonNegative = (v: unknown): boolean => v === undefined || (typeof v === 'number' && v >= 0);

/** True when recordSchema certainly accepts `r`; false means "ask zod". */
export function quickRecordCheck(r: unknown): boolean {
  if (!isPlainObject(r)) return false;
  const id = r['id'];
  if (typeof id !== 'string' || id.length === 0) return false;
  if (typeof r['question'] !== 'string') return false;
  const rationale = r['rationale'];
  if (rationale !== undefined && rationale !== null && typeof rationale !== 'string') return false;
  const dsl = r['dsl'];
  if (dsl !== undefined && dsl !== null && !isPlainObject(dsl)) return false;
  const status = r['status'];
  if (status !== undefined && !STATUSES.has(status)) return false;
  const split = r['split'];
  if (split !== undefined && split !== null && !SPLIT_SET.has(split)) return false;
  if (!optString(r['notes']) || !optString(r['updatedAt'])) return false;
  const source = r['source'];
  if (source !== undefined) {
    if (!isPlainObject(source) || !SOURCE_KINDS.has(source['kind'])) return false;
    if (!optString(source['model']) || !optString(source['promptHash']) || !optNonNegative(source['costUsd'])) return false;
    const usage = source['usage'];
    if (usage !== undefined) {
      if (!isPlainObject(usage)) return false;
      if (typeof usage['input'] !== 'number' || usage['input'] < 0 || typeof usage['output'] !== 'number' || usage['output'] < 0) return false;
    }
  }
  return true;
}

const NONE: readonly DslProblem[] = Object.freeze([]);

/** The record's shape problems; a shared read-only empty list for a good record (no allocation per line). */
export function recordShapeProblems(record: unknown): readonly DslProblem[] {
  if (!isPlainObject(record)) {
    return [{ pointer: '', code: 'record-shape', severity: 'error', message: 'a dataset line must be a JSON object {"id", "question", "dsl", …}' }];
  }
  if (quickRecordCheck(record)) return NONE;
  const result = recordSchema.safeParse(record);
  if (result.success) return NONE;
  return result.error.issues.map((issue) => {
    const pointer = issue.path.map((s) => '/' + escapePointerSegment(String(s))).join('');
    const where = issue.path.length > 0 ? `[${issue.path.join('.')}]` : 'record';
    return { pointer, code: 'record-shape', severity: 'error' as const, message: `${where}: ${issue.message}` };
  });
}
