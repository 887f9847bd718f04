import type { AggregationRule, BodyRule, QueryRule } from './types';
export const MAPPING_BODY_RULES: readonly BodyRule[] = [];
export const MAPPING_QUERY_RULES: readonly QueryRule[] = [];
export const MAPPING_AGGREGATION_RULES: readonly AggregationRule[] = [];
