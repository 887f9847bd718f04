// Each diagnostic code has at least one case here that triggers it; adding a code without a
// case fails the first test.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DIAGNOSTIC_CODES, parseMapping, validateBody, validateDatasetLine, validateText, type DslProblem, type ValidateOptions } from '../../src/core/dsl';
import { ECOMMERCE_MAPPINGS } from './fixtures';

const mapping = parseMapping(ECOMMERCE_MAPPINGS);
const withMapping: ValidateOptions = { mapping };

interface Case {
  name: string;
  run: () => Pick<DslProblem, 'code' | 'pointer' | 'severity' | 'message'>[];
  pointer: string;
  /** A fragment the message must contain (the fix it tells). */
  says?: string;
}

const body = (b: unknown, options?: ValidateOptions) => () => validateBody(b, options);

const CASES: Record<string, Case[]> = {
  'json-syntax': [
    { name: 'trailing comma in a body', run: () => validateText('{"size": 1,}'), pointer: '', says: 'line 1' },
    { name: 'dataset line that is not JSON', run: () => validateDatasetLine('{"id": "a", ', 4).problems, pointer: '' },
  ],
  'record-shape': [
    { name: 'record without question', run: () => validateDatasetLine('{"id":"q1","dsl":null}', 0).problems, pointer: '/question' },
    { name: 'record that is an array', run: () => validateDatasetLine('[1,2]', 0).problems, pointer: '' },
  ],
  'invalid-type': [
    { name: 'size as a word', run: body({ size: 'ten' }), pointer: '/size', says: 'integer' },
    { name: 'non-strict boolean', run: body({ query: { bool: { must: [], adjust_pure_negative: 'yes' } } }), pointer: '/query/bool/adjust_pure_negative', says: 'true or false' },
    { name: 'body that is an array', run: body([]), pointer: '' },
  ],
  'invalid-value': [
    { name: 'bad fuzziness', run: body({ query: { match: { title: { query: 'x', fuzziness: 'lots' } } } }), pointer: '/query/match/title/fuzziness', says: 'AUTO' },
    { name: 'negative size', run: body({ size: -1 }), pointer: '/size' },
    { name: 'bad minimum_should_match', run: body({ query: { bool: { should: [{ match_all: {} }], minimum_should_match: 'most' } } }), pointer: '/query/bool/minimum_should_match' },
    { name: 'distance without unit pattern', run: body({ query: { geo_distance: { distance: 'far', store_location: [1, 2] } } }), pointer: '/query/geo_distance/distance' },
  ],
  'invalid-enum': [
    { name: 'operator typo', run: body({ query: { match: { title: { query: 'x', operator: 'andd' } } } }), pointer: '/query/match/title/operator', says: 'did you mean [and]' },
    { name: 'calendar interval with a quantity', run: body({ aggs: { a: { date_histogram: { field: 'd', calendar_interval: '2d' } } } }), pointer: '/aggs/a/date_histogram/calendar_interval', says: 'fixed_interval' },
  ],
  'unknown-body-key': [
    { name: 'typo of query', run: body({ qeury: { match_all: {} } }), pointer: '/qeury', says: 'did you mean [query]' },
    { name: 'query name at the top', run: body({ match: { title: 'x' } }), pointer: '/match', says: 'wrap it' },
  ],
  'unknown-query': [
    { name: 'mtach', run: body({ query: { mtach: { title: 'x' } } }), pointer: '/query/mtach', says: 'unknown query [mtach]; did you mean [match]?' },
  ],
  'unknown-aggregation': [
    { name: 'term instead of terms', run: body({ aggs: { a: { term: { field: 'status' } } } }), pointer: '/aggs/a/term', says: 'did you mean [terms]' },
  ],
  'unknown-param': [
    { name: 'match param typo', run: body({ query: { match: { title: { query: 'x', fuzzines: 1 } } } }), pointer: '/query/match/title/fuzzines', says: 'did you mean [fuzziness]' },
    { name: 'bool clause typo', run: body({ query: { bool: { muts: [] } } }), pointer: '/query/bool/muts', says: 'did you mean [must]' },
  ],
  'missing-param': [
    { name: 'nested without query', run: body({ query: { nested: { path: 'lines' } } }), pointer: '/query/nested', says: 'requires [query]' },
    { name: 'histogram without interval', run: body({ aggs: { h: { histogram: { field: 'price' } } } }), pointer: '/aggs/h/histogram' },
  ],
  'conflicting-params': [
    { name: 'both aggs and aggregations', run: body({ aggs: {}, aggregations: {} }), pointer: '/aggregations' },
    { name: 'calendar and fixed interval', run: body({ aggs: { a: { date_histogram: { field: 'd', calendar_interval: 'day', fixed_interval: '1d' } } } }), pointer: '/aggs/a/date_histogram/fixed_interval' },
  ],
  'empty-clause': [
    { name: 'empty must clause', run: body({ query: { bool: { must: [{}] } } }), pointer: '/query/bool/must/0' },
    { name: 'empty query', run: body({ query: {} }), pointer: '/query' },
  ],
  'multiple-query-types': [
    { name: 'two queries in one object', run: body({ query: { match: { title: 'x' }, term: { status: 'a' } } }), pointer: '/query/term', says: 'bool' },
  ],
  'missing-field': [
    { name: 'match without field', run: body({ query: { match: {} } }), pointer: '/query/match' },
    { name: 'terms without field', run: body({ query: { terms: { boost: 1 } } }), pointer: '/query/terms' },
  ],
  'multiple-fields': [
    { name: 'term on two fields', run: body({ query: { term: { status: 'a', title: 'b' } } }), pointer: '/query/term/title' },
  ],
  'not-span-query': [
    { name: 'term inside span_near', run: body({ query: { span_near: { clauses: [{ term: { title: 'x' } }] } } }), pointer: '/query/span_near/clauses/0/term', says: 'span_multi' },
  ],
  'removed-feature': [
    { name: 'common terms query', run: body({ query: { common: { body: { query: 'x' } } } }), pointer: '/query/common' },
    { name: 'date_histogram interval', run: body({ aggs: { a: { date_histogram: { field: 'd', interval: 'day' } } } }), pointer: '/aggs/a/date_histogram/interval' },
  ],
  deprecated: [
    { name: 'range from/to', run: body({ query: { range: { price: { from: 1, to: 2 } } } }), pointer: '/query/range/price/from', says: 'gte' },
    { name: 'geo_polygon', run: body({ query: { geo_polygon: { loc: { points: [[1, 2], [3, 4], [5, 6]] } } } }), pointer: '/query/geo_polygon' },
  ],
  'version-unsupported': [
    { name: 'knn query on 8.10', run: body({ query: { knn: { field: 'v', query_vector: [1, 2] } } }, { esVersion: '8.10.4' }), pointer: '/query/knn', says: '8.12' },
  ],
  'missing-aggregation-type': [
    { name: 'only sub-aggregations', run: body({ aggs: { a: { aggs: { b: { max: { field: 'price' } } } } } }), pointer: '/aggs/a' },
  ],
  'multiple-aggregation-types': [
    { name: 'avg and max together', run: body({ aggs: { a: { avg: { field: 'price' }, max: { field: 'price' } } } }), pointer: '/aggs/a/max' },
  ],
  'invalid-aggregation-name': [
    { name: 'name with >', run: body({ aggs: { 'a>b': { max: { field: 'price' } } } }), pointer: '/aggs/a>b' },
  ],
  'sub-aggregations-not-allowed': [
    { name: 'aggs under avg', run: body({ aggs: { a: { avg: { field: 'price' }, aggs: { b: { max: { field: 'price' } } } } } }), pointer: '/aggs/a/aggs' },
  ],
  'max-depth': [
    {
      name: 'bools nested past the server limit',
      run: () => {
        let q: unknown = { match_all: {} };
        for (let i = 0; i < 40; i++) q = { bool: { must: q } };
        return validateBody({ query: q });
      },
      pointer: '/query' + '/bool/must'.repeat(30) + '/bool',
      says: 'max_nested_depth',
    },
  ],
  'unknown-field': [
    { name: 'field typo', run: body({ query: { match: { titel: 'x' } } }, withMapping), pointer: '/query/match/titel', says: 'did you mean [title]' },
    { name: 'unknown agg field', run: body({ aggs: { a: { terms: { field: 'stauts' } } } }, withMapping), pointer: '/aggs/a/terms/field', says: 'did you mean [status]' },
  ],
  'field-type-mismatch': [
    { name: 'non-numeric bound on a numeric field', run: body({ query: { range: { price: { gte: 'cheap' } } } }, withMapping), pointer: '/query/range/price/gte' },
    { name: 'geo query on a keyword field', run: body({ query: { geo_distance: { distance: '1km', status: { lat: 1, lon: 2 } } } }, withMapping), pointer: '/query/geo_distance/status' },
    { name: 'avg on a keyword field', run: body({ aggs: { a: { avg: { field: 'status' } } } }, withMapping), pointer: '/aggs/a/avg/field' },
  ],
  'term-query-on-text': [
    { name: 'term on text', run: body({ query: { term: { title: 'Red Shoes' } } }, withMapping), pointer: '/query/term/title', says: 'title.keyword' },
  ],
  'text-field-not-aggregatable': [
    { name: 'terms agg on text', run: body({ aggs: { a: { terms: { field: 'title' } } } }, withMapping), pointer: '/aggs/a/terms/field', says: 'title.keyword' },
    { name: 'sort on text', run: body({ sort: [{ description: 'asc' }] }, withMapping), pointer: '/sort/0/description' },
  ],
  'nested-field-outside-nested': [
    { name: 'nested field in a plain term', run: body({ query: { term: { 'lines.sku': 'A1' } } }, withMapping), pointer: '/query/term/lines.sku', says: '"path": "lines"' },
  ],
  'nested-path-not-nested': [
    { name: 'object path', run: body({ query: { nested: { path: 'customer', query: { match_all: {} } } } }, withMapping), pointer: '/query/nested/path' },
  ],
  'result-window-exceeded': [
    { name: 'deep paging', run: body({ from: 9990, size: 20 }), pointer: '/size', says: 'search_after' },
  ],
  'invalid-buckets-path': [
    {
      name: 'derivative of a metric that does not exist',
      run: body({ aggs: { m: { date_histogram: { field: 'd', calendar_interval: 'month' }, aggs: { sales: { sum: { field: 'price' } }, d: { derivative: { buckets_path: 'sale' } } } } } }),
      pointer: '/aggs/m/aggs/d/derivative/buckets_path',
      says: 'no aggregation [sale]',
    },
  ],
  'aggregation-placement': [
    { name: 'bucket_script at the top level', run: body({ aggs: { s: { sum: { field: 'price' } }, r: { bucket_script: { buckets_path: { s: 's' }, script: 'params.s' } } } }), pointer: '/aggs/r/bucket_script', says: 'inside of another aggregation' },
  ],
  'needs-plugin': [
    { name: 'annotated highlighter', run: body({ highlight: { type: 'annotated', fields: { body: {} } } }), pointer: '/highlight/type', says: 'mapper-annotated-text' },
  ],
};

