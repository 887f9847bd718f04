import type { QuerySpec } from './spec-types';
export const QUERY_SPECS: Readonly<Record<string, QuerySpec>> = {};
