import type { RetrieverRule } from './types';
export const RETRIEVER_RULE_LIST: readonly RetrieverRule[] = [];
