// Reports (Check GPU Host, Compare Runs, Recommend Training Modality) as read-only virtual
// Markdown documents (scheme distillery-report): nothing asks to be saved on close, a second run
// of the command replaces the text of the same tab, and the rendered preview opens beside it.
import * as vscode from 'vscode';

export const REPORT_SCHEME = 'distillery-report';

export class ReportDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  static uri(name: string): vscode.Uri {
    // The name is the tab title: a "/" (as in google/flan-t5-large) would make it a folder.
    return vscode.Uri.from({ scheme: REPORT_SCHEME, path: `/${name.replace(/[\\/]/g, '\u2215')}.md` });
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '';
  }

  /** Sets the report's text and shows it (Markdown, read-only). */
  async show(name: string, markdown: string): Promise<vscode.Uri> {
    const uri = ReportDocuments.uri(name);
    this.texts.set(uri.toString(), markdown);
    this.changed.fire(uri);
    const doc = await vscode.workspace.openTextDocument(uri);
    if (doc.languageId !== 'markdown') await vscode.languages.setTextDocumentLanguage(doc, 'markdown');
    await vscode.window.showTextDocument(doc, { preview: false });
    return uri;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
