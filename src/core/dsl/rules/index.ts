// Every cross-key rule, indexed once by what it runs on, so the walk does one Map.get per node.
import { AGGREGATION_PLACEMENT_RULES } from './aggregations';
import { BUCKETS_PATH_RULES } from './buckets-path';
import { KNN_SEARCH_RULES, KNN_QUERY_RULES } from './knn';
import { MAPPING_AGGREGATION_RULES, MAPPING_BODY_RULES, MAPPING_QUERY_RULES } from './mapping';
import { NUMERIC_BOUND_RULES } from './numeric-bounds';
import { RETRIEVER_RULE_LIST } from './retrievers';
import { SEARCH_OPTION_RULES } from './search-options';
import type { AggregationRule, BodyRule, KnnRule, QueryRule, RetrieverRule } from './types';

export type { AggregationContext, AggregationRule, BodyRule, KnnRule, QueryRule, RetrieverRule } from './types';

function indexBy<R>(rules: readonly R[], keys: (r: R) => readonly string[]): Map<string, R[]> {
  const map = new Map<string, R[]>();
  for (const r of rules) for (const k of keys(r)) map.set(k, [...(map.get(k) ?? []), r]);
  return map;
}

export const BODY_RULES: readonly BodyRule[] = [...SEARCH_OPTION_RULES, ...MAPPING_BODY_RULES];
/** Body rules by the body key that triggers them (the walk looks each key up once). */
export const BODY_RULES_BY_KEY: ReadonlyMap<string, readonly BodyRule[]> = indexBy(BODY_RULES, (r) => r.when);
export const QUERY_RULES: ReadonlyMap<string, readonly QueryRule[]> = indexBy([...KNN_QUERY_RULES, ...MAPPING_QUERY_RULES], (r) => r.queries);
export const AGGREGATION_RULES: ReadonlyMap<string, readonly AggregationRule[]> = indexBy(
  [...AGGREGATION_PLACEMENT_RULES, ...BUCKETS_PATH_RULES, ...NUMERIC_BOUND_RULES, ...MAPPING_AGGREGATION_RULES],
  (r) => r.types,
);
export const KNN_RULES: readonly KnnRule[] = KNN_SEARCH_RULES;
export const RETRIEVER_RULES: ReadonlyMap<string, readonly RetrieverRule[]> = indexBy(RETRIEVER_RULE_LIST, (r) => r.retrievers);

/** Every rule, for the docs test (each code a rule reports is documented). */
export const ALL_RULES: readonly { code: string; why: string }[] = [
  ...BODY_RULES, ...[...QUERY_RULES.values()].flat(), ...[...AGGREGATION_RULES.values()].flat(), ...KNN_RULES, ...RETRIEVER_RULE_LIST,
];
