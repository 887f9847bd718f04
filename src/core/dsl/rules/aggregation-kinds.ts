// What an aggregation yields, as Elasticsearch's bucketCardinality() and metric classes say: the
// facts that placement and buckets_path rules need.

/** Bucket aggregations with exactly one bucket (BucketCardinality.ONE). */
export const SINGLE_BUCKET = new Set([
  'filter', 'global', 'missing', 'nested', 'reverse_nested', 'sampler', 'diversified_sampler', 'random_sampler', 'children', 'parent',
]);

/** composite is a bucket aggregation that pretends to have none (its buckets are paginated). */
export const NO_BUCKETS_FOR_PIPELINES = new Set(['composite']);

/** Metrics (and pipelines) with one numeric value: `path>avg_price` resolves to a number. */
export const SINGLE_VALUE = new Set([
  'avg', 'sum', 'min', 'max', 'value_count', 'cardinality', 'median_absolute_deviation', 'weighted_avg', 't_test', 'rate',
  'avg_bucket', 'sum_bucket', 'min_bucket', 'max_bucket', 'bucket_script', 'cumulative_sum', 'cumulative_cardinality', 'derivative',
  'serial_diff', 'moving_fn', 'normalize', 'inference',
]);

/** Metrics with several named values: the path names one (`stats.avg`, `pct[99.9]`). */
export const MULTI_VALUE = new Set([
  'stats', 'extended_stats', 'percentiles', 'percentile_ranks', 'boxplot', 'string_stats', 'matrix_stats', 'top_metrics',
  'stats_bucket', 'extended_stats_bucket', 'percentiles_bucket', 'moving_percentiles', 'geo_centroid', 'cartesian_centroid',
  'geo_bounds', 'cartesian_bounds',
]);

/** Aggregations with no number to read at all. */
export const NO_VALUE = new Set(['top_hits', 'geo_line', 'bucket_selector', 'bucket_sort', 'change_point', 'bucket_count_ks_test', 'bucket_correlation']);

/** Pipelines that read a sibling multi-bucket aggregation (BucketMetricsPipelineAggregationBuilder and kin). */
export const SIBLING_PIPELINES = new Set([
  'avg_bucket', 'sum_bucket', 'min_bucket', 'max_bucket', 'stats_bucket', 'extended_stats_bucket', 'percentiles_bucket',
  'bucket_count_ks_test', 'bucket_correlation', 'change_point',
]);

/** Pipelines that run inside each bucket of their parent. */
export const PARENT_PIPELINES = new Set([
  'bucket_script', 'bucket_selector', 'bucket_sort', 'derivative', 'cumulative_sum', 'cumulative_cardinality', 'serial_diff',
  'moving_fn', 'moving_percentiles', 'normalize', 'inference',
]);

/** The one aggregation type of an aggregation container, or undefined when malformed. */
export function aggregationType(container: unknown): string | undefined {
  if (typeof container !== 'object' || container === null || Array.isArray(container)) return undefined;
  for (const k in container) if (k !== 'aggs' && k !== 'aggregations' && k !== 'meta') return k;
  return undefined;
}

/** The sub-aggregations map of an aggregation container. */
export function subAggregationsOf(container: unknown): Record<string, unknown> | undefined {
  if (typeof container !== 'object' || container === null || Array.isArray(container)) return undefined;
  const c = container as Record<string, unknown>;
  const sub = c['aggs'] ?? c['aggregations'];
  return typeof sub === 'object' && sub !== null && !Array.isArray(sub) ? (sub as Record<string, unknown>) : undefined;
}

export function isMultiBucket(type: string, category: string | undefined): boolean {
  return category === 'bucket' && !SINGLE_BUCKET.has(type) && !NO_BUCKETS_FOR_PIPELINES.has(type);
}
