// Quick fixes for the engine's "did you mean" suggestions: each diagnostic that carries a fix in
// its `data` gets one preferred action replacing the key or value with the suggestion, and
// `source.fixAll.distillery` applies every such fix in the document at once.
import { CodeActionKind, type CodeAction, type CodeActionParams, type Diagnostic, type TextEdit } from 'vscode-languageserver';
import { DatasetDocument, type OpenDocument } from './documents';
import { DIAGNOSTIC_SOURCE, fixOf } from './validation';

export const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.distillery`;

export function codeActions(doc: OpenDocument, params: CodeActionParams): CodeAction[] {
  const only = params.context.only;
  const wants = (kind: string): boolean => !only || only.some((o) => kind === o || kind.startsWith(`${o}.`));
  const actions: CodeAction[] = [];
  if (wants(CodeActionKind.QuickFix)) {
    for (const diagnostic of params.context.diagnostics) {
      const edit = fixEdit(doc, diagnostic);
      if (!edit) continue;
      actions.push({
        title: `Change to "${fixOf(diagnostic)?.replacement ?? ''}"`,
        kind: CodeActionKind.QuickFix,
        diagnostics: [diagnostic],
        isPreferred: true,
        edit: { changes: { [doc.uri]: [edit] } },
      });
    }
  }
  if (wants(FIX_ALL_KIND) && only) {
    const edits = doc.published.map((d) => fixEdit(doc, d)).filter((e): e is TextEdit => e !== undefined);
    if (edits.length > 0) {
      actions.push({ title: 'Apply every Distillery "did you mean" fix', kind: FIX_ALL_KIND, edit: { changes: { [doc.uri]: edits } } });
    }
  }
  return actions;
}

/** The replacement for a fixable diagnostic, quoted like the text it replaces. */
export function fixEdit(doc: OpenDocument, diagnostic: Diagnostic): TextEdit | undefined {
  if (diagnostic.source !== DIAGNOSTIC_SOURCE) return undefined;
  const fix = fixOf(diagnostic);
  if (!fix) return undefined;
  const current = textAt(doc, diagnostic);
  const quoted = current.startsWith('"') && !fix.replacement.startsWith('"');
  const newText = quoted ? JSON.stringify(fix.replacement) : fix.replacement;
  if (newText === current) return undefined;
  return { range: diagnostic.range, newText };
}

function textAt(doc: OpenDocument, diagnostic: Diagnostic): string {
  const { start, end } = diagnostic.range;
  if (doc instanceof DatasetDocument) {
    if (start.line !== end.line) return '';
    return doc.lineText(start.line).slice(start.character, end.character);
  }
  return doc.textDocument.getText(diagnostic.range);
}
