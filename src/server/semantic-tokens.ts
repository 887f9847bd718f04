// Semantic tokens for the visible range: what a TextMate grammar cannot know because it does not
// see the JSON path. `terms` under `aggs` is an aggregation, under `query` a query; a user's
// aggregation name is not a field. Each key is classified by the engine's completionContext of the
// object it sits in, the same source completion and hover use. Only `range` requests are served,
// so a 50,000-line dataset costs only its visible lines.
import { visit, type JSONPath } from 'jsonc-parser';
import type { Range, SemanticTokens, SemanticTokensLegend } from 'vscode-languageserver';
import { DatasetDocument, type OpenDocument } from './documents';
import { AGGREGATION_SPECS, QUERY_SPECS, contextAt, paramTableOf } from './spec-docs';

const TYPES = ['keyword', 'function', 'class', 'parameter', 'property', 'enumMember'] as const;
const MODIFIERS = ['deprecated'] as const;
type TokenType = (typeof TYPES)[number];

export const SEMANTIC_TOKENS_LEGEND: SemanticTokensLegend = { tokenTypes: [...TYPES], tokenModifiers: [...MODIFIERS] };

interface Token {
  line: number;
  character: number;
  length: number;
  type: TokenType;
  deprecated: boolean;
}

export function semanticTokens(doc: OpenDocument, range: Range): SemanticTokens {
  const tokens: Token[] = [];
  if (doc instanceof DatasetDocument) {
    const last = Math.min(range.end.line, doc.lineCount - 1);
    for (let line = Math.max(0, range.start.line); line <= last; line++) {
      collect(doc.lineText(line), ['dsl'], line, tokens);
    }
  } else {
    collect(doc.text, [], 0, tokens);
  }
  return { data: encode(tokens.filter((t) => t.line >= range.start.line && t.line <= range.end.line)) };
}

/** Tokens of the body found under `prefix` in `text` (the `dsl` of a dataset line, or the whole body). */
function collect(text: string, prefix: JSONPath, lineOffset: number, out: Token[]): void {
  const inBody = (path: JSONPath): JSONPath | undefined => {
    for (let i = 0; i < prefix.length; i++) if (path[i] !== prefix[i]) return undefined;
    return path.slice(prefix.length);
  };
  visit(text, {
    onObjectProperty: (name, offset, length, startLine, startCharacter, pathSupplier) => {
      const objectPath = inBody(pathSupplier());
      if (objectPath === undefined || length < 2 || text[offset] !== '"') return;
      const classified = classifyKey(name, objectPath);
      if (!classified) return;
      out.push({ line: lineOffset + startLine, character: startCharacter + 1, length: length - 2, ...classified });
    },
    onLiteralValue: (value: unknown, offset, length, startLine, startCharacter, pathSupplier) => {
      if (typeof value !== 'string' || text[offset] !== '"') return;
      const valuePath = inBody(pathSupplier());
      if (valuePath === undefined || valuePath.length === 0) return;
      const kind = contextAt(valuePath).kind;
      const type: TokenType | undefined = kind === 'field' ? 'property' : kind === 'enum-value' ? 'enumMember' : undefined;
      if (type) out.push({ line: lineOffset + startLine, character: startCharacter + 1, length: length - 2, type, deprecated: false });
    },
  });
}

function classifyKey(name: string, objectPath: JSONPath): { type: TokenType; deprecated: boolean } | undefined {
  const context = contextAt(objectPath);
  switch (context.kind) {
    case 'body-key':
      return { type: 'keyword', deprecated: false };
    case 'query-name': {
      const spec = QUERY_SPECS[name];
      return spec ? { type: 'function', deprecated: spec.deprecated !== undefined || spec.removed !== undefined } : undefined;
    }
    case 'agg-name': {
      if (name === 'aggs' || name === 'aggregations' || name === 'meta') return { type: 'keyword', deprecated: false };
      const spec = AGGREGATION_SPECS[name];
      return spec ? { type: 'class', deprecated: spec.deprecated !== undefined } : undefined;
    }
    case 'param': {
      const spec = paramTableOf(context.owner)?.[name];
      if (spec) return { type: 'parameter', deprecated: spec.deprecated !== undefined };
      return context.values?.includes(name) ? { type: 'parameter', deprecated: false } : undefined;
    }
    case 'field':
      return { type: 'property', deprecated: false };
    default:
      return undefined;
  }
}

/** LSP's relative encoding: [deltaLine, deltaStart, length, type, modifiers] per token, in order. */
function encode(tokens: Token[]): number[] {
  tokens.sort((a, b) => a.line - b.line || a.character - b.character);
  const data: number[] = [];
  let line = 0;
  let character = 0;
  for (const t of tokens) {
    const deltaLine = t.line - line;
    data.push(deltaLine, deltaLine === 0 ? t.character - character : t.character, t.length, TYPES.indexOf(t.type), t.deprecated ? 1 : 0);
    line = t.line;
    character = t.character;
  }
  return data;
}
