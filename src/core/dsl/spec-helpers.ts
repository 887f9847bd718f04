// Small constructors and shared enums for the spec tables, so each table entry reads as one line.
import type { ParamSpec, ParamTable, ValueSpec } from './spec-types';

export function p(value: ValueSpec, doc: string, extra?: Omit<ParamSpec, 'value' | 'doc'>): ParamSpec {
  return extra ? { value, doc, ...extra } : { value, doc };
}
export function req(value: ValueSpec, doc: string): ParamSpec {
  return { value, doc, required: true };
}
export function enumOf(...values: string[]): ValueSpec {
  // Elasticsearch parses nearly every enum case-insensitively (Operator.fromString, SortOrder, …).
  return { enum: values, caseInsensitive: true };
}
export function obj(params: ParamTable, required?: readonly string[]): ValueSpec {
  return required ? { object: params, required } : { object: params };
}

export const QUERY_BASE: ParamTable = {
  boost: p('number', 'Multiplies the relevance score of matching documents (default 1.0).'),
  _name: p('string', 'Names the query; matching hits list it in `matched_queries`.'),
};

export const OPERATOR = enumOf('or', 'and');
export const ZERO_TERMS = enumOf('none', 'all');
export const REWRITE: ValueSpec = 'string';
export const GEO_VALIDATION = enumOf('coerce', 'ignore_malformed', 'strict');
export const GEO_DISTANCE_TYPE = enumOf('arc', 'plane');
export const GEO_RELATION = enumOf('intersects', 'disjoint', 'within', 'contains');
export const SORT_ORDER = enumOf('asc', 'desc');
export const SORT_MODE = enumOf('min', 'max', 'sum', 'avg', 'median');
export const GAP_POLICY = enumOf('skip', 'insert_zeros', 'keep_values');
export const CALENDAR_INTERVAL = enumOf(
  'second', '1s', 'minute', '1m', 'hour', '1h', 'day', '1d', 'week', '1w', 'month', '1M', 'quarter', '1q', 'year', '1y',
);
export const TEXT_QUERY_TYPE = enumOf('best_fields', 'most_fields', 'cross_fields', 'phrase', 'phrase_prefix', 'bool_prefix');
export const VALUE_TYPE = enumOf(
  'string', 'long', 'double', 'number', 'date', 'date_nanos', 'ip', 'numeric', 'geo_point', 'boolean',
);

export const PRUNING_CONFIG: ValueSpec = obj({
  tokens_freq_ratio_threshold: p('number', 'Tokens more frequent than this ratio × average are pruned (default 5).'),
  tokens_weight_threshold: p('number', 'Tokens weighing less than this are pruned (default 0.4).'),
  only_score_pruned_tokens: p('boolean', 'Score only with the pruned tokens (default false).'),
});

export const FIELD_LOOKUP: ValueSpec = obj(
  {
    id: req('string', 'Id of the document holding the shape.'),
    index: p('string', 'Index of that document (default `shapes`).'),
    path: p('field', 'Field of the document holding the shape (default `shape`).'),
    routing: p('string', 'Routing of that document.'),
  },
  ['id'],
);
