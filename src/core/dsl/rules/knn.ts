import type { KnnRule, QueryRule } from './types';
export const KNN_SEARCH_RULES: readonly KnnRule[] = [];
export const KNN_QUERY_RULES: readonly QueryRule[] = [];
