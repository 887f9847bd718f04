// DatasetStore: the one reader/writer of a `*.dss.jsonl` file for the panel, the generator, the
// language server and the CLI. Pure Node (no `vscode`).
//
// ─── API (stable; other parts build on it — change only together with them) ────────────────────
//
//   const store = await DatasetStore.open(path, { create?: boolean, now?: () => string, touch?: boolean })
//     Parses every line. Records are checked against the zod schema (common shape by hand); unknown keys and each line's exact text
//     are kept. Unparsable / invalid lines and lines reusing an earlier id are kept byte-for-byte
//     as broken lines. Throws StoreError (code 'ENOENT' | 'EISDIR' | …) with a readable message.
//
//   read:   store.path, store.version (increases on every change), store.size (record count),
//           store.records(): readonly DatasetRecord[] (file order; cached per version; do not mutate),
//           store.entries(): readonly Entry[] (every line, records and broken/blank, file order),
//           store.get(id), store.has(id), store.lineOf(id) (1-based line in the current order),
//           store.brokenLines(): {line, raw, error}[], store.duplicateIds(): {id, lines}[],
//           store.isDirty(), store.dirtyIds(), store.conflicts(): Conflict[]
//   edit (in memory, each call = one undo step; throws StoreError on a bad id / invalid record):
//           store.update(id, patch)                      patch value `undefined` deletes the key
//           store.updateMany([{id, patch}, …])           bulk, one undo step
//           store.insert(records, afterId?)              afterId: undefined = end, null = start;
//                                                        records without id get a fresh one; returns them
//           store.remove(ids): number                    how many were removed
//           store.undo(): boolean, store.redo(): boolean, store.canUndo, store.canRedo
//   disk:   await store.save()      atomic rewrite (temp + fsync + rename + fsync dir) in the current
//                                   order; untouched lines and broken lines byte-for-byte. If the
//                                   file changed on disk since we last saw it, merges first (as reload).
//           await store.append(records)  durable append (O_APPEND + fsync) of new records, for the
//                                   generator's results as they arrive; committed when it resolves.
//           await store.reload(): ReloadResult   three-way merge of disk with unsaved edits; a no-op
//                                   when the file's size/mtime/inode are what we last saw (content
//                                   is compared when a write may share our mtime tick); reads only
//                                   the new bytes when another process just appended.
//           store.resolveConflict(id, 'mine' | 'theirs' | 'both')
//   events: store.onDidChange((e: StoreChange) => void): () => void   (returns unsubscribe)
//   misc:   store.newId(prefix = 'q'): string (unused id)
//   watch(path, onChange, { debounceMs = 100, pollMs = 1000 }): { close() }   fs.watch on the
//           directory + stat polling fallback, debounced; call store.reload() from onChange.
//
// Conflicts: when a record changed both on disk and in memory (or was deleted on one side and
// changed on the other), the list keeps the disk version ("theirs", so a save never overwrites
// it) and the conflict keeps "mine"; neither is lost until resolveConflict. While a conflict is
// open, editing that record throws. 'both' keeps theirs and inserts mine right after it under a
// new id.
//
// Crash safety: save() replaces the file by rename, append() only adds whole lines after an
// fsync'd O_APPEND write, and both run under `<file>.lock` so a save in one process never drops
// an append from another. A crash leaves either the old or the new file (plus at most a torn
// last line, which is kept as a broken line and never merged into the next record). Temp files
// of dead writers are removed on open. What was committed (save/append resolved) is never lost.
// Unsaved in-memory edits are not committed; the panel saves them (or asks) itself.
import { readFile, open as openFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { watch as fsWatch, watchFile, unwatchFile, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { z } from 'zod';
import type { DatasetRecord, recordSchema } from './record';
import { appendDurableAsync, diskStateAsync, LockTimeoutError, removeStaleTemps, sameDiskState, withFileLock as withLock, writeFileAtomicAsync, type DiskState } from './durable';
import { decodeFile, recordEntryFromJson, type Entry, type RecordEntry } from './lines';
import { stableStringify } from './dsl';

export type { Entry, RecordEntry, BrokenEntry, BlankEntry } from './lines';

/** What `insert`/`append` accept: a record, with `id` optional (a fresh one is assigned). */
export type RecordInput = Omit<z.input<typeof recordSchema>, 'id'> & { id?: string | undefined } & Record<string, unknown>;
/** Keys to set on a record; a value of `undefined` removes the key. `id` cannot change. */
export type RecordPatch = { [key: string]: unknown };

export interface BrokenLine {
  line: number;
  raw: string;
  error: string;
}
export interface DuplicateId {
  id: string;
  lines: number[];
}
export interface Conflict {
  id: string;
  /** The unsaved in-memory version; null when it was removed in memory. */
  mine: DatasetRecord | null;
  /** The version on disk; null when it was deleted on disk. */
  theirs: DatasetRecord | null;
}
export interface ReloadResult {
  /** Whether anything was read (false: the file is as we last saw it). */
  changed: boolean;
  /** Ids whose disk version replaced the in-memory one (it had no unsaved edits). */
  taken: string[];
  added: string[];
  removed: string[];
  /** Conflicts that this reload opened (all open ones: store.conflicts()). */
  conflicts: Conflict[];
}
export type StoreChangeReason = 'edit' | 'undo' | 'redo' | 'reload' | 'save' | 'append' | 'resolve';
export interface StoreChange {
  version: number;
  reason: StoreChangeReason;
  /** Ids of records that changed (absent when the whole file may have changed). */
  ids?: string[];
}

export class StoreError extends Error {
  constructor(
    message: string,
    readonly code: string = 'EINVAL',
  ) {
    super(message);
  }
}

export interface OpenOptions {
  /** Start with an empty dataset when the file does not exist (it is created on save/append). */
  create?: boolean;
  /** Clock for `updatedAt` (tests). */
  now?: () => string;
  /** Set `updatedAt` on update/insert (default true). */
  touch?: boolean;
}

type AnchorKey = string | Entry | null;
type AnchorGroups = Map<AnchorKey, RecordEntry[]>;
type Step =
  | { kind: 'update'; changes: { id: string; before: RecordEntry; after: RecordEntry }[] }
  | { kind: 'insert'; entries: RecordEntry[]; anchors: AnchorGroups }
  | { kind: 'remove'; entries: RecordEntry[]; anchors: AnchorGroups };

interface AppendWaiter {
  records: readonly RecordInput[];
  resolve: (records: DatasetRecord[]) => void;
  reject: (e: unknown) => void;
  settled?: boolean;
}

interface OpenConflict {
  mine: RecordEntry | null;
  anchor: AnchorKey;
}

const MAX_UNDO = 200;
/** Writes closer than this to when we last looked at the file may share its mtime. */
const RACY_MS = 20;
const TAIL_BYTES = 64;
/** save() encodes and writes the file in pieces of about this many characters. */
const SAVE_PIECE_CHARS = 1 << 20;

/** The last bytes of a file's text (UTF-8), to recognise them again later. */
function tailOf(text: string): Buffer {
  const b = Buffer.from(text.slice(-TAIL_BYTES), 'utf8');
  return b.subarray(Math.max(0, b.length - TAIL_BYTES));
}

function keyOf(e: Entry): AnchorKey {
  return e.kind === 'record' ? e.id : e;
}

/** Saves retried because another program changed the file between our read and our rename. */
const MAX_SAVE_ATTEMPTS = 50;

async function readBytes(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
    if (code === 'ENOENT') throw new StoreError(`${path}: no such file`, code);
    if (code === 'EISDIR') throw new StoreError(`${path} is a directory; give the path of a .dss.jsonl file`, code);
    if (code === 'EACCES') throw new StoreError(`${path}: permission denied`, code);
    throw new StoreError(`${path}: ${(e as Error).message}`, code);
  }
}

/** The file lock, with a lock held too long reported as a StoreError (a user-fixable condition). */
function withFileLock<T>(path: string, fn: () => T | Promise<T>): Promise<T> {
  return withLock(path, fn).catch((e: unknown) => {
    if (e instanceof LockTimeoutError) throw new StoreError(e.message, 'ELOCKED');
    throw e;
  });
}

function sameRecord(a: RecordEntry, b: RecordEntry): boolean {
  return a.raw === b.raw || stableStringify(a.json) === stableStringify(b.json);
}

export class DatasetStore {
  private list: Entry[];
  /** id → raw line text as on disk when we last read or wrote it. */
  private base = new Map<string, string>();
  private known: DiskState | null;
  /** The file's text when `known` was taken, if we have it for free (open/save/merge). */
  private knownText: string | null = null;
  /** When `known` was taken (Date.now()); see racy(). */
  private knownAt = 0;
  /** The last bytes of the file as of `known`: lets reload() recognise a pure append. */
  private knownTail: Buffer = Buffer.alloc(0);
  private index: Map<string, number> | null = null;
  private recordsCache: { version: number; records: DatasetRecord[] } | null = null;
  private undoStack: Step[] = [];
  private redoStack: Step[] = [];
  private open_ = new Map<string, OpenConflict>();
  private listeners = new Set<(e: StoreChange) => void>();
  private version_ = 0;
  private readonly now: () => string;
  private readonly touch: boolean;
  /** Appends waiting for the file (group commit): calls made meanwhile join it. */
  private appendBatch: AppendWaiter[] | null = null;
  /** Ids being appended right now (written, not yet in the list). */
  private appending = new Set<string>();
  /** A save waiting for the file: save() calls made meanwhile share it. */
  private queuedSave: { done: Promise<void> } | null = null;
  /** The file starts with a byte-order mark: every save writes it back. */
  private bom = false;
  /** The file's own line ending is "\r\n": new and edited lines get it too. */
  private crlf = false;

  private constructor(
    readonly path: string,
    entries: Entry[],
    known: DiskState | null,
    opts: OpenOptions,
  ) {
    this.list = entries;
    this.known = known;
    this.knownAt = Date.now();
    this.now = opts.now ?? (() => new Date().toISOString());
    this.touch = opts.touch ?? true;
    this.resetBase();
  }

  static async open(path: string, opts: OpenOptions = {}): Promise<DatasetStore> {
    removeStaleTemps(path);
    let state: DiskState | null;
    try {
      state = await diskStateAsync(path);
    } catch (e) {
      throw new StoreError(`${path}: ${(e as Error).message}`, (e as NodeJS.ErrnoException).code ?? 'EIO');
    }
    // A save in another process moves the file aside for an instant (swapIfUnchanged): ask again
    // under the lock before believing the file is gone.
    if (state === null) state = await withFileLock(path, () => diskStateAsync(path)).catch(() => null);
    if (state === null) {
      if (opts.create) return new DatasetStore(path, [], null, opts);
      throw new StoreError(`${path}: no such file`, 'ENOENT');
    }
    const decoded = decodeFile(await readBytes(path));
    const store = new DatasetStore(path, decoded.entries, state, opts);
    store.bom = decoded.bom;
    store.crlf = decoded.crlf;
    store.knownText = decoded.text;
    store.knownTail = tailOf(decoded.text);
    return store;
  }

  // ─── reading ──────────────────────────────────────────────────────────────────────────────

  get version(): number {
    return this.version_;
  }

  get size(): number {
    return this.ids().size;
  }

  entries(): readonly Entry[] {
    return this.list;
  }

  records(): readonly DatasetRecord[] {
    if (this.recordsCache?.version !== this.version_) {
      const records: DatasetRecord[] = [];
      for (const e of this.list) if (e.kind === 'record') records.push(e.record);
      this.recordsCache = { version: this.version_, records };
    }
    return this.recordsCache.records;
  }

  get(id: string): DatasetRecord | undefined {
    return this.entry(id)?.record;
  }

  has(id: string): boolean {
    return this.ids().has(id);
  }

  lineOf(id: string): number | undefined {
    const i = this.ids().get(id);
    return i === undefined ? undefined : i + 1;
  }

  brokenLines(): BrokenLine[] {
    const out: BrokenLine[] = [];
    this.list.forEach((e, i) => {
      if (e.kind === 'broken') out.push({ line: i + 1, raw: e.raw, error: e.error });
    });
    return out;
  }

  duplicateIds(): DuplicateId[] {
    const byId = new Map<string, number[]>();
    this.list.forEach((e, i) => {
      if (e.kind === 'broken' && e.duplicateOf !== undefined) {
        const first = this.lineOf(e.duplicateOf);
        const lines = byId.get(e.duplicateOf) ?? (first !== undefined ? [first] : []);
        lines.push(i + 1);
        byId.set(e.duplicateOf, lines);
      }
    });
    return [...byId].map(([id, lines]) => ({ id, lines: lines.sort((a, b) => a - b) }));
  }

  dirtyIds(): string[] {
    const out: string[] = [];
    const seen = new Set<string>();
    for (const e of this.list) {
      if (e.kind !== 'record') continue;
      seen.add(e.id);
      if (this.base.get(e.id) !== e.raw) out.push(e.id);
    }
    for (const id of this.base.keys()) if (!seen.has(id)) out.push(id);
    return out;
  }

  isDirty(): boolean {
    if (this.dirtyIds().length > 0) return true;
    // A pure reorder is also unsaved.
    let i = 0;
    const baseOrder = [...this.base.keys()];
    for (const e of this.list) if (e.kind === 'record' && baseOrder[i++] !== e.id) return true;
    return false;
  }

  conflicts(): Conflict[] {
    return [...this.open_].map(([id, c]) => ({ id, mine: c.mine?.record ?? null, theirs: this.get(id) ?? null }));
  }

  newId(prefix = 'q'): string {
    for (;;) {
      const id = `${prefix}-${randomBytes(4).toString('hex')}`;
      if (!this.has(id) && !this.base.has(id) && !this.open_.has(id) && !this.appending.has(id)) return id;
    }
  }

  onDidChange(listener: (e: StoreChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ─── editing (in memory, undoable) ────────────────────────────────────────────────────────

  update(id: string, patch: RecordPatch): void {
    this.updateMany([{ id, patch }]);
  }

  updateMany(patches: readonly { id: string; patch: RecordPatch }[]): void {
    const changes: { id: string; before: RecordEntry; after: RecordEntry }[] = [];
    const pending = new Map<string, RecordEntry>();
    for (const { id, patch } of patches) {
      const before = pending.get(id) ?? this.entry(id);
      if (!before) throw new StoreError(`no record with id "${id}"`, 'ENOTFOUND');
      this.assertNoConflict(id);
      if ('id' in patch && patch['id'] !== id) throw new StoreError(`the id of "${id}" cannot be changed; insert a copy instead`);
      const json: Record<string, unknown> = { ...before.json };
      for (const [k, v] of Object.entries(patch)) {
        if (v === undefined) delete json[k];
        else json[k] = v;
      }
      if (this.touch && !('updatedAt' in patch)) json['updatedAt'] = this.now();
      const after = this.toEntry(json, `record "${id}"`);
      if (after.raw === before.raw) continue;
      pending.set(id, after);
    }
    for (const [id, after] of pending) {
      const first = this.entry(id)!;
      changes.push({ id, before: first, after });
    }
    if (changes.length === 0) return;
    this.applyUpdate(changes, 'after');
    this.pushStep({ kind: 'update', changes });
    this.emit('edit', changes.map((c) => c.id));
  }

  insert(records: readonly RecordInput[], afterId?: string | null): DatasetRecord[] {
    if (afterId !== undefined && afterId !== null && !this.has(afterId)) throw new StoreError(`no record with id "${afterId}" to insert after`, 'ENOTFOUND');
    const entries = this.prepareNew(records, true);
    if (entries.length === 0) return [];
    const anchor: AnchorKey = afterId === undefined ? (this.list.length ? keyOf(this.list[this.list.length - 1]!) : null) : afterId;
    const anchors: AnchorGroups = new Map([[anchor, entries]]);
    this.insertAnchored(anchors);
    this.pushStep({ kind: 'insert', entries, anchors });
    this.emit('edit', entries.map((e) => e.id));
    return entries.map((e) => e.record);
  }

  remove(ids: Iterable<string>): number {
    const wanted = new Set<string>();
    for (const id of ids) {
      if (!this.has(id)) continue;
      this.assertNoConflict(id);
      wanted.add(id);
    }
    if (wanted.size === 0) return 0;
    const anchors: AnchorGroups = new Map();
    const entries: RecordEntry[] = [];
    let anchor: AnchorKey = null;
    for (const e of this.list) {
      if (e.kind === 'record' && wanted.has(e.id)) {
        entries.push(e);
        const g = anchors.get(anchor) ?? [];
        g.push(e);
        anchors.set(anchor, g);
      } else anchor = keyOf(e);
    }
    this.removeIds(wanted);
    this.pushStep({ kind: 'remove', entries, anchors });
    this.emit('edit', [...wanted]);
    return wanted.size;
  }

  get canUndo(): boolean {
    return this.undoStack.length > 0;
  }

  get canRedo(): boolean {
    return this.redoStack.length > 0;
  }

  undo(): boolean {
    const step = this.undoStack.pop();
    if (!step) return false;
    this.applyStep(step, 'undo');
    this.redoStack.push(step);
    this.emit('undo', this.stepIds(step));
    return true;
  }

  redo(): boolean {
    const step = this.redoStack.pop();
    if (!step) return false;
    this.applyStep(step, 'redo');
    this.undoStack.push(step);
    this.emit('redo', this.stepIds(step));
    return true;
  }

  resolveConflict(id: string, choice: 'mine' | 'theirs' | 'both'): void {
    const c = this.open_.get(id);
    if (!c) throw new StoreError(`no open conflict for "${id}"`, 'ENOTFOUND');
    this.open_.delete(id);
    const theirs = this.entry(id);
    const changed: string[] = [id];
    if (choice === 'mine') {
      if (c.mine === null) this.removeIds(new Set([id]));
      else if (theirs) this.applyUpdate([{ id, before: theirs, after: c.mine }], 'after');
      else this.insertAnchored(new Map([[c.anchor, [c.mine]]]));
    } else if (choice === 'both' && c.mine !== null) {
      const copyId = this.newId(`${id}-mine`);
      const copy = this.toEntry({ ...c.mine.json, id: copyId }, `copy of "${id}"`);
      this.insertAnchored(new Map([[theirs ? id : c.anchor, [copy]]]));
      changed.push(copyId);
    }
    this.emit('resolve', changed);
  }

  // ─── disk ─────────────────────────────────────────────────────────────────────────────────

  /**
   * Atomic rewrite. The disk work (write, fsync, rename, fsync of the directory) is asynchronous:
   * the event loop keeps turning and edits may continue meanwhile; what is written is the list as
   * it was when the save started, and edits made during the write stay unsaved (dirty).
   * save() calls made while an earlier save is still waiting for its turn share that save.
   */
  save(): Promise<void> {
    if (this.queuedSave) return this.queuedSave.done;
    const queued: { done: Promise<void> } = { done: Promise.resolve() };
    this.queuedSave = queued;
    queued.done = withFileLock(this.path, async () => {
      if (this.queuedSave === queued) this.queuedSave = null; // later calls need a later save
      // Programs that know nothing of our lock (editors, scripts) may write between our read and
      // our rename: the file is checked again right before the rename, and merged again if so.
      for (let attempt = 1; !(await this.writeOnce(attempt > 1)); attempt++) {
        if (attempt >= MAX_SAVE_ATTEMPTS) throw new StoreError(`${this.path} kept changing while it was being saved (${attempt} attempts); stop the other program writing it and save again`, 'EBUSY');
      }
    }).then(
      () => this.emit('save'),
      (e: unknown) => {
        if (this.queuedSave === queued) this.queuedSave = null;
        throw e;
      },
    );
    return queued.done;
  }

  /**
   * One attempt of save(): merge the disk, write a temp file, and rename it over the file only if
   * the file is still what we merged (size, mtime, inode, and content when a write may share the
   * mtime tick). False when it changed meanwhile; the caller merges and tries again.
   */
  private async writeOnce(checkRacy: boolean): Promise<boolean> {
    {
      await this.syncWithDisk(checkRacy);
      const written = this.list.slice(); // edits during the write change this.list in place
      const bom = this.bom ? '\uFEFF' : '';
      // The text is built, encoded and written in ~1 MiB pieces, and the new base is filled as
      // we go, so a 50 MB rewrite never holds the event loop for more than a piece.
      const base = new Map<string, string>();
      let text = ''; // a rope of the pieces: no 50 MB copy until someone compares it
      let tailSource = '';
      async function* pieces(): AsyncGenerator<Buffer> {
        let parts: string[] = bom ? [bom] : [];
        let size = 0;
        const flush = () => {
          const piece = parts.join('');
          text += piece;
          tailSource = (tailSource + piece.slice(-TAIL_BYTES)).slice(-TAIL_BYTES);
          parts = [];
          size = 0;
          return Buffer.from(piece, 'utf8');
        };
        for (let i = 0; i < written.length; i++) {
          const e = written[i]!;
          if (e.kind === 'broken' && e.bytes) {
            // Not valid UTF-8: the line's own bytes, never its U+FFFD rendering.
            if (parts.length) yield flush();
            text += e.raw + '\n';
            tailSource = (tailSource + e.raw + '\n').slice(-TAIL_BYTES);
            yield Buffer.concat([e.bytes, Buffer.from('\n')]);
            continue;
          }
          parts.push(e.raw, '\n');
          size += e.raw.length + 1;
          if (e.kind === 'record') base.set(e.id, e.raw);
          if (size >= SAVE_PIECE_CHARS) yield flush();
        }
        if (parts.length) yield flush();
      }
      // Replaced only if the file is still what we merged: a write that shares the mtime tick of
      // what we know is caught by content (racy), the rest by size, mtime and inode at the swap.
      const expected = this.known;
      const state = await writeFileAtomicAsync(this.path, pieces(), { expected, check: async () => !(await this.racy(expected)) });
      if (state === null) return false;
      this.known = state;
      this.knownAt = Date.now();
      this.knownText = text;
      this.knownTail = tailOf(tailSource);
      // The base is what is on disk now: the list as written, not edits made while it was written.
      this.base = base;
      return true;
    }
  }

  /**
   * Durable append, group-committed: calls made while an earlier append or save holds the file
   * share the next write and fsync. Each call resolves with its own records, or rejects alone
   * when its records are invalid or reuse an id.
   */
  append(records: readonly RecordInput[]): Promise<DatasetRecord[]> {
    if (records.length === 0) return Promise.resolve([]);
    return new Promise<DatasetRecord[]>((resolve, reject) => {
      const waiter: AppendWaiter = { records, resolve, reject };
      if (this.appendBatch) {
        this.appendBatch.push(waiter);
        return;
      }
      const batch: AppendWaiter[] = [waiter];
      this.appendBatch = batch;
      withFileLock(this.path, () => this.writeAppendBatch(batch)).catch((e: unknown) => {
        if (this.appendBatch === batch) this.appendBatch = null;
        for (const w of batch) if (!w.settled) w.reject(e);
      });
    });
  }

  private async writeAppendBatch(batch: AppendWaiter[]): Promise<void> {
    if (this.appendBatch === batch) this.appendBatch = null; // later calls go into the next write
    await this.syncWithDisk(false);
    const ready: { waiter: AppendWaiter; entries: RecordEntry[] }[] = [];
    const taken = new Set<string>();
    for (const w of batch) {
      try {
        const fresh = this.prepareNew(w.records, false);
        for (const e of fresh) {
          if (this.base.has(e.id)) throw new StoreError(`id "${e.id}" is already in ${this.path}`, 'EEXIST');
          if (taken.has(e.id)) throw new StoreError(`id "${e.id}" is already in use`, 'EEXIST');
        }
        for (const e of fresh) taken.add(e.id);
        ready.push({ waiter: w, entries: fresh });
      } catch (e) {
        w.settled = true;
        w.reject(e);
      }
    }
    if (ready.length === 0) return;
    // Reserved while the write runs, so an insert meanwhile cannot take the same id.
    for (const id of taken) this.appending.add(id);
    let text = '';
    for (const r of ready) for (const e of r.entries) text += e.raw + '\n';
    try {
      const { state, prefix } = await appendDurableAsync(this.path, text);
      this.known = state;
      this.knownAt = Date.now();
      this.knownText = this.knownText === null ? null : this.knownText + prefix + text;
      this.knownTail = tailOf(text);
      // If a torn line was on disk, the "\n" went after it; it is already our broken entry.
      for (const r of ready) {
        for (const e of r.entries) {
          this.list.push(e);
          this.base.set(e.id, e.raw);
        }
      }
      this.index = null;
    } finally {
      for (const id of taken) this.appending.delete(id);
    }
    this.emit('append', [...taken]);
    for (const r of ready) {
      r.waiter.settled = true;
      r.waiter.resolve(r.entries.map((e) => e.record));
    }
  }

  async reload(): Promise<ReloadResult> {
    const result = await withFileLock(this.path, () => this.syncWithDisk(true));
    if (result.changed) this.emit('reload');
    return result;
  }

  // ─── internals ────────────────────────────────────────────────────────────────────────────

  /**
   * File timestamps are coarse (a few ms on Linux), so a same-size rewrite right after ours can
   * keep size, mtime and inode. Like git's "racily clean" entries, a state whose mtime is recent
   * is confirmed by content: the text we last wrote, or (after appends) a merge, which is a no-op
   * when nothing changed.
   */
  private async racy(state: DiskState | null): Promise<boolean> {
    if (state === null || this.knownText === null) return false;
    // Looked at well after the last write: any later write has a later mtime.
    if (this.knownAt - state.mtimeMs > RACY_MS) return false;
    let same: boolean;
    try {
      same = (await readFile(this.path, 'utf8')) === this.knownText;
    } catch {
      return true;
    }
    // Confirmed clean now; once the tick has passed, stat alone is enough again.
    if (same && Date.now() - state.mtimeMs > RACY_MS) this.knownAt = Date.now();
    return !same;
  }


  /** Brings the store up to date with the file (caller holds the lock). */
  private async syncWithDisk(checkRacy: boolean): Promise<ReloadResult> {
    const state = await diskStateAsync(this.path);
    if (sameDiskState(state, this.known) && !(checkRacy && (await this.racy(state)))) return { changed: false, taken: [], added: [], removed: [], conflicts: [] };
    return (await this.readAppendedTail(state)) ?? (await this.mergeFromDisk(state));
  }

  /**
   * The generator appends while the panel is open: when the file only grew (same inode, our
   * last bytes still in place, new whole lines with new ids) read just the new bytes instead of
   * re-parsing 100,000 lines. Anything else returns null and the caller does a full merge.
   */
  private async readAppendedTail(state: DiskState | null): Promise<ReloadResult | null> {
    const known = this.known;
    if (state === null || known === null || state.ino !== known.ino || state.size <= known.size) return null;
    const tailLen = this.knownTail.length;
    if (known.size > 0 && (tailLen === 0 || this.knownTail[tailLen - 1] !== 0x0a)) return null;
    const start = known.size - tailLen;
    const buf = Buffer.alloc(state.size - start);
    const h = await openFile(this.path, 'r');
    let read = 0;
    try {
      while (read < buf.length) {
        const { bytesRead } = await h.read(buf, read, buf.length - read, start + read);
        if (bytesRead === 0) break;
        read += bytesRead;
      }
    } finally {
      await h.close();
    }
    if (read !== buf.length || !buf.subarray(0, tailLen).equals(this.knownTail)) return null;
    const decoded = decodeFile(buf.subarray(tailLen), false);
    const text = decoded.text;
    const fresh = decoded.entries;
    const added: string[] = [];
    for (const e of fresh) {
      if (e.kind !== 'record') continue;
      if (this.has(e.id) || this.base.has(e.id) || this.open_.has(e.id) || this.appending.has(e.id)) return null; // not a pure append of new records
      added.push(e.id);
    }
    for (const e of fresh) {
      this.list.push(e);
      if (e.kind === 'record') this.base.set(e.id, e.raw);
    }
    this.index = null;
    this.known = state;
    this.knownAt = Date.now();
    this.knownText = this.knownText === null ? null : this.knownText + text;
    this.knownTail = buf.subarray(Math.max(0, buf.length - TAIL_BYTES));
    this.version_++;
    return { changed: true, taken: [], added, removed: [], conflicts: [] };
  }

  /** Three-way merge of the file on disk (theirs) with the list (mine) against `base`. */
  private async mergeFromDisk(state: DiskState | null): Promise<ReloadResult> {
    const decoded = decodeFile(state === null ? Buffer.alloc(0) : await readBytes(this.path));
    const text = decoded.text;
    const disk = decoded.entries;
    if (state !== null && decoded.entries.length > 0) {
      this.bom = decoded.bom;
      this.crlf = decoded.crlf;
    }
    const diskById = new Map<string, RecordEntry>();
    for (const e of disk) if (e.kind === 'record') diskById.set(e.id, e);
    const mineById = new Map<string, RecordEntry>();
    for (const e of this.list) if (e.kind === 'record') mineById.set(e.id, e);

    const taken: string[] = [];
    const added: string[] = [];
    const removed: string[] = [];
    const opened: string[] = [];
    const result: Entry[] = [];
    const openConflict = (id: string, mine: RecordEntry | null) => {
      let anchor: AnchorKey = null;
      for (const e of this.list) {
        if (e.kind === 'record' && e.id === id) break;
        if (e.kind === 'record') anchor = e.id;
      }
      this.open_.set(id, { mine, anchor });
      opened.push(id);
    };

    for (const de of disk) {
      if (de.kind !== 'record') {
        result.push(de);
        continue;
      }
      const id = de.id;
      const base = this.base.get(id);
      const mine = mineById.get(id);
      if (this.open_.has(id)) {
        // The list already shows theirs for an open conflict; follow the disk.
        result.push(de);
        continue;
      }
      if (de.raw === base) {
        if (mine) result.push(mine); // unchanged on disk: keep mine (edited or not); removed in memory stays removed
        continue;
      }
      const mineChanged = mine ? mine.raw !== base : base !== undefined;
      if (!mineChanged) {
        result.push(de);
        (base === undefined ? added : taken).push(id);
      } else if (mine && sameRecord(mine, de)) {
        result.push(de);
      } else {
        result.push(de);
        openConflict(id, mine ?? null);
      }
    }

    // Records that are in memory but not on disk: our unsaved inserts stay; deleted on disk are
    // dropped unless we changed them (conflict).
    const inResult = new Set<string>();
    for (const e of result) if (e.kind === 'record') inResult.add(e.id);
    const groups: AnchorGroups = new Map();
    let anchor: AnchorKey = null;
    for (const e of this.list) {
      if (e.kind !== 'record') continue;
      if (inResult.has(e.id)) {
        anchor = e.id;
        continue;
      }
      if (diskById.has(e.id)) continue; // removed in memory
      const base = this.base.get(e.id);
      if (base === undefined) {
        const g = groups.get(anchor) ?? [];
        g.push(e);
        groups.set(anchor, g);
      } else if (e.raw === base) {
        removed.push(e.id);
      } else if (!this.open_.has(e.id)) {
        openConflict(e.id, e);
      }
    }

    const changedIds = new Set([...taken, ...removed, ...opened]);
    this.list = result;
    this.index = null;
    this.insertAnchored(groups);
    this.base = new Map();
    for (const [id, e] of diskById) this.base.set(id, e.raw);
    this.known = state;
    this.knownAt = Date.now();
    this.knownText = text;
    this.knownTail = tailOf(text);
    this.pruneHistory(changedIds);
    this.version_++;
    return { changed: true, taken, added, removed, conflicts: this.conflicts().filter((c) => opened.includes(c.id)) };
  }

  private pruneHistory(changed: Set<string>): void {
    if (changed.size === 0) return;
    const touches = (s: Step) => this.stepIds(s).some((id) => changed.has(id));
    // A step that touches a record changed on disk can no longer be undone, nor can older ones.
    let cut = -1;
    this.undoStack.forEach((s, i) => {
      if (touches(s)) cut = i;
    });
    if (cut >= 0) this.undoStack = this.undoStack.slice(cut + 1);
    if (this.redoStack.some(touches)) this.redoStack = [];
  }

  private stepIds(s: Step): string[] {
    return s.kind === 'update' ? s.changes.map((c) => c.id) : s.entries.map((e) => e.id);
  }

  private applyStep(step: Step, direction: 'undo' | 'redo'): void {
    if (step.kind === 'update') {
      this.applyUpdate(step.changes, direction === 'undo' ? 'before' : 'after');
    } else if ((step.kind === 'insert') === (direction === 'redo')) {
      this.insertAnchored(step.anchors);
    } else {
      this.removeIds(new Set(step.entries.map((e) => e.id)));
    }
  }

  private applyUpdate(changes: readonly { id: string; before: RecordEntry; after: RecordEntry }[], which: 'before' | 'after'): void {
    const ids = this.ids();
    for (const c of changes) {
      const i = ids.get(c.id);
      if (i !== undefined) this.list[i] = c[which];
    }
    this.version_++;
  }

  private insertAnchored(groups: AnchorGroups): void {
    if (groups.size === 0) return;
    const out: Entry[] = [];
    const used = new Set<AnchorKey>();
    const start = groups.get(null);
    if (start) {
      out.push(...start);
      used.add(null);
    }
    for (const e of this.list) {
      out.push(e);
      const k = keyOf(e);
      const g = groups.get(k);
      if (g && !used.has(k)) {
        out.push(...g);
        used.add(k);
      }
    }
    for (const [k, g] of groups) if (!used.has(k)) out.push(...g); // anchor gone: keep at the end
    this.list = out;
    this.index = null;
    this.version_++;
  }

  private removeIds(ids: Set<string>): void {
    this.list = this.list.filter((e) => e.kind !== 'record' || !ids.has(e.id));
    this.index = null;
    this.version_++;
  }

  private prepareNew(records: readonly RecordInput[], touch: boolean): RecordEntry[] {
    const seen = new Set<string>();
    const out: RecordEntry[] = [];
    for (const r of records) {
      const json: Record<string, unknown> = { ...r };
      if (typeof json['id'] !== 'string' || json['id'] === '') json['id'] = this.newId();
      const id = json['id'] as string;
      if (this.has(id) || seen.has(id) || this.open_.has(id) || this.appending.has(id)) throw new StoreError(`id "${id}" is already in use`, 'EEXIST');
      seen.add(id);
      if (touch && this.touch && json['updatedAt'] === undefined) json['updatedAt'] = this.now();
      // Put id first, as people expect when they read the file.
      const ordered = { id, ...json };
      out.push(this.toEntry(ordered, `record "${id}"`));
    }
    return out;
  }

  private toEntry(json: Record<string, unknown>, what: string): RecordEntry {
    try {
      // A CRLF file keeps CRLF on the lines we write (the "\r" is part of a line's raw text).
      return recordEntryFromJson(json, this.crlf ? `${JSON.stringify(json)}\r` : undefined);
    } catch (e) {
      throw new StoreError(`${what} is not a valid dataset record: ${(e as Error).message}`);
    }
  }

  private assertNoConflict(id: string): void {
    if (this.open_.has(id)) throw new StoreError(`record "${id}" changed on disk and in memory; resolve the conflict first`, 'ECONFLICT');
  }

  private entry(id: string): RecordEntry | undefined {
    const i = this.ids().get(id);
    return i === undefined ? undefined : (this.list[i] as RecordEntry);
  }

  private ids(): Map<string, number> {
    if (!this.index) {
      const m = new Map<string, number>();
      this.list.forEach((e, i) => {
        if (e.kind === 'record') m.set(e.id, i);
      });
      this.index = m;
    }
    return this.index;
  }

  private resetBase(): void {
    this.base = new Map();
    for (const e of this.list) if (e.kind === 'record') this.base.set(e.id, e.raw);
  }

  private pushStep(step: Step): void {
    this.undoStack.push(step);
    if (this.undoStack.length > MAX_UNDO) this.undoStack.shift();
    this.redoStack = [];
  }

  private emit(reason: StoreChangeReason, ids?: string[]): void {
    if (reason === 'save') this.version_++;
    if (reason === 'append') this.version_++;
    const e: StoreChange = ids ? { version: this.version_, reason, ids } : { version: this.version_, reason };
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        // A listener's bug must not break the store.
      }
    }
  }
}

export interface WatchOptions {
  debounceMs?: number;
  /** Interval of the stat-polling fallback (network drives, editors that replace files). */
  pollMs?: number;
}

/**
 * Calls `onChange` (debounced) when `path` changes on disk: fs.watch on its directory (so atomic
 * renames are seen) plus stat polling as a fallback. Spurious calls are harmless: store.reload()
 * is a no-op when the file is as the store last saw it.
 */
export function watch(path: string, onChange: () => void, opts: WatchOptions = {}): { close(): void } {
  const debounceMs = opts.debounceMs ?? 100;
  const pollMs = opts.pollMs ?? 1000;
  const name = basename(path);
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const fire = () => {
    if (closed) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      if (!closed) onChange();
    }, debounceMs);
  };
  let watcher: FSWatcher | undefined;
  try {
    watcher = fsWatch(dirname(path), { persistent: false }, (_event, file) => {
      if (file === null || file === name) fire();
    });
    watcher.on('error', () => {
      watcher?.close();
      watcher = undefined;
    });
  } catch {
    watcher = undefined; // polling below still works
  }
  const poll = (cur: { mtimeMs: number; size: number; ino: number }, prev: { mtimeMs: number; size: number; ino: number }) => {
    if (cur.mtimeMs !== prev.mtimeMs || cur.size !== prev.size || cur.ino !== prev.ino) fire();
  };
  watchFile(path, { interval: pollMs, persistent: false }, poll);
  return {
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      watcher?.close();
      unwatchFile(path, poll);
    },
  };
}
