// Splitting a `*.dss.jsonl` file into lines and parsing each one into a record entry, a broken
// line (kept byte-for-byte, reported with its line number) or a blank line (kept as is).
import { recordSchema, type DatasetRecord } from './record';

/** A line that holds a valid record. `raw` is the line's exact text (without the "\n"). */
export interface RecordEntry {
  readonly kind: 'record';
  readonly id: string;
  /** The zod-validated record (defaults applied). Treat as read-only. */
  readonly record: DatasetRecord;
  /** The object as parsed from JSON, in its original key order; what a changed line is written from. */
  readonly json: Record<string, unknown>;
  readonly raw: string;
}

/** A line kept exactly as it is: not JSON, not a valid record, or a duplicate id. */
export interface BrokenEntry {
  readonly kind: 'broken';
  readonly raw: string;
  readonly error: string;
  /** Set when the line is a valid record whose id an earlier line already uses. */
  readonly duplicateOf?: string;
}

export interface BlankEntry {
  readonly kind: 'blank';
  readonly raw: string;
}

export type Entry = RecordEntry | BrokenEntry | BlankEntry;

/** Splits file text into lines; a final "\n" does not start another line. "\r" stays in `raw`. */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function formatZodError(err: { issues: { path: (string | number)[]; message: string }[] }): string {
  return err.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
}

/** Builds a record entry from a JSON object; throws with a readable message when it is not a record. */
export function recordEntryFromJson(json: Record<string, unknown>, raw?: string): RecordEntry {
  const parsed = recordSchema.safeParse(json);
  if (!parsed.success) throw new Error(formatZodError(parsed.error));
  return { kind: 'record', id: parsed.data.id, record: parsed.data, json, raw: raw ?? JSON.stringify(json) };
}

/** Parses one line. `first` strips a UTF-8 byte-order mark before parsing (the raw text keeps it). */
export function parseLine(raw: string, first = false): Entry {
  const text = first && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
  if (text.trim() === '') return { kind: 'blank', raw };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { kind: 'broken', raw, error: `not valid JSON: ${(e as Error).message}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { kind: 'broken', raw, error: 'not a JSON object' };
  }
  try {
    return recordEntryFromJson(value as Record<string, unknown>, raw);
  } catch (e) {
    return { kind: 'broken', raw, error: `not a dataset record: ${(e as Error).message}` };
  }
}

/** Parses a whole file; later lines that reuse an id become broken entries (`duplicateOf`). */
export function parseEntries(text: string): Entry[] {
  const seen = new Set<string>();
  const lines = splitLines(text);
  const out: Entry[] = new Array<Entry>(lines.length);
  for (let i = 0; i < lines.length; i++) {
    const e = parseLine(lines[i]!, i === 0);
    if (e.kind === 'record') {
      if (seen.has(e.id)) {
        out[i] = { kind: 'broken', raw: e.raw, error: `duplicate id "${e.id}"; an earlier line already uses it`, duplicateOf: e.id };
        continue;
      }
      seen.add(e.id);
    }
    out[i] = e;
  }
  return out;
}
