// Every diagnostic code the engine can emit. Codes are stable: tools and tests match on them.
// Severities here are the defaults; `unknown-field` follows ValidateOptions.unmappedFieldSeverity.
import type { Severity } from './types';

export const DIAGNOSTIC_CODES: Record<string, { severity: Severity; description: string }> = {
  'json-syntax': { severity: 'error', description: 'The text is not valid JSON.' },
  'record-shape': { severity: 'error', description: 'A dataset line is JSON but not a valid record (id, question, status, …).' },
  'invalid-type': { severity: 'error', description: 'A value has the wrong JSON type (e.g. a string where a number or strict boolean is required).' },
  'invalid-value': { severity: 'error', description: 'A value has the right type but is not accepted (bad fuzziness, negative size, malformed distance…).' },
  'invalid-enum': { severity: 'error', description: 'A value is not one of the allowed options.' },
  'unknown-body-key': { severity: 'error', description: 'A top-level key that a search request body does not accept.' },
  'unknown-query': { severity: 'error', description: 'A query name that Elasticsearch does not know.' },
  'unknown-aggregation': { severity: 'error', description: 'An aggregation type that Elasticsearch does not know.' },
  'unknown-param': { severity: 'error', description: 'A parameter that this query, aggregation or object does not support.' },
  'missing-param': { severity: 'error', description: 'A required parameter is missing.' },
  'conflicting-params': { severity: 'error', description: 'Parameters that may not be used together.' },
  'empty-clause': { severity: 'error', description: 'An empty object `{}` where a query is required.' },
  'multiple-query-types': { severity: 'error', description: 'One query object holds two query types; wrap them in bool.' },
  'missing-field': { severity: 'error', description: 'A single-field query names no field.' },
  'multiple-fields': { severity: 'error', description: 'A single-field query names more than one field.' },
  'not-span-query': { severity: 'error', description: 'A span query clause holds a non-span query.' },
  'removed-feature': { severity: 'error', description: 'A query, aggregation or parameter removed from Elasticsearch 8.' },
  deprecated: { severity: 'warning', description: 'A deprecated query, aggregation or parameter; the message names the replacement.' },
  'version-unsupported': { severity: 'error', description: 'A feature newer than the configured Elasticsearch version.' },
  'missing-aggregation-type': { severity: 'error', description: 'An aggregation without a type (only aggs/meta inside).' },
  'multiple-aggregation-types': { severity: 'error', description: 'An aggregation object with two types.' },
  'invalid-aggregation-name': { severity: 'error', description: 'An aggregation name containing [, ] or >, or empty.' },
  'sub-aggregations-not-allowed': { severity: 'error', description: 'Sub-aggregations under a metric or pipeline aggregation.' },
  'max-depth': { severity: 'error', description: 'The body is nested deeper than the validator (and Elasticsearch) accept.' },
  'unknown-field': { severity: 'warning', description: 'A field the index mapping does not know (with a suggestion).' },
  'field-type-mismatch': { severity: 'error', description: 'A value or query that cannot apply to the field\'s mapped type.' },
  'term-query-on-text': { severity: 'warning', description: 'A term-level query on an analyzed text field; it matches tokens, not the whole value.' },
  'text-field-not-aggregatable': { severity: 'error', description: 'Aggregating or sorting on a text field without fielddata.' },
  'nested-field-outside-nested': { severity: 'warning', description: 'A field inside a nested object queried outside a nested query/aggregation.' },
  'nested-path-not-nested': { severity: 'error', description: 'A nested query or aggregation whose path is not a nested field.' },
  'result-window-exceeded': { severity: 'warning', description: 'from + size above 10,000 (index.max_result_window): Elasticsearch will reject it by default.' },
  'invalid-buckets-path': { severity: 'error', description: 'A pipeline buckets_path (or a terms/histogram order path) that does not resolve to a number: a missing aggregation, a multi-bucket step, a multi-value metric without a value name.' },
  'aggregation-placement': { severity: 'error', description: 'An aggregation where Elasticsearch does not allow it: composite or random_sampler under a parent, derivative/cumulative_sum/serial_diff/moving_fn outside a histogram, bucket_script/bucket_selector/bucket_sort at the top level.' },
  'needs-plugin': { severity: 'warning', description: 'A feature that only exists when an Elasticsearch plugin is installed (the message names the plugin).' },
};

/** Codes whose pointer names an object key: editors highlight the key rather than its value. */
export const KEY_CODES: ReadonlySet<string> = new Set([
  'unknown-body-key', 'unknown-query', 'unknown-aggregation', 'unknown-param', 'multiple-query-types',
  'multiple-fields', 'removed-feature', 'deprecated', 'version-unsupported', 'multiple-aggregation-types',
  'invalid-aggregation-name', 'conflicting-params',
]);
