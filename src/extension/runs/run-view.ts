// The run view's host: one editor-area webview per run (live chart + predictions next to gold)
// and one for the comparison table. Every followed run's chart points are kept here, downsampled
// (RunSeries), whether or not its view is open, so a view opened mid-run starts with the history.
// Points from the follower are batched per run and posted at most every BATCH_MS.
import * as vscode from 'vscode';
import type { Context } from '../ctx';
import { terminalStatus, type RunnerEvent } from '../../core/remote/events';
import {
  CompareTable,
  Predictions,
  parseToRunHost,
  RunEvents,
  RunStatusMsg,
  RunViewInit,
  type ChartPoint,
  type CompareTableRow,
  type RunState,
  type ToRunViewMessage,
} from '../../shared/run-view-protocol';
import type { IpcMessage } from '../../shared/webview-protocol';
import { pointFromEvent, RunSeries } from '../../webview/run-view/series';
import type { PredictionsResult } from './predictions';
import { renderRunViewHtml } from './run-view-html';

export const RUN_VIEW_TYPE = 'distillery.runView';
const BATCH_MS = 100;

export interface RunRef {
  host: string;
  runId: string;
}

interface RunData {
  series: RunSeries;
  status: RunState;
  message: string | null;
  predictions?: { source: string; result: PredictionsResult };
  pending: ChartPoint[];
}

interface OpenView {
  panel: vscode.WebviewPanel;
  ready: boolean;
}

const keyOf = (ref: RunRef): string => `${ref.host}\0${ref.runId}`;

export class RunViews implements vscode.Disposable {
  private readonly runs = new Map<string, RunData>();
  private readonly views = new Map<string, OpenView>();
  private compareView: OpenView | undefined;
  private compareRows: CompareTableRow[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly ctx: Context,
    private readonly onRevealGold: (id: string) => void | Promise<void>,
    /** Runs a record's gold and prediction on the cluster and shows them side by side (the Elasticsearch feature's command). */
    private readonly onCompareResults: (pair: { id: string; goldText: string; predictedText: string }) => void | Promise<void> = () => undefined,
  ) {}

  private data(ref: RunRef): RunData {
    let d = this.runs.get(keyOf(ref));
    if (!d) this.runs.set(keyOf(ref), (d = { series: new RunSeries(), status: 'unknown', message: null, pending: [] }));
    return d;
  }

  /** Execution accuracy of the run's fetched predictions, when a cluster scored them. */
  execAccuracyOf(ref: RunRef): number | undefined {
    return this.runs.get(keyOf(ref))?.predictions?.result.summary.execAccuracy;
  }

  /** The follower starts reading from the first byte: drop what was kept. */
  reset(ref: RunRef): void {
    const d = this.data(ref);
    d.series = new RunSeries();
    d.pending = [];
    this.post(ref, RunEvents.make({ reset: true, points: [] }));
  }

  /** Every parsed event of a followed run passes through here. */
  onEvent(ref: RunRef, e: RunnerEvent): void {
    const d = this.data(ref);
    const point = pointFromEvent(e);
    if (point) {
      d.series.add(point);
      if (this.views.get(keyOf(ref))?.ready) {
        d.pending.push(point);
        this.timer ??= setTimeout(() => this.flush(), BATCH_MS);
      }
    }
    const end = terminalStatus(e);
    if (e.event === 'start' && d.status !== 'running') this.setStatus(ref, 'running', null);
    if (end) this.setStatus(ref, end, typeof e['message'] === 'string' ? e['message'].slice(0, 2000) : null);
  }

  setStatus(ref: RunRef, status: RunState, message: string | null): void {
    const d = this.data(ref);
    d.status = status;
    d.message = message;
    this.flush();
    this.post(ref, RunStatusMsg.make({ status, message }));
  }

  setPredictions(ref: RunRef, source: string, result: PredictionsResult): void {
    this.data(ref).predictions = { source, result };
    this.post(ref, this.predictionsMessage(source, result));
  }

