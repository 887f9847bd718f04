// The context object (STYLE.md, after rust-analyzer's ctx.ts): owns the log channel, the status
// bar item, the language client and every disposable. Features receive it; nothing else is global.
import * as vscode from 'vscode';
import { renderStatus, type StatusState } from './status';

export type CommandHandler = (...args: unknown[]) => unknown;

/** A feature contributes command handlers (ids must be declared in package.json) and optional wiring. */
export interface Feature {
  readonly commands: Record<string, CommandHandler>;
  activate?(): void | Promise<void>;
}

export class Context implements vscode.Disposable {
  readonly log: vscode.LogOutputChannel;
  private readonly statusItem: vscode.StatusBarItem;
  private state: StatusState = { server: 'starting' };
  private readonly disposables: vscode.Disposable[] = [];

  constructor(readonly extension: vscode.ExtensionContext) {
    this.log = vscode.window.createOutputChannel('Distillery', { log: true });
    this.statusItem = vscode.window.createStatusBarItem('distillery.status', vscode.StatusBarAlignment.Left, 10);
    this.statusItem.name = 'Distillery';
    this.push(this.log, this.statusItem);
    renderStatus(this.statusItem, this.state);
  }

  get status(): Readonly<StatusState> {
    return this.state;
  }

  /** Replaces part of the status state and re-renders the single status bar item. */
  setStatus(patch: Partial<StatusState>): void {
    this.state = { ...this.state, ...patch };
    renderStatus(this.statusItem, this.state);
  }

  push(...items: vscode.Disposable[]): void {
    this.disposables.push(...items);
  }

  /** The folder holding distillery.json, else the first workspace folder. */
  get workspaceRoot(): vscode.Uri | undefined {
    return vscode.workspace.workspaceFolders?.[0]?.uri;
  }

  /** Shows an error the user can act on, writes it to the log, and returns it for rethrowing. */
  fail(message: string, error?: unknown): Error {
    const detail = error instanceof Error ? error.message : error === undefined ? '' : String(error);
    const full = detail ? `${message}: ${detail}` : message;
    this.log.error(full);
    if (error instanceof Error && error.stack) this.log.debug(error.stack);
    void vscode.window.showErrorMessage(`Distillery: ${full}`, 'Show Log').then((choice) => {
      if (choice) this.log.show();
    });
    return error instanceof Error ? error : new Error(full);
  }

  dispose(): void {
    for (const d of this.disposables.splice(0).reverse()) {
      try {
        d.dispose();
      } catch (e) {
        console.error('Distillery: dispose failed', e);
      }
    }
  }
}
