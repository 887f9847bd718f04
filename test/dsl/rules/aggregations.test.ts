// Aggregation placement: composite, random_sampler, series pipelines, parent pipelines, bucket_sort.
import { ruleCases } from './cases';

const terms = { terms: { field: 'status' } };
const sum = { sum: { field: 'price' } };

ruleCases('aggregation placement', [
  {
    name: 'composite under terms',
    code: 'aggregation-placement', pointer: '/aggs/by_status/aggs/pages/composite', says: 'terms',
    bad: { aggs: { by_status: { ...terms, aggs: { pages: { composite: { sources: [{ d: { terms: { field: 'day' } } }] } } } } } },
    good: { aggs: { lines: { nested: { path: 'lines' }, aggs: { pages: { composite: { sources: [{ d: { terms: { field: 'lines.sku' } } }] } } } } } },
  },
  {
    name: 'composite under a filter under terms',
    code: 'aggregation-placement', pointer: '/aggs/t/aggs/f/aggs/c/composite',
    bad: { aggs: { t: { ...terms, aggs: { f: { filter: { match_all: {} }, aggs: { c: { composite: { sources: [{ d: { terms: { field: 'day' } } }] } } } } } } } },
    good: { aggs: { f: { filter: { match_all: {} }, aggs: { c: { composite: { sources: [{ d: { terms: { field: 'day' } } }] } } } } } },
  },
  {
    name: 'composite with no sources',
    code: 'invalid-value', pointer: '/aggs/c/composite/sources', says: 'cannot be empty',
    bad: { aggs: { c: { composite: { sources: [] } } } },
    good: { aggs: { c: { composite: { sources: [{ s: { terms: { field: 'status' } } }] } } } },
  },
  {
    name: 'composite with a source name twice',
    code: 'invalid-value', pointer: '/aggs/c/composite/sources/1/s', says: 'unique',
    bad: { aggs: { c: { composite: { sources: [{ s: { terms: { field: 'status' } } }, { s: { terms: { field: 'day' } } }] } } } },
    good: { aggs: { c: { composite: { sources: [{ s: { terms: { field: 'status' } } }, { d: { terms: { field: 'day' } } }] } } } },
  },
  {
    name: 'random_sampler under a parent',
    code: 'aggregation-placement', pointer: '/aggs/t/aggs/sample/random_sampler', says: 'cannot have a parent',
    bad: { aggs: { t: { ...terms, aggs: { sample: { random_sampler: { probability: 0.1 }, aggs: { s: sum } } } } } },
    good: { aggs: { sample: { random_sampler: { probability: 0.1 }, aggs: { t: { ...terms, aggs: { s: sum } } } } } },
  },
  {
    name: 'random_sampler without sub-aggregations',
    code: 'aggregation-placement', pointer: '/aggs/sample/random_sampler', says: 'must have sub-aggregations',
    bad: { aggs: { sample: { random_sampler: { probability: 0.1 } } } },
    good: { aggs: { sample: { random_sampler: { probability: 0.1 }, aggs: { s: sum } } } },
  },
  {
    name: 'derivative under terms',
    code: 'aggregation-placement', pointer: '/aggs/t/aggs/d/derivative', says: 'histogram',
    bad: { aggs: { t: { ...terms, aggs: { s: sum, d: { derivative: { buckets_path: 's' } } } } } },
    good: { aggs: { h: { date_histogram: { field: 'day', calendar_interval: 'month' }, aggs: { s: sum, d: { derivative: { buckets_path: 's' } } } } } },
  },
  {
    name: 'cumulative_sum at the top level',
    code: 'aggregation-placement', pointer: '/aggs/c/cumulative_sum', says: "doesn't have a parent",
    bad: { aggs: { s: sum, c: { cumulative_sum: { buckets_path: 's' } } } },
    good: { aggs: { h: { histogram: { field: 'price', interval: 10 }, aggs: { s: sum, c: { cumulative_sum: { buckets_path: 's' } } } } } },
  },
  {
    name: 'derivative under a histogram that skips empty buckets',
    code: 'aggregation-placement', pointer: '/aggs/h/aggs/d/derivative', says: 'min_doc_count of 0',
    bad: { aggs: { h: { histogram: { field: 'price', interval: 10, min_doc_count: 1 }, aggs: { s: sum, d: { derivative: { buckets_path: 's' } } } } } },
    good: { aggs: { h: { histogram: { field: 'price', interval: 10, min_doc_count: 0 }, aggs: { s: sum, d: { derivative: { buckets_path: 's' } } } } } },
  },
  {
    name: 'serial_diff under a range',
    code: 'aggregation-placement', pointer: '/aggs/r/aggs/sd/serial_diff',
    bad: { aggs: { r: { range: { field: 'price', ranges: [{ to: 10 }] }, aggs: { s: sum, sd: { serial_diff: { buckets_path: 's' } } } } } },
    good: { aggs: { r: { auto_date_histogram: { field: 'day' }, aggs: { s: sum, sd: { serial_diff: { buckets_path: 's' } } } } } },
  },
  {
    name: 'moving_fn at the top level',
    code: 'aggregation-placement', pointer: '/aggs/m/moving_fn',
    bad: { aggs: { s: sum, m: { moving_fn: { buckets_path: 's', window: 3, script: 'MovingFunctions.unweightedAvg(values)' } } } },
    good: { aggs: { h: { date_histogram: { field: 'day', fixed_interval: '1d' }, aggs: { s: sum, m: { moving_fn: { buckets_path: 's', window: 3, script: 'MovingFunctions.unweightedAvg(values)' } } } } } },
  },
  {
    name: 'bucket_selector at the top level',
    code: 'aggregation-placement', pointer: '/aggs/sel/bucket_selector', says: 'declared inside of another aggregation',
    bad: { aggs: { s: sum, sel: { bucket_selector: { buckets_path: { v: 's' }, script: 'params.v > 10' } } } },
    good: { aggs: { t: { ...terms, aggs: { s: sum, sel: { bucket_selector: { buckets_path: { v: 's' }, script: 'params.v > 10' } } } } } },
  },
  {
    name: 'bucket_sort under a single-bucket filter',
    code: 'aggregation-placement', pointer: '/aggs/f/aggs/bs/bucket_sort', says: 'multi-bucket',
    bad: { aggs: { f: { filter: { match_all: {} }, aggs: { s: sum, bs: { bucket_sort: { size: 3 } } } } } },
    good: { aggs: { t: { ...terms, aggs: { s: sum, bs: { bucket_sort: { size: 3 } } } } } },
  },
  {
    name: 'bucket_sort that does nothing',
    code: 'invalid-value', pointer: '/aggs/t/aggs/bs/bucket_sort', says: 'perform nothing',
    bad: { aggs: { t: { ...terms, aggs: { s: sum, bs: { bucket_sort: { gap_policy: 'skip' } } } } } },
    good: { aggs: { t: { ...terms, aggs: { s: sum, bs: { bucket_sort: { gap_policy: 'skip', sort: [{ s: { order: 'desc' } }] } } } } } },
  },
]);
