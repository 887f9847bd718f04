// Read-only log documents (scheme distillery-run, language distillery-log) that grow as a
// followed run's lines arrive. One document per host + run id; changes are batched per 100 ms so
// a fast run does not flood the editor with change events.
import * as vscode from 'vscode';

export const LOG_SCHEME = 'distillery-run';

export function runLogUri(host: string, runId: string): vscode.Uri {
  return vscode.Uri.from({ scheme: LOG_SCHEME, path: `/${encodeURIComponent(runId)}.log`, query: new URLSearchParams({ host, runId }).toString() });
}

export class RunLogDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly texts = new Map<string, string[]>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  private readonly pending = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  readonly onDidChange = this.changed.event;

  provideTextDocumentContent(uri: vscode.Uri): string {
    return (this.texts.get(uri.toString()) ?? []).join('');
  }

  reset(uri: vscode.Uri): void {
    this.texts.set(uri.toString(), []);
    this.schedule(uri);
  }

  append(uri: vscode.Uri, line: string): void {
    const key = uri.toString();
    let lines = this.texts.get(key);
    if (!lines) this.texts.set(key, (lines = []));
    lines.push(line + '\n');
    this.schedule(uri);
  }

  private schedule(uri: vscode.Uri): void {
    this.pending.add(uri.toString());
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      for (const key of this.pending) this.changed.fire(vscode.Uri.parse(key));
      this.pending.clear();
    }, 100);
  }

  async show(uri: vscode.Uri): Promise<void> {
    const doc = await vscode.workspace.openTextDocument(uri);
    if (doc.languageId !== 'distillery-log') await vscode.languages.setTextDocumentLanguage(doc, 'distillery-log');
    await vscode.window.showTextDocument(doc, { preview: false, preserveFocus: true });
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.changed.dispose();
  }
}
