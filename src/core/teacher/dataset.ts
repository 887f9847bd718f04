// The dataset as the generator sees it: read the records, append answered questions, update a
// pending record in place. Every write goes through the dataset's crash-safe primitives
// (O_APPEND + fsync for new lines, temp file + rename for rewrites) under the dataset's file lock,
// so the review panel saving at the same time never interleaves with us.
import { existsSync, readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { withFileLock, writeFileAtomic } from '../dataset/durable';
import { parseEntries, splitLines } from '../dataset/lines';
import type { DatasetRecord } from '../dataset/record';

export interface TeacherDataset {
  readonly path: string;
  records(): readonly DatasetRecord[];
  append(records: DatasetRecord[]): Promise<void>;
  /** Merges `patch` into the record `id` (other keys, known or not, are kept). */
  update(id: string, patch: Partial<DatasetRecord> & Record<string, unknown>): Promise<void>;
}

/**
 * O_APPEND + fsync like the store's appendDurable, but on the thread pool: an fsync on a busy disk
 * can take a hundred milliseconds, and blocking the event loop for it would stall every request
 * in flight. One write call per batch of whole lines, starting on a fresh line if a crashed
 * writer left a torn one (which the store keeps and reports).
 */
async function appendLines(path: string, text: string): Promise<void> {
  const handle = await open(path, 'a+');
  try {
    const { size } = await handle.stat();
    let prefix = '';
    if (size > 0) {
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) prefix = '\n';
    }
    await handle.write(prefix + text);
    await handle.sync();
  } finally {
    await handle.close();
  }
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

  private pending: { records: DatasetRecord[]; done: Promise<void> } | undefined;
  private flushing: Promise<void> = Promise.resolve();

  /**
   * Group commit: records that finish while an append is being written join the next one, so
   * many concurrent answers cost one locked, fsynced write instead of one each. Resolves once
   * the records are on disk.
   */
  append(records: DatasetRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    if (this.pending) {
      this.pending.records.push(...records);
      return this.pending.done;
    }
    const batch: { records: DatasetRecord[]; done: Promise<void> } = { records: [...records], done: Promise.resolve() };
    batch.done = this.flushing.then(() => {
      if (this.pending === batch) this.pending = undefined;
      return withFileLock(this.path, () => appendLines(this.path, batch.records.map((r) => JSON.stringify(r)).join('\n') + '\n'));
    }).then(() => {
      this.cache.push(...batch.records);
    });
    this.pending = batch;
    this.flushing = batch.done.catch(() => undefined);
    return batch.done;
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
