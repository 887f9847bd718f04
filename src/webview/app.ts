// The review panel app: wires the filter bar, the virtual list, the detail view and the stats view
// to the host over the typed protocol, and handles the keyboard. Layout follows the width: list
// above detail in the narrow sidebar, side by side in the wide editor-area panel (panel.css).
import {
  DEFAULT_SORT,
  EMPTY_FILTER,
  Complete,
  Edit,
  GetRows,
  OpenInEditor,
  Ready,
  Redo,
  Review,
  Select,
  SetView,
  Undo,
  Validate,
  WatchStats,
  type Filter,
  type PanelCompletionList,
  type PanelDiagnostic,
  type ReviewAction,
  type Sort,
  type ToWebviewMessage,
  type WebviewState,
} from '../shared/webview-protocol';
import { DetailView, type Draft } from './detail';
import { el, formatCount } from './dom';
import { FilterBar } from './filters';
import { HelpOverlay } from './help';
import type { Ipc } from './ipc';
import { StatsView } from './stats';
import { VirtualList } from './virtual-list';
import { ClusterControls } from './query-results/panel-cluster';
import { CancelClusterRun, RunOnCluster } from '../shared/webview-protocol';

const ACTION_KEYS: Record<string, ReviewAction> = { a: 'accept', r: 'reject', f: 'needs_fix', p: 'reset' };
const BULK_KEYS: Record<string, 'accept' | 'reject' | 'needs_fix'> = { A: 'accept', R: 'reject', F: 'needs_fix' };
const ACTION_WORDS: Record<ReviewAction, string> = { accept: 'Accept', reject: 'Reject', needs_fix: 'Mark needs-fix', reset: 'Reset', duplicate: 'Duplicate', delete: 'Delete' };

export class App {
  private state: WebviewState;
  private readonly list: VirtualList;
  private readonly filters: FilterBar;
  private readonly detail: DetailView;
  private readonly stats: StatsView;
  private readonly help: HelpOverlay;
  private readonly statusLine: HTMLElement;
  private readonly title: HTMLElement;
  private readonly bulkLabel: HTMLElement;
  private readonly undoButton: HTMLButtonElement;
  private readonly redoButton: HTMLButtonElement;
  private readonly tabs: Record<'review' | 'stats', HTMLButtonElement>;
  private readonly reviewPane: HTMLElement;
  private readonly cluster: ClusterControls;
  private matching = 0;
  /** The cursor moved onto a row not loaded yet (or the selection left the view): select it when it arrives. */
  private adoptCursorRow = false;
  private requestSeq = 0;
  /** The latest validation asked for; only its answer updates the normalised DSL. */
  private latestValidate = 0;
  private readonly pendingValidations = new Map<number, (diagnostics: readonly PanelDiagnostic[]) => void>();
  private readonly pendingCompletions = new Map<number, (list: PanelCompletionList) => void>();
  private armedBulk: { action: ReviewAction; until: number } | null = null;
  private noticeTimer = 0;
  /** The current view is a preview of the file's head (the dataset is still opening). */
  private loading = false;
  private readonly bulkBar: HTMLElement;
  private readonly split: HTMLElement;

