// Importing questions into a dataset: from .txt (one question per line), .csv (one column, by
// header name or 0-based index; RFC 4180 quoting) or .jsonl (one field of each object). Returns
// new `pending` records with stable ids (derived from the normalised question, so importing the
// same file twice yields the same ids), drops exact duplicates (of each other and of records
// already in the dataset) and reports near-duplicate clusters for the panel to show.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parseCsv, CsvError } from './csv';
import { findDuplicateClusters, normalizeQuestion, type DuplicateCluster } from './dedup';
import type { DatasetRecord } from './record';

export type ImportFormat = 'txt' | 'csv' | 'jsonl';

export interface ImportOptions {
  /** Default: from the file extension (importQuestionsFile), else 'txt'. */
  format?: ImportFormat;
  /** CSV: the column, by header name or 0-based index (default: a column named "question", else 0). */
  column?: string | number;
  /** CSV: whether the first row is a header (default true). */
  header?: boolean;
  /** JSONL: the field that holds the question (default "question"). */
  field?: string;
  /** Records already in the dataset: exact duplicates of them are skipped, near ones clustered. */
  existing?: readonly DatasetRecord[];
  /** Near-duplicate Jaccard threshold (default 0.7; 1 = exact only). */
  nearThreshold?: number;
  now?: () => string;
}

export interface ImportedQuestion {
  /** 1-based line of the source file. */
  line: number;
  question: string;
}

export interface SkippedQuestion extends ImportedQuestion {
  reason: 'duplicate';
  /** The id of the existing record, or of the imported record it duplicates. */
  duplicateOf: string;
}

export interface ImportResult {
  /** New records to insert (status pending, dsl null, source.kind import). */
  records: DatasetRecord[];
  skipped: SkippedQuestion[];
  /** Lines that could not be read (bad JSON, missing field, …); the rest is imported. */
  errors: { line: number; message: string }[];
  /** Near-duplicate clusters (ids of existing and new records) that contain a new record. */
  clusters: DuplicateCluster[];
}

export class ImportError extends Error {}

/** Reads the questions of a file's text without de-duplicating them. */
export function readQuestions(text: string, opts: ImportOptions = {}): { questions: ImportedQuestion[]; errors: { line: number; message: string }[] } {
  const format = opts.format ?? 'txt';
  const questions: ImportedQuestion[] = [];
  const errors: { line: number; message: string }[] = [];
  if (format === 'txt') {
    text.split('\n').forEach((raw, i) => {
      const q = (i === 0 ? raw.replace(/^\uFEFF/, '') : raw).trim();
      if (q) questions.push({ line: i + 1, question: q });
    });
  } else if (format === 'csv') {
    let rows;
    try {
      rows = parseCsv(text);
    } catch (e) {
      if (e instanceof CsvError) throw new ImportError(`not valid CSV: ${e.message}`);
      throw e;
    }
    const header = opts.header ?? true;
    const names = header && rows.length ? rows[0]!.fields.map((f) => f.trim()) : [];
    let col: number;
    if (typeof opts.column === 'number') col = opts.column;
    else if (typeof opts.column === 'string') {
      if (!header) throw new ImportError(`column "${opts.column}" is a name, but the CSV has no header row; give a 0-based index`);
      col = names.indexOf(opts.column);
      if (col < 0) throw new ImportError(`no column "${opts.column}"; the columns are ${names.map((n) => `"${n}"`).join(', ')}`);
    } else col = Math.max(0, names.findIndex((n) => n.toLowerCase() === 'question'));
    for (const row of rows.slice(header ? 1 : 0)) {
      const value = row.fields[col];
      if (value === undefined) errors.push({ line: row.line, message: `row has ${row.fields.length} column(s), no column ${col}` });
      else if (value.trim()) questions.push({ line: row.line, question: value.trim() });
    }
  } else {
    const field = opts.field ?? 'question';
    text.split('\n').forEach((raw, i) => {
      const line = (i === 0 ? raw.replace(/^\uFEFF/, '') : raw).trim();
      if (!line) return;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (e) {
        errors.push({ line: i + 1, message: `not valid JSON: ${(e as Error).message}` });
        return;
      }
      const q = value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>)[field] : undefined;
      if (typeof q !== 'string') errors.push({ line: i + 1, message: `no string field "${field}"` });
      else if (q.trim()) questions.push({ line: i + 1, question: q.trim() });
    });
  }
  return { questions, errors };
}

/** A stable id for a question: the same normalised text always gets the same id. */
export function questionId(question: string): string {
  return `q-${createHash('sha256').update(normalizeQuestion(question)).digest('hex').slice(0, 10)}`;
}

export function importQuestions(text: string, opts: ImportOptions = {}): ImportResult {
  const { questions, errors } = readQuestions(text, opts);
  const existing = opts.existing ?? [];
  const now = (opts.now ?? (() => new Date().toISOString()))();
  const byText = new Map<string, string>();
  const usedIds = new Set<string>();
  for (const r of existing) {
    usedIds.add(r.id);
    const key = normalizeQuestion(r.question);
    if (!byText.has(key)) byText.set(key, r.id);
  }
  const records: DatasetRecord[] = [];
  const skipped: SkippedQuestion[] = [];
  for (const q of questions) {
    const key = normalizeQuestion(q.question);
    const dup = byText.get(key);
    if (dup !== undefined) {
      skipped.push({ ...q, reason: 'duplicate', duplicateOf: dup });
      continue;
    }
    let id = questionId(q.question);
    for (let n = 2; usedIds.has(id); n++) id = `${questionId(q.question)}-${n}`;
    usedIds.add(id);
    byText.set(key, id);
    records.push({ id, question: q.question, dsl: null, status: 'pending', source: { kind: 'import' }, updatedAt: now });
  }
  const newIds = new Set(records.map((r) => r.id));
  const all = [...existing, ...records].map((r) => ({ id: r.id, text: r.question }));
  const clusters = records.length
    ? findDuplicateClusters(all, opts.nearThreshold === undefined ? {} : { threshold: opts.nearThreshold }).filter((c) => c.ids.some((id) => newIds.has(id)))
    : [];
  return { records, skipped, errors, clusters };
}

export function formatFromPath(path: string): ImportFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  return 'txt';
}

export async function importQuestionsFile(path: string, opts: ImportOptions = {}): Promise<ImportResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ImportError(code === 'ENOENT' ? `${path}: no such file` : code === 'EISDIR' ? `${path} is a directory; pick a .txt, .csv or .jsonl file` : `${path}: ${(e as Error).message}`);
  }
  return importQuestions(text, { ...opts, format: opts.format ?? formatFromPath(path) });
}
