// Execution accuracy (docs/ARCHITECTURE.md, "Elasticsearch contract"): does the prediction return
// what the gold returns? The same hit ids (in order when the gold sorts, else as a set), the same
// total, and the same aggregation buckets and values within 1e-6 relative. Aggregation names are
// free labels, so aggregations are compared by structure, never by name.
import type { SearchResponse } from './read-only-cluster';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
const isObject = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** An aggregation result without its name: its own values, its buckets, its sub-aggregations (unnamed). */
export interface AggNode {
  own: Record<string, Json>;
  buckets?: AggNode[];
  subs: AggNode[];
}

/** What one body returned, reduced to what execution accuracy compares (and what the results cache stores). */
export interface ExecResult {
  ids: string[];
  total: number;
  totalRelation: 'eq' | 'gte';
  aggs: AggNode[];
}

export type ExecOutcome = { ok: true; result: ExecResult } | { ok: false; error: string };

export type ExecVerdict = 'match' | 'mismatch' | 'bothEmpty' | 'predictionError' | 'goldError';

export const RELATIVE_TOLERANCE = 1e-6;

/**
 * Object-valued keys that are an aggregation's own values. Every other object-valued key of an
 * aggregation result or bucket is a named sub-aggregation (so a sub-aggregation a model calls "max"
 * or "avg" is still a sub-aggregation); scalar and array values are always the aggregation's own.
 */
const OBJECT_OWN_KEYS = new Set(['key', 'after_key', 'values', 'std_deviation_bounds', 'std_deviation_bounds_as_string', 'hits', 'bounds', 'centroid', 'location', 'geometry', 'properties', 'fields']);

/** Composite keys and after_key are keyed by source names, which are labels too: keep only the values. */
function unlabel(key: string, value: Json): Json {
  if ((key === 'key' || key === 'after_key') && isObject(value)) return Object.values(value);
  return value;
}

export function reduceAggregation(agg: Record<string, Json>): AggNode {
  const node: AggNode = { own: {}, subs: [] };
  for (const [k, v] of Object.entries(agg)) {
    if (k === 'meta') continue;
    if (k === 'buckets') {
      // Keyed buckets (filters, keyed ranges) are named by the request, so only their order and content count.
      const list = Array.isArray(v) ? v : isObject(v) ? Object.values(v) : [];
      node.buckets = list.filter(isObject).map(reduceAggregation);
    } else if (isObject(v) && !OBJECT_OWN_KEYS.has(k)) node.subs.push(reduceAggregation(v));
    else node.own[k] = unlabel(k, v);
  }
  return node;
}

export function reduceResponse(response: SearchResponse): ExecResult {
  const total = response.hits?.total;
  const hits = response.hits?.hits ?? [];
  return {
    ids: hits.map((h) => `${h._index}/${h._id}`),
    total: typeof total === 'number' ? total : total?.value ?? 0,
    totalRelation: typeof total === 'object' && total?.relation === 'gte' ? 'gte' : 'eq',
    aggs: isObject(response.aggregations) ? Object.values(response.aggregations as Record<string, Json>).filter(isObject).map(reduceAggregation) : [],
  };
}

export function numbersClose(a: number, b: number): boolean {
  if (a === b) return true;
  return Math.abs(a - b) <= RELATIVE_TOLERANCE * Math.max(Math.abs(a), Math.abs(b));
}

export function jsonClose(a: Json | undefined, b: Json | undefined): boolean {
  if (typeof a === 'number' && typeof b === 'number') return numbersClose(a, b);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => jsonClose(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => k in b && jsonClose(a[k], b[k]));
  }
  return a === b;
}

/** Sibling aggregations are matched as a multiset: a model may order them as it likes. */
function sameAggList(a: readonly AggNode[], b: readonly AggNode[]): boolean {
  if (a.length !== b.length) return false;
  const unused = [...b];
  for (const x of a) {
    const i = unused.findIndex((y) => sameAgg(x, y));
    if (i < 0) return false;
    unused.splice(i, 1);
  }
  return true;
}

export function sameAgg(a: AggNode, b: AggNode): boolean {
  if (!jsonClose(a.own, b.own)) return false;
  if ((a.buckets === undefined) !== (b.buckets === undefined)) return false;
  if (a.buckets && b.buckets) {
    if (a.buckets.length !== b.buckets.length) return false;
    // Buckets keep their order: it is the aggregation's answer (top terms, histogram order).
    if (!a.buckets.every((x, i) => sameAgg(x, b.buckets![i]!))) return false;
  }
  return sameAggList(a.subs, b.subs);
}

function hasBuckets(nodes: readonly AggNode[]): boolean {
  return nodes.some((n) => (n.buckets?.length ?? 0) > 0 || hasBuckets(n.subs));
}

/** No hits and no buckets: agreeing on such a result proves little, so it is reported apart. */
export function isEmptyResult(r: ExecResult): boolean {
  return r.total === 0 && r.ids.length === 0 && !hasBuckets(r.aggs);
}

/** True when the body asks for an order other than by score (then hit order is part of the answer). */
export function bodySorts(body: unknown): boolean {
  if (!isObject(body) || body['sort'] === undefined) return false;
  const entries = Array.isArray(body['sort']) ? body['sort'] : [body['sort']];
  return entries.some((s) => (typeof s === 'string' ? s !== '_score' : isObject(s) ? Object.keys(s).some((k) => k !== '_score') : false));
}

export interface ExecComparison {
  verdict: ExecVerdict;
  /** For mismatches and errors: what differed, or the cluster's error. */
  reason?: string;
  /**
   * Set when only the returned page of hits differs, the gold does not sort, and the totals agree
   * but exceed the page: two queries matching the same documents may score them differently, so
   * the caller should compare pages in a score-free order (`sort: ["_doc"]`) before calling it a mismatch.
   */
  pageOnly?: true;
}

export function compareExecution(gold: ExecOutcome, prediction: ExecOutcome | undefined, goldSorts: boolean): ExecComparison {
  if (!gold.ok) return { verdict: 'goldError', reason: gold.error };
  if (!prediction) return { verdict: 'predictionError', reason: 'no prediction, or it is not a JSON object' };
  if (!prediction.ok) return { verdict: 'predictionError', reason: prediction.error };
  const g = gold.result;
  const p = prediction.result;
  if (isEmptyResult(g) && isEmptyResult(p)) return { verdict: 'bothEmpty' };
  if (g.total !== p.total || g.totalRelation !== p.totalRelation) return { verdict: 'mismatch', reason: `total differs: gold ${g.totalRelation === 'gte' ? '≥' : ''}${g.total}, prediction ${p.totalRelation === 'gte' ? '≥' : ''}${p.total}` };
  if (goldSorts) {
    if (g.ids.length !== p.ids.length || g.ids.some((id, i) => id !== p.ids[i])) return { verdict: 'mismatch', reason: 'the hits differ or come in another order (the gold sorts)' };
  } else {
    const set = new Set(g.ids);
    if (g.ids.length !== p.ids.length || p.ids.some((id) => !set.has(id))) {
      const pageOnly = g.total > g.ids.length && sameAggList(g.aggs, p.aggs);
      return { verdict: 'mismatch', reason: 'the hits differ', ...(pageOnly ? { pageOnly: true as const } : {}) };
    }
  }
  if (!sameAggList(g.aggs, p.aggs)) return { verdict: 'mismatch', reason: 'the aggregations differ' };
  return { verdict: 'match' };
}