  constructor(
    private readonly ipc: Ipc,
    mount: HTMLElement,
    /** The page's CSP nonce (the editor's injected styles carry it). */
    nonce: string,
  ) {
    this.state = ipc.loadState() ?? { filter: EMPTY_FILTER, sort: DEFAULT_SORT, selectedId: null, tab: 'review', drafts: {} };
    this.list = new VirtualList({
      requestRows: (version, start, count) => this.ipc.post(GetRows.make({ version, start, count })),
      cursor: (index) => this.moveTo(index),
      selectionChanged: () => this.renderBulk(),
    });
    this.filters = new FilterBar(this.state.filter, this.state.sort, (filter, sort) => this.setView(filter, sort));
    this.detail = new DetailView(
      {
        action: (action) => this.act(action),
        save: (id, draft) => this.save(id, draft),
        lint: (text) => this.validate(text),
        complete: (text, offset) => this.complete(text, offset),
        openInEditor: (id) => this.ipc.post(OpenInEditor.make({ id })),
        draftChanged: (id, draft) => this.setDraft(id, draft),
        toggled: (open) => this.setDetailOpen(open),
      },
      { nonce, open: this.state.detailOpen ?? true },
    );
    this.stats = new StatsView((filter) => this.filterFromStats(filter));
    this.cluster = new ClusterControls(this.state.filter.cluster ?? [], {
      run: (ids) => this.ipc.post(RunOnCluster.make({ ids })),
      cancel: () => this.ipc.post(CancelClusterRun.make({})),
      filterChanged: (cluster) => this.setView({ ...this.state.filter, cluster }, this.state.sort),
    });
    this.help = new HelpOverlay();
    this.statusLine = el('div', { class: 'status-line', attrs: { role: 'status', 'aria-live': 'polite' } });
    this.title = el('span', { class: 'title', text: 'Distillery', attrs: { title: 'Distillery' } });

    const tab = (name: 'review' | 'stats', label: string) => {
      const b = el('button', { class: 'tab', text: label, attrs: { type: 'button', role: 'tab', 'aria-selected': this.state.tab === name, id: `tab-${name}`, 'aria-controls': `pane-${name}` } });
      b.addEventListener('click', () => this.setTab(name));
      return b;
    };
    this.tabs = { review: tab('review', 'Review'), stats: tab('stats', 'Stats') };
    this.undoButton = el('button', { class: 'icon-button', text: '↶', attrs: { type: 'button', 'aria-label': 'Undo', title: 'Undo (u)', disabled: true } });
    this.redoButton = el('button', { class: 'icon-button', text: '↷', attrs: { type: 'button', 'aria-label': 'Redo', title: 'Redo (U)', disabled: true } });
    this.undoButton.addEventListener('click', () => this.ipc.post(Undo.make({})));
    this.redoButton.addEventListener('click', () => this.ipc.post(Redo.make({})));
    const helpButton = el('button', { class: 'icon-button', text: '?', attrs: { type: 'button', 'aria-label': 'Keyboard shortcuts', title: 'Keyboard shortcuts (?)' } });
    helpButton.addEventListener('click', () => this.help.show());

    // Bulk actions exist only for an explicit selection (Ctrl/Shift-click, x, Shift+j/k): nothing
    // is offered for "everything in view" by a button, and Delete asks in a modal first.
    this.bulkLabel = el('span', { class: 'bulk-label' });
    const bulkButtons = (['accept', 'reject', 'needs_fix', 'delete'] as const).map((action) => {
      const label = action === 'delete' ? 'Delete…' : action === 'needs_fix' ? 'Needs fix' : ACTION_WORDS[action];
      const b = el('button', { class: `bulk-${action}`, text: label, attrs: { type: 'button', title: `${ACTION_WORDS[action]} the selected records` } });
      b.addEventListener('click', () => this.bulk(action));
      return b;
    });
    const clearSel = el('button', { class: 'link-button', text: 'Clear', attrs: { type: 'button', title: 'Clear the selection (Escape)' } });
    clearSel.addEventListener('click', () => this.list.clearSelection());
    this.bulkBar = el('div', { class: 'bulk', attrs: { role: 'toolbar', 'aria-label': 'Actions on the selected records', hidden: true } }, [this.bulkLabel, ...bulkButtons, clearSel]);
    this.split = el('div', { class: 'split' }, [el('div', { class: 'list-pane' }, [this.list.root]), el('div', { class: 'detail-pane' }, [this.cluster.detailRoot, this.detail.root])]);
    this.split.classList.toggle('detail-collapsed', !this.detail.open);

    this.reviewPane = el('div', { class: 'review', attrs: { id: 'pane-review', role: 'tabpanel', 'aria-labelledby': 'tab-review' } }, [this.filters.root, this.bulkBar, this.cluster.toolbar, this.split]);
    this.stats.root.id = 'pane-stats';
    this.stats.root.setAttribute('role', 'tabpanel');
    this.stats.root.setAttribute('aria-labelledby', 'tab-stats');

    mount.replaceChildren(
      el('header', { class: 'toolbar' }, [
        this.title,
        el('div', { class: 'tabs', attrs: { role: 'tablist', 'aria-label': 'Views' } }, [this.tabs.review, this.tabs.stats]),
        el('span', { class: 'spacer' }),
        this.undoButton,
        this.redoButton,
        helpButton,
      ]),
      this.reviewPane,
      this.stats.root,
      this.statusLine,
      this.help.root,
    );
    this.setTab(this.state.tab, false);
    document.addEventListener('keydown', (e) => this.onKey(e));
    this.ipc.onMessage((m) => this.onMessage(m));
    // The saved filter and selection go first, so `ready` is answered with one view of them.
    this.setView(this.state.filter, this.state.sort);
    if (this.state.selectedId) this.ipc.post(Select.make({ id: this.state.selectedId, restore: true }));
    this.ipc.post(Ready.make({}));
    this.renderBulk();
  }

