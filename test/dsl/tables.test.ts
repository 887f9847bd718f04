import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AGGREGATION_SPECS, BODY_KEY_SPECS, QUERY_SPECS, completionContext, validateBody } from '../../src/core/dsl';

// QueryContainer of elasticsearch-specification (specification/_types/query_dsl/abstractions.ts).
const QUERY_CONTAINER = [
  'bool', 'boosting', 'common', 'combined_fields', 'constant_score', 'dis_max', 'distance_feature', 'exists',
  'function_score', 'fuzzy', 'geo_bounding_box', 'geo_distance', 'geo_grid', 'geo_polygon', 'geo_shape',
  'has_child', 'has_parent', 'ids', 'intervals', 'knn', 'match', 'match_all', 'match_bool_prefix', 'match_none',
  'match_phrase', 'match_phrase_prefix', 'more_like_this', 'multi_match', 'nested', 'parent_id', 'percolate',
  'pinned', 'prefix', 'query_string', 'range', 'rank_feature', 'regexp', 'rule', 'script', 'script_score',
  'semantic', 'shape', 'simple_query_string', 'span_containing', 'span_field_masking', 'span_first', 'span_multi',
  'span_near', 'span_not', 'span_or', 'span_term', 'span_within', 'sparse_vector', 'term', 'terms', 'terms_set',
  'text_expansion', 'weighted_tokens', 'wildcard', 'wrapper', 'type',
];

const BODY_KEYS = [
  'query', 'aggs', 'aggregations', 'size', 'from', 'sort', '_source', 'fields', 'highlight', 'post_filter', 'rescore',
  'knn', 'retriever', 'collapse', 'search_after', 'pit', 'track_total_hits', 'min_score', 'timeout',
  'runtime_mappings', 'script_fields', 'suggest', 'stored_fields', 'docvalue_fields', 'explain', 'version',
  'seq_no_primary_term', 'indices_boost', 'stats', 'profile', 'terminate_after',
];

test('all 61 QueryContainer query types are in the table, each with a doc string and a shape', () => {
  assert.equal(QUERY_CONTAINER.length, 61);
  assert.deepEqual(Object.keys(QUERY_SPECS).sort(), [...QUERY_CONTAINER].sort());
  const shapes = new Set<string>();
  for (const [name, spec] of Object.entries(QUERY_SPECS)) {
    assert.ok(spec.doc.length > 10, `${name} has a doc string`);
    shapes.add(spec.shape);
    for (const [param, ps] of Object.entries(spec.params)) assert.ok(ps.doc.length > 0, `${name}.${param} has a doc string`);
    if (spec.shortParam !== undefined) assert.ok(spec.params[spec.shortParam], `${name}.shortParam names a param`);
  }
  assert.deepEqual([...shapes].sort(), ['explicit-field', 'field', 'field-params', 'no-field']);
});

test('aggregation table covers bucket, metric and pipeline types with docs', () => {
  const categories = new Set(Object.values(AGGREGATION_SPECS).map((a) => a.category));
  assert.deepEqual([...categories].sort(), ['bucket', 'metric', 'pipeline']);
  assert.ok(Object.keys(AGGREGATION_SPECS).length >= 75);
  for (const [name, spec] of Object.entries(AGGREGATION_SPECS)) {
    assert.ok(spec.doc.length > 5, `${name} has a doc string`);
    assert.equal(spec.subAggregations, spec.category === 'bucket', `${name}: only bucket aggregations nest`);
  }
});

test('every body key the issue lists is in the table', () => {
  for (const k of BODY_KEYS) assert.ok(BODY_KEY_SPECS[k]?.doc, `body key ${k}`);
});

