// Numeric bounds that aggregation parsers enforce (each entry: the aggregation types, the param
// path inside the params object, the test and Elasticsearch's wording of the limit).
import { asNumber, isObject, type Segment } from '../walk/json';
import type { AggregationRule } from './types';

interface Bound {
  readonly types: readonly string[];
  /** Path of the param inside the aggregation's params object. */
  readonly param: readonly string[];
  readonly ok: (n: number) => boolean;
  /** Says the limit: "must be greater than or equal to 0". */
  readonly limit: string;
  readonly why: string;
}

const BOUNDS: readonly Bound[] = [
  { types: ['extended_stats', 'extended_stats_bucket'], param: ['sigma'], ok: (n) => n >= 0, limit: 'must be greater than or equal to 0', why: 'ExtendedStatsAggregationBuilder.sigma: "[sigma] must be greater than or equal to 0"' },
  { types: ['cardinality'], param: ['precision_threshold'], ok: (n) => n >= 0, limit: 'must be greater than or equal to 0', why: 'CardinalityAggregationBuilder.precisionThreshold: "[precisionThreshold] must be greater than or equal to 0"' },
  { types: ['percentiles', 'percentile_ranks', 'boxplot', 'median_absolute_deviation'], param: ['tdigest', 'compression'], ok: (n) => n > 0, limit: 'must be greater than 0', why: 'TDigestState: "[compression] must be greater than 0"' },
  { types: ['boxplot', 'median_absolute_deviation'], param: ['compression'], ok: (n) => n > 0, limit: 'must be greater than 0', why: '"[compression] must be greater than 0"' },
  { types: ['percentiles', 'percentile_ranks'], param: ['hdr', 'number_of_significant_value_digits'], ok: (n) => Number.isInteger(n) && n >= 0 && n <= 5, limit: 'must be an integer from 0 to 5', why: 'PercentilesConfig.Hdr: "[numberOfSignificantValueDigits] must be between 0 and 5"' },
  { types: ['random_sampler'], param: ['probability'], ok: (n) => (n > 0 && n <= 0.5) || n === 1, limit: 'must be greater than 0 and at most 0.5, or exactly 1', why: 'RandomSamplerAggregationBuilder: "[probability] must be between 0.0 and 0.5 or exactly 1.0"' },
  { types: ['moving_fn', 'moving_percentiles'], param: ['window'], ok: (n) => n > 0, limit: 'must be a positive, non-zero integer', why: 'MovFnPipelineAggregationBuilder: "[window] must be a positive, non-zero integer."' },
  { types: ['histogram'], param: ['interval'], ok: (n) => n > 0, limit: 'must be greater than 0', why: 'HistogramAggregationBuilder.interval: "[interval] must be >0 for histogram aggregation"' },
  { types: ['terms', 'multi_terms', 'significant_terms', 'significant_text'], param: ['size'], ok: (n) => n > 0, limit: 'must be greater than 0', why: 'TermsAggregationBuilder / BucketCountThresholds: "[size] must be greater than 0"' },
  { types: ['terms', 'multi_terms', 'significant_terms', 'significant_text'], param: ['shard_size'], ok: (n) => n > 0, limit: 'must be greater than 0', why: '"[shardSize] must be greater than 0"' },
  { types: ['terms', 'multi_terms', 'significant_terms', 'significant_text', 'histogram', 'date_histogram'], param: ['min_doc_count'], ok: (n) => n >= 0, limit: 'must be greater than or equal to 0', why: '"[minDocCount] must be greater than or equal to 0"' },
  { types: ['top_hits'], param: ['size'], ok: (n) => n >= 0, limit: 'must be greater than or equal to 0', why: 'TopHitsAggregationBuilder: "[size] must be greater than or equal to 0"' },
  { types: ['serial_diff'], param: ['lag'], ok: (n) => n > 0, limit: 'must be a positive, non-zero integer', why: 'SerialDiffPipelineAggregationBuilder: "[lag] must be a positive, non-zero integer."' },
];

/** Lists that must not be empty: percents, filters, ranges, percentile_ranks values. */
interface NonEmpty { readonly types: readonly string[]; readonly param: string; readonly why: string; readonly hint: string }
const NON_EMPTY: readonly NonEmpty[] = [
  { types: ['percentiles', 'percentiles_bucket'], param: 'percents', why: 'PercentilesAggregationBuilder.percentiles: "[percents] must not be empty"', hint: 'list the percentiles, e.g. [50, 95, 99], or omit [percents] for the defaults' },
  { types: ['percentile_ranks'], param: 'values', why: 'PercentileRanksAggregationBuilder: "[values] must not be empty"', hint: 'list the values whose rank you want' },
  { types: ['filters', 'adjacency_matrix'], param: 'filters', why: 'FiltersAggregationBuilder: "[filters] cannot be empty."', hint: 'add at least one named filter' },
  { types: ['range', 'date_range', 'ip_range', 'geo_distance'], param: 'ranges', why: 'RangeAggregationBuilder: "No [ranges] specified for the [x] aggregation"', hint: 'add at least one range such as {"to": 100}' },
];

function isEmpty(v: unknown): boolean {
  if (Array.isArray(v)) return v.length === 0;
  if (isObject(v)) {
    for (const _ in v) return false;
    return true;
  }
  return false;
}

export const NUMERIC_BOUND_RULES: readonly AggregationRule[] = [
  ...BOUNDS.map((b): AggregationRule => ({
    code: 'invalid-value',
    types: b.types,
    when: [b.param[0]!],
    why: b.why,
    check(w, agg) {
      let v: unknown = agg.params;
      for (const k of b.param) v = isObject(v) ? v[k] : undefined;
      const n = asNumber(v);
      if (n === undefined || b.ok(n)) return;
      const at: Segment[] = [agg.type, ...b.param];
      w.reportAt(at, 'invalid-value', `[${b.param[b.param.length - 1]}] of ${agg.type} aggregation [${agg.name}] ${b.limit}, found ${n}`);
    },
  })),
  ...NON_EMPTY.map((e): AggregationRule => ({
    code: 'invalid-value',
    types: e.types,
    when: [e.param],
    why: e.why,
    check(w, agg) {
      const v = agg.params[e.param];
      if (v === undefined || !isEmpty(v)) return;
      w.reportAt([agg.type, e.param], 'invalid-value', `[${e.param}] of ${agg.type} aggregation [${agg.name}] must not be empty; ${e.hint}`);
    },
  })),
];
