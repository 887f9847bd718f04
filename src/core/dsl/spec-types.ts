// The shape of the declarative spec tables (QUERY_SPECS, AGGREGATION_SPECS, BODY_KEY_SPECS).
//
// A value is described by a ValueSpec: either a named kind (a string such as 'field' or 'query')
// or a small structural descriptor ({ enum }, { object }, { array }, { oneOf }, { map }).
// Every parameter carries a one-line doc string used for hover and completion.

/** Named value kinds. Each is checked by one function in validate-values.ts. */
export type ValueKind =
  | 'any' // anything JSON
  | 'string'
  | 'number'
  | 'integer'
  | 'boolean' // strict: true/false only ("true" is an error, as in Elasticsearch)
  | 'object' // any JSON object, not checked further
  | 'scalar' // string | number | boolean
  | 'scalar-or-null' // a range bound: a value, or null for no bound
  | 'strings' // string[]
  | 'string-or-strings'
  | 'numbers'
  | 'number-or-string' // e.g. "10" or 10 where Elasticsearch parses both
  | 'field' // a field name (string); checked against the mapping
  | 'fields' // field names, each optionally with ^boost; a string or an array
  | 'query' // one QueryContainer
  | 'queries' // one QueryContainer or an array of them (bool clauses)
  | 'query-array' // an array of QueryContainers (dis_max.queries)
  | 'span-query' // a QueryContainer that must be a span query
  | 'span-queries'
  | 'script' // a script: string source or { source | id, lang, params, options }
  | 'msm' // minimum_should_match: integer or string ("75%", "3<90%")
  | 'fuzziness' // "AUTO", "AUTO:3,6", 0, 1, 2, "1"
  | 'distance' // "12km" or a number of meters
  | 'time' // "30s", "1m", -1, 0
  | 'signed-time' // a date histogram offset: "+6h", "-30m", "1d"
  | 'date-math' // a date, "now-1d/d", or epoch millis
  | 'geo-point' // {lat, lon}, [lon, lat], "lat,lon", geohash, WKT POINT
  | 'geo-bounds' // {top_left, bottom_right} | {top, left, bottom, right} | {wkt}
  | 'geo-shape' // a GeoJSON or WKT shape
  | 'aggs' // a map of aggregation name → aggregation container
  | 'sort' // sort in all its forms
  | 'source-config' // _source: boolean, string, string[], {includes, excludes}
  | 'field-and-format-list' // fields/docvalue_fields: string | {field, format}
  | 'highlight'
  | 'inner-hits'
  | 'rescore'
  | 'knn'
  | 'retriever'
  | 'runtime-mappings'
  | 'bucket-path' // pipeline buckets_path: string | string[] | {name: path}
  | 'interval-rule' // intervals query rule
  | 'function-score-function'
  | 'function-score-functions'
  | 'collapse'
  | 'highlighter-type' // unified | plain | fvh; any other name needs the plugin that registers it
  | 'suggest'
  | 'missing'; // a "missing" value: scalar

export type ValueSpec =
  | ValueKind
  | { readonly enum: readonly string[]; readonly caseInsensitive?: boolean }
  | { readonly object: ParamTable; readonly required?: readonly string[]; readonly open?: boolean }
  | { readonly array: ValueSpec }
  | { readonly oneOf: readonly ValueSpec[] }
  | { readonly map: ValueSpec };

export interface ParamSpec {
  readonly value: ValueSpec;
  readonly doc: string;
  /** Elasticsearch rejects the request without it. */
  readonly required?: boolean;
  /** Accepted but deprecated: a warning names the replacement. */
  readonly deprecated?: string;
  /** The first version that accepts it ("8.12"); older esVersion values get an error. */
  readonly since?: string;
}

export type ParamTable = Readonly<Record<string, ParamSpec>>;

/**
 * The four query shapes:
 *  - 'field'          { "<field>": <short value> | { params } }            match, term, range, …
 *  - 'field-params'   { "<field>": <value>, ...params }                    terms, geo_distance, …
 *  - 'explicit-field' { "field": "<field>", ...params }                    exists, knn, semantic, …
 *  - 'no-field'       { ...params }                                        bool, query_string, …
 */
export type QueryShape = 'field' | 'field-params' | 'explicit-field' | 'no-field';

export type QueryCategory =
  | 'compound'
  | 'full-text'
  | 'term-level'
  | 'geo'
  | 'joining'
  | 'span'
  | 'specialized'
  | 'vector'
  | 'match-all';

export interface QuerySpec {
  readonly doc: string;
  readonly category: QueryCategory;
  readonly shape: QueryShape;
  readonly params: ParamTable;
  /** 'field' shape: the param a short-form scalar stands for (`{"match": {"f": "x"}}` = query "x"). */
  readonly shortParam?: string;
  /** 'field-params' shape: what the field key's value must be. */
  readonly fieldValue?: ValueSpec;
  /** What the queried field must be, for mapping checks. */
  readonly fieldTypes?: 'geo' | 'geo-or-shape' | 'shape' | 'numeric-or-date' | 'text-ish' | 'any';
  /** Term-level queries get a warning on `text` fields. */
  readonly termLevel?: boolean;
  /** Accepted but deprecated (the message names the replacement). */
  readonly deprecated?: string;
  /** Removed from Elasticsearch (error). */
  readonly removed?: string;
  readonly since?: string;
  /** At least one of these params must be present. */
  readonly requireOneOf?: readonly string[];
  /**
   * Parsed with ObjectParser, whose string fields want a JSON string ("[combined_fields] query
   * doesn't support values of type: VALUE_NUMBER"); other query parsers read text with
   * parser.text(), which takes any scalar.
   */
  readonly strictText?: boolean;
}

export type AggregationCategory = 'bucket' | 'metric' | 'pipeline';

export interface AggregationSpec {
  readonly doc: string;
  readonly category: AggregationCategory;
  readonly params: ParamTable;
  /** Bucket aggregations may hold sub-aggregations; metric and pipeline ones may not. */
  readonly subAggregations: boolean;
  /** The param naming the aggregated field, if any ('field'). */
  readonly fieldParam?: string;
  /** Which field types make sense (mapping check). */
  readonly fieldTypes?: 'numeric' | 'numeric-or-date' | 'date' | 'geo' | 'any' | 'keyword-like';
  /** At least one of these params must be present. */
  readonly requireOneOf?: readonly string[];
  /** Params that may not be set together. */
  readonly exclusive?: readonly string[];
  /** The params object may be empty (e.g. `global: {}`, `reverse_nested: {}`). */
  readonly allowEmpty?: boolean;
  readonly deprecated?: string;
  readonly since?: string;
  /** Keys outside `params` are accepted (e.g. filters' keyed map); open objects. */
  readonly open?: boolean;
}

export interface BodyKeySpec extends ParamSpec {
  /** Alias of another key (aggs ↔ aggregations). */
  readonly aliasOf?: string;
}
