import type { DslProblem, ValidateOptions } from './types';
/** Validates a parsed search request body. */
export function validateBody(body: unknown, options?: ValidateOptions): DslProblem[] { void body; void options; return []; }
/** Validates a bare query (the value of `query`). */
export function validateQuery(query: unknown, options?: ValidateOptions): DslProblem[] { void query; void options; return []; }
