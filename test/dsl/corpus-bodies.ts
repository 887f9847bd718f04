// How a corpus record becomes the thing the validator checks, shared by the corpus test and
// bench/validate.ts so both read the same bodies.
import { QUERY_SPECS } from '../../src/core/dsl';

export interface CorpusRecord { source: string; kind: string; api: string; body: unknown; pointer?: string; origin?: string }

/** The records that hold a search body or a query: `api: search`, or `kind: query`. */
export function isSearchRecord(r: CorpusRecord): boolean {
  return r.api === 'search' || r.kind === 'query';
}

/** A record whose only key is a query name is a bare query, validated with validateQuery. */
export function isBareQuery(r: CorpusRecord): boolean {
  const keys = r.body !== null && typeof r.body === 'object' ? Object.keys(r.body) : [];
  return r.kind === 'query' && keys.length === 1 && QUERY_SPECS[keys[0]!] !== undefined;
}

/**
 * The search body a record stands for. A transform's pivot runs its aggregations inside the
 * composite aggregation built from its group_by, so pipelines such as bucket_script may sit at the
 * pivot's top level; placed under a composite, they meet the same parent rules as in a search.
 */
export function searchBodyOf(r: CorpusRecord): unknown {
  const body = r.body;
  if (!r.api.startsWith('transform.') || r.pointer !== '/pivot' || body === null || typeof body !== 'object') return body;
  const { aggregations, aggs, ...rest } = body as Record<string, unknown>;
  if (aggregations === undefined && aggs === undefined) return body;
  return { ...rest, aggs: { pivot: { composite: { sources: [{ group: { terms: { field: 'group_by' } } }] }, aggs: aggregations ?? aggs } } };
}
