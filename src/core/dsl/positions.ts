// Text in, positioned problems out. JSON.parse does the parsing (fast, and iterative for deep
// documents); a scanner runs only over documents that have problems, to turn JSON pointers into
// ranges (our strict-JSON one, jsonc-parser's for text with comments). Both are flat token loops,
// so 10,000-level nesting is safe here too.
import { createScanner, parse as parseJsonc, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { recordShapeProblems } from './record-shape';
import { escapePointerSegment, KEY_TARGETED, validateBodyAt } from './validator';
import type { DslProblem, PositionedProblem, Range, ValidateOptions } from './types';

// jsonc-parser's SyntaxKind is an ambient const enum, which isolatedModules cannot read.
const SyntaxKind = {
  OpenBraceToken: 1, CloseBraceToken: 2, OpenBracketToken: 3, CloseBracketToken: 4, CommaToken: 5, ColonToken: 6,
  NullKeyword: 7, TrueKeyword: 8, FalseKeyword: 9, StringLiteral: 10, NumericLiteral: 11, EOF: 17,
} as const;

export interface Spans {
  keyStart?: number;
  keyEnd?: number;
  valueStart?: number;
  valueEnd?: number;
  container?: boolean;
}

/**
 * Finds the key and value offsets of each wanted pointer in one pass over the tokens. With
 * `targets` (a subset of `wanted`), the scan stops once each target's value has ended: later
 * tokens cannot change a span (the first occurrence wins), and ancestors are only a fallback for
 * a target that is never found.
 */
export function locatePointers(text: string, wanted: ReadonlySet<string>, targets?: ReadonlySet<string>): Map<string, Spans> {
  // Strict JSON (all that JSON.parse accepted) takes the fast scanner; anything else (a comment, a
  // trailing comma in an editor buffer) is scanned again by jsonc-parser's.
  try {
    return locateWith(new StrictJsonScanner(text), wanted, targets);
  } catch (e) {
    if (e !== NOT_STRICT_JSON) throw e;
    return locatePointersJsonc(text, wanted, targets);
  }
}

/** locatePointers with jsonc-parser's scanner only: the reference the fast one is tested against. */
export function locatePointersJsonc(text: string, wanted: ReadonlySet<string>, targets?: ReadonlySet<string>): Map<string, Spans> {
  return locateWith(createScanner(text, true), wanted, targets);
}

/** The part of jsonc-parser's scanner that locateWith uses. */
interface TokenScanner {
  scan(): number;
  getTokenOffset(): number;
  getTokenLength(): number;
  getTokenValue(): string;
}

const NOT_STRICT_JSON = new Error('not strict JSON');

/**
 * A tokenizer for strict JSON, several times faster than jsonc-parser's on dataset lines: string
 * tokens are skipped with indexOf and decoded only when their value is asked for (a key on the way
 * to a problem). Anything strict JSON does not allow throws NOT_STRICT_JSON.
 */
class StrictJsonScanner implements TokenScanner {
  private offset = 0;
  private end = 0;
  constructor(private readonly text: string) {}
  scan(): number {
    const text = this.text;
    let i = this.end;
    let c = text.charCodeAt(i);
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = text.charCodeAt(++i);
    this.offset = i;
    if (i >= text.length) {
      this.end = i;
      return SyntaxKind.EOF;
    }
    this.end = i + 1;
    switch (c) {
      case 0x7b: return SyntaxKind.OpenBraceToken;
      case 0x7d: return SyntaxKind.CloseBraceToken;
      case 0x5b: return SyntaxKind.OpenBracketToken;
      case 0x5d: return SyntaxKind.CloseBracketToken;
      case 0x2c: return SyntaxKind.CommaToken;
      case 0x3a: return SyntaxKind.ColonToken;
      case 0x22: {
        for (let from = i + 1; ;) {
          const quote = text.indexOf('"', from);
          if (quote === -1) throw NOT_STRICT_JSON;
          let backslashes = 0;
          while (text.charCodeAt(quote - 1 - backslashes) === 0x5c) backslashes++;
          if (backslashes % 2 === 0) {
            this.end = quote + 1;
            return SyntaxKind.StringLiteral;
          }
          from = quote + 1;
        }
      }
      default: {
        // A number or a literal: its characters run to the next delimiter.
        let j = i + 1;
        for (let d = text.charCodeAt(j); (d >= 0x30 && d <= 0x39) || (d >= 0x61 && d <= 0x7a) || d === 0x2e || d === 0x2b || d === 0x2d || d === 0x45; d = text.charCodeAt(++j));
        this.end = j;
        const word = text.slice(i, j);
        if (word === 'true') return SyntaxKind.TrueKeyword;
        if (word === 'false') return SyntaxKind.FalseKeyword;
        if (word === 'null') return SyntaxKind.NullKeyword;
        if ((c === 0x2d || (c >= 0x30 && c <= 0x39)) && NUMBER.test(word)) return SyntaxKind.NumericLiteral;
        throw NOT_STRICT_JSON;
      }
    }
  }
  getTokenOffset(): number {
    return this.offset;
  }
  getTokenLength(): number {
    return this.end - this.offset;
  }
  /** A string token's value (what jsonc-parser's scanner gives: the text without quotes, unescaped). */
  getTokenValue(): string {
    const inner = this.text.slice(this.offset + 1, this.end - 1);
    if (!inner.includes('\\')) return inner;
    try {
      return JSON.parse(this.text.slice(this.offset, this.end)) as string;
    } catch {
      throw NOT_STRICT_JSON;
    }
  }
}
const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

function locateWith(scanner: TokenScanner, wanted: ReadonlySet<string>, targets?: ReadonlySet<string>): Map<string, Spans> {
  const found = new Map<string, Spans>();
  let unfinished = targets?.size ?? -1;
  const ended = (ptr: string): void => {
    if (targets !== undefined && targets.has(ptr)) unfinished--;
  };
  const spans = (ptr: string): Spans | undefined => {
    if (!wanted.has(ptr)) return undefined;
    let s = found.get(ptr);
    if (s === undefined) found.set(ptr, (s = {}));
    return s;
  };
  // A frame's ptr is undefined when no wanted pointer lies inside it (wanted holds every ancestor
  // of each problem's pointer), so the pointers of its members are never built.
  const stack: { isArray: boolean; ptr: string | undefined; index: number; key: string }[] = [];
  let expectKey = false;
  const valuePointer = (): string | undefined => {
    const top = stack[stack.length - 1];
    if (top === undefined) return '';
    if (top.ptr === undefined) return undefined;
    return top.isArray ? `${top.ptr}/${top.index}` : `${top.ptr}/${escapePointerSegment(top.key)}`;
  };
  for (let token: number = scanner.scan(); token !== SyntaxKind.EOF; token = scanner.scan()) {
    const offset = scanner.getTokenOffset();
    switch (token) {
      case SyntaxKind.OpenBraceToken:
      case SyntaxKind.OpenBracketToken: {
        const ptr = valuePointer();
        const s = ptr === undefined ? undefined : spans(ptr);
        if (s !== undefined && s.valueStart === undefined) {
          s.valueStart = offset;
          s.container = true;
        }
        stack.push({ isArray: token === SyntaxKind.OpenBracketToken, ptr: ptr !== undefined && wanted.has(ptr) ? ptr : undefined, index: 0, key: '' });
        expectKey = token === SyntaxKind.OpenBraceToken;
        break;
      }
      case SyntaxKind.CloseBraceToken:
      case SyntaxKind.CloseBracketToken: {
        const frame = stack.pop();
        if (frame !== undefined && frame.ptr !== undefined) {
          const s = spans(frame.ptr);
          if (s !== undefined && s.valueEnd === undefined) {
            s.valueEnd = offset + 1;
            ended(frame.ptr);
          }
        }
        expectKey = false;
        break;
      }
      case SyntaxKind.CommaToken: {
        const top = stack[stack.length - 1];
        if (top?.isArray === true) top.index++;
        else expectKey = true;
        break;
      }
      case SyntaxKind.ColonToken:
        expectKey = false;
        break;
      case SyntaxKind.StringLiteral:
      case SyntaxKind.NumericLiteral:
      case SyntaxKind.TrueKeyword:
      case SyntaxKind.FalseKeyword:
      case SyntaxKind.NullKeyword: {
        const top = stack[stack.length - 1];
        if (token === SyntaxKind.StringLiteral && expectKey && top !== undefined && !top.isArray) {
          if (top.ptr === undefined) {
            expectKey = false;
            break;
          }
          top.key = scanner.getTokenValue();
          const s = spans(`${top.ptr}/${escapePointerSegment(top.key)}`);
          if (s !== undefined && s.keyStart === undefined) {
            s.keyStart = offset;
            s.keyEnd = offset + scanner.getTokenLength();
          }
          expectKey = false;
          break;
        }
        const ptr = valuePointer();
        const s = ptr === undefined ? undefined : spans(ptr);
        if (s !== undefined && s.valueStart === undefined) {
          s.valueStart = offset;
          s.valueEnd = offset + scanner.getTokenLength();
          ended(ptr!);
        }
        break;
      }
      default:
        break;
    }
    if (unfinished === 0) break;
  }
  return found;
}

/** \r\n, \n or a lone \r ends a line. */
const LINE_BREAK = /\r\n?|\n/g;

/** Converts offsets to LSP positions. */
class LineIndex {
  private readonly starts: number[] = [0];
  constructor(text: string, private readonly baseLine = 0) {
    // A native search per line break, not a JS loop per character: a dataset line has none.
    LINE_BREAK.lastIndex = 0;
    for (let m = LINE_BREAK.exec(text); m !== null; m = LINE_BREAK.exec(text)) this.starts.push(m.index + m[0].length);
  }
  position(offset: number): { line: number; character: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: this.baseLine + lo, character: offset - this.starts[lo]! };
  }
  range(start: number, end: number): Range {
    return { start: this.position(start), end: this.position(end) };
  }
}

