import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mappedFields, parseMapping, validateBody } from '../../src/core/dsl';
import { ECOMMERCE_MAPPINGS } from './fixtures';

const SHAPES: Record<string, unknown> = {
  'GET _mapping response': { 'orders-2026': { mappings: ECOMMERCE_MAPPINGS } },
  'create-index body': { settings: { number_of_shards: 1 }, mappings: ECOMMERCE_MAPPINGS },
  'bare mappings object': ECOMMERCE_MAPPINGS,
};

for (const [shape, json] of Object.entries(SHAPES)) {
  test(`parseMapping accepts the ${shape}`, () => {
    const mapping = parseMapping(json);
    const fields = new Map(mappedFields(mapping).map((f) => [f.path, f.type]));
    assert.equal(fields.get('title'), 'text');
    assert.equal(fields.get('title.keyword'), 'keyword', 'multi-field');
    assert.equal(fields.get('customer.name.raw'), 'keyword', 'multi-field under an object');
    assert.equal(fields.get('customer'), 'object');
    assert.equal(fields.get('shipping.city'), 'keyword', 'dotted name');
    assert.equal(fields.get('lines'), 'nested');
    assert.equal(fields.get('lines.discounts.code'), 'keyword');
    assert.equal(fields.get('day_of_week'), 'keyword', 'runtime field');
    assert.equal(fields.get('cost'), 'alias');
    assert.equal(fields.has('_id'), false, 'metadata fields are not listed');

    // The same checks fire whatever the shape.
    const problems = validateBody({
      query: { bool: { filter: [{ term: { titel: 'x' } }, { range: { cost: { gte: 'abc' } } }, { term: { 'lines.discounts.code': 'A' } }] } },
    }, { mapping });
    assert.deepEqual(problems.map((p) => [p.code, p.pointer]), [
      ['unknown-field', '/query/bool/filter/0/term/titel'],
      ['field-type-mismatch', '/query/bool/filter/1/range/cost/gte'],
      ['nested-field-outside-nested', '/query/bool/filter/2/term/lines.discounts.code'],
    ]);
  });
}

test('parseMapping names what it expected', () => {
  assert.throws(() => parseMapping([1]), /expected an index mapping.*GET <index>\/_mapping.*create-index body.*bare mappings object/);
  assert.throws(() => parseMapping({ settings: {} }), /found keys \[settings\]/);
  assert.throws(() => parseMapping(null), /got null/);
});

test('GET _mapping of several indices merges their fields', () => {
  const m = parseMapping({ a: { mappings: { properties: { x: { type: 'keyword' } } } }, b: { mappings: { properties: { y: { type: 'long' } } } } });
  assert.deepEqual(mappedFields(m), [{ path: 'x', type: 'keyword' }, { path: 'y', type: 'long' }]);
});

const mapping = parseMapping(ECOMMERCE_MAPPINGS);

test('nested scope: fields are fine inside the matching nested query and aggregation', () => {
  assert.deepEqual(validateBody({ query: { nested: { path: 'lines', query: { range: { 'lines.qty': { gte: 2 } } } } } }, { mapping }), []);
  // inner nested level needs its own nested query
  const p = validateBody({ query: { nested: { path: 'lines', query: { term: { 'lines.discounts.code': 'A' } } } } }, { mapping });
  assert.deepEqual(p.map((x) => x.code), ['nested-field-outside-nested']);
  assert.match(p[0]!.message, /"path": "lines\.discounts"/);
  const agg = validateBody({ aggs: { s: { terms: { field: 'lines.sku' } } } }, { mapping });
  assert.deepEqual(agg.map((x) => [x.code, x.pointer]), [['nested-field-outside-nested', '/aggs/s/terms/field']]);
  assert.match(agg[0]!.message, /aggregate it inside/);
});

