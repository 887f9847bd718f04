// Public API of the Query DSL engine (src/core/dsl). Everything outside this folder imports from
// here only. See docs/dsl.md for the design.
export type {
  Severity,
  DslProblem,
  Range,
  PositionedProblem,
  ValidateOptions,
  IndexMapping,
  MappedField,
} from './types';
export type {
  ValueKind,
  ValueSpec,
  ParamSpec,
  ParamTable,
  QueryShape,
  QueryCategory,
  QuerySpec,
  AggregationCategory,
  AggregationSpec,
  BodyKeySpec,
} from './spec-types';
export { DIAGNOSTIC_CODES } from './codes';
export { QUERY_SPECS } from './queries';
export { AGGREGATION_SPECS } from './aggregations';
export { BODY_KEY_SPECS } from './body';
export { parseMapping, mappedFields, lookupField } from './mapping';
export { validateBody, validateQuery } from './validator';
export { validateText, validateDatasetLine, problemRange, positionProblems, isBlank } from './positions';
export { normalizeBody, canonicalJson, topQueryType, aggregationTypes } from './normalize';
export { completionContext, type CompletionContext } from './completion';
