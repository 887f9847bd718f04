// Validation that survives a syntax slip. While a person types, the body is briefly invalid JSON
// (a missing comma, an unclosed brace); reporting only "invalid JSON" then would wipe every other
// diagnostic from the Problems view and bring them back a keystroke later. Instead the body is
// read with jsonc-parser's error-tolerant parser and the parts that parse cleanly are validated:
// a value that holds a parse error is left out, and a problem is reported only when the node it
// is about contains no parse error (its contents are certain). The syntax error comes first.
import { findNodeAtLocation, parseTree, type Node, type ParseError } from 'jsonc-parser';
import { validateBody, validateDatasetLine, validateText, type DslProblem, type PositionedProblem, type Range, type ValidateOptions } from '../core/dsl';

const SKIP = Symbol('skip');

function containsError(node: Node, errors: readonly ParseError[]): boolean {
  const end = node.offset + node.length;
  // An unclosed container ends where the error is reported: the end offset counts as inside.
  return errors.some((e) => e.offset >= node.offset && e.offset <= end);
}

/** The value of the parts that parsed: leaves with an error and properties without a value are left out. */
function recovered(node: Node, errors: readonly ParseError[]): unknown {
  switch (node.type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const prop of node.children ?? []) {
        const [key, value] = prop.children ?? [];
        if (!key || !value || typeof key.value !== 'string') continue;
        const v = recovered(value, errors);
        if (v !== SKIP) out[key.value] = v;
      }
      return out;
    }
    case 'array': {
      const out: unknown[] = [];
      for (const item of node.children ?? []) {
        const v = recovered(item, errors);
        if (v !== SKIP) out.push(v);
      }
      return out;
    }
    default:
      return containsError(node, errors) ? SKIP : node.value;
  }
}

/** Decodes one JSON Pointer into jsonc-parser's path (array indices as numbers). */
function pathOf(pointer: string): (string | number)[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function rangeOf(text: string, start: number, end: number): Range {
  const at = (offset: number): { line: number; character: number } => {
    let line = 0;
    let lineStart = 0;
    for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
      line++;
      lineStart = i + 1;
    }
    return { line, character: offset - lineStart };
  };
  return { start: at(start), end: at(end) };
}

/** The range a problem is shown on, from the tolerant tree (the strict locator stops at the first syntax error). */
function positioned(text: string, p: DslProblem, node: Node): PositionedProblem {
  const key = node.parent?.type === 'property' ? node.parent.children?.[0] : undefined;
  const onKey = key !== undefined && (p.fix?.kind === 'renameKey' || node.type === 'object' || node.type === 'array');
  const target = onKey ? key : node;
  return { ...p, range: rangeOf(text, target.offset, target.offset + Math.max(1, target.length)) };
}

/** Parses a text that failed strict parsing into jsonc-parser's tolerant tree; undefined when even that fails. */
function tolerantTree(text: string): { root: Node; errors: ParseError[] } | undefined {
  const errors: ParseError[] = [];
  let tree: Node | undefined;
  try {
    tree = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false });
  } catch {
    return undefined; // nested too deep for the recursive parser: the syntax error alone
  }
  return tree && tree.type === 'object' ? { root: tree, errors } : undefined;
}

/**
 * The problems of the body at `prefix` in the tree rooted at `root` that are certain: those about
 * a node that contains no parse error. Problems about the root itself are left out, since the
 * root of a broken text always holds the error.
 */
function certainBodyProblems(text: string, root: Node, prefix: string[], errors: readonly ParseError[], options?: ValidateOptions): PositionedProblem[] {
  const body = prefix.length === 0 ? root : findNodeAtLocation(root, prefix);
  if (!body || body.type !== 'object') return [];
  const out: PositionedProblem[] = [];
  for (const p of validateBody(recovered(body, errors), options)) {
    const path = [...prefix, ...pathOf(p.pointer)];
    // Not found: the problem is about something missing in its parent; certain only if the parent is clean.
    const node = findNodeAtLocation(root, path) ?? findNodeAtLocation(root, path.slice(0, -1));
    if (!node || node === root || containsError(node.parent?.type === 'property' ? node.parent : node, errors)) continue;
    out.push(positioned(text, p, node));
  }
  return out;
}

export function validateTolerant(text: string, options?: ValidateOptions): PositionedProblem[] {
  const strict = validateText(text, options);
  if (!strict.some((p) => p.code === 'json-syntax')) return strict;
  const tree = tolerantTree(text);
  if (!tree) return strict;
  return [...strict, ...certainBodyProblems(text, tree.root, [], tree.errors, options)];
}

/**
 * One dataset line, validated as the CLI does; when its JSON has a slip, the json-syntax error is
 * kept and the certain problems of its `dsl` body are added (issue 14), so a missing comma in a
 * record does not hide every query problem on the line while it is being fixed.
 */
export function validateDatasetLineTolerant(lineText: string, options?: ValidateOptions): PositionedProblem[] {
  const { problems: strict } = validateDatasetLine(lineText, 0, options);
  if (!strict.some((p) => p.code === 'json-syntax')) return strict;
  const tree = tolerantTree(lineText);
  if (!tree) return strict;
  return [...strict, ...certainBodyProblems(lineText, tree.root, ['dsl'], tree.errors, options)];
}
