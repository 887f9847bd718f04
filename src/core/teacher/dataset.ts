// The dataset as the generator sees it: read the records, append answered questions, update a
// pending record in place. Backed by the dataset store (src/core/dataset/store.ts), the one
// reader/writer of a `*.dss.jsonl` file, so the panel and the generator never fight over it:
// appends are O_APPEND + fsync under the file lock, updates are merged with what is on disk.
import { DatasetStore } from '../dataset/store';
import type { DatasetRecord } from '../dataset/record';

export interface TeacherDataset {
  readonly path: string;
  records(): readonly DatasetRecord[];
  /** Resolves once the records are on disk. */
  append(records: DatasetRecord[]): Promise<void>;
  /** Merges `patch` into the record `id` (other keys, known or not, are kept) and saves. */
  update(id: string, patch: Partial<DatasetRecord> & Record<string, unknown>): Promise<void>;
}

export class StoreTeacherDataset implements TeacherDataset {
  private pending: { records: DatasetRecord[]; done: Promise<void> } | undefined;
  private flushing: Promise<void> = Promise.resolve();

  private constructor(private readonly store: DatasetStore) {}

  static async open(path: string): Promise<StoreTeacherDataset> {
    return new StoreTeacherDataset(await DatasetStore.open(path, { create: true }));
  }

  get path(): string {
    return this.store.path;
  }

  records(): readonly DatasetRecord[] {
    return this.store.records();
  }

  /**
   * Group commit: records that finish while an append is being written join the next one, so
   * many concurrent answers cost one locked, fsynced write instead of one each.
   */
  append(records: DatasetRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    if (this.pending) {
      this.pending.records.push(...records);
      return this.pending.done;
    }
    const batch: { records: DatasetRecord[]; done: Promise<void> } = { records: [...records], done: Promise.resolve() };
    batch.done = this.flushing.then(async () => {
      if (this.pending === batch) this.pending = undefined;
      await this.store.append(batch.records);
    });
    this.pending = batch;
    this.flushing = batch.done.catch(() => undefined);
    return batch.done;
  }

  async update(id: string, patch: Partial<DatasetRecord> & Record<string, unknown>): Promise<void> {
    // Serialised with appends, and a reload first, so an edit made in the panel meanwhile is kept.
    const run = this.flushing.then(async () => {
      await this.store.reload();
      this.store.update(id, patch);
      await this.store.save();
    });
    this.flushing = run.catch(() => undefined);
    await run;
  }
}
