import type { AggregationRule } from './types';
export const NUMERIC_BOUND_RULES: readonly AggregationRule[] = [];
