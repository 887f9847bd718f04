// What the teacher needs from the Query DSL engine, behind one small interface: validate an answer,
// normalise it for majority voting, and describe its query shape for few-shot diversity.
// The generator takes a `DslChecks` so tests can inject their own, and the CLI and extension pass
// the engine's. `basicDslChecks` is a structural fallback used when no engine is given.

export interface DslIssue {
  pointer: string;
  code: string;
  severity: 'error' | 'warning' | 'info';
  message: string;
}

export interface DslChecks {
  /** Diagnostics for one request body; only `severity: 'error'` ones trigger a repair round. */
  validate(body: unknown): DslIssue[];
  /** A string equal for bodies that mean the same (key order, whitespace); used to vote. */
  canonical(body: unknown): string;
  /** A short description of the query shape ("bool+range|terms") used to pick diverse examples. */
  signature(body: unknown): string;
}

/** JSON with object keys sorted at every level, so key order never splits a vote. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

const TOP_LEVEL_KEYS = new Set([
  'query', 'aggs', 'aggregations', 'size', 'from', 'sort', '_source', 'highlight', 'post_filter', 'knn',
  'track_total_hits', 'fields', 'min_score', 'search_after', 'collapse', 'rescore', 'script_fields',
  'stored_fields', 'docvalue_fields', 'timeout', 'terminate_after', 'explain', 'version', 'seq_no_primary_term',
  'indices_boost', 'pit', 'runtime_mappings', 'suggest', 'track_scores', 'profile', 'stats', 'rank', 'retriever',
]);

const QUERY_TYPES = new Set([
  'match_all', 'match_none', 'match', 'match_phrase', 'match_phrase_prefix', 'match_bool_prefix', 'multi_match',
  'query_string', 'simple_query_string', 'combined_fields', 'intervals', 'term', 'terms', 'terms_set', 'range',
  'exists', 'prefix', 'wildcard', 'regexp', 'fuzzy', 'ids', 'bool', 'boosting', 'constant_score', 'dis_max',
  'function_score', 'script_score', 'nested', 'has_child', 'has_parent', 'parent_id', 'geo_distance',
  'geo_bounding_box', 'geo_shape', 'geo_polygon', 'more_like_this', 'script', 'percolate', 'rank_feature',
  'distance_feature', 'pinned', 'wrapper', 'knn', 'semantic', 'sparse_vector', 'text_expansion', 'span_term',
  'span_near', 'span_or', 'span_not', 'span_first', 'span_multi', 'span_containing', 'span_within', 'field_masking_span',
]);

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function checkQuery(q: unknown, pointer: string, out: DslIssue[]): void {
  if (!isObject(q)) {
    out.push({ pointer, code: 'query-not-object', severity: 'error', message: `${pointer || '/'} must be an object holding one query` });
    return;
  }
  const keys = Object.keys(q);
  if (keys.length !== 1) {
    out.push({ pointer, code: 'query-one-key', severity: 'error', message: `a query object holds exactly one query type, found [${keys.join(', ')}]` });
    return;
  }
  const type = keys[0]!;
  if (!QUERY_TYPES.has(type)) {
    out.push({ pointer: `${pointer}/${type}`, code: 'unknown-query', severity: 'error', message: `unknown query [${type}]` });
    return;
  }
  const body = q[type];
  if (type === 'bool' && isObject(body)) {
    for (const clause of ['must', 'filter', 'should', 'must_not']) {
      const c = body[clause];
      if (c === undefined) continue;
      if (Array.isArray(c)) c.forEach((sub, i) => checkQuery(sub, `${pointer}/bool/${clause}/${i}`, out));
      else checkQuery(c, `${pointer}/bool/${clause}`, out);
    }
  } else if ((type === 'nested' || type === 'constant_score') && isObject(body)) {
    const inner = type === 'nested' ? body['query'] : body['filter'];
    if (inner !== undefined) checkQuery(inner, `${pointer}/${type}/${type === 'nested' ? 'query' : 'filter'}`, out);
  }
}

/** Structural checks only: known top-level keys, one known query type per query object. */
export function basicValidate(body: unknown): DslIssue[] {
  const out: DslIssue[] = [];
  if (!isObject(body)) return [{ pointer: '', code: 'body-not-object', severity: 'error', message: 'the request body must be a JSON object' }];
  for (const key of Object.keys(body)) {
    if (!TOP_LEVEL_KEYS.has(key)) out.push({ pointer: `/${key}`, code: 'unknown-key', severity: 'error', message: `unknown key [${key}] in the search request body` });
  }
  if (body['query'] !== undefined) checkQuery(body['query'], '/query', out);
  if (body['post_filter'] !== undefined) checkQuery(body['post_filter'], '/post_filter', out);
  return out;
}

function queryTypes(q: unknown, out: Set<string>): void {
  if (Array.isArray(q)) q.forEach((x) => queryTypes(x, out));
  else if (isObject(q)) {
    for (const [k, v] of Object.entries(q)) {
      if (QUERY_TYPES.has(k)) out.add(k);
      queryTypes(v, out);
    }
  }
}

function aggregationTypes(aggs: unknown, out: Set<string>): void {
  if (!isObject(aggs)) return;
  for (const agg of Object.values(aggs)) {
    if (!isObject(agg)) continue;
    for (const [k, v] of Object.entries(agg)) {
      if (k === 'aggs' || k === 'aggregations') aggregationTypes(v, out);
      else if (k !== 'meta') out.add(k);
    }
  }
}

export function basicSignature(body: unknown): string {
  if (!isObject(body)) return 'none';
  const queries = new Set<string>();
  queryTypes(body['query'], queries);
  const aggs = new Set<string>();
  aggregationTypes(body['aggs'] ?? body['aggregations'], aggs);
  return `${[...queries].sort().join('+') || 'no-query'}|${[...aggs].sort().join('+')}`;
}

export const basicDslChecks: DslChecks = { validate: basicValidate, canonical: canonicalJson, signature: basicSignature };
