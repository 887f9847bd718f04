// `distillery-record:/<id>.querydsl` — one record's DSL as a real document, so "Open in editor"
// gets the language server (completion, hover, diagnostics, quick fixes). A FileSystemProvider
// makes saving natural: Ctrl+S writes the DSL back to the record (one undoable panel action).
import * as vscode from 'vscode';
import { RECORD_SCHEME } from '../features/language';
import type { PanelModel } from './model';
import { parseDslText } from './session';

export function recordUri(id: string): vscode.Uri {
  return vscode.Uri.from({ scheme: RECORD_SCHEME, path: `/${encodeURIComponent(id)}.querydsl` });
}

export function recordIdOf(uri: vscode.Uri): string | null {
  const m = /^\/(.+)\.querydsl$/.exec(uri.path);
  if (!m) return null;
  try {
    return decodeURIComponent(m[1]!);
  } catch {
    return null;
  }
}

export function dslDocumentText(dsl: Record<string, unknown> | null | undefined): string {
  return dsl ? `${JSON.stringify(dsl, null, 2)}\n` : '{\n  "query": {\n    "match_all": {}\n  }\n}\n';
}

export class RecordFileSystem implements vscode.FileSystemProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.emitter.event;
  /** Last content served per id; a change elsewhere that alters it bumps mtime and notifies. */
  private readonly served = new Map<string, { text: string; mtime: number }>();

  constructor(private readonly model: () => PanelModel | undefined) {}

  /** Called when records changed: documents whose record DSL changed are refreshed. */
  recordsChanged(): void {
    const model = this.model();
    const events: vscode.FileChangeEvent[] = [];
    for (const [id, last] of this.served) {
      const record = model?.store.get(id);
      if (!record) {
        this.served.delete(id);
        events.push({ type: vscode.FileChangeType.Deleted, uri: recordUri(id) });
        continue;
      }
      const text = dslDocumentText(record.dsl);
      if (text !== last.text) {
        this.served.set(id, { text, mtime: Math.max(Date.now(), last.mtime + 1) });
        events.push({ type: vscode.FileChangeType.Changed, uri: recordUri(id) });
      }
    }
    if (events.length) this.emitter.fire(events);
  }

  stat(uri: vscode.Uri): vscode.FileStat {
    const { id, text } = this.read(uri);
    const mtime = this.served.get(id)?.mtime ?? Date.now();
    return { type: vscode.FileType.File, ctime: 0, mtime, size: Buffer.byteLength(text) };
  }

  readFile(uri: vscode.Uri): Uint8Array {
    const { id, text } = this.read(uri);
    const last = this.served.get(id);
    if (!last || last.text !== text) this.served.set(id, { text, mtime: Math.max(Date.now(), (last?.mtime ?? 0) + 1) });
    return Buffer.from(text, 'utf8');
  }

  writeFile(uri: vscode.Uri, content: Uint8Array): void {
    const id = recordIdOf(uri);
    const model = this.model();
    if (!id || !model) throw vscode.FileSystemError.FileNotFound(uri);
    if (!model.store.get(id)) throw vscode.FileSystemError.FileNotFound(uri);
    if (model.store.isConflicted(id)) throw vscode.FileSystemError.NoPermissions(`record ${id} changed on disk too; resolve the conflict first (the panel asks)`);
    const text = Buffer.from(content).toString('utf8');
    const dsl = parseDslText(text);
    if (typeof dsl === 'string') {
      // The save error VS Code shows wraps our message in "Unable to write file …"; the JSON error
      // is what the user needs, so it is said on its own too. Not NoPermissions: nothing is denied.
      void vscode.window.showErrorMessage(`Distillery: ${id} was not saved: ${dsl}. Fix it (the Problems view points at it) and save again.`);
      throw new vscode.FileSystemError(`not saved to ${id}: ${dsl}`);
    }
    this.served.set(id, { text, mtime: Date.now() });
    model.edit(id, { dsl });
    // The record now holds the parsed DSL; serve its canonical pretty form from here on.
    this.served.set(id, { text: dslDocumentText(model.store.get(id)?.dsl), mtime: Date.now() });
  }

  watch(): vscode.Disposable {
    return new vscode.Disposable(() => undefined);
  }

  readDirectory(): [string, vscode.FileType][] {
    return [];
  }

  createDirectory(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  delete(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  rename(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  dispose(): void {
    this.emitter.dispose();
  }

  private read(uri: vscode.Uri): { id: string; text: string } {
    const id = recordIdOf(uri);
    const record = id ? this.model()?.store.get(id) : undefined;
    if (!id || !record) throw vscode.FileSystemError.FileNotFound(uri);
    return { id, text: dslDocumentText(record.dsl) };
  }
}