/** The deepest located ancestor of a pointer (for problems about a missing key, e.g. missing-param). */
function ancestorSpans(ptr: string, found: Map<string, Spans>): Spans | undefined {
  let p = ptr;
  for (;;) {
    const s = found.get(p);
    if (s !== undefined && (s.valueStart !== undefined || s.keyStart !== undefined)) return s;
    if (p === '') return undefined;
    p = p.slice(0, p.lastIndexOf('/'));
  }
}

function allAncestors(ptr: string, into: Set<string>): void {
  let p = ptr;
  into.add(p);
  while (p !== '') {
    p = p.slice(0, p.lastIndexOf('/'));
    into.add(p);
  }
}

/** Attaches ranges to problems found in `text` (whose first line is `baseLine`). */
export function positionProblems(text: string, problems: readonly DslProblem[], baseLine = 0, pointerOffset = ''): PositionedProblem[] {
  const wanted = new Set<string>();
  const targets = new Set<string>();
  for (const p of problems) {
    targets.add(p.pointer);
    allAncestors(pointerOffset + p.pointer.slice(pointerOffset.length), wanted);
  }
  const found = locatePointers(text, wanted, targets);
  const lines = new LineIndex(text, baseLine);
  return problems.map((p) => {
    const s = found.get(p.pointer);
    let start = 0;
    let end = 0;
    const onKey = KEY_TARGETED.has(p) || p.fix?.kind === 'renameKey';
    if (s !== undefined && onKey && s.keyStart !== undefined) {
      start = s.keyStart;
      end = s.keyEnd!;
    } else if (s !== undefined && s.valueStart !== undefined) {
      if (s.container === true) {
        // A whole object/array is long: its key stands for it, else its opening bracket.
        start = s.keyStart ?? s.valueStart;
        end = s.keyEnd ?? s.valueStart + 1;
      } else {
        start = s.valueStart;
        end = s.valueEnd ?? s.valueStart + 1;
      }
    } else {
      const a = ancestorSpans(p.pointer, found);
      if (a !== undefined) {
        start = a.keyStart ?? a.valueStart!;
        end = a.keyEnd ?? a.valueEnd ?? start + 1;
      }
    }
    return { ...p, range: lines.range(start, end) };
  });
}

