import type { AggregationSpec } from './spec-types';
export const AGGREGATION_SPECS: Readonly<Record<string, AggregationSpec>> = {};
