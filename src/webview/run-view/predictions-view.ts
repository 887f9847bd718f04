// A fetched run's predictions next to gold: the engine's verdict per record (exact, valid, clause
// overlap, validator errors), filterable to the mistakes, with a button that shows the gold record
// in the review panel so a bad training pair can be fixed where it lives.
import type { PredictionRow, PredictionSummary } from '../../shared/run-view-protocol';
import { el, replaceChildren } from '../dom';

export type PredictionFilter = 'all' | 'wrong' | 'invalid' | 'execMismatch';
const PAGE = 100;
const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;
const FILTER_LABELS: Record<PredictionFilter, string> = { all: 'All predictions', wrong: 'Not an exact match', invalid: 'Invalid DSL', execMismatch: 'Different results on the cluster' };
const EXEC_LABELS: Record<NonNullable<PredictionRow['exec']>, string> = { match: 'same results', mismatch: 'different results', bothEmpty: 'both empty', predictionError: 'cluster refuses prediction', goldError: 'cluster refuses gold' };

export class PredictionsView {
  readonly root = el('div', { class: 'predictions' });
  private rows: PredictionRow[] = [];
  private summary: PredictionSummary | null = null;
  private source = '';
  private truncated = 0;
  private shown = PAGE;
  private execCluster: string | undefined;

  constructor(
    private filter: PredictionFilter,
    private readonly onFilter: (f: PredictionFilter) => void,
    private readonly onReveal: (id: string) => void,
    private readonly onCompare: (id: string) => void = () => undefined,
  ) {
    this.render();
  }

  set(source: string, summary: PredictionSummary, rows: PredictionRow[], truncated: number, execCluster?: string): void {
    Object.assign(this, { source, summary, rows, truncated, shown: PAGE, execCluster });
    this.render();
  }

  private visible(): PredictionRow[] {
    if (this.filter === 'wrong') return this.rows.filter((r) => !r.exact);
    if (this.filter === 'invalid') return this.rows.filter((r) => !r.valid);
    if (this.filter === 'execMismatch') return this.rows.filter((r) => r.exec !== undefined && r.exec !== 'match' && r.exec !== 'bothEmpty');
    return this.rows;
  }

  private render(): void {
    const s = this.summary;
    if (!s) {
      replaceChildren(this.root, [el('p', { class: 'empty-note', text: 'No predictions yet: fetch the run (Distillery: Fetch Run Results) once it has finished.' })]);
      return;
    }
    const select = el(
      'select',
      { attrs: { 'aria-label': 'Show' } },
      (['all', 'wrong', 'invalid', ...(s.execAccuracy !== undefined ? ['execMismatch' as const] : [])] as const).map((f) => el('option', { text: FILTER_LABELS[f], attrs: { value: f, selected: f === this.filter } })),
    );
    select.addEventListener('change', () => {
      this.filter = select.value as PredictionFilter;
      this.shown = PAGE;
      this.onFilter(this.filter);
      this.render();
    });
    const visible = this.visible();
    const cards = visible.slice(0, this.shown).map((r) => this.card(r));
    const more = visible.length > this.shown ? el('button', { class: 'more', text: `Show ${Math.min(PAGE, visible.length - this.shown)} more of ${visible.length - this.shown}`, attrs: { type: 'button' } }) : null;
    more?.addEventListener('click', () => {
      this.shown += PAGE;
      this.render();
    });
    replaceChildren(this.root, [
      el('div', { class: 'summary' }, [
        el('span', { class: 'source', text: this.source }),
        ` · ${s.count} predictions · exact match ${pct(s.exactMatch)} · valid DSL ${pct(s.validDsl)} · parsed ${pct(s.parseRate)} · clause F1 ${pct(s.clauseF1)}`,
        s.execAccuracy !== undefined ? el('span', { class: 'exec-accuracy', text: ` · execution accuracy ${pct(s.execAccuracy)} (both empty ${pct(s.bothEmpty ?? 0)}, prediction errors ${pct(s.execErrors ?? 0)})` }) : '',
        this.truncated ? ` · ${this.truncated} more not shown` : '',
      ]),
      el('div', { class: 'toolbar' }, [select, el('span', { class: 'count', text: `${visible.length} shown` })]),
      ...cards,
      more,
    ]);
  }

  private card(r: PredictionRow): HTMLElement {
    const badge = (ok: boolean, yes: string, no: string) => el('span', { class: `badge ${ok ? 'ok' : 'bad'}`, text: ok ? yes : no });
    const reveal = el('button', { class: 'reveal', text: 'Show gold in review panel', attrs: { type: 'button' } });
    reveal.addEventListener('click', () => this.onReveal(r.id));
    // Only where the results differ (or the cluster refuses the prediction) is there something to compare.
    const differs = r.exec === 'mismatch' || r.exec === 'predictionError';
    const compare = differs ? el('button', { class: 'compare-results', text: `Compare results on ${this.execCluster ?? 'the cluster'}`, attrs: { type: 'button' } }) : null;
    compare?.addEventListener('click', () => this.onCompare(r.id));
    return el('article', { class: 'prediction', attrs: { 'data-id': r.id, 'data-exact': String(r.exact), 'data-valid': String(r.valid) } }, [
      el('header', {}, [
        el('span', { class: 'id', text: r.id }),
        badge(r.exact, 'exact', 'not exact'),
        badge(r.valid, 'valid DSL', r.parsed ? 'invalid DSL' : 'not JSON'),
        r.exec ? el('span', { class: `badge exec ${r.exec === 'match' || r.exec === 'bothEmpty' ? 'ok' : 'bad'}`, text: EXEC_LABELS[r.exec], attrs: { title: r.execReason ?? '' } }) : null,
        el('span', { class: 'overlap', text: `clauses ${r.clauses.truePositive}/${r.clauses.predicted} predicted, ${r.clauses.truePositive}/${r.clauses.gold} gold` }),
        compare,
        reveal,
      ]),
      el('p', { class: 'question', text: r.question }),
      el('div', { class: 'pair' }, [
        el('div', {}, [el('h4', { text: 'Gold' }), el('pre', { class: 'dsl gold', text: r.goldText })]),
        el('div', {}, [el('h4', { text: 'Predicted' }), el('pre', { class: 'dsl predicted', text: r.predictedText })]),
      ]),
      r.errors.length ? el('ul', { class: 'errors' }, r.errors.map((e) => el('li', { text: e }))) : null,
    ]);
  }
}