test('the four query shapes validate in their own way', () => {
  assert.deepEqual(validateBody({ query: { match: { title: 'x' } } }), [], 'field shape, short form');
  assert.deepEqual(validateBody({ query: { match: { title: { query: 'x', operator: 'and' } } } }), [], 'field shape, params');
  assert.deepEqual(validateBody({ query: { geo_distance: { distance: '1km', loc: { lat: 1, lon: 2 }, distance_type: 'arc' } } }), [], 'field + params');
  assert.deepEqual(validateBody({ query: { exists: { field: 'x' } } }), [], 'explicit field');
  assert.deepEqual(validateBody({ query: { bool: {} } }), [], 'no field');
  assert.deepEqual(validateBody({ query: { range: { price: 5 } } }).map((p) => p.code), ['invalid-type'], 'range has no short form');
});

test('Elasticsearch parser leniencies are accepted', () => {
  const ok = [
    { query: { bool: { must: { match_all: {} }, minimum_should_match: '75%' } } },
    { query: { bool: { should: [{ match_all: {} }], minimum_should_match: 1 } } },
    { query: { function_score: { query: { match_all: {} }, gauss: { price: { origin: 0, scale: 10 } }, boost_mode: 'multiply' } } },
    { query: { dis_max: { queries: [{ match_all: {} }], tie_breaker: 0.7 } } },
    { query: { match: { flag: true } } },
    { size: '10', track_total_hits: true },
    { query: { bool: { must: [], adjust_pure_negative: 'true' } } },
  ];
  for (const b of ok) assert.deepEqual(validateBody(b), [], JSON.stringify(b));
  const [legacy] = validateBody({ query: { range: { price: { from: 1 } } } });
  assert.equal(legacy?.severity, 'warning');
});

test('completion context', () => {
  assert.equal(completionContext([]).kind, 'body-key');
  assert.ok(completionContext([]).values?.includes('query'));
  assert.equal(completionContext(['query']).kind, 'query-name');
  assert.ok(completionContext(['query']).values?.includes('match'));
  assert.equal(completionContext(['query', 'bool', 'must', 0]).kind, 'query-name');
  assert.equal(completionContext(['query', 'bool', 'filter']).kind, 'query-name');
  assert.deepEqual(completionContext(['query', 'bool']).values?.slice(0, 4), ['must', 'filter', 'should', 'must_not']);
  assert.deepEqual(completionContext(['query', 'match']), { kind: 'field', owner: 'match' });
  const p = completionContext(['query', 'match', 'title']);
  assert.equal(p.kind, 'param');
  assert.ok(p.values?.includes('operator'));
  assert.deepEqual(completionContext(['query', 'match', 'title', 'operator']), { kind: 'enum-value', owner: 'match', values: ['or', 'and'] });
  assert.equal(completionContext(['aggs', 'by_tag']).kind, 'agg-name');
  assert.equal(completionContext(['aggs', 'by_tag', 'aggs', 'inner']).kind, 'agg-name');
  assert.deepEqual(completionContext(['aggs', 'by_tag', 'terms', 'field']), { kind: 'field', owner: 'terms' });
  assert.equal(completionContext(['aggs', 'f', 'filter']).kind, 'query-name');
  assert.equal(completionContext(['sort', 0]).kind, 'field');
  assert.equal(completionContext(['nonsense', 'x']).kind, 'none');
  assert.equal(completionContext(['query', 'nested', 'query']).kind, 'query-name');
});

test('completion looks names up as own keys: Object.prototype members are not params or queries', () => {
  // Each of these threw (a TypeError from Object.keys / `in` on a prototype function) before.
  for (const path of [['toString'], ['query', 'toString'], ['query', 'constructor'], ['query', 'bool', '__proto__'], ['query', 'bool', 'hasOwnProperty'],
    ['query', 'match', 'title', 'toString'], ['aggs', 'x', 'toString'], ['aggs', 'x', 'terms', 'valueOf']]) {
    assert.deepEqual(completionContext(path), { kind: 'none' }, JSON.stringify(path));
  }
  // A field may be called toString: under a field-shaped query it is a field name like any other.
  assert.equal(completionContext(['query', 'match', 'toString']).kind, 'param');
  assert.ok(completionContext(['query', 'match', 'toString']).values?.includes('operator'));
});
