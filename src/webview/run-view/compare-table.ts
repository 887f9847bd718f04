// The comparison table of finished runs (the paper's table: modality × supervision × rank with
// exact match, valid-DSL rate, clause F1, peak memory and wall time), sortable by any column.
import type { CompareTableRow } from '../../shared/run-view-protocol';
import { el, replaceChildren } from '../dom';

export interface Column {
  key: string;
  label: string;
  numeric: boolean;
  value: (r: CompareTableRow) => string | number | undefined;
  show: (r: CompareTableRow) => string;
}

const pct = (v?: number): string => (v === undefined ? '—' : `${(v * 100).toFixed(1)}%`);
const dur = (s?: number): string => (s === undefined ? '—' : s < 120 ? `${s.toFixed(0)} s` : s < 7200 ? `${(s / 60).toFixed(1)} min` : `${(s / 3600).toFixed(2)} h`);
const MODALITY_ORDER: Record<string, number> = { full: 0, lora: 1, qlora: 2 };

export const COLUMNS: Column[] = [
  { key: 'modality', label: 'Modality', numeric: false, value: (r) => MODALITY_ORDER[r.modality] ?? 9, show: (r) => r.modality },
  { key: 'supervision', label: 'Supervision', numeric: false, value: (r) => r.supervision, show: (r) => (r.supervision === 'label_only' ? 'label only' : 'DSS') },
  { key: 'rank', label: 'Rank', numeric: true, value: (r) => (Number.isFinite(Number(r.rank)) ? Number(r.rank) : undefined), show: (r) => r.rank },
  { key: 'lr', label: 'LR', numeric: true, value: (r) => (Number.isFinite(Number(r.lr)) ? Number(r.lr) : undefined), show: (r) => r.lr },
  { key: 'exactMatch', label: 'Exact match', numeric: true, value: (r) => r.exactMatch, show: (r) => pct(r.exactMatch) },
  { key: 'validDsl', label: 'Valid DSL', numeric: true, value: (r) => r.validDsl, show: (r) => pct(r.validDsl) },
  { key: 'clauseF1', label: 'Clause F1', numeric: true, value: (r) => r.clauseF1, show: (r) => pct(r.clauseF1) },
  { key: 'execAccuracy', label: 'Exec accuracy', numeric: true, value: (r) => r.execAccuracy, show: (r) => pct(r.execAccuracy) + (r.execAccuracy !== undefined && r.execStale ? ' (stale)' : '') },
  { key: 'peakMemGiB', label: 'Peak memory', numeric: true, value: (r) => r.peakMemGiB, show: (r) => (r.peakMemGiB === undefined ? '—' : `${r.peakMemGiB.toFixed(1)} GiB`) },
  { key: 'wallSec', label: 'Time', numeric: true, value: (r) => r.wallSec, show: (r) => dur(r.wallSec) },
  { key: 'status', label: 'Status', numeric: false, value: (r) => r.status, show: (r) => r.status },
  { key: 'runId', label: 'Run', numeric: false, value: (r) => r.runId, show: (r) => r.runId },
  { key: 'host', label: 'Host', numeric: false, value: (r) => r.host, show: (r) => r.host },
];

/** Sorts by one column; missing values last whichever the direction; ties by modality, supervision, rank, run. */
export function sortRows(rows: CompareTableRow[], key: string, descending: boolean): CompareTableRow[] {
  const column = COLUMNS.find((c) => c.key === key) ?? COLUMNS[0]!;
  const tie = (a: CompareTableRow, b: CompareTableRow): number =>
    (MODALITY_ORDER[a.modality] ?? 9) - (MODALITY_ORDER[b.modality] ?? 9) || a.supervision.localeCompare(b.supervision) || (Number(a.rank) || 0) - (Number(b.rank) || 0) || a.runId.localeCompare(b.runId);
  return [...rows].sort((a, b) => {
    const va = column.value(a);
    const vb = column.value(b);
    if (va === undefined && vb === undefined) return tie(a, b);
    if (va === undefined) return 1;
    if (vb === undefined) return -1;
    const c = typeof va === 'number' && typeof vb === 'number' ? va - vb : String(va).localeCompare(String(vb));
    return (descending ? -c : c) || tie(a, b);
  });
}

export class CompareTableView {
  readonly root = el('div', { class: 'compare' });
  private rows: CompareTableRow[] = [];

  constructor(
    private sort: { key: string; descending: boolean },
    private readonly onSort: (sort: { key: string; descending: boolean }) => void,
  ) {}

  setRows(rows: CompareTableRow[]): void {
    this.rows = rows;
    this.render();
  }

  private render(): void {
    if (!this.rows.length) {
      replaceChildren(this.root, [el('p', { class: 'empty-note', text: 'No runs yet.' })]);
      return;
    }
    const best = Math.max(...this.rows.map((r) => r.exactMatch ?? -1));
    const head = el(
      'tr',
      {},
      COLUMNS.map((c) => {
        const active = c.key === this.sort.key;
        const button = el('button', { class: 'sort', text: c.label + (active ? (this.sort.descending ? ' ▾' : ' ▴') : ''), attrs: { type: 'button', 'data-key': c.key } });
        button.addEventListener('click', () => {
          this.sort = { key: c.key, descending: active ? !this.sort.descending : c.numeric && c.key !== 'rank' && c.key !== 'lr' };
          this.onSort(this.sort);
          this.render();
        });
        return el('th', { class: c.numeric ? 'num' : '', attrs: { 'aria-sort': active ? (this.sort.descending ? 'descending' : 'ascending') : 'none' } }, [button]);
      }),
    );
    const body = sortRows(this.rows, this.sort.key, this.sort.descending).map((r) =>
      el(
        'tr',
        { attrs: { 'data-run': r.runId } },
        COLUMNS.map((c) => {
          const stale = c.key === 'execAccuracy' && r.execAccuracy !== undefined && r.execStale !== undefined;
          const classes = [c.numeric ? 'num' : '', c.key === 'exactMatch' && r.exactMatch !== undefined && r.exactMatch === best ? 'best' : '', stale ? 'stale' : ''];
          // A figure scored on another cluster, index or mapping says so, with why as its tooltip.
          return el('td', { class: classes.join(' ').trim(), text: c.show(r), attrs: stale ? { title: r.execStale!, 'data-stale': 'true' } : {} });
        }),
      ),
    );
    replaceChildren(this.root, [el('table', { class: 'compare-table' }, [el('thead', {}, [head]), el('tbody', {}, body)])]);
  }
}
