// The filter bar: text search, facet chips with counts (status, validity, split), query type and
// sort. Each facet's counts are for the records matching every other active filter.
import {
  REVIEW_STATUSES,
  SORT_KEYS,
  SPLIT_FILTERS,
  VALIDITIES,
  type Counts,
  type Filter,
  type Sort,
  type SortKey,
} from '../shared/webview-protocol';
import { el, formatCount, replaceChildren } from './dom';

type FacetKey = 'status' | 'validity' | 'split';

const LABELS: Record<FacetKey, Record<string, string>> = {
  status: { pending: 'Pending', generated: 'Generated', accepted: 'Accepted', rejected: 'Rejected', needs_fix: 'Needs fix' },
  validity: { error: 'Errors', warning: 'Warnings', clean: 'Clean', missing: 'No DSL', unchecked: 'Unchecked' },
  split: { train: 'Train', val: 'Val', test: 'Test', none: 'No split' },
};
const VALUES: Record<FacetKey, readonly string[]> = { status: REVIEW_STATUSES, validity: VALIDITIES, split: SPLIT_FILTERS };
/** Typing pauses this long before the host searches: bursts of keys make one query, a single key feels instant. */
const SEARCH_PAUSE_MS = 40;
const SORT_LABELS: Record<SortKey, string> = { file: 'File order', status: 'Status', validity: 'Validity', queryType: 'Query type', question: 'Question', updated: 'Updated' };

export class FilterBar {
  readonly root: HTMLElement;
  readonly search: HTMLInputElement;
  private readonly chips = new Map<string, { button: HTMLButtonElement; count: HTMLElement }>();
  private readonly typeSelect: HTMLSelectElement;
  private readonly sortSelect: HTMLSelectElement;
  private readonly direction: HTMLButtonElement;
  private readonly summary: HTMLElement;
  private readonly toggle: HTMLButtonElement;
  private searchTimer = 0;
  private knownTypes: string[] = [];

