// The run view app: a header (run name, host, state), then either the live chart and the fetched
// predictions of one run (`run` mode) or the comparison table (`compare` mode). Everything from the
// host goes in as text nodes or SVG attributes set through the DOM, never as markup.
import { CompareResults, RevealGold, RunViewReady, type RunState, type RunViewState, type ToRunViewMessage } from '../../shared/run-view-protocol';
import { el, replaceChildren } from '../dom';
import { RunChart } from './chart';
import { CompareTableView } from './compare-table';
import type { RunViewIpc } from './ipc';
import { PredictionsView } from './predictions-view';

const DEFAULT_STATE: RunViewState = { compareSort: { key: 'exactMatch', descending: true }, predictionFilter: 'all' };

export class RunViewApp {
  private state: RunViewState;
  private readonly title = el('h2', { class: 'title' });
  private readonly subtitle = el('span', { class: 'subtitle' });
  private readonly status = el('span', { class: 'status', attrs: { 'data-status': 'unknown' } });
  private readonly body = el('main', { class: 'body' });
  private readonly chart = new RunChart();
  private readonly compare: CompareTableView;
  private readonly predictions: PredictionsView;

  constructor(
    private readonly ipc: RunViewIpc,
    mount: HTMLElement,
  ) {
    this.state = ipc.loadState() ?? DEFAULT_STATE;
    this.compare = new CompareTableView(this.state.compareSort, (compareSort) => this.save({ compareSort }));
    this.predictions = new PredictionsView(
      this.state.predictionFilter,
      (predictionFilter) => this.save({ predictionFilter }),
      (id) => ipc.post(RevealGold.make({ id })),
      (id) => ipc.post(CompareResults.make({ id })),
    );
    replaceChildren(mount, [el('header', { class: 'head' }, [this.title, this.subtitle, this.status]), this.body]);
    ipc.onMessage((m) => this.receive(m));
    ipc.post(RunViewReady.make({}));
  }

  private save(patch: Partial<RunViewState>): void {
    this.state = { ...this.state, ...patch };
    this.ipc.saveState(this.state);
  }

  private receive(m: ToRunViewMessage): void {
    switch (m.method) {
      case 'init': {
        const p = m.params;
        this.title.textContent = p.title;
        this.subtitle.textContent = p.host ? `on ${p.host}` : '';
        document.documentElement.dataset['mode'] = p.mode;
        replaceChildren(
          this.body,
          p.mode === 'compare'
            ? [this.compare.root]
            : [this.chart.root, el('h2', { class: 'section', text: 'Predictions next to gold' }), this.predictions.root],
        );
        return;
      }
      case 'events':
        if (m.params.reset) this.chart.reset();
        this.chart.add(m.params.points);
        return;
      case 'status':
        this.setStatus(m.params.status, m.params.message);
        return;
      case 'compare':
        this.compare.setRows(m.params.rows);
        return;
      case 'predictions':
        this.predictions.set(m.params.source, m.params.summary, m.params.rows, m.params.truncated, m.params.execCluster);
        return;
    }
  }

  private setStatus(status: RunState, message: string | null): void {
    this.status.dataset['status'] = status;
    this.status.textContent = message ? `${status}: ${message}` : status;
  }
}