  // ---- messages from the host

  private onMessage(m: ToWebviewMessage): void {
    switch (m.method) {
      case 'init':
        // The extension is implied; the tooltip has the full path.
        this.title.textContent = m.params.dataset ? m.params.dataset.name.replace(/\.dss\.jsonl$/, '') : 'Distillery';
        this.title.title = m.params.dataset?.path ?? 'Distillery';
        if (m.params.message) {
          this.notice(m.params.message, 'warn');
          this.detail.setEmptyText(m.params.message);
        }
        return;
      case 'view': {
        const p = m.params;
        this.matching = p.counts.matching;
        this.list.setView(p.version, p.counts.matching);
        this.filters.setCounts(p.counts, p.queryTypes, p.loading);
        // The whole dataset replaced the preview: the "Opening…" notice has had its say.
        if (this.loading && !p.loading) this.notice('');
        this.loading = p.loading;
        if (p.anchorId !== null && p.anchorId === this.state.selectedId && p.anchorPosition !== null && p.anchorPosition >= 0) {
          this.list.setCursor(p.anchorPosition);
          this.adoptCursorRow = false;
        } else if (this.matching > 0 && (this.list.cursor < 0 || p.anchorPosition === -1 || this.state.selectedId === null)) {
          // The selection is not in this view: take the row now under the cursor.
          this.list.setCursor(Math.max(0, Math.min(this.list.cursor, this.matching - 1)));
          this.adoptCursorRow = true;
        }
        this.renderBulk();
        document.documentElement.dataset['viewVersion'] = String(p.version);
        document.documentElement.dataset['validated'] = String(p.validated);
        document.documentElement.dataset['loading'] = String(p.loading);
        return;
      }
      case 'rows':
        this.list.setRows(m.params.version, m.params.start, m.params.rows);
        if (this.adoptCursorRow) {
          const row = this.list.rowAt(this.list.cursor);
          if (row) {
            this.adoptCursorRow = false;
            this.select(row.id, this.list.cursor);
          }
        }
        return;
      case 'detail':
        if (m.params.detail && m.params.detail.id !== this.state.selectedId) return;
        this.detail.show(m.params.detail, m.params.detail ? (this.state.drafts[m.params.detail.id] ?? null) : null);
        this.cluster.setSelected(m.params.detail?.id ?? null);
        return;
      case 'clusterResults':
        this.cluster.receive(m.params);
        return;
      case 'diagnostics': {
        const resolve = this.pendingValidations.get(m.params.requestId);
        this.pendingValidations.delete(m.params.requestId);
        if (m.params.requestId === this.latestValidate) this.detail.setNormalizedText(m.params.normalizedText);
        resolve?.(m.params.diagnostics);
        return;
      }
      case 'completions': {
        const resolve = this.pendingCompletions.get(m.params.requestId);
        this.pendingCompletions.delete(m.params.requestId);
        resolve?.({ from: m.params.from, to: m.params.to, items: m.params.items });
        return;
      }
      case 'clearSelection':
        this.list.clearSelection();
        return;
      case 'stats':
        this.stats.render(m.params.stats);
        return;
      case 'history':
        this.undoButton.disabled = m.params.undo === null;
        this.redoButton.disabled = m.params.redo === null;
        this.undoButton.title = m.params.undo ? `Undo ${m.params.undo} (u)` : 'Nothing to undo';
        this.redoButton.title = m.params.redo ? `Redo ${m.params.redo} (U)` : 'Nothing to redo';
        return;
      case 'focus':
        this.state.selectedId = m.params.id;
        this.persist();
        return;
      case 'notice':
        this.notice(m.params.message, m.params.level);
        return;
    }
  }

  // ---- actions

  private setView(filter: Filter, sort: Sort): void {
    this.state.filter = filter;
    this.state.sort = sort;
    this.persist();
    this.ipc.post(SetView.make({ filter, sort, anchorId: this.state.selectedId }));
  }

