// Splitting a `*.dss.jsonl` file into lines and parsing each one into a record entry, a broken
// line (kept byte-for-byte, reported with its line number) or a blank line (kept as is).
import { isUtf8 } from 'node:buffer';
import { RECORD_STATUSES, SPLITS, recordSchema, type DatasetRecord } from './record';

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
  /** The line's exact bytes when they are not valid UTF-8 (`raw` then shows U+FFFD); written back as they are. */
  readonly bytes?: Buffer;
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

const STATUS_SET = new Set<unknown>(RECORD_STATUSES);
const SPLIT_SET = new Set<unknown>(SPLITS);
const KIND_SET = new Set<unknown>(['teacher', 'human', 'import']);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const optString = (v: unknown) => v === undefined || typeof v === 'string';
const optNonNegative = (v: unknown) => v === undefined || (typeof v === 'number' && Number.isFinite(v) && v >= 0);

/**
 * The common case of `recordSchema`, checked by hand: true only when zod would accept `json`
 * unchanged (apart from the `status` default). Anything else goes through zod, which also
 * writes the error message. Opening 100,000 records this way skips zod's deep copy of each one.
 */
function plainlyValid(json: Record<string, unknown>): boolean {
  const { id, question, rationale, dsl, status, split, source, notes, updatedAt } = json;
  if (typeof id !== 'string' || id.length === 0 || typeof question !== 'string') return false;
  if (rationale !== undefined && rationale !== null && typeof rationale !== 'string') return false;
  if (dsl !== undefined && dsl !== null && !isObject(dsl)) return false;
  if (status !== undefined && !STATUS_SET.has(status)) return false;
  if (split !== undefined && split !== null && !SPLIT_SET.has(split)) return false;
  if (!optString(notes) || !optString(updatedAt)) return false;
  if (source !== undefined) {
    if (!isObject(source) || !KIND_SET.has(source['kind'])) return false;
    if (!optString(source['model']) || !optString(source['promptHash']) || !optNonNegative(source['costUsd'])) return false;
    const usage = source['usage'];
    if (usage !== undefined && !(isObject(usage) && typeof usage['input'] === 'number' && typeof usage['output'] === 'number' && usage['input'] >= 0 && usage['output'] >= 0 && Number.isFinite(usage['input']) && Number.isFinite(usage['output']))) return false;
  }
  return true;
}

/** Builds a record entry from a JSON object; throws with a readable message when it is not a record. */
export function recordEntryFromJson(json: Record<string, unknown>, raw?: string): RecordEntry {
  let record: DatasetRecord;
  if (plainlyValid(json)) {
    // Same value zod would return; `json` itself is never mutated by the store.
    record = (json['status'] === undefined ? { ...json, status: 'pending' } : json) as DatasetRecord;
  } else {
    const parsed = recordSchema.safeParse(json);
    if (!parsed.success) throw new Error(formatZodError(parsed.error));
    record = parsed.data;
  }
  return { kind: 'record', id: record.id, record, json, raw: raw ?? JSON.stringify(json) };
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
  return parseLines(splitLines(text));
}

/** A line that is not valid UTF-8: kept as its bytes so a save writes exactly what was read. */
function parseLineBytes(bytes: Buffer, first: boolean): Entry {
  if (isUtf8(bytes)) return parseLine(bytes.toString('utf8'), first);
  return { kind: 'broken', raw: bytes.toString('utf8'), bytes, error: 'not valid UTF-8 (the bytes are kept as they are)' };
}

export interface DecodedFile {
  entries: Entry[];
  /** The file starts with a UTF-8 byte-order mark (not part of any entry's `raw`; a save writes it back). */
  bom: boolean;
  /** The file's lines end in "\r\n": new and edited lines are written with it too. */
  crlf: boolean;
  /** The file as text (what readFile(path, 'utf8') gives), to recognise it later. */
  text: string;
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * Parses a file's bytes: the byte-order mark is set aside, the line ending noted, and lines that
 * are not valid UTF-8 kept byte for byte (a valid file takes the fast path through one decode).
 * `atStart: false` for bytes from the middle of a file (an appended tail): no BOM there.
 */
export function decodeFile(buf: Buffer, atStart = true): DecodedFile {
  const bom = atStart && buf.subarray(0, 3).equals(BOM);
  const body = bom ? buf.subarray(3) : buf;
  const text = buf.toString('utf8');
  let entries: Entry[];
  if (isUtf8(body)) entries = parseEntries(bom ? text.slice(1) : text);
  else {
    const lines: Buffer[] = [];
    let start = 0;
    for (let nl = body.indexOf(0x0a); nl >= 0; nl = body.indexOf(0x0a, start)) {
      lines.push(body.subarray(start, nl));
      start = nl + 1;
    }
    if (start < body.length) lines.push(body.subarray(start));
    entries = parseLines(lines);
  }
  const firstLine = entries[0]?.raw ?? '';
  return { entries, bom, crlf: firstLine.endsWith('\r'), text };
}

function parseLines(lines: readonly (string | Buffer)[]): Entry[] {
  const seen = new Set<string>();
  const out: Entry[] = new Array<Entry>(lines.length);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const e = typeof line === 'string' ? parseLine(line, i === 0) : parseLineBytes(line, i === 0);
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
