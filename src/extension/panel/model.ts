// The panel model: one per open dataset, shared by every panel showing it (the sidebar view and the
// editor-area review panel). It owns the index over the store's records, the undo history of review
// actions and the background validation pass. Pure TypeScript (no `vscode`) so the Chromium tests
// and the benchmark drive exactly this code over a real store.
import { findDuplicateClusters, normalizeQuestion } from '../../core/dataset/dedup';
import type { DatasetRecord } from '../../core/dataset/record';
import type { ReviewAction, Stats } from '../../shared/webview-protocol';
import type { PanelEngine } from './engine';
import { classify, haystackOf, makeEntry, sortedEntries, sortedEntriesInSteps, type Entry } from './record-index';
import type { SortKey } from '../../shared/webview-protocol';

/** What the panel needs from the dataset store (src/core/dataset/store.ts); see store-adapter.ts. */
export interface PanelStore {
  readonly path: string;
  /** Records in file order. */
  records(): readonly DatasetRecord[];
  get(id: string): DatasetRecord | undefined;
  indexOf(id: string): number;
  /** True while the record has an unresolved conflict with the file on disk (it cannot be edited). */
  isConflicted(id: string): boolean;
  /** Replaces whole records (matched by id). */
  replaceMany(records: readonly DatasetRecord[]): void;
  /** Inserts a record so that it ends up at `index` in file order. */
  insert(index: number, record: DatasetRecord): void;
  removeMany(ids: readonly string[]): void;
  /** Adds records at the end of the file order. */
  appendMany(records: readonly DatasetRecord[]): void;
  /** Writes pending changes durably. */
  save(): Promise<void>;
}

type Change =
  | { kind: 'replace'; id: string; before: DatasetRecord; after: DatasetRecord }
  | { kind: 'insert'; index: number; record: DatasetRecord }
  | { kind: 'remove'; index: number; record: DatasetRecord }
  /** Many records added at the end (an import) or taken off it again (its undo). */
  | { kind: 'append'; records: DatasetRecord[] }
  | { kind: 'unappend'; records: DatasetRecord[] };

interface Step {
  label: string;
  changes: Change[];
}

export interface ModelListener {
  /** Records changed (any cause); `focusId` is a record the acting panel should move to. */
  changed(focusId: string | null): void;
  /** More records got their validity; counts may have moved. */
  validated(): void;
  history(): void;
}

export interface ModelOptions {
  store: PanelStore;
  engine: PanelEngine;
  /** Saving is coalesced: actions in quick succession are written once. 0 writes at once. */
  saveDelayMs?: number;
  log?(level: 'info' | 'warn' | 'error', message: string): void;
  /** After each successful save (the host checks for conflicts the save's merge opened). */
  saved?(): void;
  now?(): string;
}

const HISTORY_LIMIT = 500;
/** Near-duplicate search costs seconds beyond this many records; the stats view then shows exact ones. */
const NEAR_DUPLICATE_LIMIT = 10_000;

export class PanelModel {
  private entries: Entry[] = [];
  private byId = new Map<string, Entry>();
  private undoStack: Step[] = [];
  private redoStack: Step[] = [];
  private readonly listeners = new Set<ModelListener>();
  private validationTimer: ReturnType<typeof setTimeout> | undefined;
  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  private saving: Promise<void> = Promise.resolve();
  private firstUnsaved: number | undefined;
  /** Bumped on every change to the records or their validity (stats are cached against it). */
  private changes = 0;
  private statsCache: { changes: number; stats: Stats } | null = null;
  /**
   * Sorted orders, each kept until something it depends on changes: an accept does not re-sort by
   * question (sorting 100,000 questions costs a few hundred ms), an edit of a question does.
   */
  private readonly orders = new Map<SortKey, { stamp: string; order: Entry[] }>();
  /** Records added, removed or reread. */
  private structureChanges = 0;
  /** Changes to what each sort key reads. */
  private readonly keyChanges: Record<SortKey, number> = { file: 0, status: 0, validity: 0, queryType: 0, question: 0, updated: 0 };
  /** Query types of all records, sorted, recomputed when the records or their validity change. */
  private queryTypeList: { changes: number; types: string[] } | null = null;
  private disposed = false;
  validatedCount = 0;

