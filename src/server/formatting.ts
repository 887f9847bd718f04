// Formatting. A querydsl body is formatted by jsonc-parser with the editor's indentation. A
// dataset keeps one record per line and is never re-spaced or re-ordered (unknown keys and number
// spellings are preserved byte for byte): formatting only joins a record that was pasted across
// several lines back into one line, and trims trailing whitespace.
import { createScanner, format } from 'jsonc-parser';
import type { FormattingOptions, Range, TextEdit } from 'vscode-languageserver';
import type { DatasetDocument, QueryDslDocument } from './documents';

// jsonc-parser's SyntaxKind is a const enum, which isolatedModules cannot read; its values are stable.
const Token = { OpenBrace: 1, CloseBrace: 2, OpenBracket: 3, CloseBracket: 4, Unknown: 16, EOF: 17 } as const;

/** A record spread over more lines than this is left alone: it is more likely broken than pasted. */
const MAX_RECORD_LINES = 5000;

/**
 * Limits for formatting a querydsl body: each level adds indentation to every line inside it, so
 * a 200 KB body nested 3,000 deep became a 164 MB edit (and 10,000 deep took the server down).
 * Real request bodies stay far below both.
 */
export const MAX_FORMAT_DEPTH = 100;
export const MAX_FORMAT_CHARS = 5_000_000;

/** Why this text is not formatted (too deep or too big), or undefined; one iterative scan. */
export function formattingRefusal(text: string): string | undefined {
  if (text.length > MAX_FORMAT_CHARS) return `Not formatted: the document is larger than ${MAX_FORMAT_CHARS / 1_000_000} MB.`;
  const scanner = createScanner(text, true);
  let depth = 0;
  for (let kind = scanner.scan(); kind !== Token.EOF; kind = scanner.scan()) {
    if (kind === Token.OpenBrace || kind === Token.OpenBracket) {
      if (++depth > MAX_FORMAT_DEPTH) return `Not formatted: the document nests deeper than ${MAX_FORMAT_DEPTH} levels (the formatted text would grow with the square of the depth).`;
    } else if (kind === Token.CloseBrace || kind === Token.CloseBracket) depth--;
  }
  return undefined;
}

export function formatQueryDsl(doc: QueryDslDocument, options: FormattingOptions, range?: Range): TextEdit[] {
  const document = doc.textDocument;
  const text = document.getText();
  const jsonRange = range ? { offset: document.offsetAt(range.start), length: document.offsetAt(range.end) - document.offsetAt(range.start) } : undefined;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const edits = format(text, jsonRange, {
    tabSize: options.tabSize,
    insertSpaces: options.insertSpaces,
    eol,
    insertFinalNewline: options.insertFinalNewline ?? false,
  });
  return edits.map((e) => ({ range: { start: document.positionAt(e.offset), end: document.positionAt(e.offset + e.length) }, newText: e.content }));
}

export function formatDataset(doc: DatasetDocument, range?: Range): TextEdit[] {
  const edits: TextEdit[] = [];
  const first = range ? range.start.line : 0;
  const last = range ? Math.min(range.end.line, doc.lineCount - 1) : doc.lineCount - 1;
  for (let line = first; line <= last; line++) {
    const text = doc.lineText(line);
    const depth = bracketDepth(text);
    if (depth > 0 && text.trimStart().startsWith('{')) {
      const end = recordEnd(doc, line, depth);
      if (end !== undefined) {
        const joined = compactLines(doc, line, end);
        if (joined !== undefined) {
          edits.push({ range: { start: { line, character: 0 }, end: { line: end, character: doc.lineText(end).length } }, newText: joined });
          line = end;
          continue;
        }
      }
    }
    const trimmed = text.trimEnd();
    if (trimmed.length < text.length) {
      edits.push({ range: { start: { line, character: trimmed.length }, end: { line, character: text.length } }, newText: '' });
    }
  }
  return edits;
}

/** Net count of open brackets on a line; JSON strings cannot span lines, so lines scan alone. */
function bracketDepth(text: string): number {
  const scanner = createScanner(text, true);
  let depth = 0;
  for (let kind = scanner.scan(); kind !== Token.EOF; kind = scanner.scan()) {
    if (kind === Token.OpenBrace || kind === Token.OpenBracket) depth++;
    else if (kind === Token.CloseBrace || kind === Token.CloseBracket) depth--;
  }
  return depth;
}

function recordEnd(doc: DatasetDocument, start: number, depth: number): number | undefined {
  let open = depth;
  const stop = Math.min(doc.lineCount - 1, start + MAX_RECORD_LINES);
  for (let line = start + 1; line <= stop; line++) {
    open += bracketDepth(doc.lineText(line));
    if (open === 0) return line;
    if (open < 0) return undefined;
  }
  return undefined;
}

/** The lines' tokens without whitespace between them, if together they are one JSON value. */
function compactLines(doc: DatasetDocument, start: number, end: number): string | undefined {
  let out = '';
  for (let line = start; line <= end; line++) {
    const text = doc.lineText(line);
    const scanner = createScanner(text, true);
    for (let kind = scanner.scan(); kind !== Token.EOF; kind = scanner.scan()) {
      if (kind === Token.Unknown) return undefined;
      const offset = scanner.getTokenOffset();
      out += text.slice(offset, offset + scanner.getTokenLength());
    }
  }
  try {
    JSON.parse(out);
  } catch {
    return undefined;
  }
  return out;
}
