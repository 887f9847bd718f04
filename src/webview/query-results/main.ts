// The query results view (bundled into dist/query-results.js): renders what the host sends — total
// hits, took, the hits table, aggregation tables with a bar per bucket — and nothing else. Every
// message is validated (src/shared/query-results-protocol.ts); text goes in through textContent only.
import { parseToQueryResultsView, QueryResultsLog, QueryResultsReady, QueryResultsRevealGold, ShowResultComparison, type QueryResult, type ResultComparison, type ResultTable, type ToQueryResultsHost, type ToQueryResultsView } from '../../shared/query-results-protocol';
import { WebviewIpc } from '../vscode-ipc';
import { z } from 'zod';

const ipc = new WebviewIpc<ToQueryResultsView, ToQueryResultsHost, null>(parseToQueryResultsView, (message) => QueryResultsLog.make({ level: 'warn', message }), z.null());
window.addEventListener('error', (e) => ipc.post(QueryResultsLog.make({ level: 'error', message: String(e.message).slice(0, 4000) })));

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

function cellText(v: string | number | boolean | null): string {
  if (v === null) return '';
  return typeof v === 'number' && !Number.isInteger(v) ? String(Math.round(v * 1000) / 1000) : String(v);
}

function renderTable(t: ResultTable): HTMLElement {
  const section = el('section', 'result-table');
  section.dataset['title'] = t.title;
  section.append(el('h3', undefined, t.title));
  const table = el('table');
  const head = el('tr');
  for (const c of t.columns) head.append(el('th', undefined, c));
  table.append(el('thead'));
  table.tHead!.append(head);
  const body = el('tbody');
  // Buckets get a bar scaled to the largest doc_count, drawn with CSSOM (the CSP allows no inline style attributes).
  const countColumn = t.columns.indexOf('doc_count');
  const maxCount = countColumn < 0 ? 0 : Math.max(0, ...t.rows.map((r) => (typeof r[countColumn] === 'number' ? (r[countColumn] as number) : 0)));
  for (const row of t.rows) {
    const tr = el('tr');
    row.forEach((v, i) => {
      const td = el('td', typeof v === 'number' ? 'num' : undefined, cellText(v));
      if (i === countColumn && maxCount > 0 && typeof v === 'number') {
        const bar = el('div', 'bar');
        bar.style.width = `${Math.max(1, (v / maxCount) * 100)}%`;
        td.append(bar);
      }
      tr.append(td);
    });
    body.append(tr);
  }
  table.append(body);
  section.append(table);
  return section;
}

/** One result (where it ran, then the summary and tables, or the cluster's error) into `root`. */
function renderResult(root: HTMLElement, r: QueryResult): void {
  root.dataset['state'] = r.kind;
  const head = el('header', 'head');
  head.append(el('span', 'source', r.source), el('span', 'where', `${r.cluster} / ${r.index}`));
  root.append(head);
  if (r.kind === 'running') {
    root.append(el('p', 'running', 'Running…'));
    return;
  }
  if (r.kind === 'error') {
    root.append(el('p', 'error', r.message));
    return;
  }
  const summary = el('p', 'summary');
  const total = el('strong', 'total', `${r.totalRelation === 'gte' ? '≥ ' : ''}${r.total.toLocaleString('en')}`);
  total.dataset['total'] = String(r.total);
  summary.append(total, document.createTextNode(` hit${r.total === 1 ? '' : 's'} · took `), el('span', 'took', `${r.tookMs} ms`));
  if (r.timedOut || r.terminatedEarly) summary.append(el('span', 'partial', ` · partial results (${r.timedOut ? 'timed out' : 'terminated early'}: a search guard cut the search short)`));
  root.append(summary);
  if (r.tables.length === 0) root.append(el('p', 'empty', r.total === 0 ? 'The query returns nothing.' : 'No hits shown (size 0) and no aggregations.'));
  for (const t of r.tables) root.append(renderTable(t));
}

function render(r: QueryResult): void {
  const root = document.getElementById('app')!;
  root.replaceChildren();
  delete root.dataset['layout'];
  renderResult(root, r);
}

const VERDICT_LABELS: Record<ResultComparison['verdict'], string> = { match: 'Same results', mismatch: 'Different results', bothEmpty: 'Both return nothing', predictionError: 'The cluster refuses the prediction', goldError: 'The cluster refuses the gold' };

/** Gold and prediction side by side, the same renderer per column, with what differs named above. */
function renderComparison(c: ResultComparison): void {
  const root = document.getElementById('app')!;
  root.replaceChildren();
  root.dataset['state'] = 'comparison';
  root.dataset['layout'] = 'side-by-side';
  const head = el('header', 'comparison-head');
  const verdict = el('strong', 'verdict', VERDICT_LABELS[c.verdict]);
  verdict.dataset['verdict'] = c.verdict;
  const reveal = el('button', 'reveal', 'Show gold in review panel');
  reveal.type = 'button';
  reveal.addEventListener('click', () => ipc.post(QueryResultsRevealGold.make({ id: c.id })));
  head.append(el('span', 'id', c.id), verdict, el('span', 'reason', c.reason ?? ''), el('span', 'where', `${c.cluster} / ${c.index}`), reveal);
  const columns = el('div', 'columns');
  for (const [side, result] of [['gold', c.gold], ['prediction', c.prediction]] as const) {
    const column = el('div', 'column');
    column.dataset['side'] = side;
    column.append(el('h2', 'side', side === 'gold' ? 'Gold' : 'Prediction'));
    renderResult(column, result);
    columns.append(column);
  }
  root.append(head, columns);
}

ipc.onMessage((m) => (ShowResultComparison.is(m) ? renderComparison(m.params) : render(m.params)));
ipc.post(QueryResultsReady.make({}));