  constructor(private readonly options: ModelOptions) {
    this.rebuild();
  }

  get store(): PanelStore {
    return this.options.store;
  }

  get engine(): PanelEngine {
    return this.options.engine;
  }

  all(): readonly Entry[] {
    return this.entries;
  }

  /** All entries sorted ascending by `key`, cached until a record is added or removed or what `key` reads changes. */
  sorted(key: SortKey): readonly Entry[] {
    const stamp = this.orderStamp(key);
    const cached = this.orders.get(key);
    if (cached?.stamp === stamp) return cached.order;
    const order = sortedEntries(this.entries, key);
    this.orders.set(key, { stamp, order });
    return order;
  }

  /** Every top-level query type present ('(none)' for records without one), sorted. */
  queryTypes(): readonly string[] {
    if (this.queryTypeList?.changes === this.changes) return this.queryTypeList.types;
    const types = new Set<string>();
    for (const e of this.entries) types.add(e.queryType ?? '(none)');
    this.queryTypeList = { changes: this.changes, types: [...types].sort() };
    return this.queryTypeList.types;
  }

  entry(id: string): Entry | undefined {
    return this.byId.get(id);
  }

  subscribe(listener: ModelListener): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /**
   * Re-reads the records from the store (after a load or an external edit merged by the store);
   * entries whose DSL did not change keep their validity.
   */
  rebuild(focusId: string | null = null, notify = true): void {
    this.changes++;
    this.structureChanges++;
    const previous = this.byId;
    const entries: Entry[] = [];
    const byId = new Map<string, Entry>();
    for (const record of this.store.records()) {
      const e = makeEntry(record, previous.get(record.id));
      entries.push(e);
      byId.set(record.id, e);
    }
    this.entries = entries;
    this.byId = byId;
    this.validatedCount = entries.reduce((n, e) => n + (e.validity === 'unchecked' ? 0 : 1), 0);
    this.scheduleValidation();
    if (notify) for (const l of this.listeners) l.changed(focusId);
  }

  // ---- validation in the background: time-sliced so messages are answered in between

  private scheduleValidation(): void {
    if (this.validationTimer || this.disposed) return;
    if (this.validatedCount >= this.entries.length) return;
    this.validationTimer = setTimeout(() => this.validateSlice(0, Date.now()), 0);
  }

  private validateSlice(from: number, lastNotice: number): void {
    this.validationTimer = undefined;
    if (this.disposed) return;
    const started = Date.now();
    let i = from;
    for (; i < this.entries.length && Date.now() - started < 12; i++) {
      const e = this.entries[i]!;
      if (e.validity !== 'unchecked') continue;
      classify(e, this.engine);
      this.validatedCount++;
    }
    const done = i >= this.entries.length;
    if (done) this.scheduleSearchIndex();
    this.changes++;
    this.keyChanges.validity++;
    this.keyChanges.queryType++;
    if (done || Date.now() - lastNotice > 400) {
      for (const l of this.listeners) l.validated();
      lastNotice = Date.now();
    }
    if (!done) this.validationTimer = setTimeout(() => this.validateSlice(i, lastNotice), 0);
    else if (this.validatedCount < this.entries.length) {
      // Records changed while we ran; pick up the new ones.
      this.validatedCount = this.entries.reduce((n, e) => n + (e.validity === 'unchecked' ? 0 : 1), 0);
      this.scheduleValidation();
    }
  }

  /** Prepares the text-search strings in idle slices, so the first search is as fast as the rest. */
  private scheduleSearchIndex(from = 0): void {
    if (this.disposed) return;
    setTimeout(() => {
      if (this.disposed) return;
      const started = Date.now();
      let i = from;
      for (; i < this.entries.length && Date.now() - started < 8; i++) haystackOf(this.entries[i]!);
      if (i < this.entries.length) this.scheduleSearchIndex(i);
      // Then the sorted orders, one per idle turn, so no sort waits for a first full sort (by
      // question it is a string sort of every record). They survive review actions (see `sorted`).
      else this.prepareOrders(['question', 'status', 'validity', 'queryType', 'updated']);
    }, 0);
  }

