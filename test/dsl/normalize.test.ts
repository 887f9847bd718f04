import assert from 'node:assert/strict';
import { test } from 'node:test';
import { aggregationTypes, canonicalJson, normalizeBody, topQueryType } from '../../src/core/dsl';

/** Pairs that mean the same request; each pair must normalise to the same canonical string. */
const EQUIVALENT: [string, unknown, unknown][] = [
  ['match short form', { query: { match: { title: 'red' } } }, { query: { match: { title: { query: 'red' } } } }],
  ['term short form and outer boost', { query: { term: { status: 'paid', boost: 2 } } }, { query: { term: { status: { value: 'paid', boost: 2 } } } }],
  ['prefix/wildcard/regexp/fuzzy short forms', { query: { bool: { must: [{ prefix: { a: 'x' } }, { wildcard: { b: 'y*' } }, { regexp: { c: 'z.*' } }, { fuzzy: { d: 'w' } }] } } },
    { query: { bool: { must: [{ prefix: { a: { value: 'x' } } }, { wildcard: { b: { value: 'y*' } } }, { regexp: { c: { value: 'z.*' } } }, { fuzzy: { d: { value: 'w' } } }] } } }],
  ['single clause vs array', { query: { bool: { filter: { term: { s: 'a' } } } } }, { query: { bool: { filter: [{ term: { s: 'a' } }] } } }],
  ['bool clause order', { query: { bool: { filter: [{ term: { a: 1 } }, { term: { b: 2 } }] } } }, { query: { bool: { filter: [{ term: { b: 2 } }, { term: { a: 1 } }] } } }],
  ['empty clause arrays dropped', { query: { bool: { must: [], filter: { match_all: {} } } } }, { query: { bool: { filter: [{ match_all: {} }] } } }],
  ['key order', { size: 10, query: { match_all: {} }, from: 0 }, { from: 0, query: { match_all: {} }, size: 10 }],
  ['aggregations alias and nested aggregations alias', { aggregations: { a: { terms: { field: 'f' }, aggregations: { b: { max: { field: 'p' } } } } } },
    { aggs: { a: { aggs: { b: { max: { field: 'p' } } }, terms: { field: 'f' } } } }],
  ['sort forms', { sort: 'price' }, { sort: [{ price: { order: 'asc' } }] }],
  ['sort order case', { sort: [{ price: 'DESC' }, '_score'] }, { sort: [{ price: { order: 'desc' } }, { _score: { order: 'desc' } }] }],
  ['enum case', { query: { match: { t: { query: 'x', operator: 'AND' } } } }, { query: { match: { t: { operator: 'and', query: 'x' } } } }],
  ['terms value order', { query: { terms: { s: ['b', 'a'] } } }, { query: { terms: { s: ['a', 'b'] } } }],
  ['multi_match fields as string', { query: { multi_match: { query: 'x', fields: 'title' } } }, { query: { multi_match: { query: 'x', fields: ['title'] } } }],
  ['filter agg and post_filter queries', { post_filter: { term: { a: 'x' } }, aggs: { f: { filter: { term: { b: 'y' } } } } },
    { post_filter: { term: { a: { value: 'x' } } }, aggs: { f: { filter: { term: { b: { value: 'y' } } } } } }],
];

for (const [name, a, b] of EQUIVALENT) {
  test(`normalise: ${name}`, () => {
    assert.equal(canonicalJson(a), canonicalJson(b));
    assert.deepEqual(normalizeBody(a), normalizeBody(b));
    const once = normalizeBody(a);
    assert.deepEqual(normalizeBody(once), once, 'idempotent');
  });
}

test('normalise keeps different requests different', () => {
  const pairs: [unknown, unknown][] = [
    [{ query: { match: { title: 'red' } } }, { query: { match_phrase: { title: 'red' } } }],
    [{ query: { bool: { must: [{ term: { a: 1 } }] } } }, { query: { bool: { filter: [{ term: { a: 1 } }] } } }],
    [{ sort: [{ a: 'asc' }, { b: 'asc' }] }, { sort: [{ b: 'asc' }, { a: 'asc' }] }],
    [{ size: 10 }, { size: 11 }],
  ];
  for (const [a, b] of pairs) assert.notEqual(canonicalJson(a), canonicalJson(b));
});

test('canonical JSON is compact with sorted keys and leaves the input untouched', () => {
  const body = { size: 1, query: { match: { t: 'x' } } };
  const copy = structuredClone(body);
  assert.equal(canonicalJson(body), '{"query":{"match":{"t":{"query":"x"}}},"size":1}');
  assert.deepEqual(body, copy);
});

test('topQueryType and aggregationTypes', () => {
  assert.equal(topQueryType({ query: { bool: {} } }), 'bool');
  assert.equal(topQueryType({ size: 0 }), null);
  assert.equal(topQueryType(null), null);
  assert.deepEqual(aggregationTypes({ aggs: { a: { terms: { field: 'x' }, aggs: { b: { avg: { field: 'y' } }, c: { terms: { field: 'z' } } } }, m: { meta: {}, max: { field: 'p' } } } }), ['terms', 'max', 'avg']);
  assert.deepEqual(aggregationTypes({ aggregations: { a: { date_histogram: { field: 'd', calendar_interval: 'day' } } } }), ['date_histogram']);
  assert.deepEqual(aggregationTypes({}), []);
});
