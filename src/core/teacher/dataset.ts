// The dataset as the generator sees it: read the records, append answered questions, update a
// pending record in place. Every write goes through the dataset's crash-safe primitives
// (O_APPEND + fsync for new lines, temp file + rename for rewrites) under the dataset's file lock,
// so the review panel saving at the same time never interleaves with us.
import { existsSync, readFileSync } from 'node:fs';
import { appendDurable, withFileLock, writeFileAtomic } from '../dataset/durable';
import { parseEntries, splitLines } from '../dataset/lines';
import type { DatasetRecord } from '../dataset/record';

export interface TeacherDataset {
  readonly path: string;
  records(): readonly DatasetRecord[];
  append(records: DatasetRecord[]): Promise<void>;
  /** Merges `patch` into the record `id` (other keys, known or not, are kept). */
  update(id: string, patch: Partial<DatasetRecord> & Record<string, unknown>): Promise<void>;
}

export class JsonlTeacherDataset implements TeacherDataset {
  private cache: DatasetRecord[] = [];

  private constructor(readonly path: string) {}

  static open(path: string): JsonlTeacherDataset {
    const d = new JsonlTeacherDataset(path);
    d.reload();
    return d;
  }

  private reload(): string {
    const text = existsSync(this.path) ? readFileSync(this.path, 'utf8') : '';
    this.cache = parseEntries(text).flatMap((e) => (e.kind === 'record' ? [e.record] : []));
    return text;
  }

  records(): readonly DatasetRecord[] {
    return this.cache;
  }

  async append(records: DatasetRecord[]): Promise<void> {
    if (records.length === 0) return;
    await withFileLock(this.path, () => {
      // One write call per batch of whole lines: a crash leaves at most one torn line, which the
      // store keeps and reports, and the next append starts on a fresh line.
      appendDurable(this.path, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    });
    this.cache.push(...records);
  }

  async update(id: string, patch: Partial<DatasetRecord> & Record<string, unknown>): Promise<void> {
    await withFileLock(this.path, () => {
      const text = existsSync(this.path) ? readFileSync(this.path, 'utf8') : '';
      const lines = splitLines(text);
      const entries = parseEntries(text);
      const i = entries.findIndex((e) => e.kind === 'record' && e.id === id);
      const entry = entries[i];
      if (!entry || entry.kind !== 'record') throw new Error(`record ${id} is no longer in ${this.path}`);
      lines[i] = JSON.stringify({ ...entry.json, ...patch });
      writeFileAtomic(this.path, lines.join('\n') + '\n');
    });
    this.reload();
  }
}
