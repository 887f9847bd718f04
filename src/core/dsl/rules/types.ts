// The shapes of a cross-key rule. A rule reads several keys of one object (or the body and a
// nested object together) and reports what Elasticsearch's parser or validate() rejects. Adding a
// rule is one entry in the array of its area (search-options.ts, knn.ts, retrievers.ts,
// aggregations.ts, buckets-path.ts, numeric-bounds.ts, mapping.ts); index.ts indexes them once.
import type { AggregationSpec } from '../spec-types';
import type { AggregationFrame, Walker } from '../walk/walker';

interface RuleBase {
  /** The code it reports (one of DIAGNOSTIC_CODES). */
  readonly code: string;
  /** Elasticsearch's behaviour, in a line: where the rule comes from. */
  readonly why: string;
}

/** Runs once per body that has one of the keys in `when`, after every key is walked; the walker's path is the body. */
export interface BodyRule extends RuleBase {
  readonly when: readonly string[];
  check(w: Walker, body: Record<string, unknown>): void;
}

/** Runs on each query (or score function) named in `queries`; the path is the query's params object. */
export interface QueryRule extends RuleBase {
  readonly queries: readonly string[];
  check(w: Walker, params: Record<string, unknown>): void;
}

export interface AggregationContext {
  readonly name: string;
  readonly type: string;
  readonly spec: AggregationSpec;
  /** The aggregation's params object ({"field": …} of {"terms": {"field": …}}). */
  readonly params: Record<string, unknown>;
  /** The aggregations map that holds this one (its siblings, itself included). */
  readonly siblings: Record<string, unknown>;
  readonly subAggregations: Record<string, unknown> | undefined;
  /** Enclosing aggregations, outermost first; the last one is the parent. */
  readonly parents: readonly AggregationFrame[];
}

/** Runs on each aggregation of one of `types`; the path is the aggregation ({"<type>": …, "aggs": …}). */
export interface AggregationRule extends RuleBase {
  readonly types: readonly string[];
  /** Runs only when the params object has one of these keys; always when absent. */
  readonly when?: readonly string[];
  check(w: Walker, agg: AggregationContext): void;
}

/** Runs on every kNN search: the body's knn section, the knn query and the knn retriever. */
export interface KnnRule extends RuleBase {
  check(w: Walker, knn: Record<string, unknown>, where: 'knn' | 'query' | 'retriever'): void;
}

/** Runs on each retriever of one of `retrievers`; the path is the retriever's params object. */
export interface RetrieverRule extends RuleBase {
  readonly retrievers: readonly string[];
  check(w: Walker, params: Record<string, unknown>, kind: string): void;
}
