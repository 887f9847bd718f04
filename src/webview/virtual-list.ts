// The record list: a listbox that keeps only the visible rows in the DOM. A fixed pool of row
// elements is repositioned while scrolling, so the row count stays constant however long the
// list is; rows are fetched from the host by index range, in chunks, for the current view version.
import type { Row } from '../shared/webview-protocol';
import { el } from './dom';

/** Row height when the stylesheet says nothing (`--row-h` on the list sets it: 28 px wide, 24 px narrow). */
export const ROW_HEIGHT = 28;
const OVERSCAN = 3;
const CHUNK = 100;

const STATUS_LABEL: Record<Row['status'], string> = {
  pending: 'Pending',
  generated: 'Generated',
  accepted: 'Accepted',
  rejected: 'Rejected',
  needs_fix: 'Needs fix',
};
// One glyph per status and per validity, told apart by shape as well as colour; the words are in
// each glyph's tooltip and the row's accessible name. (Status words took ~70 px of a 300 px sidebar.)
const STATUS_ICON: Record<Row['status'], string> = { pending: '○', generated: '◆', accepted: '✓', rejected: '✕', needs_fix: '⚑' };
const VALIDITY_ICON: Record<Row['validity'], string> = { error: '●', warning: '▲', clean: '', missing: '∅', unchecked: '…' };
const VALIDITY_LABEL: Record<Row['validity'], string> = {
  error: 'has errors',
  warning: 'has warnings',
  clean: 'valid',
  missing: 'no DSL',
  unchecked: 'not validated yet',
};

export interface ListEvents {
  requestRows(version: number, start: number, count: number): void;
  /** The person moved the cursor with the mouse. */
  cursor(index: number): void;
  /** Ctrl/Cmd-click or Shift-click changed the multi-selection. */
  selectionChanged(): void;
}

interface RowView {
  node: HTMLElement;
  status: HTMLElement;
  validity: HTMLElement;
  question: HTMLElement;
  type: HTMLElement;
  index: number;
}

export class VirtualList {
  readonly root: HTMLElement;
  private readonly spacer: HTMLElement;
  private pool: RowView[] = [];
  private total = 0;
  private version = 0;
  private cache = new Map<number, Row>();
  /** Rows of the previous version, shown until fresh ones arrive (no flicker on refresh). */
  private stale = new Map<number, Row>();
  private requested = new Set<number>();
  private frame = 0;
  cursor = -1;
  readonly selected = new Set<string>();
  private anchor = -1;
  private rowHeight = ROW_HEIGHT;

  constructor(private readonly events: ListEvents) {
    this.spacer = el('div', { class: 'list-spacer' });
    this.root = el('div', {
      class: 'list',
      attrs: { role: 'listbox', tabindex: 0, 'aria-label': 'Records', 'aria-multiselectable': 'true' },
    }, [this.spacer]);
    this.root.addEventListener('scroll', () => this.schedule());
    new ResizeObserver(() => {
      this.measureRowHeight();
      this.schedule();
    }).observe(this.root);
    this.root.addEventListener('click', (e) => this.onClick(e));
  }

  /** The layout (narrow or wide) sets the row height in CSS; positions follow it. */
  private measureRowHeight(): void {
    const h = parseFloat(getComputedStyle(this.root).getPropertyValue('--row-h'));
    const next = Number.isFinite(h) && h > 0 ? h : ROW_HEIGHT;
    if (next === this.rowHeight) return;
    const first = Math.floor(this.root.scrollTop / this.rowHeight);
    this.rowHeight = next;
    this.spacer.style.height = `${this.total * next}px`;
    this.root.scrollTop = first * next;
  }

  get length(): number {
    return this.total;
  }

  get currentVersion(): number {
    return this.version;
  }

  rowAt(index: number): Row | undefined {
    return this.cache.get(index);
  }

  /** A new view: the old rows stay visible until the new ones arrive. */
  setView(version: number, total: number): void {
    this.version = version;
    this.total = total;
    this.stale = this.cache.size ? this.cache : this.stale;
    this.cache = new Map();
    this.requested.clear();
    this.spacer.style.height = `${total * this.rowHeight}px`;
    this.root.setAttribute('aria-rowcount', String(total));
    if (this.cursor >= total) this.cursor = total - 1;
    this.render();
  }

  setRows(version: number, start: number, rows: readonly Row[]): void {
    if (version !== this.version) return;
    rows.forEach((r, i) => this.cache.set(start + i, r));
    this.render();
  }

  setCursor(index: number, reveal = true): void {
    this.cursor = Math.max(-1, Math.min(index, this.total - 1));
    if (reveal && this.cursor >= 0) this.reveal(this.cursor);
    this.render();
  }

  /** Scrolls the least needed to show row `index`. */
  reveal(index: number): void {
    const top = index * this.rowHeight;
    const view = this.root.clientHeight;
    if (top < this.root.scrollTop) this.root.scrollTop = top;
    else if (top + this.rowHeight > this.root.scrollTop + view) this.root.scrollTop = top + this.rowHeight - view;
  }

  pageSize(): number {
    return Math.max(1, Math.floor(this.root.clientHeight / this.rowHeight) - 1);
  }

  toggle(index: number): void {
    const row = this.cache.get(index);
    if (!row) return;
    if (this.selected.has(row.id)) this.selected.delete(row.id);
    else this.selected.add(row.id);
    this.anchor = index;
    this.render();
    this.events.selectionChanged();
  }

