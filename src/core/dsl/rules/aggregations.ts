import type { AggregationRule } from './types';
export const AGGREGATION_PLACEMENT_RULES: readonly AggregationRule[] = [];
