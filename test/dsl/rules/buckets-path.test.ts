// buckets_path (and order path) resolution, the most common pipeline mistake.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAggregationPath } from '../../../src/core/dsl/rules/buckets-path';
import { ruleCases } from './cases';

const monthly = (aggs: Record<string, unknown>) => ({ aggs: { m: { date_histogram: { field: 'day', calendar_interval: 'month' }, aggs } } });
const sales = { sum: { field: 'price' } };

test('AggregationPath.parse: ">" between aggregations, name.key or name[key] on the last', () => {
  assert.deepEqual(parseAggregationPath('a>b.avg'), [{ name: 'a', key: undefined }, { name: 'b', key: 'avg' }]);
  assert.deepEqual(parseAggregationPath('pct[99.9]'), [{ name: 'pct', key: '99.9' }]);
  assert.deepEqual(parseAggregationPath("t['x']>s"), [{ name: 't', key: "'x'" }, { name: 's', key: undefined }]);
  assert.deepEqual(parseAggregationPath('time_frame.gte.value'), [{ name: 'time_frame.gte', key: 'value' }]);
  assert.equal(typeof parseAggregationPath('[x]'), 'string');
  assert.equal(typeof parseAggregationPath(''), 'string');
});

ruleCases('buckets_path', [
  {
    name: 'parent pipeline naming a metric that does not exist',
    code: 'invalid-buckets-path', pointer: '/aggs/m/aggs/d/derivative/buckets_path', says: 'no aggregation [sale]',
    bad: monthly({ sales, d: { derivative: { buckets_path: 'sale' } } }),
    good: monthly({ sales, d: { derivative: { buckets_path: 'sales' } } }),
  },
  {
    name: 'bucket_script variable pointing at a multi-value metric without a value name',
    code: 'invalid-buckets-path', pointer: '/aggs/m/aggs/r/bucket_script/buckets_path/total', says: 'name one of its values',
    bad: monthly({ st: { stats: { field: 'price' } }, r: { bucket_script: { buckets_path: { total: 'st', n: '_count' }, script: 'params.total / params.n' } } }),
    good: monthly({ st: { stats: { field: 'price' } }, r: { bucket_script: { buckets_path: { total: 'st.sum', n: '_count' }, script: 'params.total / params.n' } } }),
  },
  {
    name: 'percentile key in brackets',
    code: 'invalid-buckets-path', pointer: '/aggs/m/aggs/sel/bucket_selector/buckets_path/p',
    bad: monthly({ pct: { percentiles: { field: 'price' } }, sel: { bucket_selector: { buckets_path: { p: 'pct' }, script: 'params.p > 1' } } }),
    good: monthly({ pct: { percentiles: { field: 'price' } }, sel: { bucket_selector: { buckets_path: { p: 'pct[99.9]' }, script: 'params.p > 1' } } }),
  },
  {
    name: 'path through a multi-bucket aggregation',
    code: 'invalid-buckets-path', pointer: '/aggs/m/aggs/d/derivative/buckets_path', says: 'multi-bucket',
    bad: monthly({ t: { terms: { field: 'status' }, aggs: { sales } }, d: { derivative: { buckets_path: 't>sales' } } }),
    good: monthly({ f: { filter: { term: { status: 'paid' } }, aggs: { sales } }, d: { derivative: { buckets_path: 'f>sales' } } }),
  },
  {
    name: 'path ending at a single-bucket aggregation',
    code: 'invalid-buckets-path', pointer: '/aggs/m/aggs/d/derivative/buckets_path', says: '_count',
    bad: monthly({ f: { filter: { term: { status: 'paid' } } }, d: { derivative: { buckets_path: 'f' } } }),
    good: monthly({ f: { filter: { term: { status: 'paid' } } }, d: { derivative: { buckets_path: 'f>_count' } } }),
  },
  {
    name: 'a value name on a single-value metric',
    code: 'invalid-buckets-path', pointer: '/aggs/m/aggs/d/derivative/buckets_path', says: 'single-value',
    bad: monthly({ sales, d: { derivative: { buckets_path: 'sales.avg' } } }),
    good: monthly({ sales, d: { derivative: { buckets_path: 'sales.value' } } }),
  },
  {
    name: 'a pipeline reading another pipeline\'s output that has no number',
    code: 'invalid-buckets-path', pointer: '/aggs/m/aggs/d/derivative/buckets_path', says: 'does not produce a number',
    bad: monthly({ sales, sel: { bucket_selector: { buckets_path: { s: 'sales' }, script: 'params.s > 0' } }, d: { derivative: { buckets_path: 'sel' } } }),
    good: monthly({ sales, c: { cumulative_sum: { buckets_path: 'sales' } }, d: { derivative: { buckets_path: 'c' } } }),
  },
  {
    name: 'sibling pipeline whose first element is not a sibling',
    code: 'invalid-buckets-path', pointer: '/aggs/best/max_bucket/buckets_path', says: 'does not exist',
    bad: { aggs: { ...monthly({ sales }).aggs, best: { max_bucket: { buckets_path: 'month>sales' } } } },
    good: { aggs: { ...monthly({ sales }).aggs, best: { max_bucket: { buckets_path: 'm>sales' } } } },
  },
  {
    name: 'sibling pipeline whose first element is a single-bucket aggregation',
    code: 'invalid-buckets-path', pointer: '/aggs/avg/avg_bucket/buckets_path', says: 'multi-bucket',
    bad: { aggs: { f: { filter: { match_all: {} }, aggs: { sales } }, avg: { avg_bucket: { buckets_path: 'f>sales' } } } },
    good: { aggs: { t: { terms: { field: 'status' }, aggs: { sales } }, avg: { avg_bucket: { buckets_path: 't>sales' } } } },
  },
  {
    name: 'sibling pipeline on a composite aggregation',
    code: 'invalid-buckets-path', pointer: '/aggs/avg/avg_bucket/buckets_path', says: 'composite',
    bad: { aggs: { c: { composite: { sources: [{ s: { terms: { field: 'status' } } }] }, aggs: { sales } }, avg: { avg_bucket: { buckets_path: 'c>sales' } } } },
    good: { aggs: { c: { terms: { field: 'status' }, aggs: { sales } }, avg: { avg_bucket: { buckets_path: 'c>sales' } } } },
  },
  {
    name: 'sibling pipeline stopping at the buckets',
    code: 'invalid-buckets-path', pointer: '/aggs/avg/avg_bucket/buckets_path', says: 'ends at a bucket',
    bad: { aggs: { t: { terms: { field: 'status' } }, avg: { avg_bucket: { buckets_path: 't' } } } },
    good: { aggs: { t: { terms: { field: 'status' } }, avg: { avg_bucket: { buckets_path: 't>_count' } } } },
  },
  {
    name: 'sibling pipeline with two paths',
    code: 'invalid-buckets-path', pointer: '/aggs/avg/avg_bucket/buckets_path', says: 'single entry',
    bad: { aggs: { t: { terms: { field: 'status' }, aggs: { sales } }, avg: { avg_bucket: { buckets_path: ['t>sales', 't>_count'] } } } },
    good: { aggs: { t: { terms: { field: 'status' }, aggs: { sales } }, avg: { avg_bucket: { buckets_path: ['t>sales'] } } } },
  },
  {
    name: 'terms ordered by a sub-aggregation that does not exist',
    code: 'invalid-buckets-path', pointer: '/aggs/t/terms/order/revenue', says: 'order path [revenue]',
    bad: { aggs: { t: { terms: { field: 'status', order: { revenue: 'desc' } }, aggs: { sales } } } },
    good: { aggs: { t: { terms: { field: 'status', order: [{ sales: 'desc' }, { _key: 'asc' }] }, aggs: { sales } } } },
  },
  {
    name: 'terms ordered by a stats aggregation without a value name',
    code: 'invalid-buckets-path', pointer: '/aggs/t/terms/order/0/st',
    bad: { aggs: { t: { terms: { field: 'status', order: [{ st: 'desc' }] }, aggs: { st: { stats: { field: 'price' } } } } } },
    good: { aggs: { t: { terms: { field: 'status', order: [{ 'st.max': 'desc' }] }, aggs: { st: { stats: { field: 'price' } } } } } },
  },
]);
