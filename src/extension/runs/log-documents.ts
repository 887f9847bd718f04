// Read-only log documents (scheme distillery-run, language distillery-log) that grow as a
// followed run's lines arrive. One document per host + run id. By default each event is shown as
// a Trainer-console line (log-format.ts); "Toggle Raw Events" shows the lines exactly as the
// runner wrote them (events.jsonl on the host keeps them too). Notes Distillery adds (why a run
// failed, the stderr tail) appear in both. Changes are batched per 100 ms so a fast run does not
// flood the editor with change events.
import * as vscode from 'vscode';
import type { RunnerEvent } from '../../core/remote/events';
import { formatEvent, type RunContext } from './log-format';

export const LOG_SCHEME = 'distillery-run';

export function runLogUri(host: string, runId: string): vscode.Uri {
  return vscode.Uri.from({ scheme: LOG_SCHEME, path: `/${encodeURIComponent(runId)}.log`, query: new URLSearchParams({ host, runId }).toString() });
}

interface LogLine {
  raw: string;
  event?: RunnerEvent;
  /** A line Distillery added (not from the runner): shown the same in both views. */
  note?: boolean;
}

interface LogState {
  lines: LogLine[];
  context: RunContext;
}

export class RunLogDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly logs = new Map<string, LogState>();
  private readonly raw = new Set<string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  private readonly pending = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  readonly onDidChange = this.changed.event;

  private state(uri: vscode.Uri): LogState {
    const key = uri.toString();
    let s = this.logs.get(key);
    if (!s) this.logs.set(key, (s = { lines: [], context: {} }));
    return s;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const s = this.logs.get(uri.toString());
    if (!s) return '';
    const raw = this.raw.has(uri.toString());
    return s.lines.map((l) => (l.event && !raw ? formatEvent(l.event, s.context) : l.raw) + '\n').join('');
  }

  isRaw(uri: vscode.Uri): boolean {
    return this.raw.has(uri.toString());
  }

  /** Switches one log between the console view and the raw event lines. */
  toggleRaw(uri: vscode.Uri): boolean {
    const key = uri.toString();
    if (this.raw.has(key)) this.raw.delete(key);
    else this.raw.add(key);
    this.schedule(uri);
    return this.raw.has(key);
  }

  reset(uri: vscode.Uri, context: RunContext = {}): void {
    this.logs.set(uri.toString(), { lines: [], context });
    this.schedule(uri);
  }

  context(uri: vscode.Uri): RunContext {
    return this.state(uri).context;
  }

  setContext(uri: vscode.Uri, context: RunContext): void {
    this.state(uri).context = context;
    this.schedule(uri);
  }

  append(uri: vscode.Uri, line: string, event?: RunnerEvent): void {
    this.state(uri).lines.push(event ? { raw: line, event } : { raw: line });
    this.schedule(uri);
  }

  /** Adds Distillery's own lines (a failure's reason, the stderr tail). */
  note(uri: vscode.Uri, lines: string[]): void {
    const s = this.state(uri);
    // A blank line separates the note from the runner's lines, when there are any.
    const body = s.lines.length ? lines : lines.slice(lines[0] === '' ? 1 : 0);
    s.lines.push(...body.map((raw) => ({ raw, note: true })));
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
