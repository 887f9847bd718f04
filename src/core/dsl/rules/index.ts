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
const AGGREGATION_RULE_LIST: readonly AggregationRule[] = [...AGGREGATION_PLACEMENT_RULES, ...BUCKETS_PATH_RULES, ...NUMERIC_BOUND_RULES, ...MAPPING_AGGREGATION_RULES];

/**
 * The rules of one aggregation type: `always` run on every aggregation of the type; rules[i] with
 * a `when` list run when the params object has one of its keys (bit i of byParam.get(key)).
 */
export interface AggregationRuleSet {
  readonly always: readonly AggregationRule[];
  readonly conditional: readonly AggregationRule[];
  readonly byParam: ReadonlyMap<string, number>;
}

function aggregationRuleSets(): Map<string, AggregationRuleSet> {
  const sets = new Map<string, AggregationRuleSet>();
  for (const [type, rules] of indexBy(AGGREGATION_RULE_LIST, (r) => r.types)) {
    const conditional = rules.filter((r) => r.when !== undefined);
    if (conditional.length > 31) throw new Error(`bug: more than 31 conditional rules for [${type}]; widen the mask`);
    const byParam = new Map<string, number>();
    conditional.forEach((r, i) => {
      for (const k of r.when!) byParam.set(k, (byParam.get(k) ?? 0) | (1 << i));
    });
    sets.set(type, { always: rules.filter((r) => r.when === undefined), conditional, byParam });
  }
  return sets;
}
export const AGGREGATION_RULES: ReadonlyMap<string, AggregationRuleSet> = aggregationRuleSets();
export const KNN_RULES: readonly KnnRule[] = KNN_SEARCH_RULES;
export const RETRIEVER_RULES: ReadonlyMap<string, readonly RetrieverRule[]> = indexBy(RETRIEVER_RULE_LIST, (r) => r.retrievers);

/** Every rule, for the docs test (each code a rule reports is documented). */
export const ALL_RULES: readonly { code: string; why: string }[] = [
  ...BODY_RULES, ...[...QUERY_RULES.values()].flat(), ...AGGREGATION_RULE_LIST, ...KNN_RULES, ...RETRIEVER_RULE_LIST,
];