  /**
   * Builds the sorted orders in the background, in steps of a few ms each (sortedEntriesInSteps),
   * so a click that lands meanwhile is answered at once; an order whose inputs change while it is
   * built is dropped (the next `sorted` call sorts afresh).
   */
  private prepareOrders(keys: Exclude<SortKey, 'file'>[]): void {
    const [key, ...rest] = keys;
    if (!key || this.disposed) return;
    const stamp = this.orderStamp(key);
    if (this.orders.get(key)?.stamp === stamp) return this.prepareOrders(rest);
    const stale = () => this.disposed || this.orderStamp(key) !== stamp;
    sortedEntriesInSteps(
      this.entries,
      key,
      (next) => setTimeout(next, 0),
      (order) => {
        if (!stale()) this.orders.set(key, { stamp, order });
        this.prepareOrders(rest);
      },
      () => {
        if (!stale()) return false;
        this.prepareOrders(rest);
        return true;
      },
    );
  }

  private orderStamp(key: SortKey): string {
    return `${this.structureChanges}:${this.keyChanges[key]}`;
  }

  /** Validates everything now (tests and the benchmark wait on this). */
  validateAll(): void {
    this.changes++;
    this.keyChanges.validity++;
    this.keyChanges.queryType++;
    for (const e of this.entries) if (e.validity === 'unchecked') classify(e, this.engine);
    this.validatedCount = this.entries.length;
    for (const l of this.listeners) l.validated();
  }

  // ---- actions

  /** Applies a review action to records by id; one undo step. Returns the record to focus, if any. */
  review(action: ReviewAction, ids: readonly string[]): string | null {
    const changes: Change[] = [];
    const now = this.now();
    const targets = ids
      .map((id) => ({ id, index: this.store.indexOf(id) }))
      .filter((t) => t.index >= 0 && !this.store.isConflicted(t.id))
      // From the end of the file so the positions recorded for undo stay right.
      .sort((a, b) => b.index - a.index);
    if (action === 'delete') {
      for (const t of targets) changes.push({ kind: 'remove', index: t.index, record: this.store.get(t.id)! });
    } else if (action === 'duplicate') {
      const taken = new Set<string>();
      for (const t of targets) {
        const original = this.store.get(t.id)!;
        const copyId = this.freshId(original.id, taken);
        taken.add(copyId);
        const copy: DatasetRecord = { ...structuredClone(original), id: copyId, status: 'pending', updatedAt: now };
        changes.push({ kind: 'insert', index: t.index + 1, record: copy });
      }
    } else {
      const status = action === 'accept' ? 'accepted' : action === 'reject' ? 'rejected' : action === 'needs_fix' ? 'needs_fix' : 'pending';
      for (const t of targets.reverse()) {
        const before = this.store.get(t.id)!;
        if (before.status !== status) changes.push({ kind: 'replace', id: t.id, before, after: { ...before, status, updatedAt: now } });
      }
    }
    if (changes.length === 0) return null;
    const focus = this.applyAll(changes);
    this.commit({ label: describe(action, changes.length), changes }, action === 'duplicate' ? focus : null);
    return action === 'duplicate' ? focus : null;
  }

  /** Replaces the editable fields of one record; one undo step. */
  edit(id: string, patch: { question?: string; rationale?: string; dsl?: Record<string, unknown> | null }): boolean {
    const before = this.store.get(id);
    if (!before) return false;
    const after: DatasetRecord = { ...before };
    let changed = false;
    if (patch.question !== undefined && patch.question !== before.question) {
      after.question = patch.question;
      changed = true;
    }
    if (patch.rationale !== undefined && patch.rationale !== (before.rationale ?? '')) {
      after.rationale = patch.rationale;
      changed = true;
    }
    if (patch.dsl !== undefined && JSON.stringify(patch.dsl) !== JSON.stringify(before.dsl ?? null)) {
      after.dsl = patch.dsl;
      changed = true;
    }
    if (!changed) return false;
    after.updatedAt = this.now();
    const change: Change = { kind: 'replace', id, before, after };
    this.applyAll([change]);
    this.commit({ label: `edit ${id}`, changes: [change] }, id);
    return true;
  }

