// Input Elasticsearch accepts that the validator used to refuse (each was a false alarm).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateBody } from '../../../src/core/dsl';

function clean(body: unknown): void {
  const problems = validateBody(body);
  assert.deepEqual(problems.map((p) => [p.code, p.pointer, p.message]), []);
}

test('ids, parent ids and other text parameters of queries may be numbers (parser.text() reads any scalar)', () => {
  clean({ query: { parent_id: { type: 'answer', id: 42 } } });
  clean({ query: { ids: { values: [1, 2, '3'] } } });
  clean({ query: { match: { title: { query: 'x', analyzer: 'standard', _name: 7 } } } });
  clean({ query: { term: { status: { value: 'paid', _name: 3 } } } });
  clean({ query: { query_string: { query: 1234, default_field: 'code' } } });
});

test('queries parsed with ObjectParser keep their text parameters strict', () => {
  const problems = validateBody({ query: { combined_fields: { query: 7, fields: ['title', 'body'] } } });
  assert.deepEqual(problems.map((p) => [p.code, p.pointer]), [['invalid-type', '/query/combined_fields/query']]);
  clean({ query: { combined_fields: { query: '7', fields: ['title', 'body'] } } });
});

test('text parameters outside queries stay strict: aggregations use ObjectParser string fields', () => {
  const problems = validateBody({ aggs: { a: { terms: { field: 'status', format: 12 } } } });
  assert.deepEqual(problems.map((p) => [p.code, p.pointer]), [['invalid-type', '/aggs/a/terms/format']]);
});

test('term query with the older "term" key instead of "value"', () => {
  clean({ query: { term: { status: { term: 'paid' } } } });
  clean({ query: { term: { status: { term: 'paid', boost: 2 } } } });
  const missing = validateBody({ query: { term: { status: { boost: 2 } } } });
  assert.deepEqual(missing.map((p) => [p.code, p.pointer]), [['missing-param', '/query/term/status']]);
  assert.match(missing[0]!.message, /one of \[value, term\]/);
});

test('signed time values for date histogram offsets', () => {
  clean({ aggs: { d: { date_histogram: { field: 'day', calendar_interval: 'day', offset: '+6h' } } } });
  clean({ aggs: { d: { date_histogram: { field: 'day', fixed_interval: '1d', offset: '-30m' } } } });
  clean({ aggs: { c: { composite: { sources: [{ d: { date_histogram: { field: 'day', calendar_interval: '1d', offset: '+6h' } } }] } } } });
  const bad = validateBody({ aggs: { d: { date_histogram: { field: 'day', calendar_interval: 'day', offset: '6 hours' } } } });
  assert.deepEqual(bad.map((p) => [p.code, p.pointer]), [['invalid-value', '/aggs/d/date_histogram/offset']]);
});

test('highlighters outside the core three are warnings that name the plugin, not errors', () => {
  clean({ highlight: { fields: { body: { type: 'fvh' } } } });
  const annotated = validateBody({ highlight: { type: 'annotated', fields: { body: {} } } });
  assert.deepEqual(annotated.map((p) => [p.code, p.severity, p.pointer]), [['needs-plugin', 'warning', '/highlight/type']]);
  assert.match(annotated[0]!.message, /needs plugin mapper-annotated-text/);
  const other = validateBody({ highlight: { fields: { body: { type: 'experimental' } } } });
  assert.deepEqual(other.map((p) => [p.code, p.severity, p.pointer]), [['needs-plugin', 'warning', '/highlight/fields/body/type']]);
  assert.match(other[0]!.message, /needs the plugin that registers it/);
});
