// The dataset's view of the Query DSL engine (src/core/dsl): the query type a record is
// stratified and filtered by, its aggregation types, and its validity. One place so the store,
// splits, stats, query and export agree.
import { aggregationTypes, topQueryType, validateBody, type DslProblem, type ValidateOptions } from '../dsl';

/** Stratum / filter label of a record without a request body, or with one that has no query. */
export const NO_DSL = '(no dsl)';
export const NO_QUERY = '(no query)';

/** The top-level query type (`bool`, `match`, …) of a request body; NO_DSL / NO_QUERY otherwise. */
export function queryTypeOf(dsl: unknown): string {
  if (dsl === null || dsl === undefined || typeof dsl !== 'object') return NO_DSL;
  const fromEngine = topQueryType(dsl);
  if (fromEngine) return fromEngine;
  const query = (dsl as Record<string, unknown>)['query'];
  if (query && typeof query === 'object' && !Array.isArray(query)) {
    const first = Object.keys(query)[0];
    if (first) return first;
  }
  return NO_QUERY;
}

export function aggregationTypesOf(dsl: unknown): string[] {
  if (dsl === null || dsl === undefined || typeof dsl !== 'object') return [];
  return aggregationTypes(dsl);
}

export type Validity = 'error' | 'warning' | 'clean' | 'none';

export interface ValidityResult {
  validity: Validity;
  errors: number;
  warnings: number;
  problems: DslProblem[];
}

export type Validator = (dsl: unknown, opts?: ValidateOptions) => DslProblem[];

/** Validates a record's `dsl`; 'none' when there is no body yet. */
export function validityOf(dsl: unknown, validate: Validator = validateBody, opts?: ValidateOptions): ValidityResult {
  if (dsl === null || dsl === undefined) return { validity: 'none', errors: 0, warnings: 0, problems: [] };
  const problems = validate(dsl, opts);
  let errors = 0;
  let warnings = 0;
  for (const p of problems) {
    if (p.severity === 'error') errors++;
    else if (p.severity === 'warning') warnings++;
  }
  return { validity: errors ? 'error' : warnings ? 'warning' : 'clean', errors, warnings, problems };
}

/** JSON with object keys sorted at every level: equal values give equal strings. */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableStringify(obj[k])}`).join(',')}}`;
}