  /** Adds new records at the end (an import); one undo step. */
  append(records: readonly DatasetRecord[], label: string): void {
    if (records.length === 0) return;
    const change: Change = { kind: 'append', records: [...records] };
    const focus = this.applyAll([change]);
    this.commit({ label, changes: [change] }, focus);
  }

  /** Sets the split of many records; one undo step. Returns how many changed. */
  assignSplits(assignments: ReadonlyMap<string, 'train' | 'val' | 'test'>, label: string): number {
    const now = this.now();
    const changes: Change[] = [];
    for (const [id, split] of assignments) {
      const before = this.store.get(id);
      if (!before || before.split === split || this.store.isConflicted(id)) continue;
      changes.push({ kind: 'replace', id, before, after: { ...before, split, updatedAt: now } });
    }
    if (changes.length === 0) return 0;
    this.applyAll(changes);
    this.commit({ label, changes }, null);
    return changes.length;
  }

  undo(): string | null {
    const step = this.undoStack.pop();
    if (!step) return null;
    const focus = this.applyAll([...step.changes].reverse().map(invert));
    this.redoStack.push(step);
    this.afterHistoryMove(focus);
    return step.label;
  }

  redo(): string | null {
    const step = this.redoStack.pop();
    if (!step) return null;
    const focus = this.applyAll(step.changes);
    this.undoStack.push(step);
    this.afterHistoryMove(focus);
    return step.label;
  }

  historyLabels(): { undo: string | null; redo: string | null } {
    return { undo: this.undoStack.at(-1)?.label ?? null, redo: this.redoStack.at(-1)?.label ?? null };
  }

  /** The store's records changed underneath (external edit); history that no longer applies is dropped. */
  externalChange(): void {
    this.undoStack = this.undoStack.filter((s) => s.changes.every((c) => this.stillApplies(c, 'undo')));
    this.redoStack = [];
    this.rebuild();
    for (const l of this.listeners) l.history();
  }

  private stillApplies(c: Change, _dir: 'undo'): boolean {
    if (c.kind === 'replace') return JSON.stringify(this.store.get(c.id)) === JSON.stringify(c.after);
    if (c.kind === 'insert') return this.store.get(c.record.id) !== undefined;
    if (c.kind === 'append') return c.records.every((r) => this.store.get(r.id) !== undefined);
    if (c.kind === 'unappend') return c.records.every((r) => this.store.get(r.id) === undefined);
    return this.store.get(c.record.id) === undefined;
  }

  /** Applies changes to the store in batches (one store call per run of updates or removals), then the index. */
  private applyAll(changes: readonly Change[]): string | null {
    this.changes++;
    this.noteKeyChanges(changes);
    let focus: string | null = null;
    for (let i = 0; i < changes.length; ) {
      const c = changes[i]!;
      let j = i + 1;
      while (j < changes.length && changes[j]!.kind === c.kind && (c.kind === 'replace' || c.kind === 'remove')) j++;
      const run = changes.slice(i, j);
      if (c.kind === 'replace') this.store.replaceMany(run.map((r) => (r as Extract<Change, { kind: 'replace' }>).after));
      else if (c.kind === 'remove') this.store.removeMany(run.map((r) => (r as Extract<Change, { kind: 'remove' }>).record.id));
      else if (c.kind === 'insert') this.store.insert(Math.min(c.index, this.store.records().length), c.record);
      else if (c.kind === 'append') this.store.appendMany(c.records);
      else this.store.removeMany(c.records.map((r) => r.id));
      for (const r of run) {
        if (r.kind === 'replace') focus = r.id;
        else if (r.kind === 'insert') focus = r.record.id;
        else if (r.kind === 'append') focus = r.records[0]?.id ?? focus;
      }
      i = j;
    }
    // Past a few hundred inserts/removals one rebuild beats splicing each into the index.
    const structural = changes.reduce((n, c) => n + (c.kind === 'replace' ? 0 : c.kind === 'append' || c.kind === 'unappend' ? 500 : 1), 0);
    if (structural < 500) for (const c of changes) this.reindex(c);
    else this.rebuild(null, false);
    return focus;
  }

