// Workspace folders as the client reports them: the folder of a document decides where a relative
// mapping path and distillery.json are looked up.
import { fileURLToPath } from 'node:url';
import type { WorkspaceFolder } from 'vscode-languageserver';

export class WorkspaceFolders {
  private folders: { uri: string; path: string }[] = [];

  set(folders: readonly WorkspaceFolder[] | null | undefined, rootUri?: string | null): void {
    const list = folders && folders.length > 0 ? folders.map((f) => f.uri) : rootUri ? [rootUri] : [];
    this.folders = list.filter((u) => u.startsWith('file:')).map((uri) => ({ uri: uri.replace(/\/$/, ''), path: fileURLToPath(uri) }));
  }

  change(added: readonly WorkspaceFolder[], removed: readonly WorkspaceFolder[]): void {
    const gone = new Set(removed.map((f) => f.uri.replace(/\/$/, '')));
    const kept = this.folders.filter((f) => !gone.has(f.uri)).map((f) => ({ uri: f.uri, name: '' }));
    this.set([...kept, ...added]);
  }

  /**
   * The file-system path of the innermost folder holding `uri`. Documents outside every folder,
   * and virtual ones such as `distillery-record:` records, belong to the first folder.
   */
  folderFor(uri: string): string | undefined {
    let best: { uri: string; path: string } | undefined;
    for (const f of this.folders) {
      if (uri.startsWith(`${f.uri}/`) && (!best || f.uri.length > best.uri.length)) best = f;
    }
    return (best ?? this.folders[0])?.path;
  }
}