function syntaxProblem(text: string, error: unknown, baseLine: number): PositionedProblem {
  const lines = new LineIndex(text, baseLine);
  let errors: ParseError[] = [];
  try {
    parseJsonc(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  } catch {
    errors = []; // too deep for jsonc-parser's recursive parser; fall back to V8's position
  }
  const first = errors[0];
  if (first !== undefined) {
    const pos = lines.position(first.offset);
    return {
      pointer: '', code: 'json-syntax', severity: 'error',
      message: `invalid JSON at line ${pos.line - baseLine + 1}, column ${pos.character + 1}: ${describeParseError(printParseErrorCode(first.error))}`,
      range: lines.range(first.offset, first.offset + Math.max(1, first.length)),
    };
  }
  const msg = error instanceof Error ? error.message : String(error);
  const m = /position (\d+)/.exec(msg);
  const offset = m ? Number(m[1]) : text.length === 0 ? 0 : text.length - 1;
  return { pointer: '', code: 'json-syntax', severity: 'error', message: `invalid JSON: ${msg}`, range: lines.range(offset, Math.min(text.length, offset + 1)) };
}

function describeParseError(code: string): string {
  switch (code) {
    case 'PropertyNameExpected': return 'expected a property name in double quotes';
    case 'CommaExpected': return 'expected a comma';
    case 'ColonExpected': return 'expected a colon after the property name';
    case 'ValueExpected': return 'expected a value';
    case 'CloseBraceExpected': return 'expected } (unclosed object)';
    case 'CloseBracketExpected': return 'expected ] (unclosed array)';
    case 'EndOfFileExpected': return 'unexpected text after the JSON value';
    case 'InvalidCommentToken': return 'comments are not allowed in JSON';
    case 'UnexpectedEndOfString': return 'unterminated string';
    case 'InvalidSymbol': return 'unexpected character';
    default: return code;
  }
}

/** Parses one JSON request body text; syntax errors become problems with code 'json-syntax'. Ranges 0-based. */
export function validateText(text: string, options?: ValidateOptions): PositionedProblem[] {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    return [syntaxProblem(text, e, 0)];
  }
  const problems = validateBodyAt(body, [], options);
  return problems.length === 0 ? [] : positionProblems(text, problems);
}