  /** Which sorted orders `changes` invalidate. */
  private noteKeyChanges(changes: readonly Change[]): void {
    const touched = new Set<SortKey>();
    for (const c of changes) {
      if (c.kind !== 'replace') {
        this.structureChanges++;
        return;
      }
      const { before, after } = c;
      if (before.question !== after.question) touched.add('question');
      if (before.status !== after.status) touched.add('status');
      if (before.updatedAt !== after.updatedAt) touched.add('updated');
      // By reference: a review action copies the record and keeps its DSL object; an edit brings a new one.
      if (before.dsl !== after.dsl) {
        touched.add('validity');
        touched.add('queryType');
      }
    }
    for (const key of touched) this.keyChanges[key]++;
  }

  /** Keeps the index in step with one change to the store, without rereading every record. */
  private reindex(c: Change): void {
    if (c.kind === 'append' || c.kind === 'unappend') return this.rebuild(null, false);
    if (c.kind === 'replace') {
      const old = this.byId.get(c.id);
      if (!old) return this.rebuild(null, false);
      // Updated in place: panels' current views hold the same entry objects.
      const wasChecked = old.validity !== 'unchecked';
      Object.assign(old, makeEntry(c.after, old));
      if (old.validity === 'unchecked') {
        classify(old, this.engine);
        if (!wasChecked) this.validatedCount++;
      }
      return;
    }
    if (c.kind === 'insert') {
      const e = makeEntry(c.record);
      classify(e, this.engine);
      this.entries.splice(Math.min(c.index, this.entries.length), 0, e);
      this.byId.set(e.id, e);
      this.validatedCount++;
      return;
    }
    const old = this.byId.get(c.record.id);
    if (!old) return;
    const at = this.entries[c.index] === old ? c.index : this.entries.indexOf(old);
    if (at >= 0) this.entries.splice(at, 1);
    this.byId.delete(c.record.id);
    if (old.validity !== 'unchecked') this.validatedCount--;
  }

  private commit(step: Step, focus: string | null): void {
    this.undoStack.push(step);
    if (this.undoStack.length > HISTORY_LIMIT) this.undoStack.shift();
    this.redoStack = [];
    this.afterHistoryMove(focus);
  }

  private afterHistoryMove(focus: string | null): void {
    for (const l of this.listeners) l.changed(focus);
    for (const l of this.listeners) l.history();
    this.scheduleSave();
  }