  constructor(
    private filter: Filter,
    private sort: Sort,
    private readonly changed: (filter: Filter, sort: Sort) => void,
  ) {
    this.search = el('input', {
      class: 'search',
      attrs: { type: 'search', placeholder: 'Search question, rationale, DSL  ( / )', 'aria-label': 'Search question, rationale and DSL', 'aria-keyshortcuts': '/' },
    });
    this.search.value = filter.text;
    this.search.addEventListener('input', () => {
      clearTimeout(this.searchTimer);
      this.searchTimer = window.setTimeout(() => this.update({ ...this.filter, text: this.search.value }), SEARCH_PAUSE_MS);
    });
    this.search.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' || e.key === 'Enter') {
        e.preventDefault();
        this.search.blur();
      }
    });
    const groups = (['status', 'validity', 'split'] as const).map((facet) =>
      el('div', { class: `facet facet-${facet}`, attrs: { role: 'group', 'aria-label': `Filter by ${facet}` } }, VALUES[facet].map((v) => this.chip(facet, v))),
    );
    this.typeSelect = el('select', { class: 'type-select', attrs: { 'aria-label': 'Filter by query type' } });
    this.typeSelect.addEventListener('change', () => this.update({ ...this.filter, queryType: this.typeSelect.value ? [this.typeSelect.value] : [] }));
    this.sortSelect = el('select', { class: 'sort-select', attrs: { 'aria-label': 'Sort by' } }, SORT_KEYS.map((k) => el('option', { text: SORT_LABELS[k], attrs: { value: k } })));
    this.sortSelect.value = sort.key;
    this.sortSelect.addEventListener('change', () => {
      this.sort = { ...this.sort, key: this.sortSelect.value as SortKey };
      this.changed(this.filter, this.sort);
    });
    this.direction = el('button', { class: 'icon-button', attrs: { type: 'button', 'aria-label': 'Reverse sort order', 'aria-pressed': sort.descending } });
    this.direction.textContent = sort.descending ? '↓' : '↑';
    this.direction.addEventListener('click', () => {
      this.sort = { ...this.sort, descending: !this.sort.descending };
      this.direction.textContent = this.sort.descending ? '↓' : '↑';
      this.direction.setAttribute('aria-pressed', String(this.sort.descending));
      this.changed(this.filter, this.sort);
    });
    this.summary = el('span', { class: 'summary', attrs: { role: 'status', 'aria-live': 'polite' } });
    const clear = el('button', { class: 'link-button', text: 'Clear filters', attrs: { type: 'button' } });
    clear.addEventListener('click', () => {
      this.search.value = '';
      this.update({ status: [], validity: [], queryType: [], split: [], text: '' });
    });
    // In the narrow sidebar the facets fold away behind this toggle.
    const toggle = el('button', { class: 'filters-toggle', text: 'Filters', attrs: { type: 'button', 'aria-expanded': 'false', 'aria-controls': 'filter-facets' } });
    toggle.addEventListener('click', () => {
      const open = this.root.classList.toggle('open');
      toggle.setAttribute('aria-expanded', String(open));
    });
    this.toggle = toggle;
    this.root = el('div', { class: 'filters' }, [
      el('div', { class: 'search-row' }, [this.search, this.summary, toggle]),
      el('div', { class: 'facets', attrs: { id: 'filter-facets' } }, [...groups, el('div', { class: 'filter-row' }, [this.typeSelect, this.sortSelect, this.direction, clear])]),
    ]);
    this.renderTypes({});
  }

  /** `loading`: the counts cover the head of the file only (the dataset is still opening). */
  setCounts(counts: Counts, queryTypes: readonly string[], loading = false): void {
    for (const facet of ['status', 'validity', 'split'] as const) {
      for (const v of VALUES[facet]) {
        const chip = this.chips.get(`${facet}:${v}`)!;
        const n = counts[facet][v] ?? 0;
        chip.count.textContent = formatCount(n);
        // "Unchecked" only matters while background validation runs.
        chip.button.hidden = facet === 'validity' && v === 'unchecked' && n === 0 && !this.filter.validity.includes('unchecked');
      }
    }
    if (queryTypes.join('\n') !== this.knownTypes.join('\n')) this.knownTypes = [...queryTypes];
    this.renderTypes(counts.queryType);
    this.summary.textContent = `${formatCount(counts.matching)} of ${formatCount(counts.total)}${loading ? '+' : ''}`;
    this.summary.title = loading ? 'Still opening the dataset: these are the first records of the file' : '';
  }

  /** Replaces the whole filter (a click on a stats bar) and asks for the new view. */
  setFilter(filter: Filter): void {
    this.search.value = filter.text;
    this.update(filter);
  }

  get current(): { filter: Filter; sort: Sort } {
    return { filter: this.filter, sort: this.sort };
  }

  private update(filter: Filter): void {
    this.filter = filter;
    for (const facet of ['status', 'validity', 'split'] as const) {
      for (const v of VALUES[facet]) this.chips.get(`${facet}:${v}`)!.button.setAttribute('aria-pressed', String((filter[facet] as string[]).includes(v)));
    }
    this.typeSelect.value = filter.queryType[0] ?? '';
    const active = filter.status.length + filter.validity.length + filter.split.length + filter.queryType.length;
    this.toggle.textContent = active ? `Filters (${active})` : 'Filters';
    this.changed(this.filter, this.sort);
  }

  private chip(facet: FacetKey, value: string): HTMLButtonElement {
    const count = el('span', { class: 'chip-count', text: '0' });
    const button = el('button', {
      class: `chip chip-${facet}-${value}`,
      attrs: { type: 'button', 'aria-pressed': (this.filter[facet] as string[]).includes(value), 'data-facet': facet, 'data-value': value },
    }, [el('span', { class: 'chip-label', text: LABELS[facet][value] ?? value }), count]);
    button.addEventListener('click', () => {
      const current = this.filter[facet] as string[];
      const next = current.includes(value) ? current.filter((v) => v !== value) : [...current, value];
      this.update({ ...this.filter, [facet]: next } as Filter);
    });
    this.chips.set(`${facet}:${value}`, { button, count });
    return button;
  }

  private renderTypes(counts: Record<string, number>): void {
    const selected = this.filter.queryType[0] ?? '';
    const types = new Set([...this.knownTypes, ...(selected ? [selected] : [])]);
    replaceChildren(this.typeSelect, [
      el('option', { text: 'All query types', attrs: { value: '' } }),
      ...[...types].map((t) => el('option', { text: `${t} (${formatCount(counts[t] ?? 0)})`, attrs: { value: t } })),
    ]);
    this.typeSelect.value = selected;
  }
}
