// Adapts the dataset store (src/core/dataset/store.ts) to what the panel model needs, and tells
// the model when the records changed for a reason other than the panel itself (a reload merged an
// external edit, the generator appended, a conflict was resolved).
import type { DatasetRecord } from '../../core/dataset/record';
import type { DatasetStore } from '../../core/dataset/store';
import type { PanelStore } from './model';

export class StoreAdapter implements PanelStore {
  private positions: { version: number; map: Map<string, number> } | null = null;
  private applying = 0;

  constructor(readonly store: DatasetStore) {}

  get path(): string {
    return this.store.path;
  }

  records(): readonly DatasetRecord[] {
    return this.store.records();
  }

  get(id: string): DatasetRecord | undefined {
    return this.store.get(id);
  }

  indexOf(id: string): number {
    if (this.positions?.version !== this.store.version) {
      const map = new Map<string, number>();
      this.store.records().forEach((r, i) => map.set(r.id, i));
      this.positions = { version: this.store.version, map };
    }
    return this.positions.map.get(id) ?? -1;
  }

  isConflicted(id: string): boolean {
    return this.store.conflicts().some((c) => c.id === id);
  }

  replaceMany(records: readonly DatasetRecord[]): void {
    this.mine(() =>
      this.store.updateMany(
        records.map((after) => {
          const before = this.store.get(after.id) ?? {};
          // Keys the new version lacks are removed (`undefined` deletes in a store patch).
          const patch: Record<string, unknown> = {};
          for (const k of Object.keys(before)) if (!(k in after)) patch[k] = undefined;
          for (const [k, v] of Object.entries(after)) if (k !== 'id') patch[k] = v;
          return { id: after.id, patch };
        }),
      ),
    );
  }

  insert(index: number, record: DatasetRecord): void {
    const records = this.store.records();
    const afterId = index <= 0 ? null : (records[Math.min(index, records.length) - 1]?.id ?? null);
    this.mine(() => this.store.insert([record], afterId));
  }

  appendMany(records: readonly DatasetRecord[]): void {
    this.mine(() => this.store.insert(records));
  }

  removeMany(ids: readonly string[]): void {
    this.mine(() => this.store.remove(ids));
  }

  /** Merges what changed on disk first (reported as an external change), then writes. */
  async save(): Promise<void> {
    await this.store.reload();
    await this.store.save();
  }

  /**
   * Calls `listener` when the records changed for a reason the panel did not cause. Saving is
   * not such a change unless the save merged an edit from disk first (then the version moved).
   */
  onExternalChange(listener: () => void): () => void {
    return this.store.onDidChange((e) => {
      if (this.applying > 0 || e.reason === 'save') return;
      if (e.reason === 'edit' || e.reason === 'undo' || e.reason === 'redo' || e.reason === 'reload' || e.reason === 'append' || e.reason === 'resolve') listener();
    });
  }

  private mine<T>(f: () => T): T {
    this.applying++;
    try {
      return f();
    } finally {
      this.applying--;
    }
  }
}
