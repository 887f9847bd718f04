// Every aggregation type of Elasticsearch 8.x/9.x (bucket, metric, pipeline) with its parameters.
// An aggregation container is {"<type>": {params}, "aggs"|"aggregations": {...}, "meta": {...}};
// only bucket aggregations may carry sub-aggregations.
import type { AggregationSpec, ParamTable, ValueSpec } from './spec-types';
import {
  CALENDAR_INTERVAL, GAP_POLICY, GEO_DISTANCE_TYPE, SORT_MODE, SORT_ORDER, VALUE_TYPE, enumOf, obj, p, req,
} from './spec-helpers';

const FIELD = p('field', 'Field to aggregate.');
const SCRIPT = p('script', 'Script producing the values instead of a field.');
const MISSING = p('missing', 'Value used for documents without one.');
const FORMAT = p('string', 'Format of the returned value_as_string / key_as_string.');
const METRIC: ParamTable = { field: FIELD, script: SCRIPT, missing: MISSING, format: FORMAT, value_type: p(VALUE_TYPE, 'Value type for scripts and unmapped fields.') };
const MISSING_ORDER = enumOf('first', 'last', 'default');

const ORDER: ValueSpec = { oneOf: [{ map: SORT_ORDER }, { array: { map: SORT_ORDER } }] };
// IncludeExclude reads array items with parser.text(): any scalar is a term ("include": [10, 20]).
const INCLUDE: ValueSpec = {
  oneOf: ['string', { array: 'scalar' }, obj({ partition: req('integer', 'Partition number.'), num_partitions: req('integer', 'Number of partitions.') }, ['partition', 'num_partitions'])],
};
const EXCLUDE: ValueSpec = { oneOf: ['string', { array: 'scalar' }] };
const TERMS_EXECUTION = enumOf('map', 'global_ordinals', 'global_ordinals_hash', 'global_ordinals_low_cardinality');
const RANGE_ITEM: ValueSpec = obj({ from: p('any', 'Lower bound, inclusive.'), to: p('any', 'Upper bound, exclusive.'), key: p('scalar', 'Bucket key (range parsers read it with parser.text(): any scalar).'), mask: p('string', 'CIDR mask (ip_range).') });
const BOUNDS: ValueSpec = obj({ min: p('any', 'Lower bound.'), max: p('any', 'Upper bound.') });
const HEURISTICS: ParamTable = {
  jlh: p('object', 'JLH score (default).'),
  mutual_information: p(obj({ include_negatives: p('boolean', 'Include negatives.'), background_is_superset: p('boolean', 'Background is superset.') }), 'Mutual information score.'),
  chi_square: p(obj({ include_negatives: p('boolean', 'Include negatives.'), background_is_superset: p('boolean', 'Background is superset.') }), 'Chi square score.'),
  gnd: p(obj({ background_is_superset: p('boolean', 'Background is superset.') }), 'Google normalized distance.'),
  percentage: p('object', 'Percentage score.'),
  p_value: p(obj({ background_is_superset: p('boolean', 'Background is superset.'), normalize_above: p('integer', 'Normalize above.') }), 'p-value score.'),
  script_heuristic: p(obj({ script: req('script', 'Script.') }, ['script']), 'Scripted score.'),
  background_filter: p('query', 'Background set filter.'),
};
const TDIGEST: ValueSpec = obj({ compression: p('number', 'Accuracy/memory trade-off (default 100).'), execution_hint: p(enumOf('default', 'high_accuracy'), 'Execution hint.') });
const HDR: ValueSpec = obj({ number_of_significant_value_digits: p('integer', 'Precision (0–5).') });
const BUCKETS_PATH = p('bucket-path', 'Path(s) to the metric(s) this pipeline reads, e.g. "sales_per_month>sales".');
const PIPE: ParamTable = { buckets_path: { ...BUCKETS_PATH, required: true }, gap_policy: p(GAP_POLICY, 'How gaps are treated: skip (default), insert_zeros, keep_values.'), format: FORMAT };
const GEO_BOUNDS_SPEC = p('geo-bounds', 'Only cells intersecting these bounds.');
const COMPOSITE_BASE: ParamTable = {
  field: FIELD, script: SCRIPT, missing_bucket: p('boolean', 'Create a bucket for documents without a value.'),
  missing_order: p(MISSING_ORDER, 'Where the missing bucket sorts.'), value_type: p(VALUE_TYPE, 'Value type.'), order: p(SORT_ORDER, 'asc (default) or desc.'),
};
export const COMPOSITE_SOURCES: Readonly<Record<string, ValueSpec>> = {
  terms: obj(COMPOSITE_BASE),
  histogram: obj({ ...COMPOSITE_BASE, interval: req('number', 'Bucket width.') }, ['interval']),
  date_histogram: obj({
    ...COMPOSITE_BASE, calendar_interval: p(CALENDAR_INTERVAL, 'Calendar interval.'), fixed_interval: p('string', 'Fixed interval, e.g. "90m".'),
    interval: p('string', 'Legacy interval.', { deprecated: 'use calendar_interval or fixed_interval' }),
    format: FORMAT, offset: p('signed-time', 'Bucket offset, e.g. "+6h" or "-30m".'), time_zone: p('number-or-string', 'Time zone: an id ("Europe/Paris"), an offset ("+01:00") or a number of hours.'),
  }),
  geotile_grid: obj({ ...COMPOSITE_BASE, precision: p('integer', 'Zoom level 0–29.'), bounds: GEO_BOUNDS_SPEC }),
};

