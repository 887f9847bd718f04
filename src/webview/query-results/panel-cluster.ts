// The review panel's cluster controls: "Run" under the record detail (hits, took or the cluster's
// error inline), and in the toolbar "Run all" for the current view with the filters "Returns
// nothing" and "Cluster error". The host runs the bodies (RunOnCluster → ClusterResults).
import type { z } from 'zod';
import type { ClusterOutcome, clusterResultsParams } from '../../shared/query-results-protocol';
import { el } from '../dom';

type ClusterFilter = 'nothing' | 'error';

export interface ClusterControlEvents {
  /** ids null: every record in the current view. */
  run(ids: string[] | null): void;
  /** Stop the run in progress after the batch in flight. */
  cancel(): void;
  filterChanged(filter: ClusterFilter[]): void;
}

export class ClusterControls {
  readonly toolbar: HTMLElement;
  readonly detailRoot: HTMLElement;
  private readonly outcomes = new Map<string, ClusterOutcome>();
  private readonly detailOutput: HTMLElement;
  private readonly status: HTMLElement;
  private readonly runAll: HTMLButtonElement;
  private readonly runOne: HTMLButtonElement;
  private readonly cancel: HTMLButtonElement;
  private readonly chips: Record<ClusterFilter, HTMLButtonElement>;
  private selectedId: string | null = null;

  constructor(
    private filter: ClusterFilter[],
    private readonly events: ClusterControlEvents,
  ) {
    const runAll = el('button', { class: 'cluster-run-all', text: 'Run all on cluster', attrs: { type: 'button', title: 'Run the DSL of every record in this view on the active Elasticsearch cluster' } });
    runAll.addEventListener('click', () => this.events.run(null));
    this.runAll = runAll;
    this.cancel = el('button', { class: 'cluster-cancel', text: 'Cancel', attrs: { type: 'button', title: 'Stop the run after the batch in flight; the results so far are kept', hidden: true } });
    this.cancel.addEventListener('click', () => {
      this.cancel.disabled = true;
      this.status.textContent = 'Cancelling…';
      this.events.cancel();
    });
    const chip = (f: ClusterFilter, label: string) => {
      const b = el('button', { class: `chip cluster-filter cluster-filter-${f}`, text: label, attrs: { type: 'button', 'aria-pressed': this.filter.includes(f) } });
      b.addEventListener('click', () => {
        this.filter = this.filter.includes(f) ? this.filter.filter((x) => x !== f) : [...this.filter, f];
        b.setAttribute('aria-pressed', String(this.filter.includes(f)));
        this.events.filterChanged(this.filter);
      });
      return b;
    };
    this.chips = { nothing: chip('nothing', 'Returns nothing'), error: chip('error', 'Cluster error') };
    this.status = el('span', { class: 'cluster-status', attrs: { role: 'status' } });
    this.toolbar = el('div', { class: 'cluster-bar', attrs: { role: 'toolbar', 'aria-label': 'Elasticsearch' } }, [runAll, this.cancel, this.chips.nothing, this.chips.error, this.status]);

    const run = el('button', { class: 'cluster-run', text: '▶ Run', attrs: { type: 'button', title: 'Run this record\'s DSL on the active Elasticsearch cluster' } });
    run.addEventListener('click', () => this.selectedId && this.events.run([this.selectedId]));
    this.runOne = run;
    this.detailOutput = el('span', { class: 'cluster-outcome' });
    this.detailRoot = el('div', { class: 'cluster-detail' }, [run, this.detailOutput]);
  }

  setSelected(id: string | null): void {
    this.selectedId = id;
    this.renderDetail();
  }

  receive(p: z.infer<typeof clusterResultsParams>): void {
    for (const o of p.outcomes) this.outcomes.set(o.id, o);
    // One run at a time: Run and Run all wait for it, Cancel shows while it goes.
    this.runAll.disabled = p.running;
    this.runOne.disabled = p.running;
    this.cancel.hidden = !p.running;
    if (p.running) {
      this.cancel.disabled = false;
      this.status.textContent = p.progress ? `Running… ${p.progress.done.toLocaleString('en')} of ${p.progress.total.toLocaleString('en')}` : 'Running…';
    } else if (p.message) this.status.textContent = p.message;
    else {
      const nothing = p.outcomes.filter((o) => o.error === null && o.hits === 0).length;
      const errors = p.outcomes.filter((o) => o.error !== null).length;
      const ran = `${p.cancelled ? 'Cancelled after' : 'Ran'} ${p.outcomes.length.toLocaleString('en')} on ${p.cluster ?? 'the cluster'}`;
      this.status.textContent = p.outcomes.length === 0 && !p.cancelled ? 'Nothing to run: no record here has a DSL' : `${ran}: ${nothing} return nothing, ${errors} cluster error${errors === 1 ? '' : 's'}`;
    }
    this.detailRoot.dataset['state'] = p.running ? 'running' : p.message ? 'failed' : 'done';
    if (p.message && !p.running) this.detailOutput.textContent = p.message;
    else this.renderDetail();
    if (!p.running && !p.message && p.outcomes.length === 0) this.detailOutput.textContent = 'No DSL to run';
  }

  private renderDetail(): void {
    const o = this.selectedId ? this.outcomes.get(this.selectedId) : undefined;
    this.detailOutput.className = `cluster-outcome${o?.error ? ' error' : o?.hits === 0 ? ' nothing' : ''}`;
    this.detailOutput.textContent = !o ? '' : o.error !== null ? o.error : `${(o.hits ?? 0).toLocaleString('en')} hit${o.hits === 1 ? '' : 's'} · took ${o.tookMs ?? 0} ms`;
  }
}