  private select(id: string, index: number): void {
    this.state.selectedId = id;
    this.list.setCursor(index);
    this.persist();
    this.ipc.post(Select.make({ id }));
  }

  private moveTo(index: number): void {
    if (this.matching === 0) return;
    const i = Math.max(0, Math.min(index, this.matching - 1));
    const row = this.list.rowAt(i);
    if (row) {
      this.adoptCursorRow = false;
      this.select(row.id, i);
    } else {
      this.list.setCursor(i);
      this.adoptCursorRow = true;
    }
  }

  /** A decision on the record under the cursor; a/r/f/Delete move on to the next record. */
  private act(action: ReviewAction): void {
    const id = this.state.selectedId;
    if (!id) return;
    if (action !== 'duplicate') {
      const next = this.list.rowAt(this.list.cursor + 1) ?? (action === 'delete' ? this.list.rowAt(this.list.cursor - 1) : undefined);
      if (next && next.id !== id) {
        this.state.selectedId = next.id;
        this.persist();
        this.ipc.post(Select.make({ id: next.id }));
      }
    }
    this.ipc.post(Review.make({ action, target: { kind: 'ids', ids: [id] } }));
  }

  /**
   * A decision on the selection. Delete keeps the selection until the host says the records are
   * gone (the person may cancel its confirmation).
   */
  private bulk(action: ReviewAction): void {
    const ids = [...this.list.selected];
    if (ids.length === 0) {
      if (action === 'delete') this.notice('Select the records to delete first (Ctrl/Shift-click, x, or Shift+j/k).', 'warn');
      return;
    }
    this.ipc.post(Review.make({ action, target: { kind: 'ids', ids } }));
    if (action !== 'delete') this.list.clearSelection();
  }

  /**
   * A/R/F: the selection if there is one, else (pressed twice within 4 s) every record in the
   * current filter, so one stray key never touches thousands. Never Delete: that needs a selection.
   */
  private bulkKey(action: 'accept' | 'reject' | 'needs_fix', key: string): void {
    if (this.list.selected.size > 0) return this.bulk(action);
    if (this.matching === 0) return;
    const now = Date.now();
    if (this.matching > 1 && !(this.armedBulk?.action === action && this.armedBulk.until > now)) {
      this.armedBulk = { action, until: now + 4000 };
      this.notice(`Press ${key} again to ${ACTION_WORDS[action].toLowerCase()} all ${formatCount(this.matching)} records in this view (undo with u).`, 'warn', 4000);
      return;
    }
    this.armedBulk = null;
    this.notice('');
    this.ipc.post(Review.make({ action, target: { kind: 'view' } }));
  }

  private save(id: string, draft: Draft): void {
    const d = this.detail.current;
    if (!d || d.id !== id) return;
    const params: { id: string; question?: string; rationale?: string; dslText?: string } = { id };
    if (draft.question !== d.question) params.question = draft.question;
    if (draft.rationale !== d.rationale) params.rationale = draft.rationale;
    if (draft.dslText !== d.dslText) params.dslText = draft.dslText;
    this.ipc.post(Edit.make(params));
  }

  /** Asks the host to validate DSL text; the editor's lint source awaits the answer. */
  private validate(text: string): Promise<readonly PanelDiagnostic[]> {
    const requestId = ++this.requestSeq;
    this.latestValidate = requestId;
    // An answer that never comes (host gone) must not pile up: older requests are settled empty.
    for (const [id, resolve] of this.pendingValidations) if (id < requestId) (this.pendingValidations.delete(id), resolve([]));
    return new Promise((resolve) => {
      this.pendingValidations.set(requestId, resolve);
      this.ipc.post(Validate.make({ requestId, text }));
    });
  }

  private complete(text: string, offset: number): Promise<PanelCompletionList> {
    const requestId = ++this.requestSeq;
    for (const [id, resolve] of this.pendingCompletions) if (id < requestId) (this.pendingCompletions.delete(id), resolve({ from: offset, to: offset, items: [] }));
    return new Promise((resolve) => {
      this.pendingCompletions.set(requestId, resolve);
      this.ipc.post(Complete.make({ requestId, text, offset }));
    });
  }

  private setDetailOpen(open: boolean): void {
    this.state.detailOpen = open;
    this.split.classList.toggle('detail-collapsed', !open);
    this.persist();
  }