const DSL_PREFIX: readonly string[] = ['dsl'];

/**
 * Whether a line is empty or whitespace only, as `trim() === ''` says; a line that starts with a
 * visible ASCII character (every record starts with "{") is answered without trim's copy.
 */
export function isBlank(line: string): boolean {
  const first = line.charCodeAt(0);
  if (first > 32 && first < 127) return false;
  return line.trim() === '';
}

/** One line of a *.dss.jsonl dataset: validates its `dsl` (pointer prefixed with /dsl) and the record shape; ranges are on line `lineIndex` (0-based). Returns recordId when parseable. */
export function validateDatasetLine(lineText: string, lineIndex: number, options?: ValidateOptions): { recordId?: string; problems: PositionedProblem[] } {
  if (isBlank(lineText)) return { problems: [] };
  let record: unknown;
  try {
    record = JSON.parse(lineText);
  } catch (e) {
    return { problems: [syntaxProblem(lineText, e, lineIndex)] };
  }
  let problems = recordShapeProblems(record);
  let recordId: string | undefined;
  if (problems.length === 0 || (typeof record === 'object' && record !== null && !Array.isArray(record))) {
    const r = record as Record<string, unknown>;
    if (typeof r['id'] === 'string') recordId = r['id'];
    const dsl = r['dsl'];
    if (dsl !== null && dsl !== undefined && typeof dsl === 'object' && !Array.isArray(dsl)) {
      const found = validateBodyAt(dsl, DSL_PREFIX, options);
      if (found.length > 0) problems = problems.length === 0 ? found : [...problems, ...found];
    }
  }
  const positioned = problems.length === 0 ? [] : positionProblems(lineText, problems, lineIndex);
  return recordId === undefined ? { problems: positioned } : { recordId, problems: positioned };
}

/** The range of the key (onKey) or value at `pointer` in `text`; (0,0) when not found. */
export function problemRange(text: string, pointer: string, onKey = false): Range {
  const wanted = new Set<string>();
  allAncestors(pointer, wanted);
  const found = locatePointers(text, wanted);
  const lines = new LineIndex(text);
  const s = found.get(pointer) ?? ancestorSpans(pointer, found);
  if (s === undefined) return lines.range(0, 0);
  if (onKey && s.keyStart !== undefined) return lines.range(s.keyStart, s.keyEnd!);
  const start = s.valueStart ?? s.keyStart ?? 0;
  return lines.range(start, s.valueEnd ?? s.keyEnd ?? start);
}
