// Numeric bounds that aggregation parsers check, and lists that must not be empty.
import { ruleCases } from './cases';

const at = (type: string, params: Record<string, unknown>) => ({ aggs: { a: { [type]: params } } });

ruleCases('numeric bounds', [
  { name: 'extended_stats sigma below 0', code: 'invalid-value', pointer: '/aggs/a/extended_stats/sigma', says: 'greater than or equal to 0', bad: at('extended_stats', { field: 'price', sigma: -1 }), good: at('extended_stats', { field: 'price', sigma: 0 }) },
  { name: 'cardinality precision_threshold below 0', code: 'invalid-value', pointer: '/aggs/a/cardinality/precision_threshold', bad: at('cardinality', { field: 'status', precision_threshold: -5 }), good: at('cardinality', { field: 'status', precision_threshold: 0 }) },
  { name: 'tdigest compression of 0', code: 'invalid-value', pointer: '/aggs/a/percentiles/tdigest/compression', says: 'greater than 0', bad: at('percentiles', { field: 'price', tdigest: { compression: 0 } }), good: at('percentiles', { field: 'price', tdigest: { compression: 1 } }) },
  { name: 'HDR with 6 significant digits', code: 'invalid-value', pointer: '/aggs/a/percentiles/hdr/number_of_significant_value_digits', says: '0 to 5', bad: at('percentiles', { field: 'price', hdr: { number_of_significant_value_digits: 6 } }), good: at('percentiles', { field: 'price', hdr: { number_of_significant_value_digits: 5 } }) },
  { name: 'random_sampler probability 0.7', code: 'invalid-value', pointer: '/aggs/a/random_sampler/probability', says: '0.5', bad: { aggs: { a: { random_sampler: { probability: 0.7 }, aggs: { s: { sum: { field: 'price' } } } } } }, good: { aggs: { a: { random_sampler: { probability: 1 }, aggs: { s: { sum: { field: 'price' } } } } } } },
  { name: 'random_sampler probability 0', code: 'invalid-value', pointer: '/aggs/a/random_sampler/probability', bad: { aggs: { a: { random_sampler: { probability: 0 }, aggs: { s: { sum: { field: 'price' } } } } } }, good: { aggs: { a: { random_sampler: { probability: 0.5 }, aggs: { s: { sum: { field: 'price' } } } } } } },
  {
    name: 'moving_fn window of 0', code: 'invalid-value', pointer: '/aggs/h/aggs/m/moving_fn/window', says: 'positive',
    bad: { aggs: { h: { histogram: { field: 'price', interval: 5 }, aggs: { s: { sum: { field: 'price' } }, m: { moving_fn: { buckets_path: 's', window: 0, script: 'MovingFunctions.max(values)' } } } } } },
    good: { aggs: { h: { histogram: { field: 'price', interval: 5 }, aggs: { s: { sum: { field: 'price' } }, m: { moving_fn: { buckets_path: 's', window: 1, script: 'MovingFunctions.max(values)' } } } } } },
  },
  { name: 'histogram interval of 0', code: 'invalid-value', pointer: '/aggs/a/histogram/interval', bad: at('histogram', { field: 'price', interval: 0 }), good: at('histogram', { field: 'price', interval: 0.5 }) },
  { name: 'terms size of 0', code: 'invalid-value', pointer: '/aggs/a/terms/size', bad: at('terms', { field: 'status', size: 0 }), good: at('terms', { field: 'status', size: 1 }) },
  { name: 'empty percents', code: 'invalid-value', pointer: '/aggs/a/percentiles/percents', says: 'must not be empty', bad: at('percentiles', { field: 'price', percents: [] }), good: at('percentiles', { field: 'price', percents: [50] }) },
  { name: 'empty filters', code: 'invalid-value', pointer: '/aggs/a/filters/filters', bad: at('filters', { filters: {} }), good: at('filters', { filters: { paid: { term: { status: 'paid' } } } }) },
  { name: 'empty ranges', code: 'invalid-value', pointer: '/aggs/a/range/ranges', bad: at('range', { field: 'price', ranges: [] }), good: at('range', { field: 'price', ranges: [{ to: 10 }] }) },
]);