const TOP_METRIC: ValueSpec = obj({ field: req('field', 'Field.'), missing: MISSING, script: SCRIPT }, ['field']);

const bucket = (doc: string, params: ParamTable, extra?: Partial<AggregationSpec>): AggregationSpec => ({ doc, category: 'bucket', params, subAggregations: true, ...extra });
const metric = (doc: string, params: ParamTable, extra?: Partial<AggregationSpec>): AggregationSpec => ({ doc, category: 'metric', params, subAggregations: false, fieldParam: 'field', requireOneOf: ['field', 'script'], ...extra });
const pipeline = (doc: string, params: ParamTable, extra?: Partial<AggregationSpec>): AggregationSpec => ({ doc, category: 'pipeline', params: { ...PIPE, ...params }, subAggregations: false, ...extra });

export const AGGREGATION_SPECS: Readonly<Record<string, AggregationSpec>> = {
  // ── bucket ──────────────────────────────────────────────────────────────────────────────────
  terms: bucket('One bucket per unique value of a field (top terms by doc count).', {
    field: FIELD, script: SCRIPT, missing: MISSING, format: FORMAT,
    size: p('integer', 'Number of buckets to return (default 10).'),
    shard_size: p('integer', 'Buckets collected per shard (default size × 1.5 + 10).'),
    min_doc_count: p('integer', 'Minimum documents per bucket (default 1).'),
    shard_min_doc_count: p('integer', 'Minimum documents per bucket on a shard.'),
    show_term_doc_count_error: p('boolean', 'Return the doc count error per bucket.'),
    order: p(ORDER, 'Bucket order, e.g. {"_count": "desc"}, {"_key": "asc"} or {"my_metric": "desc"}.'),
    include: p(INCLUDE, 'Terms to include: regex, list, or {partition, num_partitions}.'),
    exclude: p(EXCLUDE, 'Terms to exclude: regex or list.'),
    collect_mode: p(enumOf('depth_first', 'breadth_first'), 'How sub-aggregations are collected.'),
    execution_hint: p(TERMS_EXECUTION, 'map or global_ordinals.'),
    value_type: p(VALUE_TYPE, 'Value type for scripts/unmapped fields.'),
    missing_order: p(MISSING_ORDER, 'Where the missing bucket sorts.'),
    missing_bucket: p('boolean', 'Create a bucket for missing values.'),
  }, { fieldParam: 'field', fieldTypes: 'keyword-like', requireOneOf: ['field', 'script'] }),
  multi_terms: bucket('One bucket per unique combination of several fields\' values.', {
    terms: req({ array: obj({ field: p('field', 'Field.'), script: SCRIPT, missing: MISSING }) }, 'The fields (at least two).'),
    size: p('integer', 'Number of buckets (default 10).'), shard_size: p('integer', 'Buckets per shard.'),
    min_doc_count: p('integer', 'Minimum documents per bucket.'), shard_min_doc_count: p('integer', 'Minimum per shard.'),
    show_term_doc_count_error: p('boolean', 'Return doc count error.'), order: p(ORDER, 'Bucket order.'),
    collect_mode: p(enumOf('depth_first', 'breadth_first'), 'Collection mode.'),
  }),
  rare_terms: bucket('Terms that appear in few documents (long tail).', {
    field: FIELD, missing: MISSING, include: p(INCLUDE, 'Include.'), exclude: p(EXCLUDE, 'Exclude.'),
    max_doc_count: p('integer', 'Maximum documents for a term to be rare (default 1).'),
    precision: p('number', 'Cuckoo filter precision (default 0.001).'), value_type: p(VALUE_TYPE, 'Value type.'),
  }, { fieldParam: 'field', fieldTypes: 'keyword-like', requireOneOf: ['field'] }),
  significant_terms: bucket('Terms unusually frequent in the result set compared with a background.', {
    field: FIELD, size: p('integer', 'Number of buckets.'), shard_size: p('integer', 'Buckets per shard.'),
    min_doc_count: p('integer', 'Minimum documents (default 3).'), shard_min_doc_count: p('integer', 'Minimum per shard.'),
    include: p(INCLUDE, 'Include.'), exclude: p(EXCLUDE, 'Exclude.'), execution_hint: p(TERMS_EXECUTION, 'Execution hint.'),
    script: SCRIPT, ...HEURISTICS,
  }, { fieldParam: 'field', fieldTypes: 'keyword-like' }),
  significant_text: bucket('Significant terms re-analyzed from free text.', {
    field: FIELD, size: p('integer', 'Number of buckets.'), shard_size: p('integer', 'Buckets per shard.'),
    min_doc_count: p('integer', 'Minimum documents.'), shard_min_doc_count: p('integer', 'Minimum per shard.'),
    include: p(INCLUDE, 'Include.'), exclude: p(EXCLUDE, 'Exclude.'), execution_hint: p(TERMS_EXECUTION, 'Execution hint.'),
    filter_duplicate_text: p('boolean', 'Filter near-duplicate text.'), source_fields: p('fields', 'Fields to read from _source.'),
    ...HEURISTICS,
  }, { fieldParam: 'field', requireOneOf: ['field'] }),
  histogram: bucket('Fixed-width numeric buckets.', {
    field: FIELD, script: SCRIPT, interval: req('number', 'Bucket width (> 0).'),
    min_doc_count: p('integer', 'Minimum documents per bucket (default 0).'), offset: p('number', 'Shift of bucket boundaries.'),
    extended_bounds: p(BOUNDS, 'Force buckets from min to max.'), hard_bounds: p(BOUNDS, 'Limit buckets to this range.'),
    missing: MISSING, order: p(ORDER, 'Bucket order.'), keyed: p('boolean', 'Return buckets as a map.'), format: FORMAT,
  }, { fieldParam: 'field', fieldTypes: 'numeric', requireOneOf: ['field', 'script'] }),
  date_histogram: bucket('Date buckets of a calendar or fixed interval.', {
    field: FIELD, script: SCRIPT,
    calendar_interval: p(CALENDAR_INTERVAL, 'Calendar-aware interval: minute, hour, day, week, month, quarter, year (or 1d, 1M…).'),
    fixed_interval: p('string', 'Fixed interval in SI units: "30s", "90m", "2d".'),
    interval: p('string', 'Removed in 8.0: use calendar_interval or fixed_interval.', { deprecated: 'interval was removed in 8.0; use calendar_interval or fixed_interval' }),
    format: FORMAT, time_zone: p('number-or-string', 'Time zone for bucketing, e.g. "Europe/Paris" (a number is an hour offset).'),
    offset: p('signed-time', 'Shift of bucket boundaries, e.g. "+6h".'), min_doc_count: p('integer', 'Minimum documents per bucket.'),
    extended_bounds: p(BOUNDS, 'Force buckets from min to max.'), hard_bounds: p(BOUNDS, 'Limit buckets to this range.'),
    missing: MISSING, order: p(ORDER, 'Bucket order.'), keyed: p('boolean', 'Return buckets as a map.'),
    params: p('object', 'Script params.'),
  }, { fieldParam: 'field', fieldTypes: 'date', requireOneOf: ['calendar_interval', 'fixed_interval', 'interval'], exclusive: ['calendar_interval', 'fixed_interval'] }),
  auto_date_histogram: bucket('Date histogram that picks the interval to produce about N buckets.', {
    field: FIELD, script: SCRIPT, buckets: p('integer', 'Target number of buckets (default 10).'), format: FORMAT,
    minimum_interval: p(enumOf('second', 'minute', 'hour', 'day', 'month', 'year'), 'Smallest interval to use.'),
    time_zone: p('number-or-string', 'Time zone: an id ("Europe/Paris"), an offset ("+01:00") or a number of hours.'), missing: MISSING, offset: p('string', 'Offset.'), params: p('object', 'Script params.'),
  }, { fieldParam: 'field', fieldTypes: 'date' }),
  variable_width_histogram: bucket('Histogram with buckets of variable width (clustering).', {
    field: FIELD, script: SCRIPT, buckets: p('integer', 'Target number of buckets.'), shard_size: p('integer', 'Shard size.'), initial_buffer: p('integer', 'Initial buffer.'),
  }, { fieldParam: 'field', fieldTypes: 'numeric' }),
  range: bucket('Buckets for numeric ranges you define.', {
    field: FIELD, script: SCRIPT, ranges: req({ array: RANGE_ITEM }, 'Ranges: [{to: 50}, {from: 50, to: 100}, {from: 100}].'),
    keyed: p('boolean', 'Return buckets as a map.'), missing: MISSING, format: FORMAT,
  }, { fieldParam: 'field', fieldTypes: 'numeric' }),
  date_range: bucket('Buckets for date ranges (date math allowed).', {
    field: FIELD, script: SCRIPT, ranges: req({ array: RANGE_ITEM }, 'Ranges with date math: [{to: "now-10M/M"}, {from: "now-10M/M"}].'),
    format: FORMAT, time_zone: p('number-or-string', 'Time zone: an id ("Europe/Paris"), an offset ("+01:00") or a number of hours.'), keyed: p('boolean', 'Return buckets as a map.'), missing: MISSING,
  }, { fieldParam: 'field', fieldTypes: 'date' }),
  ip_range: bucket('Buckets for IP ranges or CIDR masks.', {
    field: FIELD, script: SCRIPT, ranges: req({ array: RANGE_ITEM }, 'Ranges: [{to: "10.0.0.5"}, {mask: "10.0.0.0/25"}].'), keyed: p('boolean', 'Return buckets as a map.'), missing: MISSING,
  }, { fieldParam: 'field' }),
  ip_prefix: bucket('Buckets IP addresses by network prefix.', {
    field: req('field', 'ip field.'), prefix_length: req('integer', 'Prefix length (0–32 IPv4, 0–128 IPv6).'),
    is_ipv6: p('boolean', 'Addresses are IPv6.'), append_prefix_length: p('boolean', 'Append the prefix length to keys.'),
    keyed: p('boolean', 'Return buckets as a map.'), min_doc_count: p('integer', 'Minimum documents.'),
  }, { fieldParam: 'field' }),
  filter: bucket('One bucket of the documents matching a query.', {}, { open: true }),
  filters: bucket('One bucket per named or listed filter query.', {
    filters: req({ oneOf: [{ map: 'query' }, { array: 'query' }] }, 'Filters: {"name": query} or [query, …].'),
    other_bucket: p('boolean', 'Add a bucket for documents matching no filter.'),
    other_bucket_key: p('string', 'Key of the other bucket (implies other_bucket).'),
    keyed: p('boolean', 'Return buckets as a map.'),
  }),
  adjacency_matrix: bucket('Buckets for every intersecting pair of named filters.', {
    filters: req({ map: 'query' }, 'Named filters.'), separator: p('string', 'Separator in pair keys (default "&").'),
  }),
  global: bucket('One bucket of all documents in the search context, ignoring the query.', {}, { allowEmpty: true }),
  missing: bucket('One bucket of documents missing a field value.', { field: FIELD, missing: MISSING }, { fieldParam: 'field', requireOneOf: ['field'] }),
  nested: bucket('Aggregates nested objects under `path`.', { path: req('field', 'Path of the nested field.') }),
  reverse_nested: bucket('From inside a nested aggregation, back to the parent (or root) documents.', { path: p('field', 'Path to join back to (default: root).') }, { allowEmpty: true }),
  children: bucket('Aggregates child documents of a join field.', { type: req('string', 'Child relation name.') }),
  parent: bucket('Aggregates parent documents of a join field.', { type: req('string', 'Child relation name.') }),
  sampler: bucket('Limits sub-aggregations to the top-scoring documents per shard.', { shard_size: p('integer', 'Documents per shard (default 100).') }, { allowEmpty: true }),
  diversified_sampler: bucket('Sampler that limits documents per value of a field.', {
    field: FIELD, script: SCRIPT, shard_size: p('integer', 'Documents per shard.'), max_docs_per_value: p('integer', 'Documents per value (default 1).'),
    execution_hint: p(enumOf('map', 'global_ordinals', 'bytes_hash'), 'Execution hint.'),
  }, { fieldParam: 'field' }),
  random_sampler: bucket('Aggregates a random sample of documents.', {
    probability: req('number', 'Sampling probability (0, 0.5] or 1.'), seed: p('integer', 'Seed.'), shard_seed: p('integer', 'Shard seed.'),
  }, { since: '8.2' }),
  composite: bucket('Paginates over all combinations of values from several sources.', {
    sources: req({ array: 'object' }, 'Sources: [{"name": {"terms": {"field": …}}}, …].'),
    size: p('integer', 'Buckets per page (default 10).'), after: p('object', 'after_key of the previous page.'),
  }),
  geo_distance: bucket('Buckets for distance rings around an origin.', {
    field: FIELD, origin: req('geo-point', 'Origin point.'), ranges: req({ array: RANGE_ITEM }, 'Distance ranges.'),
    unit: p(enumOf('mi', 'miles', 'yd', 'yards', 'ft', 'feet', 'in', 'inch', 'km', 'kilometers', 'm', 'meters', 'cm', 'centimeters', 'mm', 'millimeters', 'nmi', 'NM', 'nauticalmiles'), 'Distance unit (default m).'),
    distance_type: p(GEO_DISTANCE_TYPE, 'arc or plane.'), keyed: p('boolean', 'Return buckets as a map.'),
  }, { fieldParam: 'field', fieldTypes: 'geo' }),
  geohash_grid: bucket('Buckets geo points by geohash cell.', {
    field: req('field', 'geo_point/geo_shape field.'), precision: p('number-or-string', 'Geohash length 1–12 or a distance ("1km").'),
    size: p('integer', 'Maximum buckets (default 10000).'), shard_size: p('integer', 'Per shard.'), bounds: GEO_BOUNDS_SPEC,
  }, { fieldParam: 'field', fieldTypes: 'geo' }),
  geotile_grid: bucket('Buckets geo points by map tile.', {
    field: req('field', 'geo_point/geo_shape field.'), precision: p('number-or-string', 'Zoom 0–29.'),
    size: p('integer', 'Maximum buckets (default 10000).'), shard_size: p('integer', 'Per shard.'), bounds: GEO_BOUNDS_SPEC,
  }, { fieldParam: 'field', fieldTypes: 'geo' }),
  geohex_grid: bucket('Buckets geo points by H3 hexagon.', {
    field: req('field', 'geo_point field.'), precision: p('integer', 'H3 resolution 0–15.'),
    size: p('integer', 'Maximum buckets.'), shard_size: p('integer', 'Per shard.'), bounds: GEO_BOUNDS_SPEC,
  }, { fieldParam: 'field', fieldTypes: 'geo' }),
  time_series: bucket('One bucket per time series (TSDB indices).', { size: p('integer', 'Maximum buckets.'), keyed: p('boolean', 'Return buckets as a map.') }, { allowEmpty: true }),
  categorize_text: bucket('Groups semi-structured text into categories.', {
    field: req('field', 'text field.'), max_unique_tokens: p('integer', 'Deprecated.'), max_matched_tokens: p('integer', 'Deprecated.'),
    similarity_threshold: p('integer', 'Minimum token similarity percent (default 70).'),
    categorization_filters: p('strings', 'Regexes removing text before categorizing.'),
    categorization_analyzer: p('any', 'Analyzer name or definition.'),
    shard_size: p('integer', 'Per shard.'), size: p('integer', 'Buckets (default 10).'),
    min_doc_count: p('integer', 'Minimum documents.'), shard_min_doc_count: p('integer', 'Minimum per shard.'),
  }, { fieldParam: 'field' }),
  frequent_item_sets: bucket('Finds frequently co-occurring sets of field values.', {
    fields: req({ array: obj({ field: req('field', 'Field.'), include: p(INCLUDE, 'Include.'), exclude: p(EXCLUDE, 'Exclude.') }, ['field']) }, 'Fields to analyse.'),
    minimum_set_size: p('integer', 'Minimum set size (default 1).'), minimum_support: p('number', 'Minimum support (default 0.1).'),
    size: p('integer', 'Number of sets (default 10).'), filter: p('query', 'Documents to analyse.'),
  }, { since: '8.7' }),
  // ── metric ──────────────────────────────────────────────────────────────────────────────────
  avg: metric('Average of numeric values.', METRIC, { fieldTypes: 'numeric-or-date' }),
  sum: metric('Sum of numeric values.', METRIC, { fieldTypes: 'numeric-or-date' }),
  min: metric('Minimum of numeric or date values.', METRIC, { fieldTypes: 'numeric-or-date' }),
  max: metric('Maximum of numeric or date values.', METRIC, { fieldTypes: 'numeric-or-date' }),
  stats: metric('count, min, max, avg and sum of numeric values.', METRIC, { fieldTypes: 'numeric-or-date' }),
  extended_stats: metric('stats plus variance, std deviation and bounds.', { ...METRIC, sigma: p('number', 'Standard deviations for bounds (default 2).') }, { fieldTypes: 'numeric-or-date' }),
  value_count: metric('Number of values (not documents) extracted.', METRIC),
  cardinality: metric('Approximate count of distinct values (HyperLogLog++).', {
    ...METRIC, precision_threshold: p('integer', 'Counts below this are near-exact (default 3000, max 40000).'),
    rehash: p('boolean', 'Rehash values.'), execution_hint: p(enumOf('global_ordinals', 'segment_ordinals', 'direct', 'save_memory_heuristic', 'save_time_heuristic'), 'Execution hint.'),
  }),
  percentiles: metric('Percentiles of numeric values (TDigest or HDR).', {
    ...METRIC, percents: p({ oneOf: ['number', 'numbers'] }, 'Percentiles to compute (default 1, 5, 25, 50, 75, 95, 99).'),
    keyed: p('boolean', 'Return a map (default true).'), tdigest: p(TDIGEST, 'TDigest settings.'), hdr: p(HDR, 'HDR histogram settings.'),
  }, { fieldTypes: 'numeric-or-date' }),
  percentile_ranks: metric('Percentile rank of given values.', {
    ...METRIC, values: req('numbers', 'Values to rank.'), keyed: p('boolean', 'Return a map.'),
    tdigest: p(TDIGEST, 'TDigest settings.'), hdr: p(HDR, 'HDR settings.'),
  }, { fieldTypes: 'numeric-or-date' }),
  median_absolute_deviation: metric('Median absolute deviation (robust variability).', {
    ...METRIC, compression: p('number', 'Accuracy (default 1000).'), execution_hint: p(enumOf('default', 'high_accuracy'), 'Execution hint.'),
  }, { fieldTypes: 'numeric' }),
  boxplot: metric('min, max, median, quartiles for a box plot.', {
    ...METRIC, compression: p('number', 'Accuracy.'), execution_hint: p(enumOf('default', 'high_accuracy'), 'Execution hint.'),
  }, { fieldTypes: 'numeric' }),
  weighted_avg: metric('Average weighted by another field.', {
    value: req(obj({ field: p('field', 'Value field.'), script: SCRIPT, missing: p('number', 'Missing value.') }), 'Value source.'),
    weight: req(obj({ field: p('field', 'Weight field.'), script: SCRIPT, missing: p('number', 'Missing weight.') }), 'Weight source.'),
    format: FORMAT, value_type: p(VALUE_TYPE, 'Value type.'),
  }, { fieldParam: undefined, requireOneOf: undefined }),
  string_stats: metric('Length, entropy and character distribution of keyword values.', { ...METRIC, show_distribution: p('boolean', 'Return the character distribution.') }, { fieldTypes: 'keyword-like' }),
  top_hits: metric('The top matching documents per bucket.', {
    size: p('integer', 'Hits per bucket (default 3).'), from: p('integer', 'Offset.'), sort: p('sort', 'Hit order.'),
    _source: p('source-config', 'Source filtering.'), fields: p('field-and-format-list', 'Fields to return.'),
    docvalue_fields: p('field-and-format-list', 'Doc value fields.'), stored_fields: p('string-or-strings', 'Stored fields.'),
    highlight: p('highlight', 'Highlighting.'), explain: p('boolean', 'Explain scores.'), script_fields: p({ map: 'object' }, 'Script fields.'),
    track_scores: p('boolean', 'Compute scores when sorting by a field.'), version: p('boolean', 'Return versions.'),
    seq_no_primary_term: p('boolean', 'Return seq_no and primary_term.'),
  }, { fieldParam: undefined, requireOneOf: undefined, allowEmpty: true }),
  top_metrics: metric('Metrics of the document that sorts first.', {
    metrics: req({ oneOf: [TOP_METRIC, { array: TOP_METRIC }] }, 'Fields to return: {"field": …} or an array of them.'),
    sort: p('sort', 'Sort selecting the top document.'), size: p('integer', 'Number of top documents (default 1).'),
  }, { fieldParam: undefined, requireOneOf: undefined }),
  geo_bounds: metric('Bounding box of geo values.', { field: FIELD, wrap_longitude: p('boolean', 'Allow crossing the date line (default true).') }, { fieldTypes: 'geo', requireOneOf: ['field'] }),
  geo_centroid: metric('Weighted centroid of geo values.', { field: FIELD }, { fieldTypes: 'geo', requireOneOf: ['field'] }),
  geo_line: metric('Connects geo points of a bucket into a line sorted by a field.', {
    point: req(obj({ field: req('field', 'geo_point field.') }, ['field']), 'Point field.'),
    sort: p(obj({ field: req('field', 'Sort field.') }, ['field']), 'Sort field (default @timestamp for TSDB).'),
    include_sort: p('boolean', 'Include sort values.'), sort_order: p(SORT_ORDER, 'asc (default) or desc.'), size: p('integer', 'Maximum points (default 10000).'),
  }, { fieldParam: undefined, requireOneOf: undefined }),
  cartesian_bounds: metric('Bounding box of cartesian point/shape values.', { field: FIELD }, { requireOneOf: ['field'] }),
  cartesian_centroid: metric('Centroid of cartesian values.', { field: FIELD }, { requireOneOf: ['field'] }),
  scripted_metric: metric('A metric computed by init/map/combine/reduce scripts.', {
    init_script: p('script', 'Initializes state.'), map_script: req('script', 'Runs per document.'),
    combine_script: req('script', 'Runs per shard.'), reduce_script: req('script', 'Runs on the coordinating node.'),
    params: p('object', 'Params shared by the scripts.'),
  }, { fieldParam: undefined, requireOneOf: undefined }),
  t_test: metric('Student\'s t-test between two populations.', {
    a: req(obj({ field: req('field', 'Field.'), script: SCRIPT, filter: p('query', 'Population filter.') }), 'Population A.'),
    b: req(obj({ field: req('field', 'Field.'), script: SCRIPT, filter: p('query', 'Population filter.') }), 'Population B.'),
    type: p(enumOf('paired', 'homoscedastic', 'heteroscedastic'), 'Test type (default heteroscedastic).'),
  }, { fieldParam: undefined, requireOneOf: undefined }),
  rate: metric('Rate of documents or values per time unit inside a date_histogram.', {
    field: FIELD, script: SCRIPT, format: FORMAT,
    unit: p(enumOf('second', 'minute', 'hour', 'day', 'week', 'month', 'quarter', 'year'), 'Time unit of the rate.'),
    mode: p(enumOf('sum', 'value_count'), 'sum (default) or value_count.'),
  }, { requireOneOf: undefined }),
  matrix_stats: metric('Statistics over a set of numeric fields (covariance, correlation).', {
    fields: req('fields', 'Numeric fields.'), missing: p({ map: 'number' }, 'Missing values per field.'), mode: p(SORT_MODE, 'Multi-value mode.'),
  }, { fieldParam: undefined, requireOneOf: undefined }),
  // ── pipeline ────────────────────────────────────────────────────────────────────────────────
  avg_bucket: pipeline('Average of a sibling metric across buckets.', {}),
  sum_bucket: pipeline('Sum of a sibling metric across buckets.', {}),
  min_bucket: pipeline('Bucket(s) with the minimum sibling metric.', {}),
  max_bucket: pipeline('Bucket(s) with the maximum sibling metric.', {}),
  stats_bucket: pipeline('Stats of a sibling metric across buckets.', {}),
  extended_stats_bucket: pipeline('Extended stats of a sibling metric.', { sigma: p('number', 'Standard deviations for bounds.') }),
  percentiles_bucket: pipeline('Percentiles of a sibling metric.', { percents: p('numbers', 'Percentiles.'), keyed: p('boolean', 'Return a map.') }),
  bucket_script: pipeline('Computes a per-bucket value with a script over other metrics.', {
    buckets_path: req('bucket-path', 'Map of script variable → metric path.'), script: req('script', 'Script using params.<var>.'),
  }),
  bucket_selector: pipeline('Keeps buckets for which a script returns true.', {
    buckets_path: req('bucket-path', 'Map of script variable → metric path.'), script: req('script', 'Script returning a boolean.'),
  }),
  bucket_sort: pipeline('Sorts and truncates the buckets of its parent.', {
    buckets_path: p('bucket-path', 'Unused.'), sort: p('sort', 'Sort by metrics, _key or _count.'), from: p('integer', 'Offset.'), size: p('integer', 'Number of buckets.'),
  }),
  cumulative_sum: pipeline('Running sum of a metric in a histogram.', {}),
  cumulative_cardinality: pipeline('Running count of distinct values in a histogram.', {}),
  derivative: pipeline('Derivative of a metric in a histogram.', { unit: p('string', 'Time unit for normalized_value.') }),
  serial_diff: pipeline('Difference with the value `lag` buckets earlier.', { lag: p('integer', 'Lag (default 1).') }),
  moving_fn: pipeline('Runs a script over a sliding window of buckets.', {
    window: req('integer', 'Window size.'), script: req('string', 'Script, e.g. "MovingFunctions.unweightedAvg(values)".'), shift: p('integer', 'Window shift.'),
  }),
  moving_percentiles: pipeline('Sliding-window percentiles of a percentiles metric.', { window: req('integer', 'Window size.'), shift: p('integer', 'Window shift.'), keyed: p('boolean', 'Return a map.') }),
  moving_avg: pipeline('Removed in 8.0: use moving_fn.', { model: p('string', 'Model.'), window: p('integer', 'Window.'), settings: p('object', 'Settings.'), predict: p('integer', 'Predict.'), minimize: p('boolean', 'Minimize.') }, { deprecated: 'moving_avg was removed in 8.0; use moving_fn' }),
  normalize: pipeline('Rescales a metric across buckets.', {
    method: req(enumOf('rescale_0_1', 'rescale_0_100', 'percent_of_sum', 'mean', 'z-score', 'softmax'), 'Normalization method.'),
  }),
  bucket_count_ks_test: pipeline('Kolmogorov–Smirnov test of bucket counts.', {
    buckets_path: req('bucket-path', 'Path.'), alternative: p('strings', 'Alternatives: less, greater, two_sided.'),
    fractions: p('numbers', 'Fractions.'), sampling_method: p('string', 'Sampling method.'),
  }),
  bucket_correlation: pipeline('Correlation of a metric with an indicator.', {
    buckets_path: req('bucket-path', 'Path.'), function: req('object', '{count_correlation: {indicator: {…}}}.'),
  }),
  change_point: pipeline('Detects spikes, dips and change points in a metric.', {}, { since: '8.6' }),
  inference: pipeline('Runs a trained model on bucket metrics.', {
    model_id: req('string', 'Trained model id.'), buckets_path: req('bucket-path', 'Map of model field → metric path.'),
    inference_config: p('object', 'Regression or classification config.'),
  }),
};
