// The dataset as the generator sees it: read the records, append answered questions, update a
// pending record in place. Backed by the dataset store (src/core/dataset/store.ts), the one
// reader/writer of a `*.dss.jsonl` file, so the panel and the generator never fight over it:
// appends are O_APPEND + fsync under the file lock (group-committed by the store), updates are
// merged with what is on disk.
//
// In-place updates are batched: updates that arrive within `updateDelayMs` of the first one (and
// all that arrive while the previous batch is being saved) become one reload → updateMany → save,
// so N regenerated records rewrite the file once, not N times. An update's promise resolves when
// its batch is on disk. The delay is bounded and flush() (called when a run ends, cancelled or
// not) writes what is waiting at once. A crash before a batch is saved loses nothing paid for:
// every answer is in the response cache before it reaches update(), and its record is still
// pending on disk, so the rerun answers it from the cache.
import { DatasetStore } from '../dataset/store';
import type { DatasetRecord } from '../dataset/record';

export interface TeacherDataset {
  readonly path: string;
  records(): readonly DatasetRecord[];
  /** Resolves once the records are on disk. */
  append(records: DatasetRecord[]): Promise<void>;
  /** Merges `patch` into the record `id` (other keys, known or not, are kept) and saves. */
  update(id: string, patch: Partial<DatasetRecord> & Record<string, unknown>): Promise<void>;
  /** Writes waiting updates now (end of a run); resolves when they are on disk. */
  flush?(): Promise<void>;
}

export interface TeacherDatasetOptions {
  /** How long an update waits for others to share its save (ms, default 100). */
  updateDelayMs?: number;
}

interface PendingUpdate {
  id: string;
  patch: Partial<DatasetRecord> & Record<string, unknown>;
  resolve: () => void;
  reject: (e: unknown) => void;
}

export class StoreTeacherDataset implements TeacherDataset {
  private waiting: PendingUpdate[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** The batch being written (reload → updateMany → save), if any. */
  private writing: Promise<void> = Promise.resolve();
  private writingNow = false;
  private readonly updateDelayMs: number;

  private constructor(
    /** The underlying store (tests count its saves). */
    readonly store: DatasetStore,
    opts: TeacherDatasetOptions,
  ) {
    this.updateDelayMs = opts.updateDelayMs ?? 100;
  }

  static async open(path: string, opts: TeacherDatasetOptions = {}): Promise<StoreTeacherDataset> {
    return new StoreTeacherDataset(await DatasetStore.open(path, { create: true }), opts);
  }

  get path(): string {
    return this.store.path;
  }

  records(): readonly DatasetRecord[] {
    return this.store.records();
  }

  /** Group-committed by the store: answers that finish during an fsync share the next one. */
  async append(records: DatasetRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.store.append(records);
  }

  update(id: string, patch: Partial<DatasetRecord> & Record<string, unknown>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ id, patch, resolve, reject });
      // While a batch is being written, the next one starts when it ends (it collects meanwhile).
      if (!this.timer && !this.writingNow) this.timer = setTimeout(() => this.startBatch(), this.updateDelayMs);
    });
  }

  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    while (this.waiting.length > 0 || this.writingNow) {
      if (!this.writingNow) this.startBatch();
      await this.writing;
    }
  }

  private startBatch(): void {
    this.timer = undefined;
    if (this.writingNow || this.waiting.length === 0) return;
    const batch = this.waiting;
    this.waiting = [];
    this.writingNow = true;
    this.writing = this.writeBatch(batch).finally(() => {
      this.writingNow = false;
      // Updates that arrived during the save: write them next (they already waited that long).
      if (this.waiting.length > 0 && !this.timer) this.timer = setTimeout(() => this.startBatch(), 0);
    });
  }

  private async writeBatch(batch: PendingUpdate[]): Promise<void> {
    try {
      // A reload first, so an edit made in the panel meanwhile is kept.
      await this.store.reload();
      const applied: PendingUpdate[] = [];
      const conflicted = new Set(this.store.conflicts().map((c) => c.id));
      const good = batch.filter((u) => this.store.has(u.id) && !conflicted.has(u.id));
      const isGood = new Set(good);
      try {
        this.store.updateMany(good.map((u) => ({ id: u.id, patch: u.patch })));
        applied.push(...good);
      } catch {
        // One bad patch must not sink the others: apply them one by one.
        for (const u of good) {
          try {
            this.store.update(u.id, u.patch);
            applied.push(u);
          } catch (e) {
            u.reject(e);
          }
        }
      }
      // Those not applied above fail the way a single update() would.
      for (const u of batch) {
        if (isGood.has(u)) continue;
        try {
          this.store.update(u.id, u.patch);
          applied.push(u);
        } catch (e) {
          u.reject(e);
        }
      }
      if (applied.length === 0) return;
      try {
        await this.store.save();
      } catch (e) {
        for (const u of applied) u.reject(e);
        return;
      }
      for (const u of applied) u.resolve();
    } catch (e) {
      for (const u of batch) u.reject(e);
    }
  }
}
