// Completion for the panel's DSL editor: the language server's own provider (src/server/completion.ts,
// built on the engine's completionContext), run on the text being edited, so the panel offers
// exactly what an editor tab offers. LSP items are turned into the panel protocol's items: offsets
// instead of line/character, and snippets in CodeMirror's `${n:placeholder}` syntax.
import { CompletionItemKind, InsertTextFormat, type CompletionItem } from 'vscode-languageserver';
import { mappedFields, type ValidateOptions } from '../../core/dsl';
import { complete } from '../../server/completion';
import { QueryDslDocument } from '../../server/documents';
import type { DocumentSettings } from '../../server/settings';
import type { PanelCompletionList } from '../../shared/webview-protocol';

export type PanelCompletions = PanelCompletionList;
type PanelItem = PanelCompletions['items'][number];

const MAX_ITEMS = 2000;

export function completionSettings(options: ValidateOptions): DocumentSettings {
  return { options, fields: options.mapping ? mappedFields(options.mapping) : [] };
}

export function completeDsl(text: string, offset: number, settings: DocumentSettings): PanelCompletions {
  const doc = new QueryDslDocument('distillery-panel:/dsl.querydsl', 1, text);
  const at = Math.max(0, Math.min(offset, text.length));
  const list = complete(doc, doc.textDocument.positionAt(at), settings);
  let from = at;
  let to = at;
  const items: PanelItem[] = [];
  for (const item of list.items.slice(0, MAX_ITEMS)) {
    const edit = item.textEdit && 'range' in item.textEdit ? item.textEdit : undefined;
    if (edit) {
      // Every item of one answer replaces the same span (the key or value under the cursor).
      from = doc.textDocument.offsetAt(edit.range.start);
      to = doc.textDocument.offsetAt(edit.range.end);
    }
    const newText = edit?.newText ?? item.insertText ?? item.label;
    const snippet = item.insertTextFormat === InsertTextFormat.Snippet;
    items.push({
      label: item.label.slice(0, 400),
      detail: item.detail?.slice(0, 400) ?? null,
      info: documentation(item)?.slice(0, 4000) ?? null,
      kind: kindOf(item.kind),
      apply: (snippet ? toCodeMirrorSnippet(newText) : newText).slice(0, 4000),
      snippet,
      deprecated: (item.tags?.length ?? 0) > 0,
    });
  }
  return { from, to, items };
}

function documentation(item: CompletionItem): string | undefined {
  const d = item.documentation;
  return typeof d === 'string' ? d : d?.value;
}

function kindOf(kind: CompletionItemKind | undefined): PanelItem['kind'] {
  switch (kind) {
    case CompletionItemKind.Function:
      return 'query';
    case CompletionItemKind.Class:
      return 'aggregation';
    case CompletionItemKind.Keyword:
      return 'keyword';
    case CompletionItemKind.Field:
      return 'field';
    case CompletionItemKind.EnumMember:
    case CompletionItemKind.Constant:
      return 'value';
    default:
      return 'property';
  }
}

/**
 * LSP snippet syntax → CodeMirror's: `$1` → `${1}`, `${1|a,b|}` → `${1:a}` (CodeMirror has no
 * choice lists; the first choice is the placeholder), `\$` and `\}` → literal characters.
 * Braces that are not part of a placeholder stay literal in both syntaxes.
 */
export function toCodeMirrorSnippet(lsp: string): string {
  let out = '';
  for (let i = 0; i < lsp.length; ) {
    const rest = lsp.slice(i);
    const escaped = /^\\([$}\\])/.exec(rest);
    if (escaped) {
      out += escaped[1] === '}' ? '\\}' : escaped[1];
      i += 2;
      continue;
    }
    const simple = /^\$(\d+)/.exec(rest);
    if (simple) {
      out += `\${${simple[1]}}`;
      i += simple[0].length;
      continue;
    }
    const choice = /^\$\{(\d+)\|([^,|]*)[^|]*\|\}/.exec(rest);
    if (choice) {
      out += `\${${choice[1]}:${choice[2]}}`;
      i += choice[0].length;
      continue;
    }
    const placeholder = /^\$\{(\d+):([^{}]*)\}/.exec(rest);
    if (placeholder) {
      out += placeholder[0];
      i += placeholder[0].length;
      continue;
    }
    // A `#{` would start a CodeMirror field; escape its brace.
    if (rest.startsWith('#{')) {
      out += '#\\{';
      i += 2;
      continue;
    }
    out += lsp[i];
    i++;
  }
  return out;
}
