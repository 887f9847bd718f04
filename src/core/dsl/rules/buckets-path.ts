// buckets_path resolution: every path a pipeline reads must name, along a valid path of
// aggregations, a single number: a single-value metric, one value of a multi-value metric, or a
// bucket's _count/_key. Elasticsearch parses paths with AggregationPath.parse ('>' between
// aggregations; on the last element `name.key` or `name[key]`) and resolves them with
// BucketHelpers.resolveBucketValue; a path that does not resolve fails the whole search
// ("No aggregation found for path [x]", "buckets_path must reference either a number value or a
// single value numeric metric aggregation"). Terms/histogram `order` paths resolve the same way.
import { AGGREGATION_SPECS } from '../aggregations';
import { isObject, type Segment } from '../walk/json';
import type { Walker } from '../walk/walker';
import {
  MULTI_VALUE, NO_VALUE, SIBLING_PIPELINES, SINGLE_BUCKET, SINGLE_VALUE, aggregationType, isMultiBucket, subAggregationsOf,
} from './aggregation-kinds';
import type { AggregationContext, AggregationRule } from './types';

interface PathElement { readonly name: string; readonly key: string | undefined }

// Paths repeat from body to body (a dataset holds the same few hundred), so parses are kept; the
// cache is dropped whole when it grows past a bound, which keeps memory flat on any input.
const PARSED = new Map<string, readonly PathElement[] | string>();
const PARSED_LIMIT = 10_000;

/** AggregationPath.parse: elements split on '>'; the last may be `name.key` or `name[key]`, others `name[key]`. */
export function parseAggregationPath(path: string): readonly PathElement[] | string {
  let parsed = PARSED.get(path);
  if (parsed === undefined) {
    if (PARSED.size >= PARSED_LIMIT) PARSED.clear();
    parsed = parsePath(path);
    PARSED.set(path, parsed);
  }
  return parsed;
}

function parsePath(path: string): PathElement[] | string {
  const elements = path.split('>').map((e) => e.trim()).filter((e) => e !== '');
  if (elements.length === 0) return 'the path is empty';
  const out: PathElement[] = [];
  for (let i = 0; i < elements.length; i++) {
    const e = elements[i]!;
    const bracket = e.lastIndexOf('[');
    if (bracket >= 0) {
      if (bracket === 0 || bracket > e.length - 3 || !e.endsWith(']')) return `invalid path element [${e}]`;
      out.push({ name: e.slice(0, bracket), key: e.slice(bracket + 1, -1) });
      continue;
    }
    const dot = i === elements.length - 1 ? e.lastIndexOf('.') : -1;
    out.push(dot >= 0 ? { name: e.slice(0, dot), key: e.slice(dot + 1) } : { name: e, key: undefined });
  }
  return out;
}

function names(scope: Record<string, unknown> | undefined): string {
  const list = Object.keys(scope ?? {});
  return list.length === 0 ? 'there are none' : `known here: ${list.map((n) => `[${n}]`).join(', ')}`;
}

/**
 * Resolves `elements` inside one bucket whose sub-aggregations are `scope`. Returns undefined when
 * the path reads a number, else what is wrong (for the message).
 */
export function resolveInBucket(scope: Record<string, unknown> | undefined, elements: readonly PathElement[], self: string | undefined, wholeMultiValue = false, from = 0): string | undefined {
  const first = elements[from];
  const more = elements.length - from - 1; // elements after `first`
  if (first === undefined) return 'the path ends at a bucket; name a metric, _count or _key';
  if (first.name === '_count' || first.name === '_key') {
    return more === 0 && first.key === undefined ? undefined : `[${first.name}] must be the last element of the path`;
  }
  const container = scope?.[first.name];
  if (container === undefined) return `no aggregation [${first.name}] here (${names(scope)})`;
  if (first.name === self) return `the path names the pipeline [${self}] itself`;
  const type = aggregationType(container);
  const spec = type === undefined ? undefined : AGGREGATION_SPECS[type];
  if (type === undefined || spec === undefined) return undefined; // malformed or unknown: reported elsewhere
  const key = first.key;
  if (spec.category === 'bucket') {
    if (SINGLE_BUCKET.has(type)) {
      if (key === '_count' || key === '_bucket_count') return more === 0 ? undefined : `[${first.name}.${key}] must end the path`;
      if (key !== undefined && more === 0) return `[${first.name}] is a single-bucket ${type} aggregation; read a metric under it with ${first.name}>metric`;
      if (more === 0) return `[${first.name}] is a ${type} bucket, not a number; continue the path to a metric under it or to ${first.name}>_count`;
      return resolveInBucket(subAggregationsOf(container), elements, self, wholeMultiValue, from + 1);
    }
    if (key === '_bucket_count' && more === 0) return undefined;
    // agg['bucket key']>… picks one bucket of a multi-bucket aggregation.
    if (key !== undefined && more > 0) return resolveInBucket(subAggregationsOf(container), elements, self, wholeMultiValue, from + 1);
    return `[${first.name}] is a multi-bucket ${type} aggregation; a path can pass only through single-bucket aggregations (filter, nested, …), or read its ${first.name}._bucket_count`;
  }
  if (more > 0) return `[${first.name}] is a ${spec.category} aggregation and has no sub-aggregations to continue the path into`;
  // top_hits of size 1 exposes its hit's fields: top_hits[_source.price].
  if (type === 'top_hits' && key !== undefined) return undefined;
  if (NO_VALUE.has(type)) return `[${first.name}] (${type}) does not produce a number`;
  // moving_percentiles reads a whole percentiles aggregation.
  if (wholeMultiValue && key === undefined && (type === 'percentiles' || type === 'percentile_ranks')) return undefined;
  if (MULTI_VALUE.has(type)) {
    return key === undefined ? `[${first.name}] is a multi-value ${type} aggregation; name one of its values, e.g. ${first.name}.${type.includes('percentile') ? '99' : type === 'top_metrics' ? '<metric field>' : 'avg'}${type.includes('percentile') ? ` or ${first.name}[99.9]` : ''}` : undefined;
  }
  if (SINGLE_VALUE.has(type)) return key === undefined || key === 'value' ? undefined : `[${first.name}] is a single-value ${type} aggregation and has no value [${key}]; use [${first.name}]`;
  return undefined; // scripted_metric and the like: whatever the script returns
}

