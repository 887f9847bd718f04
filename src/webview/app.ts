// The review panel app: wires the filter bar, the virtual list, the detail view and the stats view
// to the host over the typed protocol, and handles the keyboard. Layout follows the width: list
// above detail in the narrow sidebar, side by side in the wide editor-area panel (panel.css).
import {
  DEFAULT_SORT,
  EMPTY_FILTER,
  Edit,
  GetRows,
  GetStats,
  OpenInEditor,
  Ready,
  Redo,
  Review,
  Select,
  SetView,
  Undo,
  Validate,
  type Filter,
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
import { RunOnCluster } from '../shared/webview-protocol';

const ACTION_KEYS: Record<string, ReviewAction> = { a: 'accept', r: 'reject', f: 'needs_fix', p: 'reset' };
const BULK_KEYS: Record<string, ReviewAction> = { A: 'accept', R: 'reject', F: 'needs_fix' };
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
  private validateTimer = 0;
  private validateSeq = 0;
  private armedBulk: { action: ReviewAction; until: number } | null = null;

  constructor(
    private readonly ipc: Ipc,
    mount: HTMLElement,
  ) {
    this.state = ipc.loadState() ?? { filter: EMPTY_FILTER, sort: DEFAULT_SORT, selectedId: null, tab: 'review', drafts: {} };
    this.list = new VirtualList({
      requestRows: (version, start, count) => this.ipc.post(GetRows.make({ version, start, count })),
      cursor: (index) => this.moveTo(index),
      selectionChanged: () => this.renderBulk(),
    });
    this.filters = new FilterBar(this.state.filter, this.state.sort, (filter, sort) => this.setView(filter, sort));
    this.detail = new DetailView({
      action: (action) => this.act(action),
      save: (id, draft) => this.save(id, draft),
      validate: (text) => this.scheduleValidate(text),
      openInEditor: (id) => this.ipc.post(OpenInEditor.make({ id })),
      draftChanged: (id, draft) => this.setDraft(id, draft),
    });
    this.stats = new StatsView(() => this.ipc.post(GetStats.make({})));
    this.cluster = new ClusterControls(this.state.filter.cluster ?? [], {
      run: (ids) => this.ipc.post(RunOnCluster.make({ ids })),
      filterChanged: (cluster) => this.setView({ ...this.state.filter, cluster }, this.state.sort),
    });
    this.help = new HelpOverlay();
    this.statusLine = el('div', { class: 'status-line', attrs: { role: 'status', 'aria-live': 'polite' } });
    this.title = el('span', { class: 'title', text: 'Distillery' });

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

    this.bulkLabel = el('span', { class: 'bulk-label' });
    const bulkButtons = (['accept', 'reject', 'needs_fix', 'delete'] as const).map((action) => {
      const b = el('button', { class: `bulk-${action}`, text: ACTION_WORDS[action], attrs: { type: 'button' } });
      b.addEventListener('click', () => this.bulk(action, 'click'));
      return b;
    });
    const clearSel = el('button', { class: 'link-button', text: 'Clear selection', attrs: { type: 'button' } });
    clearSel.addEventListener('click', () => this.list.clearSelection());

    this.reviewPane = el('div', { class: 'review', attrs: { id: 'pane-review', role: 'tabpanel', 'aria-labelledby': 'tab-review' } }, [
      this.filters.root,
      el('div', { class: 'bulk', attrs: { role: 'toolbar', 'aria-label': 'Bulk actions' } }, [this.bulkLabel, ...bulkButtons, clearSel]),
      this.cluster.toolbar,
      el('div', { class: 'split' }, [el('div', { class: 'list-pane' }, [this.list.root]), el('div', { class: 'detail-pane' }, [this.cluster.detailRoot, this.detail.root])]),
    ]);
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
    this.ipc.post(Ready.make({}));
    this.setView(this.state.filter, this.state.sort);
    if (this.state.selectedId) this.ipc.post(Select.make({ id: this.state.selectedId }));
    this.renderBulk();
  }

  // ---- messages from the host

  private onMessage(m: ToWebviewMessage): void {
    switch (m.method) {
      case 'init':
        this.title.textContent = m.params.dataset ? m.params.dataset.name : 'Distillery';
        this.title.title = m.params.dataset?.path ?? '';
        if (m.params.message) {
          this.notice(m.params.message, 'warn');
          this.detail.setEmptyText(m.params.message);
        }
        return;
      case 'view': {
        const p = m.params;
        this.matching = p.counts.matching;
        this.list.setView(p.version, p.counts.matching);
        this.filters.setCounts(p.counts, p.queryTypes);
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
      case 'diagnostics':
        if (m.params.requestId !== this.validateSeq) return;
        this.detail.setDiagnostics(m.params.diagnostics, m.params.normalizedText);
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
   * Bulk: the selection if there is one, else everything in the current view. The whole view
   * takes a second press (or click) within 4 s, so one stray key never touches thousands.
   */
  private bulk(action: ReviewAction, via: 'key' | 'click'): void {
    const ids = [...this.list.selected];
    if (ids.length > 0) {
      this.ipc.post(Review.make({ action, target: { kind: 'ids', ids } }));
      this.list.clearSelection();
      return;
    }
    if (this.matching === 0) return;
    const now = Date.now();
    if (this.matching > 1 && !(this.armedBulk?.action === action && this.armedBulk.until > now)) {
      this.armedBulk = { action, until: now + 4000 };
      const again = via === 'click' ? 'Click it again' : `Press ${action === 'accept' ? 'A' : action === 'reject' ? 'R' : 'F'} again`;
      this.notice(`${again} to ${ACTION_WORDS[action].toLowerCase()} all ${formatCount(this.matching)} records in this view (undo with u).`, 'warn');
      return;
    }
    this.armedBulk = null;
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

  private scheduleValidate(text: string): void {
    clearTimeout(this.validateTimer);
    this.validateTimer = window.setTimeout(() => {
      this.validateSeq++;
      this.ipc.post(Validate.make({ requestId: this.validateSeq, text }));
    }, 120);
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
    if (tab === 'stats') this.ipc.post(GetStats.make({}));
    if (persist) this.persist();
  }

  private renderBulk(): void {
    const n = this.list.selected.size;
    this.bulkLabel.textContent = n > 0 ? `${formatCount(n)} selected:` : `All ${formatCount(this.matching)} in view:`;
  }

  private notice(message: string, level: 'info' | 'warn' | 'error' = 'info'): void {
    this.statusLine.textContent = message;
    this.statusLine.dataset['level'] = level;
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
    else if (key in BULK_KEYS) this.bulk(BULK_KEYS[key]!, 'key');
    else if (key === 'd') this.act('duplicate');
    else if (key === 'Delete' || key === '#') this.act('delete');
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