  private predictionsMessage(source: string, r: PredictionsResult): ToRunViewMessage {
    return Predictions.make({ source: source.slice(0, 4000), summary: r.summary, rows: r.rows, truncated: r.truncated, ...(r.execCluster ? { execCluster: r.execCluster.slice(0, 400) } : {}) });
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const [key, d] of this.runs) {
      if (!d.pending.length) continue;
      const view = this.views.get(key);
      const points = d.pending.splice(0);
      if (view?.ready) void view.panel.webview.postMessage(RunEvents.make({ reset: false, points }));
    }
  }

  private post(ref: RunRef, message: ToRunViewMessage & IpcMessage): void {
    const view = this.views.get(keyOf(ref));
    if (view?.ready) void view.panel.webview.postMessage(message);
  }

  /** Opens (or brings forward) the view of one run. */
  show(ref: RunRef): void {
    const key = keyOf(ref);
    const open = this.views.get(key);
    if (open) {
      open.panel.reveal();
      return;
    }
    const panel = this.createPanel(`Run ${ref.runId}`);
    const view: OpenView = { panel, ready: false };
    this.views.set(key, view);
    panel.onDidDispose(() => this.views.delete(key));
    this.listen(view, ref, () => {
      const d = this.data(ref);
      d.pending = [];
      const messages: ToRunViewMessage[] = [
        RunViewInit.make({ mode: 'run', title: ref.runId, host: ref.host, runId: ref.runId }),
        RunEvents.make({ reset: true, points: d.series.snapshot() }),
        RunStatusMsg.make({ status: d.status, message: d.message }),
      ];
      if (d.predictions) messages.push(this.predictionsMessage(d.predictions.source, d.predictions.result));
      return messages;
    });
  }

  /** Opens (or brings forward) the comparison table with these rows. */
  showCompare(rows: CompareTableRow[]): void {
    this.compareRows = rows;
    if (this.compareView) {
      this.compareView.panel.reveal();
      if (this.compareView.ready) void this.compareView.panel.webview.postMessage(CompareTable.make({ rows }));
      return;
    }
    const view: OpenView = { panel: this.createPanel('Compare Runs Side by Side'), ready: false };
    this.compareView = view;
    view.panel.onDidDispose(() => (this.compareView = undefined));
    this.listen(view, undefined, () => [RunViewInit.make({ mode: 'compare', title: 'Compare runs', host: null, runId: null }), CompareTable.make({ rows: this.compareRows })]);
  }

  private createPanel(title: string): vscode.WebviewPanel {
    const root = this.ctx.extension.extensionUri;
    const panel = vscode.window.createWebviewPanel(RUN_VIEW_TYPE, title, vscode.ViewColumn.Active, {
      enableScripts: true,
      retainContextWhenHidden: false,
      localResourceRoots: [vscode.Uri.joinPath(root, 'dist'), vscode.Uri.joinPath(root, 'media')],
    });
    panel.iconPath = vscode.Uri.joinPath(root, 'media', 'distillery.svg');
    const webview = panel.webview;
    webview.html = renderRunViewHtml({
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(root, 'dist', 'run-view.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(root, 'media', 'run-view.css')).toString(),
    });
    return panel;
  }

  /** Validates every message; on `ready` (first load, or a reload after the tab was hidden) sends the state. */
  private listen(view: OpenView, ref: RunRef | undefined, initial: () => ToRunViewMessage[]): void {
    const sub = view.panel.webview.onDidReceiveMessage((raw: unknown) => {
      const parsed = parseToRunHost(raw);
      if (!parsed.ok) {
        this.ctx.log.warn(`run view: ignored a message (${parsed.reason})`);
        return;
      }
      const m = parsed.message;
      switch (m.method) {
        case 'ready':
          view.ready = true;
          for (const message of initial()) void view.panel.webview.postMessage(message);
          return;
        case 'revealGold':
          void Promise.resolve(this.onRevealGold(m.params.id)).catch((e: unknown) => this.ctx.fail('showing the gold record failed', e));
          return;
        case 'compareResults': {
          const row = ref && this.runs.get(keyOf(ref))?.predictions?.result.rows.find((r) => r.id === m.params.id);
          if (!row) {
            this.ctx.log.warn(`run view: no fetched prediction ${m.params.id} to compare`);
            return;
          }
          void Promise.resolve(this.onCompareResults({ id: row.id, goldText: row.goldText, predictedText: row.predictedText })).catch((e: unknown) => this.ctx.fail('comparing the results failed', e));
          return;
        }
        case 'log':
          this.ctx.log[m.params.level](`run view: ${m.params.message}`);
          return;
      }
    });
    view.panel.onDidDispose(() => sub.dispose());
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const v of this.views.values()) v.panel.dispose();
    this.compareView?.panel.dispose();
  }
}
