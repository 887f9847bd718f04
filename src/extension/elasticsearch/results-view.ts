// The webview beside the editor that shows what the cluster returned for the last run. One view,
// reused: each run replaces its content. Strict CSP with a nonce (src/extension/panel/html.ts).
import * as vscode from 'vscode';
import { parseToQueryResultsHost, QueryResultsLog, QueryResultsRevealGold, ShowQueryResult, ShowResultComparison, type QueryResult, type ResultComparison } from '../../shared/query-results-protocol';
import type { Context } from '../ctx';
import { renderWebviewHtml } from '../panel/html';

export class QueryResultsView implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private ready = false;
  private last: ReturnType<typeof ShowQueryResult.make> | ReturnType<typeof ShowResultComparison.make> | undefined;

  constructor(private readonly ctx: Context) {}

  show(result: QueryResult): void {
    this.present(ShowQueryResult.make(result));
  }

  /** A mismatched record's gold and prediction side by side (from the run view). */
  showComparison(comparison: ResultComparison): void {
    this.present(ShowResultComparison.make(comparison));
  }

  private present(message: NonNullable<typeof this.last>): void {
    this.last = message;
    if (!this.panel) this.open();
    else if (!this.panel.visible) this.panel.reveal(vscode.ViewColumn.Beside, true);
    if (this.ready) void this.panel!.webview.postMessage(message);
  }

  private open(): void {
    const root = this.ctx.extension.extensionUri;
    const panel = vscode.window.createWebviewPanel('distillery.queryResults', 'Query Results', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(root, 'dist'), vscode.Uri.joinPath(root, 'media')],
    });
    this.panel = panel;
    this.ready = false;
    const webview = panel.webview;
    webview.html = renderWebviewHtml({
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(root, 'dist', 'query-results.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(root, 'media', 'query-results.css')).toString(),
      title: 'Query Results',
      appClass: 'query-results',
    });
    webview.onDidReceiveMessage((raw: unknown) => {
      const parsed = parseToQueryResultsHost(raw);
      if (!parsed.ok) {
        this.ctx.log.warn(`query results view: ${parsed.reason}`);
        return;
      }
      const m = parsed.message;
      if (QueryResultsLog.is(m)) this.ctx.log[m.params.level](`query results view: ${m.params.message}`);
      else if (QueryResultsRevealGold.is(m)) {
        void Promise.resolve(vscode.commands.executeCommand('distillery.revealRecord', m.params.id)).catch((e: unknown) => this.ctx.fail('showing the gold record failed', e));
      } else {
        this.ready = true;
        if (this.last) void webview.postMessage(this.last);
      }
    });
    panel.onDidDispose(() => {
      if (this.panel === panel) this.panel = undefined;
    });
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