test('every diagnostic code has a triggering case', () => {
  for (const code of Object.keys(DIAGNOSTIC_CODES)) {
    assert.ok((CASES[code]?.length ?? 0) > 0, `no triggering case for code [${code}]`);
  }
  for (const code of Object.keys(CASES)) assert.ok(DIAGNOSTIC_CODES[code] !== undefined, `case for unknown code [${code}]`);
});

for (const [code, cases] of Object.entries(CASES)) {
  for (const c of cases) {
    test(`${code}: ${c.name}`, () => {
      const problems = c.run();
      const hit = problems.find((p) => p.code === code && p.pointer === c.pointer);
      assert.ok(hit, `expected [${code}] at ${c.pointer}, got ${JSON.stringify(problems.map((p) => [p.code, p.pointer, p.message]))}`);
      if (code !== 'unknown-field') assert.equal(hit.severity, DIAGNOSTIC_CODES[code]!.severity);
      if (c.says !== undefined) assert.ok(hit.message.includes(c.says), `message should mention ${c.says}: ${hit.message}`);
    });
  }
}

test('a clean body with a mapping has no problems', () => {
  const problems = validateBody({
    query: {
      bool: {
        must: { match: { title: 'red shoes' } },
        filter: [
          { term: { status: 'paid' } },
          { range: { price: { gte: 10, lt: '100' } } },
          { range: { ordered_at: { gte: 'now-7d/d' } } },
          { nested: { path: 'lines', query: { bool: { must: [{ term: { 'lines.sku': 'A1' } }, { nested: { path: 'lines.discounts', query: { term: { 'lines.discounts.code': 'X' } } } }] } } } },
          { geo_distance: { distance: '10km', store_location: { lat: 48.8, lon: 2.3 } } },
          { term: { day_of_week: 'MONDAY' } },
          { term: { 'shipping.city': 'Paris' } },
          { range: { cost: { lte: 5 } } },
        ],
      },
    },
    aggs: {
      by_status: { terms: { field: 'status' }, aggs: { revenue: { sum: { field: 'price' } } } },
      lines: { nested: { path: 'lines' }, aggs: { skus: { terms: { field: 'lines.sku' }, aggs: { back: { reverse_nested: {}, aggs: { s: { terms: { field: 'status' } } } } } } } },
      notes: { terms: { field: 'notes' } },
    },
    sort: [{ ordered_at: 'desc' }, '_score', { 'title.keyword': { order: 'asc' } }],
    _source: ['title', 'price'],
    size: 20,
  }, withMapping);
  assert.deepEqual(problems, []);
});

test('unmappedFieldSeverity controls unknown fields', () => {
  const b = { query: { match: { titel: 'x' } } };
  assert.equal(validateBody(b, { mapping, unmappedFieldSeverity: 'error' })[0]?.severity, 'error');
  assert.deepEqual(validateBody(b, { mapping, unmappedFieldSeverity: 'off' }), []);
  assert.deepEqual(validateBody(b), [], 'no mapping, no field checks');
});

test('fixes carry the replacement for did-you-mean problems', () => {
  const [p] = validateBody({ query: { mtach: { title: 'x' } } });
  assert.deepEqual(p?.fix, { kind: 'renameKey', replacement: 'match' });
  const [e] = validateBody({ query: { match: { title: { query: 'x', operator: 'andd' } } } });
  assert.deepEqual(e?.fix, { kind: 'replaceValue', replacement: 'and' });
});

test('every problem is reported, not just the first', () => {
  const problems = validateBody({ qeury: {}, size: 'x', from: 'y', query: { mtach: {}, bool: {} } });
  assert.deepEqual(problems.map((p) => p.code).sort(), ['invalid-type', 'invalid-type', 'multiple-query-types', 'unknown-body-key', 'unknown-query']);
});
