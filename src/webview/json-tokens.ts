// A tiny JSON tokenizer for syntax colouring. It never fails: text that is not JSON still comes
// out as tokens (unknown characters become 'invalid'), so half-typed DSL colours sensibly.

export type TokenKind = 'key' | 'string' | 'number' | 'keyword' | 'punctuation' | 'whitespace' | 'invalid';

export interface Token {
  kind: TokenKind;
  start: number;
  end: number;
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const KEYWORD = /true|false|null/y;
const WHITESPACE = /\s+/y;

export function tokenizeJson(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"' && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
      const end = Math.min(text.length, text[j] === '"' ? j + 1 : j);
      tokens.push({ kind: isKey(text, end) ? 'key' : 'string', start: i, end });
      i = end;
      continue;
    }
    if ('{}[]:,'.includes(ch)) {
      tokens.push({ kind: 'punctuation', start: i, end: i + 1 });
      i++;
      continue;
    }
    const m = match(WHITESPACE, text, i) ?? match(NUMBER, text, i) ?? match(KEYWORD, text, i);
    if (m) {
      tokens.push({ kind: m.kind, start: i, end: i + m.length });
      i += m.length;
      continue;
    }
    // Runs of anything else are one invalid token.
    let j = i + 1;
    while (j < text.length && !/[\s"{}[\]:,]/.test(text[j]!)) j++;
    tokens.push({ kind: 'invalid', start: i, end: j });
    i = j;
  }
  return tokens;
}

function match(re: RegExp, text: string, at: number): { kind: TokenKind; length: number } | null {
  re.lastIndex = at;
  const m = re.exec(text);
  if (!m || m[0].length === 0) return null;
  const kind: TokenKind = re === WHITESPACE ? 'whitespace' : re === NUMBER ? 'number' : 'keyword';
  return { kind, length: m[0].length };
}

/** A string is a key when the next non-space character is a colon. */
function isKey(text: string, from: number): boolean {
  for (let i = from; i < text.length; i++) {
    const c = text[i]!;
    if (c === ':') return true;
    if (c !== ' ' && c !== '\t' && c !== '\n' && c !== '\r') return false;
  }
  return false;
}

/** Offsets of the start of each line, for LSP-style {line, character} positions. */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

export function offsetAt(starts: readonly number[], textLength: number, pos: { line: number; character: number }): number {
  const lineStart = starts[Math.min(pos.line, starts.length - 1)] ?? 0;
  const nextLine = pos.line + 1 < starts.length ? starts[pos.line + 1]! - 1 : textLength;
  return Math.min(lineStart + pos.character, nextLine, textLength);
}