  /** Adds the rows between the last toggled row and `index` (loaded rows only). */
  extendTo(index: number): void {
    const from = this.anchor >= 0 ? this.anchor : this.cursor;
    for (let i = Math.min(from, index); i <= Math.max(from, index); i++) {
      const row = this.cache.get(i);
      if (row) this.selected.add(row.id);
    }
    this.render();
    this.events.selectionChanged();
  }

  clearSelection(): void {
    if (this.selected.size === 0) return;
    this.selected.clear();
    this.render();
    this.events.selectionChanged();
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  /** Positions the pool over the visible range and fills it; asks for rows it lacks. */
  render(): void {
    const rowHeight = this.rowHeight;
    const height = this.root.clientHeight || rowHeight * 10;
    const needed = Math.ceil(height / rowHeight) + 1 + OVERSCAN * 2;
    while (this.pool.length < needed) this.pool.push(this.makeRow());
    const first = Math.max(0, Math.floor(this.root.scrollTop / rowHeight) - OVERSCAN);
    let active: string | null = null;
    this.pool.forEach((view, slot) => {
      const index = first + slot;
      view.index = index;
      if (index >= this.total) {
        view.node.hidden = true;
        view.node.dataset['id'] = '';
        return;
      }
      view.node.hidden = false;
      view.node.style.transform = `translateY(${index * rowHeight}px)`;
      const row = this.cache.get(index) ?? this.stale.get(index);
      this.fill(view, row, index);
      if (index === this.cursor) active = view.node.id;
    });
    if (active) this.root.setAttribute('aria-activedescendant', active);
    else this.root.removeAttribute('aria-activedescendant');
    // Deferred a task: rows the host sends along with a new view arrive first.
    const version = this.version;
    const last = Math.min(this.total, first + needed);
    setTimeout(() => {
      if (version === this.version) this.requestMissing(first, last);
    }, 0);
  }

  private requestMissing(from: number, to: number): void {
    const lo = Math.max(0, from - CHUNK / 2);
    const hi = Math.min(this.total, to + CHUNK / 2);
    for (let chunk = Math.floor(lo / CHUNK) * CHUNK; chunk < hi; chunk += CHUNK) {
      if (this.requested.has(chunk)) continue;
      let missing = false;
      for (let i = chunk; i < Math.min(chunk + CHUNK, this.total); i++) {
        if (!this.cache.has(i)) {
          missing = true;
          break;
        }
      }
      if (!missing) continue;
      this.requested.add(chunk);
      this.events.requestRows(this.version, chunk, Math.min(CHUNK, this.total - chunk));
    }
  }

  private makeRow(): RowView {
    const status = el('span', { class: 'row-status' });
    const validity = el('span', { class: 'row-validity' });
    const question = el('span', { class: 'row-question' });
    const type = el('span', { class: 'row-type' });
    const node = el('div', { class: 'row', attrs: { role: 'option', id: `row-${this.pool.length}` } }, [status, validity, question, type]);
    this.spacer.appendChild(node);
    return { node, status, validity, question, type, index: -1 };
  }

  private fill(view: RowView, row: Row | undefined, index: number): void {
    const n = view.node;
    n.setAttribute('aria-posinset', String(index + 1));
    n.setAttribute('aria-setsize', String(this.total));
    n.classList.toggle('cursor', index === this.cursor);
    if (!row) {
      n.dataset['id'] = '';
      n.classList.add('loading');
      n.setAttribute('aria-selected', 'false');
      view.status.textContent = '';
      view.validity.textContent = '';
      view.question.textContent = '…';
      view.question.removeAttribute('title');
      view.type.textContent = '';
      return;
    }
    n.classList.remove('loading');
    n.dataset['id'] = row.id;
    n.dataset['status'] = row.status;
    n.dataset['validity'] = row.validity;
    const picked = this.selected.has(row.id);
    n.classList.toggle('picked', picked);
    n.setAttribute('aria-selected', String(picked || (this.selected.size === 0 && index === this.cursor)));
    view.status.textContent = STATUS_ICON[row.status];
    view.status.className = `row-status status-${row.status}`;
    view.status.title = STATUS_LABEL[row.status];
    view.validity.textContent = VALIDITY_ICON[row.validity];
    view.validity.className = `row-validity validity-${row.validity}`;
    view.validity.title = VALIDITY_LABEL[row.validity];
    view.question.textContent = row.question;
    // The list clips long questions to one line; the tooltip has the rest.
    view.question.title = row.question;
    view.type.textContent = row.queryType ?? '';
    // The last cluster run (panel "Run all"), drawn by panel.css from data-cluster.
    if (row.cluster) n.dataset['cluster'] = row.cluster.error ? 'cluster error' : `${row.cluster.hits ?? 0} hits`;
    else delete n.dataset['cluster'];
    n.setAttribute('aria-label', `${row.question}. ${STATUS_LABEL[row.status]}, ${VALIDITY_LABEL[row.validity]}${row.queryType ? `, ${row.queryType} query` : ''}`);
  }

  private onClick(e: MouseEvent): void {
    const target = (e.target as Element).closest('.row');
    if (!target) return;
    const view = this.pool.find((v) => v.node === target);
    if (!view || view.index >= this.total) return;
    if (e.ctrlKey || e.metaKey) this.toggle(view.index);
    else if (e.shiftKey) this.extendTo(view.index);
    this.events.cursor(view.index);
    this.root.focus();
  }
}
