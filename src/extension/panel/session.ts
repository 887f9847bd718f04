// One webview's conversation with the panel model: its filter, sort and current view, and the
// answer to every protocol message. Pure TypeScript (no `vscode`): the extension wires it to a
// real webview (host.ts); the Chromium tests and the benchmark wire it to a page.
import {
  DEFAULT_SORT,
  ClearSelection,
  Completions,
  DetailMsg,
  Diagnostics,
  EMPTY_FILTER,
  Focus,
  History,
  Init,
  Notice,
  Rows,
  StatsMsg,
  ViewChanged,
  ClusterResults,
  parseToHost,
  type Detail,
  type Filter,
  type Sort,
  type ToHostMessage,
  type ToWebviewMessage,
} from '../../shared/webview-protocol';
import { matchesClusterFilter, type ClusterOutcome } from '../../shared/query-results-protocol';
import type { RunRecordsOptions } from '../elasticsearch/run-records';
import type { PanelModel } from './model';
import { evaluateView, toRow, type Entry } from './record-index';

export interface SessionHooks {
  post(message: ToWebviewMessage): void;
  log(level: 'info' | 'warn' | 'error', message: string): void;
  /** Opens the record's DSL in an editor tab; absent outside VS Code. */
  openInEditor?(id: string): void | Promise<void>;
  /** Runs record bodies on the active cluster (src/extension/elasticsearch/panel-run.ts); absent outside VS Code. */
  runOnCluster?(records: { id: string; body: unknown }[], options: RunRecordsOptions): Promise<{ cluster: string; outcomes: ClusterOutcome[] }>;
  /**
   * Asks the person to confirm something destructive (VS Code: a modal warning); resolves true
   * only when they chose `confirm`.
   */
  confirm(question: { message: string; detail: string; confirm: string }): Promise<boolean>;
  /** Dataset name and path for the header. */
  dataset: { name: string; path: string } | null;
  /** Shown instead of records (no dataset found, or it could not be opened). */
  message?: string | null;
  /**
   * Set while the model is a preview of the file's head (preview.ts): the status line says this,
   * the list says it is incomplete, and actions that change records wait for the full dataset.
   */
  loading?: string | null;
}

export interface SessionOptions {
  /** The first view version is after this (a session replacing another continues its numbering). */
  firstVersion?: number;
}

/** The webview asks for rows in chunks of this size (virtual-list.ts CHUNK). */
const ROW_CHUNK = 100;
const ROWS_WITH_VIEW = 4 * ROW_CHUNK;
/**
 * While the stats view is shown and records keep changing, stats are recomputed at most this often,
 * and never more than a fifth of the time (at 100,000 records one computation takes about 0.5 s).
 */
const STATS_REFRESH_MS = 250;

export class PanelSession {
  private filter: Filter = EMPTY_FILTER;
  private sort: Sort = DEFAULT_SORT;
  private view: Entry[] = [];
  private version = 0;
  private selectedId: string | null = null;
  /**
   * A record the host was asked to reveal ("Show gold in review panel"), kept until the person
   * selects something else: a webview that (re)loads after the request lands on it rather than on
   * the selection it restores from its saved state.
   */
  private revealed: string | null = null;
  /** The rows the webview last asked for; a new view comes with the same window, saving a round trip. */
  private window = { start: 0, end: 0 };
  private readonly subscription: { dispose(): void };
  private ready = false;
  /** The last cluster run of each record, for the list's hits column and the cluster filters. */
  private readonly clusterOutcomes = new Map<string, ClusterOutcome>();
  /** The cluster run in progress (one at a time: the webview disables Run while one goes). */
  private clusterRun: AbortController | undefined;
  private statsVisible = false;
  private statsTimer: ReturnType<typeof setTimeout> | undefined;
  private lastStatsMs = 0;
  private disposed = false;

  constructor(
    private readonly model: PanelModel,
    private readonly hooks: SessionHooks,
    options: SessionOptions = {},
  ) {
    this.version = options.firstVersion ?? 0;
    this.subscription = model.subscribe({
      changed: (focusId) => {
        if (!this.ready) return;
        // Focus goes first so the webview recognises the view's anchor as its selection.
        if (focusId) {
          this.selectedId = focusId;
          this.hooks.post(Focus.make({ id: focusId }));
        }
        this.refresh(this.selectedId);
        this.sendDetail();
        this.scheduleStats();
      },
      validated: () => {
        if (!this.ready) return;
        this.refresh(this.selectedId);
        this.scheduleStats();
      },
      history: () => {
        if (this.ready) this.hooks.post(History.make(model.historyLabels()));
      },
    });
  }

