import type { AggregationRule } from './types';
export const BUCKETS_PATH_RULES: readonly AggregationRule[] = [];