  /** A bar in the stats was clicked: show those records in the review list. */
  private filterFromStats(filter: Partial<Filter>): void {
    const next: Filter = { ...EMPTY_FILTER, ...filter };
    this.filters.setFilter(next);
    this.setTab('review');
  }

  private setDraft(id: string, draft: Draft | null): void {
    const had = id in this.state.drafts;
    if (draft) this.state.drafts[id] = draft;
    else if (had) delete this.state.drafts[id];
    else return;
    this.persist();
  }

  private setTab(tab: 'review' | 'stats', persist = true): void {
    this.state.tab = tab;
    this.reviewPane.hidden = tab !== 'review';
    this.stats.root.hidden = tab !== 'stats';
    this.tabs.review.setAttribute('aria-selected', String(tab === 'review'));
    this.tabs.stats.setAttribute('aria-selected', String(tab === 'stats'));
    // While the stats are shown the host keeps them current; no Refresh button.
    this.ipc.post(WatchStats.make({ visible: tab === 'stats' }));
    if (persist) this.persist();
  }

  private renderBulk(): void {
    const n = this.list.selected.size;
    this.bulkBar.hidden = n === 0;
    this.bulkLabel.textContent = `${formatCount(n)} selected`;
  }

  /** A message in the status line; it clears itself (errors stay longer) so nothing lingers. */
  private notice(message: string, level: 'info' | 'warn' | 'error' = 'info', clearAfterMs = level === 'error' ? 15_000 : 6000): void {
    clearTimeout(this.noticeTimer);
    this.statusLine.textContent = message;
    this.statusLine.title = message;
    this.statusLine.dataset['level'] = level;
    if (message) this.noticeTimer = window.setTimeout(() => this.notice(''), clearAfterMs);
  }

  private persist(): void {
    this.ipc.saveState(this.state);
  }

  // ---- keyboard

  private onKey(e: KeyboardEvent): void {
    if (this.help.open) return;
    const target = e.target as HTMLElement;
    const typing = target.closest('input, textarea, select, [contenteditable="true"]') !== null;
    if (typing) return;
    if (e.altKey) return;
    const mod = e.ctrlKey || e.metaKey;
    const key = e.key;
    let handled = true;
    if (mod) {
      if (key === 'z' || key === 'Z') this.ipc.post(e.shiftKey ? Redo.make({}) : Undo.make({}));
      else if (key === 'y') this.ipc.post(Redo.make({}));
      else handled = false;
    } else if (key === '?') this.help.show();
    else if (key === 's') this.setTab(this.state.tab === 'review' ? 'stats' : 'review');
    else if (this.state.tab !== 'review') handled = false;
    else if (key === 'j' || key === 'ArrowDown') this.moveTo(this.list.cursor + 1);
    else if (key === 'k' || key === 'ArrowUp') this.moveTo(this.list.cursor - 1);
    else if (key === 'J' || key === 'K') {
      this.list.toggle(this.list.cursor);
      this.moveTo(this.list.cursor + (key === 'J' ? 1 : -1));
      this.list.extendTo(this.list.cursor);
    } else if (key === 'PageDown') this.moveTo(this.list.cursor + this.list.pageSize());
    else if (key === 'PageUp') this.moveTo(this.list.cursor - this.list.pageSize());
    else if (key === 'g' || key === 'Home') this.moveTo(0);
    else if (key === 'G' || key === 'End') this.moveTo(this.matching - 1);
    else if (key in ACTION_KEYS) this.act(ACTION_KEYS[key]!);
    else if (key in BULK_KEYS) this.bulkKey(BULK_KEYS[key]!, key);
    else if (key === 'd') this.act('duplicate');
    else if (key === 'Delete' || key === '#') {
      // With a selection, Delete means the selection (confirmed by the host); else the record under the cursor.
      if (this.list.selected.size > 0) this.bulk('delete');
      else this.act('delete');
    }
    else if (key === 'e' || key === 'Enter') this.detail.focusEditor();
    else if (key === 'o' && this.state.selectedId) this.ipc.post(OpenInEditor.make({ id: this.state.selectedId }));
    else if (key === '/') this.filters.search.focus();
    else if (key === 'x' || key === ' ') this.list.toggle(this.list.cursor);
    else if (key === 'u') this.ipc.post(Undo.make({}));
    else if (key === 'U') this.ipc.post(Redo.make({}));
    else if (key === 'Escape') this.list.clearSelection();
    else handled = false;
    if (handled) e.preventDefault();
  }
}
