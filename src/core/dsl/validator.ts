// The validator's entry points: one walk over a parsed search request body.
//
// The walk lives in walk/ (by what it checks: queries, aggregations, search options, values and
// units, single-key mapping rules) and the rules that read several keys at once in rules/; see
// docs/dsl.md. Depth: the walk is recursive but guarded. Queries nested deeper than
// Elasticsearch's own limit (indices.query.bool.max_nested_depth, 30) and any structure deeper
// than MAX_JSON_DEPTH stop the descent with one problem, so a body nested 10,000 levels deep
// cannot overflow the stack.
import type { DslProblem, ValidateOptions } from './types';
import type { Segment } from './walk/json';
import { checkQuery } from './walk/queries';
import { checkBody } from './walk/search-options';
import { NO_PROBLEMS, Walker } from './walk/walker';

export { escapePointerSegment } from './walk/json';
export { KEY_TARGETED, MAX_JSON_DEPTH, MAX_QUERY_DEPTH } from './walk/walker';

const NO_PREFIX: readonly Segment[] = [];
let shared: Walker | undefined;
/** The reused Walker, reset for a new validation (the walk is synchronous and never re-entered). */
function walker(options: ValidateOptions | undefined, prefix: readonly Segment[]): Walker {
  const w = (shared ??= new Walker());
  w.reset(options, prefix);
  return w;
}
/** Hands the problems over (a fresh array: public callers may add to it) and drops references to the caller's data. */
function finish(w: Walker): DslProblem[] {
  const problems = w.problems;
  w.release();
  return problems === NO_PROBLEMS ? [] : problems;
}

/** Validates a parsed search request body. */
export function validateBody(body: unknown, options?: ValidateOptions): DslProblem[] {
  const w = walker(options, NO_PREFIX);
  checkBody(w, body);
  return finish(w);
}

/** Validates a bare query (the value of `query`). */
export function validateQuery(query: unknown, options?: ValidateOptions): DslProblem[] {
  const w = walker(options, NO_PREFIX);
  checkQuery(w, query);
  return finish(w);
}

/** Internal: validates a body whose pointers are prefixed (dataset lines use ['dsl']). */
export function validateBodyAt(body: unknown, prefix: readonly Segment[], options?: ValidateOptions): readonly DslProblem[] {
  const w = walker(options, prefix);
  checkBody(w, body);
  const problems = w.problems; // NO_PROBLEMS itself when clean: read-only, no allocation per record
  w.release();
  return problems;
}
