// Where a position falls inside a request body. For a querydsl document the JSON text is the whole
// document; for a dataset it is one line, and only positions inside its `dsl` value are a body.
// Paths come from jsonc-parser's getLocation, the positions library the whole project uses.
import { findNodeAtLocation, getLocation, parseTree, type JSONPath, type Location, type Node } from 'jsonc-parser';
import type { Position, Range } from 'vscode-languageserver';
import { DatasetDocument, type OpenDocument } from './documents';

export interface JsonSite {
  /** The JSON text the position lies in. */
  readonly text: string;
  /** The position as an offset into `text`. */
  readonly offset: number;
  readonly location: Location;
  /**
   * The path inside the request body (the `dsl` prefix of a dataset record removed), or undefined
   * when the position is in a dataset record but outside its `dsl`.
   */
  readonly bodyPath: JSONPath | undefined;
  /** The record-level path for dataset lines (e.g. ["status"]); the body path for querydsl. */
  readonly path: JSONPath;
  rangeOf(start: number, end: number): Range;
}

export function siteAt(doc: OpenDocument, position: Position): JsonSite {
  if (doc instanceof DatasetDocument) {
    const text = doc.lineText(position.line);
    const offset = Math.min(position.character, text.length);
    const location = getLocation(text, offset);
    const path = location.path;
    const bodyPath = path[0] === 'dsl' ? path.slice(1) : undefined;
    const line = position.line;
    return {
      text,
      offset,
      location,
      bodyPath,
      path,
      rangeOf: (start, end) => ({ start: { line, character: start }, end: { line, character: end } }),
    };
  }
  const document = doc.textDocument;
  const text = document.getText();
  const offset = document.offsetAt(position);
  const location = getLocation(text, offset);
  return {
    text,
    offset,
    location,
    bodyPath: location.path,
    path: location.path,
    rangeOf: (start, end) => ({ start: document.positionAt(start), end: document.positionAt(end) }),
  };
}

/** The string or literal node the offset lies in or touches, if any. */
export function nodeAt(site: JsonSite): Node | undefined {
  const node = site.location.previousNode;
  if (!node) return undefined;
  if (site.offset < node.offset || site.offset > node.offset + node.length) return undefined;
  return node;
}

/**
 * A string value, or a property key (getLocation reports keys as nodes of type 'property' whose
 * offset and length cover the quoted key).
 */
export function isStringLike(site: JsonSite, node: Node): boolean {
  return node.type === 'string' || (node.type === 'property' && site.text[node.offset] === '"');
}

/** The range to replace when completing at the offset: the string or word under the cursor. */
export function replaceSpan(site: JsonSite): { start: number; end: number; quoted: boolean } {
  const node = nodeAt(site);
  if (node && isStringLike(site, node)) return { start: node.offset, end: node.offset + node.length, quoted: true };
  let start = site.offset;
  let end = site.offset;
  while (start > 0 && /[\w.@-]/.test(site.text[start - 1] as string)) start--;
  while (end < site.text.length && /[\w.@-]/.test(site.text[end] as string)) end++;
  return { start, end, quoted: false };
}

/**
 * Keys already present in the object the cursor's key goes in, except the one being typed, so
 * completion does not offer a key twice.
 */
export function siblingKeys(site: JsonSite): Set<string> {
  const keys = new Set<string>();
  const root = parseTree(site.text, [], { allowTrailingComma: true });
  const object = root ? findNodeAtLocation(root, site.location.path.slice(0, -1)) : undefined;
  if (!object || object.type !== 'object') return keys;
  for (const property of object.children ?? []) {
    const key = property.children?.[0];
    if (!key || typeof key.value !== 'string') continue;
    if (site.offset >= key.offset && site.offset <= key.offset + key.length) continue;
    keys.add(key.value);
  }
  return keys;
}