  /**
   * Saving rewrites the whole file (atomically), so rapid review keystrokes are coalesced: the
   * file is written once the person pauses for `saveDelayMs`, and at least every 5 s meanwhile.
   */
  private scheduleSave(): void {
    const delay = this.options.saveDelayMs ?? 600;
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.firstUnsaved ??= Date.now();
    const wait = Math.max(0, Math.min(delay, this.firstUnsaved + 5000 - Date.now()));
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      void this.flush();
    }, wait);
  }

  /** Writes any pending change now; resolves when the file is on disk. */
  flush(): Promise<void> {
    this.firstUnsaved = undefined;
    if (this.saveTimer) {
      clearTimeout(this.saveTimer);
      this.saveTimer = undefined;
    }
    const save = async () => {
      await this.store.save();
      this.options.saved?.();
    };
    this.saving = this.saving.then(save, save);
    this.saving.catch((e: unknown) => this.options.log?.('error', `saving ${this.store.path} failed: ${e instanceof Error ? e.message : String(e)}`));
    return this.saving;
  }

  private freshId(base: string, taken: Set<string>): string {
    for (let n = 1; ; n++) {
      const candidate = `${base}-copy${n === 1 ? '' : n}`;
      if (!this.store.get(candidate) && !taken.has(candidate)) return candidate;
    }
  }

  private now(): string {
    return this.options.now?.() ?? new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  // ---- stats

  stats(): Stats {
    if (this.statsCache?.changes === this.changes) return this.statsCache.stats;
    const stats = this.computeStats();
    this.statsCache = { changes: this.changes, stats };
    return stats;
  }

  private computeStats(): Stats {
    const statuses = new Map<string, number>();
    const splits = new Map<string, number>();
    const types = new Map<string, number>();
    const aggs = new Map<string, number>();
    const days = new Map<string, { error: number; warning: number; clean: number }>();
    let rationaleChars = 0;
    let rationaleCount = 0;
    for (const e of this.entries) {
      const r = e.record;
      bump(statuses, e.status);
      bump(splits, r.split ?? 'none');
      if (e.queryType) bump(types, e.queryType);
      if (r.dsl) for (const a of this.engine.aggregationTypes(r.dsl)) bump(aggs, a);
      if (r.rationale) {
        rationaleChars += r.rationale.length;
        rationaleCount++;
      }
      if (r.updatedAt && (e.validity === 'error' || e.validity === 'warning' || e.validity === 'clean')) {
        const day = r.updatedAt.slice(0, 10);
        const d = days.get(day) ?? { error: 0, warning: 0, clean: 0 };
        d[e.validity]++;
        days.set(day, d);
      }
    }
    // Exact and near duplicates (MinHash over trigrams) as the import and split steps see them;
    // past NEAR_DUPLICATE_LIMIT records only exact ones (same normalised text), which is O(n).
    const near = this.entries.length <= NEAR_DUPLICATE_LIMIT;
    const dupes = (near ? findDuplicateClusters(this.entries.map((e) => ({ id: e.id, text: e.record.question }))) : exactClusters(this.entries))
      .filter((c) => c.ids.length > 1)
      .sort((a, b) => b.ids.length - a.ids.length);
    return {
      total: this.entries.length,
      byStatus: bars(statuses),
      bySplit: bars(splits),
      byQueryType: bars(types).slice(0, 100),
      byAggregation: bars(aggs).slice(0, 100),
      avgRationaleChars: rationaleCount ? Math.round(rationaleChars / rationaleCount) : 0,
      duplicateClusters: dupes.slice(0, 50).map((c) => ({
        size: c.ids.length,
        questions: c.ids.slice(0, 5).map((id) => (this.byId.get(id)?.record.question ?? '').slice(0, 400)),
        ids: c.ids.slice(0, 50),
      })),
      duplicateClusterCount: dupes.length,
      duplicateKind: near ? 'near' : 'exact',
      validityOverTime: [...days.entries()]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .slice(-400)
        .map(([day, d]) => ({ day, ...d })),
    };
  }

  dispose(): void {
    this.disposed = true;
    if (this.validationTimer) clearTimeout(this.validationTimer);
    this.listeners.clear();
  }
}

function invert(c: Change): Change {
  if (c.kind === 'append') return { kind: 'unappend', records: c.records };
  if (c.kind === 'unappend') return { kind: 'append', records: c.records };
  if (c.kind === 'replace') return { kind: 'replace', id: c.id, before: c.after, after: c.before };
  if (c.kind === 'insert') return { kind: 'remove', index: c.index, record: c.record };
  return { kind: 'insert', index: c.index, record: c.record };
}

function describe(action: ReviewAction, n: number): string {
  const verb = { accept: 'accept', reject: 'reject', needs_fix: 'mark needs-fix', reset: 'reset to pending', duplicate: 'duplicate', delete: 'delete' }[action];
  return `${verb} ${n} record${n === 1 ? '' : 's'}`;
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function bars(map: Map<string, number>): { label: string; value: number }[] {
  return [...map.entries()].sort((a, b) => b[1] - a[1]).map(([label, value]) => ({ label: label.slice(0, 200), value }));
}

function exactClusters(entries: readonly Entry[]): { ids: string[] }[] {
  const groups = new Map<string, string[]>();
  for (const e of entries) {
    const key = normalizeQuestion(e.record.question);
    const ids = groups.get(key);
    if (ids) ids.push(e.id);
    else groups.set(key, [e.id]);
  }
  return [...groups.values()].map((ids) => ({ ids }));
}
