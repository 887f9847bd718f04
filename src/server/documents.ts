// The open documents. A querydsl document is one request body, held as a TextDocument. A dataset
// is held as an array of lines with a parallel array of per-line validation results: an edit
// splices both, so the results of untouched lines shift with their lines and only the lines the
// edit produced are left without a result. Nothing here validates; see validation.ts.
//
// A line's result is kept compactly (issue 13: a dataset with 1.66 M problems held 4.1 GB of
// diagnostics): only the lines whose problems fall within the published window (the first
// MAX_PUBLISHED problems of the file) keep their diagnostics; every other line keeps only its
// problem count, and its diagnostics are computed again if an edit moves it into the window.
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Diagnostic, TextDocumentContentChangeEvent } from 'vscode-languageserver';
import type { DocumentSettings } from './settings';

export const QUERYDSL = 'querydsl';
export const DATASET = 'distillery-dataset';

const EOL = /\r\n|\r|\n/;

/**
 * The result of one dataset line: its diagnostics (ranges on line 0, shifted to the line when
 * published), or only how many problems it has when its diagnostics are not kept. A count is a
 * small integer, stored in the results array without an allocation.
 */
export type LineResult = readonly Diagnostic[] | number;

export const CLEAN_LINE: LineResult = 0;

export function problemCount(result: LineResult): number {
  return typeof result === 'number' ? result : result.length;
}

/** Work counters, reported through distillery/documentStats. */
export interface PassCounters {
  passes: number;
  lastPassValidated: number;
  lastPassReused: number;
  totalValidated: number;
  diagnostics: number;
  lastPassMs: number;
  /** Version the last finished pass validated. */
  validatedVersion: number | null;
}

abstract class OpenDocumentBase {
  readonly counters: PassCounters = { passes: 0, lastPassValidated: 0, lastPassReused: 0, totalValidated: 0, diagnostics: 0, lastPassMs: 0, validatedVersion: null };
  /** Settings the current results were computed with; results are dropped when they change. */
  settings: DocumentSettings | undefined;
  /** Last published diagnostics, for code actions that arrive without them. */
  published: readonly Diagnostic[] = [];

  constructor(
    readonly uri: string,
    readonly languageId: string,
    public version: number,
  ) {}

  abstract get lineCount(): number;
  /** The text of line `line` without its end-of-line characters ('' past the end). */
  abstract lineText(line: number): string;
  abstract applyChanges(changes: readonly TextDocumentContentChangeEvent[], version: number): void;
}

export class QueryDslDocument extends OpenDocumentBase {
  private doc: TextDocument;

  constructor(uri: string, version: number, text: string) {
    super(uri, QUERYDSL, version);
    this.doc = TextDocument.create(uri, QUERYDSL, version, text);
  }

  get text(): string {
    return this.doc.getText();
  }

  get textDocument(): TextDocument {
    return this.doc;
  }

  get lineCount(): number {
    return this.doc.lineCount;
  }

  lineText(line: number): string {
    return this.doc.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } }).replace(/\r?\n$|\r$/, '');
  }

  applyChanges(changes: readonly TextDocumentContentChangeEvent[], version: number): void {
    this.doc = TextDocument.update(this.doc, [...changes], version);
    this.version = version;
  }
}

export class DatasetDocument extends OpenDocumentBase {
  lines: string[];
  /** results[i] belongs to lines[i]; undefined means "not validated with the current settings". */
  results: (LineResult | undefined)[];
  /**
   * Problem counts by line text, so lines that move (cut and paste, undo of a deletion, a
   * whole-text replacement) are not validated again. Counts only, so it never holds diagnostics:
   * a moved line with problems is validated again only if it lands in the published window.
   * Bounded: rebuilt from the live lines when it outgrows them.
   */
  byText = new Map<string, number>();

  constructor(uri: string, version: number, text: string) {
    super(uri, DATASET, version);
    this.lines = text.split(EOL);
    this.results = new Array<LineResult | undefined>(this.lines.length).fill(undefined);
  }

  get lineCount(): number {
    return this.lines.length;
  }

  lineText(line: number): string {
    return this.lines[line] ?? '';
  }

  get text(): string {
    return this.lines.join('\n');
  }

  applyChanges(changes: readonly TextDocumentContentChangeEvent[], version: number): void {
    for (const change of changes) {
      if ('range' in change) this.applyRangeChange(change.range, change.text);
      else this.replaceAll(change.text);
    }
    this.version = version;
  }

  /** Drops every result, e.g. after the settings changed. */
  invalidate(): void {
    this.results.fill(undefined);
    this.byText.clear();
  }

  remember(text: string, result: LineResult): void {
    if (this.byText.size > 2 * this.lines.length + 1024) this.compactCache();
    this.byText.set(text, problemCount(result));
  }

  private compactCache(): void {
    const next = new Map<string, number>();
    for (let i = 0; i < this.lines.length; i++) {
      const r = this.results[i];
      if (r !== undefined) next.set(this.lines[i] as string, problemCount(r));
    }
    this.byText = next;
  }

  private applyRangeChange(range: { start: { line: number; character: number }; end: { line: number; character: number } }, text: string): void {
    const last = this.lines.length - 1;
    const startLine = Math.min(Math.max(range.start.line, 0), last);
    const endLine = Math.min(Math.max(range.end.line, startLine), last);
    const head = (this.lines[startLine] as string).slice(0, range.start.line > last ? undefined : range.start.character);
    const tail = range.end.line > last ? '' : (this.lines[endLine] as string).slice(range.end.character);
    const replacement = (head + text + tail).split(EOL);
    splice(this.lines, startLine, endLine - startLine + 1, replacement);
    splice(this.results, startLine, endLine - startLine + 1, new Array<LineResult | undefined>(replacement.length).fill(undefined));
  }

  private replaceAll(text: string): void {
    for (let i = 0; i < this.lines.length; i++) {
      const r = this.results[i];
      if (r !== undefined) this.byText.set(this.lines[i] as string, problemCount(r));
    }
    this.lines = text.split(EOL);
    this.results = new Array<LineResult | undefined>(this.lines.length).fill(undefined);
  }
}

export type OpenDocument = QueryDslDocument | DatasetDocument;

export function createDocument(uri: string, languageId: string, version: number, text: string): OpenDocument | undefined {
  if (languageId === QUERYDSL) return new QueryDslDocument(uri, version, text);
  if (languageId === DATASET) return new DatasetDocument(uri, version, text);
  return undefined;
}

/** Array.prototype.splice without spreading `items` into arguments (a pasted 200k-line block would overflow the stack). */
function splice<T>(array: T[], start: number, deleteCount: number, items: T[]): void {
  if (items.length < 10_000) {
    array.splice(start, deleteCount, ...items);
    return;
  }
  const tail = array.slice(start + deleteCount);
  array.length = start;
  for (const item of items) array.push(item);
  for (const item of tail) array.push(item);
}