test('runtime fields from the mapping and from the body are known fields', () => {
  assert.deepEqual(validateBody({ query: { term: { day_of_week: 'MONDAY' } } }, { mapping }), []);
  assert.deepEqual(validateBody({
    runtime_mappings: { margin: { type: 'double', script: 'emit(1)' } },
    aggs: { m: { avg: { field: 'margin' } } },
  }, { mapping }), []);
});

test('aliases resolve to their target type', () => {
  const p = validateBody({ query: { range: { cost: { gte: 'cheap' } } } }, { mapping });
  assert.deepEqual(p.map((x) => x.code), ['field-type-mismatch']);
  assert.match(p[0]!.message, /double/);
});

test('value fit: numbers, booleans and dates', () => {
  assert.deepEqual(validateBody({ query: { term: { quantity: '3' } } }, { mapping }), [], 'numeric strings are numbers');
  assert.deepEqual(validateBody({ query: { term: { in_stock: 'yes' } } }, { mapping }).map((p) => p.code), ['field-type-mismatch']);
  assert.deepEqual(validateBody({ query: { terms: { quantity: [1, 'two'] } } }, { mapping }).map((p) => p.pointer), ['/query/terms/quantity/1']);
  assert.deepEqual(validateBody({ query: { range: { ordered_at: { gte: 'now-1d', lte: 1700000000000 } } } }, { mapping }), []);
  assert.deepEqual(validateBody({ query: { prefix: { price: '1' } } }, { mapping }).map((p) => p.code), ['field-type-mismatch']);
});

test('term-level on text suggests the keyword multi-field, and text with fielddata aggregates', () => {
  const [p] = validateBody({ query: { term: { title: 'x' } } }, { mapping });
  assert.deepEqual(p?.fix, { kind: 'renameKey', replacement: 'title.keyword' });
  const [q] = validateBody({ query: { term: { 'customer.name': 'x' } } }, { mapping });
  assert.deepEqual(q?.fix, { kind: 'renameKey', replacement: 'customer.name.raw' });
  assert.deepEqual(validateBody({ aggs: { n: { terms: { field: 'notes' } } }, sort: ['notes'] }, { mapping }), []);
});

test('fields lists (multi_match, query_string) are checked, boosts and wildcards allowed', () => {
  assert.deepEqual(validateBody({ query: { multi_match: { query: 'x', fields: ['title^2', 'description', 'customer.*'] } } }, { mapping }), []);
  const p = validateBody({ query: { multi_match: { query: 'x', fields: ['titl^2'] } } }, { mapping });
  assert.deepEqual(p.map((x) => [x.code, x.pointer, x.fix?.replacement]), [['unknown-field', '/query/multi_match/fields/0', 'title^2']]);
});

test('sorting on a nested field needs its nested path', () => {
  const p = validateBody({ sort: [{ 'lines.qty': 'desc' }] }, { mapping });
  assert.deepEqual(p.map((x) => [x.code, x.pointer]), [['nested-field-outside-nested', '/sort/0/lines.qty']]);
  assert.match(p[0]!.message, /"nested": \{"path": "lines"\}/);
  assert.deepEqual(validateBody({ sort: [{ 'lines.qty': { order: 'desc', mode: 'max', nested: { path: 'lines' } } }] }, { mapping }), []);
  assert.deepEqual(validateBody({ sort: [{ 'lines.discounts.code': { nested: { path: 'lines', nested: { path: 'lines.discounts' } } } }] }, { mapping }), []);
});

test('fields inside metric sub-objects and score functions are checked', () => {
  const p = validateBody({
    query: { function_score: { query: { match_all: {} }, field_value_factor: { field: 'status' }, boost_mode: 'sum' } },
    aggs: {
      w: { weighted_avg: { value: { field: 'prce' }, weight: { field: 'quantity' } } },
      t: { top_metrics: { metrics: [{ field: 'price' }, { field: 'qty' }], sort: { ordered_at: 'desc' } } },
      r: { nested: { path: 'lines' }, aggs: { back: { reverse_nested: { path: 'customer' } } } },
    },
  }, { mapping });
  assert.deepEqual(p.map((x) => [x.code, x.pointer]), [
    ['field-type-mismatch', '/query/function_score/field_value_factor/field'],
    ['unknown-field', '/aggs/w/weighted_avg/value/field'],
    ['unknown-field', '/aggs/t/top_metrics/metrics/1/field'],
    ['nested-path-not-nested', '/aggs/r/aggs/back/reverse_nested/path'],
  ]);
});