  /** Entry point for whatever the webview posted: validated, then acted on, or logged and dropped. */
  receive(raw: unknown): void {
    const parsed = parseToHost(raw);
    if (!parsed.ok) {
      this.hooks.log('warn', `panel: ignored a message from the webview (${parsed.reason})`);
      return;
    }
    try {
      this.handle(parsed.message);
    } catch (e) {
      this.hooks.log('error', `panel: ${parsed.message.method} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      this.hooks.post(Notice.make({ level: 'error', message: `${parsed.message.method} failed: ${e instanceof Error ? e.message : String(e)}`.slice(0, 2000) }));
    }
  }

  /** The version of the last view sent. */
  get viewVersion(): number {
    return this.version;
  }

  private handle(msg: ToHostMessage): void {
    const loading = this.hooks.loading;
    if (loading && CHANGES_RECORDS.has(msg.method)) {
      this.hooks.post(Notice.make({ level: 'warn', message: `${loading} Try again in a moment.`.slice(0, 2000) }));
      return;
    }
    switch (msg.method) {
      case 'ready':
        this.ready = true;
        this.hooks.post(Init.make({ dataset: this.hooks.dataset, message: this.hooks.message?.slice(0, 2000) ?? null }));
        this.hooks.post(History.make(this.model.historyLabels()));
        // Focus first, so the webview takes the view's anchor as its selection.
        if (this.revealed) this.hooks.post(Focus.make({ id: this.revealed }));
        this.refresh(this.selectedId);
        this.sendDetail();
        if (loading) this.hooks.post(Notice.make({ level: 'info', message: loading.slice(0, 2000) }));
        return;
      case 'setView':
        this.filter = msg.params.filter;
        this.sort = msg.params.sort;
        if (msg.params.anchorId && !this.revealed) this.selectedId = msg.params.anchorId;
        // Before `ready` the webview is sending its saved state; `ready` answers it with one view.
        if (this.ready) this.refresh(this.selectedId);
        return;
      case 'getRows': {
        const { version, start, count } = msg.params;
        // A request for an older view is answered anyway: the webview drops it by version.
        if (version !== this.version) return;
        const rows = this.view.slice(start, start + count).map((e) => this.withCluster(toRow(e)));
        this.hooks.post(Rows.make({ version, start, rows }));
        this.window = start >= this.window.start && start <= this.window.end ? { start: this.window.start, end: Math.max(this.window.end, start + count) } : { start, end: start + count };
        if (this.window.end - this.window.start > ROWS_WITH_VIEW) this.window = { start, end: start + count };
        return;
      }
      case 'select':
        if (msg.params.restore && this.revealed && msg.params.id !== this.revealed) return;
        if (!msg.params.restore) this.revealed = null;
        this.selectedId = msg.params.id;
        if (this.ready) this.sendDetail();
        return;
      case 'review': {
        const { action, target } = msg.params;
        const ids = target.kind === 'ids' ? target.ids : this.view.map((e) => e.id);
        if (ids.length === 0) return;
        if (action === 'delete' && ids.length > 1) {
          void this.confirmDelete(ids);
          return;
        }
        const focus = this.model.review(action, ids);
        if (focus === null && action !== 'delete') this.sendDetail();
        return;
      }
      case 'edit': {
        const { id, question, rationale, dslText } = msg.params;
        let dsl: Record<string, unknown> | null | undefined;
        if (dslText !== undefined) {
          const parsed = parseDslText(dslText);
          if (typeof parsed === 'string') {
            this.hooks.post(Notice.make({ level: 'error', message: `Not saved: ${parsed}` }));
            return;
          }
          dsl = parsed;
        }
        const patch: { question?: string; rationale?: string; dsl?: Record<string, unknown> | null } = {};
        if (question !== undefined) patch.question = question;
        if (rationale !== undefined) patch.rationale = rationale;
        if (dsl !== undefined) patch.dsl = dsl;
        if (!this.model.edit(id, patch)) this.sendDetail();
        else this.hooks.post(Notice.make({ level: 'info', message: `Saved ${id}` }));
        return;
      }
      case 'validate': {
        const { requestId, text } = msg.params;
        const parsed = parseDslText(text);
        const body = typeof parsed === 'string' || parsed === null ? null : parsed;
        this.hooks.post(
          Diagnostics.make({
            requestId,
            diagnostics: this.model.engine.diagnose(text),
            normalizedText: body ? this.model.engine.normalized(body) : null,
            queryType: body ? safe(() => this.model.engine.topQueryType(body)) : null,
          }),
        );
        return;
      }
      case 'complete': {
        const { requestId, text, offset } = msg.params;
        this.hooks.post(Completions.make({ requestId, ...this.model.engine.complete(text, offset) }));
        return;
      }
      case 'undo':
      case 'redo': {
        const label = msg.method === 'undo' ? this.model.undo() : this.model.redo();
        this.hooks.post(Notice.make({ level: 'info', message: label ? `${msg.method === 'undo' ? 'Undid' : 'Redid'}: ${label}` : `Nothing to ${msg.method}` }));
        return;
      }
      case 'openInEditor':
        if (this.hooks.openInEditor) void Promise.resolve(this.hooks.openInEditor(msg.params.id)).catch((e: unknown) => this.hooks.log('error', `open in editor failed: ${String(e)}`));
        return;
      case 'watchStats':
        this.statsVisible = msg.params.visible;
        if (this.statsVisible) this.sendStats();
        return;
      case 'log':
        this.hooks.log(msg.params.level, `webview: ${msg.params.message}`);
        return;
      case 'runOnCluster':
        void this.runOnCluster(msg.params.ids ?? this.view.map((e) => e.id));
        return;
      case 'cancelClusterRun':
        this.clusterRun?.abort();
        return;
    }
  }

  private withCluster(row: ReturnType<typeof toRow>): ReturnType<typeof toRow> {
    const o = this.clusterOutcomes.get(row.id);
    return o ? { ...row, cluster: { hits: o.hits, error: o.error !== null } } : row;
  }

  private async runOnCluster(ids: string[]): Promise<void> {
    const run = this.hooks.runOnCluster;
    if (!run) {
      this.hooks.post(ClusterResults.make({ cluster: null, running: false, outcomes: [], message: 'running on a cluster needs VS Code' }));
      return;
    }
    const records = ids.flatMap((id) => {
      const e = this.model.entry(id);
      return e ? [{ id, body: e.record.dsl }] : [];
    });
    if (this.clusterRun) {
      this.hooks.log('warn', 'a cluster run is already in progress; cancel it before starting another');
      return;
    }
    const controller = new AbortController();
    this.clusterRun = controller;
    this.hooks.post(ClusterResults.make({ cluster: null, running: true, outcomes: [], message: null }));
    // The list's hits column fills as batches come back, redrawn at most twice a second.
    let redrawn = Date.now();
    const onBatch = (done: number, total: number, batch: readonly ClusterOutcome[]) => {
      for (const o of batch) this.clusterOutcomes.set(o.id, o);
      this.hooks.post(ClusterResults.make({ cluster: null, running: true, outcomes: [...batch], message: null, progress: { done, total } }));
      if (this.ready && Date.now() - redrawn >= 500) {
        redrawn = Date.now();
        this.refresh(this.selectedId);
      }
    };
    try {
      const { cluster, outcomes } = await run(records, { signal: controller.signal, onBatch });
      for (const o of outcomes) this.clusterOutcomes.set(o.id, o);
      this.hooks.post(ClusterResults.make({ cluster, running: false, outcomes, message: null, ...(controller.signal.aborted ? { cancelled: true } : {}) }));
      if (this.ready) this.refresh(this.selectedId);
    } catch (e) {
      this.hooks.post(ClusterResults.make({ cluster: null, running: false, outcomes: [], message: (e instanceof Error ? e.message : String(e)).slice(0, 4000) }));
    } finally {
      this.clusterRun = undefined;
    }
  }

  /** Recomputes the view and tells the webview; rows are then fetched by the webview by range. */
  refresh(anchorId: string | null): void {
    const ordered = this.sort.key === 'file' ? undefined : this.model.sorted(this.sort.key);
    const { view: all, counts } = evaluateView(this.model.all(), this.filter, this.sort, ordered);
    // The cluster filters apply after the others (their outcomes live here, not in the index).
    const view = this.filter.cluster?.length ? all.filter((e) => matchesClusterFilter(this.clusterOutcomes.get(e.id), this.filter.cluster)) : all;
    counts.matching = view.length;
    this.view = view;
    this.version++;
    let anchorPosition: number | null = null;
    if (anchorId) anchorPosition = view.findIndex((e) => e.id === anchorId);
    this.hooks.post(
      ViewChanged.make({
        version: this.version,
        counts,
        queryTypes: this.model.queryTypes().slice(0, 200),
        anchorId,
        anchorPosition,
        validated: this.model.validatedCount,
        loading: Boolean(this.hooks.loading),
      }),
    );
    // The rows the webview will ask for next: around the anchor, else the window it last showed.
    let start = this.window.start;
    let end = this.window.end;
    if (anchorPosition !== null && anchorPosition >= 0 && (anchorPosition < start || anchorPosition >= end)) {
      start = Math.max(0, Math.floor(anchorPosition / ROW_CHUNK) * ROW_CHUNK - ROW_CHUNK);
      end = start + 3 * ROW_CHUNK;
    }
    if (end === 0) end = 2 * ROW_CHUNK;
    for (let s = start; s < Math.min(end, view.length); s += ROW_CHUNK) {
      this.hooks.post(Rows.make({ version: this.version, start: s, rows: view.slice(s, Math.min(s + ROW_CHUNK, view.length)).map((e) => this.withCluster(toRow(e))) }));
    }
  }

  /** Deletes several records once the person confirmed it in a modal that names the count. */
  private async confirmDelete(ids: readonly string[]): Promise<void> {
    const n = ids.filter((id) => this.model.entry(id) !== undefined).length;
    if (n === 0) return;
    const where = this.hooks.dataset?.name ?? 'the dataset';
    let confirmed = false;
    try {
      confirmed = await this.hooks.confirm({
        message: `Delete ${n.toLocaleString('en-US')} records?`,
        detail: `They are removed from ${where}. Undo (u, or "Distillery: Undo Last Review Action") brings them back.`,
        confirm: `Delete ${n.toLocaleString('en-US')} Records`,
      });
    } catch (e) {
      this.hooks.log('error', `panel: asking to confirm a delete failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (this.disposed) return;
    if (!confirmed) {
      this.hooks.post(Notice.make({ level: 'info', message: 'Nothing deleted.' }));
      return;
    }
    this.model.review('delete', ids);
    this.hooks.post(ClearSelection.make({}));
    this.hooks.post(Notice.make({ level: 'info', message: `Deleted ${n.toLocaleString('en-US')} records (u to undo).` }));
  }

  private scheduleStats(): void {
    if (!this.statsVisible || this.statsTimer || this.disposed) return;
    this.statsTimer = setTimeout(() => {
      this.statsTimer = undefined;
      if (this.statsVisible && !this.disposed) this.sendStats();
    }, Math.max(STATS_REFRESH_MS, 4 * this.lastStatsMs));
  }

  private sendStats(): void {
    const started = performance.now();
    const stats = this.model.stats();
    this.lastStatsMs = performance.now() - started;
    this.hooks.post(StatsMsg.make({ stats }));
  }

  private sendDetail(): void {
    if (!this.selectedId) return;
    const entry = this.model.entry(this.selectedId);
    this.hooks.post(DetailMsg.make({ detail: entry ? this.detailOf(entry) : null }));
  }

  private detailOf(e: Entry): Detail {
    const r = e.record;
    const dslText = r.dsl ? JSON.stringify(r.dsl, null, 2) : '';
    const known = new Set(['id', 'question', 'rationale', 'dsl', 'status', 'split', 'source', 'notes', 'updatedAt']);
    const source = r.source;
    return {
      id: r.id,
      position: this.view.indexOf(e),
      status: r.status,
      split: r.split ?? null,
      question: r.question,
      rationale: r.rationale ?? '',
      dslText,
      normalizedText: r.dsl ? this.model.engine.normalized(r.dsl) : null,
      diagnostics: dslText ? this.model.engine.diagnose(dslText) : [],
      queryType: e.queryType,
      source: source
        ? {
            kind: String(source.kind).slice(0, 100),
            model: source.model?.slice(0, 400) ?? null,
            promptHash: source.promptHash?.slice(0, 400) ?? null,
            inputTokens: source.usage?.input ?? null,
            outputTokens: source.usage?.output ?? null,
            costUsd: source.costUsd ?? null,
          }
        : null,
      notes: r.notes ?? '',
      updatedAt: r.updatedAt?.slice(0, 100) ?? null,
      extraKeys: Object.keys(r)
        .filter((k) => !known.has(k))
        .slice(0, 200)
        .map((k) => k.slice(0, 200)),
    };
  }

  /** Selects a record from outside the webview (e.g. a run's prediction pointing at its gold pair). */
  reveal(id: string): void {
    this.selectedId = id;
    this.revealed = id;
    if (!this.ready) return;
    this.hooks.post(Focus.make({ id }));
    this.refresh(id);
    this.sendDetail();
  }

  dispose(): void {
    this.disposed = true;
    if (this.statsTimer) clearTimeout(this.statsTimer);
    this.subscription.dispose();
  }
}

/** What a preview (the file's head, read-only) cannot do. */
const CHANGES_RECORDS = new Set<string>(['review', 'edit', 'undo', 'redo', 'openInEditor']);

/** '' clears the DSL; anything else must be a JSON object. Returns a message when it is not. */
export function parseDslText(text: string): Record<string, unknown> | null | string {
  if (text.trim() === '') return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return `the DSL is not valid JSON (${e instanceof Error ? e.message : String(e)})`;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'the DSL must be a JSON object (a search request body)';
  return value as Record<string, unknown>;
}

function safe<T>(f: () => T): T | null {
  try {
    return f();
  } catch {
    return null;
  }
}