/** Calls `visit` with each path of a buckets_path value and the key or index it sits at: "a>b", ["a", "b"] or {"var": "a>b"}. */
function forEachPath(v: unknown, visit: (at: Segment | undefined, path: string) => void): void {
  if (typeof v === 'string') visit(undefined, v);
  else if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (typeof v[i] === 'string') visit(i, v[i] as string);
  } else if (isObject(v)) {
    for (const k in v) if (typeof v[k] === 'string') visit(k, v[k]);
  }
}

function countPaths(v: unknown): number {
  if (typeof v === 'string') return 1;
  if (Array.isArray(v)) return v.length;
  let n = 0;
  if (isObject(v)) for (const _ in v) n++;
  return n;
}

function report(w: Walker, agg: AggregationContext, at: Segment | undefined, path: string, problem: string): void {
  w.reportAt(at === undefined ? [agg.type, 'buckets_path'] : [agg.type, 'buckets_path', at], 'invalid-buckets-path', `buckets_path [${path}] of ${agg.type} aggregation [${agg.name}] does not resolve: ${problem}`);
}

const PIPELINE_TYPES = Object.entries(AGGREGATION_SPECS).filter(([, s]) => s.category === 'pipeline').map(([k]) => k);
const ORDERED_BUCKET_TYPES = ['terms', 'multi_terms', 'rare_terms', 'histogram', 'date_histogram', 'variable_width_histogram'];
const BUILT_IN_ORDER_KEYS = new Set(['_count', '_key', '_term', '_time']);

export const BUCKETS_PATH_RULES: readonly AggregationRule[] = [
  {
    code: 'invalid-buckets-path',
    types: PIPELINE_TYPES,
    when: ['buckets_path'],
    why: 'BucketHelpers.resolveBucketValue / BucketMetricsPipelineAggregationBuilder.validate: every path must reach a number along existing aggregations',
    check(w, agg) {
      const sibling = SIBLING_PIPELINES.has(agg.type);
      const value = agg.params['buckets_path'];
      if (sibling && countPaths(value) > 1) {
        w.reportAt([agg.type, 'buckets_path'], 'invalid-buckets-path', `buckets_path of ${agg.type} aggregation [${agg.name}] must contain a single entry`);
        return;
      }
      // Parent pipelines read their parent's buckets; a missing parent is a placement problem.
      if (!sibling && agg.parents.length === 0) return;
      forEachPath(value, (at, path) => {
        const elements = parseAggregationPath(path);
        if (typeof elements === 'string') {
          report(w, agg, at, path, elements);
          return;
        }
        if (!sibling) {
          const problem = resolveInBucket(agg.siblings, elements, agg.name, agg.type === 'moving_percentiles');
          if (problem !== undefined) report(w, agg, at, path, problem);
          return;
        }
        // A sibling pipeline reads each bucket of a multi-bucket aggregation next to it.
        const first = elements[0]!;
        const container = agg.siblings[first.name];
        if (container === undefined) {
          report(w, agg, at, path, `aggregation [${first.name}] does not exist next to [${agg.name}] (${names(agg.siblings)})`);
          return;
        }
        const type = aggregationType(container);
        const spec = type === undefined ? undefined : AGGREGATION_SPECS[type];
        if (type === undefined || spec === undefined) return;
        if (!isMultiBucket(type, spec.category)) {
          report(w, agg, at, path, `the first aggregation in buckets_path must be a multi-bucket aggregation, but [${first.name}] is ${type}`);
          return;
        }
        // BucketMetricsPipelineAggregator reads the path as a flat list (name, key, name, …): in
        // `sales_per_month._count` the key is the next step inside each bucket.
        const problem = first.key !== undefined
          ? resolveInBucket(subAggregationsOf(container), [{ name: first.key, key: undefined }, ...elements.slice(1)], agg.name)
          : resolveInBucket(subAggregationsOf(container), elements, agg.name, false, 1);
        if (problem !== undefined) report(w, agg, at, path, problem);
      });
    },
  },
  {
    code: 'invalid-buckets-path',
    types: ORDERED_BUCKET_TYPES,
    when: ['order'],
    why: 'InternalOrder / AggregationPath.validate: "Invalid aggregator order path [x]": an order key other than _count/_key names a sub-aggregation value',
    check(w, agg) {
      const order = agg.params['order'];
      if (order === undefined) return;
      const items = Array.isArray(order) ? order : [order];
      for (let i = 0; i < items.length; i++) {
        const item: unknown = items[i];
        if (!isObject(item)) continue;
        for (const key in item) {
          if (BUILT_IN_ORDER_KEYS.has(key)) continue;
          const elements = parseAggregationPath(key);
          const problem = typeof elements === 'string' ? elements : resolveInBucket(agg.subAggregations, elements, undefined);
          if (problem === undefined) continue;
          const at: Segment[] = Array.isArray(order) ? [agg.type, 'order', i] : [agg.type, 'order'];
          w.reportKeyAt(at, key, 'invalid-buckets-path', `order path [${key}] of ${agg.type} aggregation [${agg.name}] does not resolve: ${problem}`);
        }
      }
    },
  },
];