test('realistic generated bodies raise no false alarms', () => {
  const bodies = [
    { size: 0, aggs: { by_status: { terms: { field: 'status', size: 5, order: { revenue: 'desc' } }, aggs: { revenue: { sum: { field: 'price' } }, top: { bucket_sort: { sort: [{ revenue: { order: 'desc' } }], size: 3 } } } } } },
    { aggs: { monthly: { date_histogram: { field: 'ordered_at', calendar_interval: 'month', min_doc_count: 0, extended_bounds: { min: 'now-1y', max: 'now' } }, aggs: { total: { sum: { field: 'price' } }, cum: { cumulative_sum: { buckets_path: 'total' } } } }, best: { max_bucket: { buckets_path: 'monthly>total' } } } },
    { query: { bool: { filter: [{ range: { ordered_at: { gte: 'now-7d/d', lte: 'now/d', format: 'strict_date_optional_time' } } }], must_not: [{ term: { status: 'cancelled' } }] } }, highlight: { fields: { title: {} } }, _source: { includes: ['title', 'price'] } },
    { query: { multi_match: { query: 'red shoes', fields: ['title^3', 'description'], type: 'best_fields', fuzziness: 'AUTO' } }, collapse: { field: 'status' }, track_total_hits: true },
    { aggs: { latest: { top_hits: { size: 1, sort: [{ ordered_at: { order: 'desc' } }], _source: { includes: ['title'] } } }, buckets: { range: { field: 'price', ranges: [{ to: 100 }, { from: 100 }] } } } },
  ];
  for (const b of bodies) assert.deepEqual(validateBody(b, { mapping }), [], JSON.stringify(b));
});

test('an index created without fields merges as "no fields known" (GET _mapping returns "mappings": {})', () => {
  const empty = parseMapping({ idx: { mappings: {} } });
  assert.deepEqual(mappedFields(empty), []);
  const strict = parseMapping({ mappings: { dynamic: 'strict' } });
  assert.deepEqual(mappedFields(strict), []);
  assert.equal(strict.dynamic, 'strict');
  assert.deepEqual(validateBody({ query: { term: { status: 'paid' } }, sort: ['day'] }, { mapping: empty }), [], 'no fields known: no field is called unknown');
  // Next to an index with fields, the empty one adds nothing and takes nothing away.
  const merged = parseMapping({ empty: { mappings: {} }, orders: { mappings: { properties: { status: { type: 'keyword' } } } } });
  assert.deepEqual(mappedFields(merged), [{ path: 'status', type: 'keyword' }]);
  assert.deepEqual(validateBody({ query: { term: { status: 'paid' } } }, { mapping: merged }), []);
  // Still refused: an object that is no mapping at all.
  assert.throws(() => parseMapping({ idx: { settings: {} } }), /expected an index mapping/);
});

test('dense_vector dims, rank_feature impact and completion contexts are kept for the rules that read them', () => {
  const m = parseMapping({ properties: { v: { type: 'dense_vector', dims: 384 }, len: { type: 'rank_feature', positive_score_impact: false }, s: { type: 'completion', contexts: [{ name: 'lang', type: 'category' }] } } });
  assert.equal(m.fields.get('v')?.dims, 384);
  assert.equal(m.fields.get('len')?.positiveScoreImpact, false);
  assert.deepEqual(m.fields.get('s')?.contexts, [{ name: 'lang', type: 'category' }]);
});
