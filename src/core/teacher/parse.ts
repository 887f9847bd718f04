// Turning a teacher completion into { rationale, dsl }. Strict about what counts as an answer (one
// JSON object), forgiving about how it is wrapped: <rationale>/<answer> tags (closing tags optional),
// ```json fences, prose before or after, a "GET index/_search" line, comments and trailing commas.
import { parse as parseJsonc, printParseErrorCode, type ParseError } from 'jsonc-parser';

export type ParsedAnswer =
  | { ok: true; rationale: string; dsl: Record<string, unknown> }
  | { ok: false; rationale: string; reason: string };

function between(text: string, tag: string): { inner: string; closed: boolean } | undefined {
  const open = new RegExp(`<${tag}\\s*>`, 'i').exec(text);
  if (!open) return undefined;
  const rest = text.slice(open.index + open[0].length);
  const close = new RegExp(`</${tag}\\s*>`, 'i').exec(rest);
  return close ? { inner: rest.slice(0, close.index), closed: true } : { inner: rest, closed: false };
}

/** The first balanced {...} span, skipping braces inside strings and comments; undefined if none closes. */
export function firstObjectSpan(text: string): { start: number; end: number } | { start: number; end: undefined } | undefined {
  const start = text.indexOf('{');
  if (start < 0) return undefined;
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const endComment = text.indexOf('*/', i + 2);
      i = endComment < 0 ? text.length : endComment + 1;
    } else if (c === '{') depth++;
    else if (c === '}') {
      depth--;
      if (depth === 0) return { start, end: i + 1 };
    }
  }
  return { start, end: undefined };
}

function stripFences(text: string): string {
  const fence = /```[\w-]*\s*\n?([\s\S]*?)(```|$)/.exec(text);
  return fence ? fence[1]! : text;
}

export function parseCompletion(content: string | null | undefined, finishReason?: string | null): ParsedAnswer {
  const text = content ?? '';
  const truncated = finishReason === 'length';
  const cut = truncated ? ' (the response was cut off at the token limit: finish_reason=length)' : '';
  const rationaleTag = between(text, 'rationale');
  const answerTag = between(text, 'answer');
  let rationale = rationaleTag ? rationaleTag.inner.trim() : '';
  let region: string;
  if (answerTag) region = answerTag.inner;
  else {
    const fenced = /```(?:json|jsonc|javascript|js)?\s*\n([\s\S]*?)```/i.exec(text);
    region = fenced ? fenced[1]! : rationaleTag ? text.slice(text.search(/<\/rationale\s*>/i) + 1) : text;
    // Without tags, prose before the JSON is the best rationale there is.
    if (!rationaleTag) {
      const firstBrace = text.indexOf('{');
      const fenceAt = text.indexOf('```');
      const cutAt = [firstBrace, fenceAt].filter((i) => i >= 0).reduce((a, b) => Math.min(a, b), text.length);
      rationale = text.slice(0, cutAt).trim();
    }
  }
  if (!text.trim()) return { ok: false, rationale, reason: `the response was empty${cut}` };
  const span = firstObjectSpan(stripFences(region));
  if (!span) return { ok: false, rationale, reason: `no JSON object found in the answer${cut}` };
  const body = stripFences(region);
  if (span.end === undefined) return { ok: false, rationale, reason: `the JSON answer is incomplete: a "{" is never closed${cut}` };
  const json = body.slice(span.start, span.end);
  const errors: ParseError[] = [];
  const value: unknown = parseJsonc(json, errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: false });
  if (errors.length > 0) {
    const first = errors[0]!;
    const line = json.slice(0, first.offset).split('\n').length;
    return { ok: false, rationale, reason: `the answer is not valid JSON: ${printParseErrorCode(first.error)} at line ${line} of the answer${cut}` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ok: false, rationale, reason: 'the answer is not a JSON object' };
  return { ok: true, rationale, dsl: value as Record<string, unknown> };
}
