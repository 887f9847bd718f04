// Public types of the Query DSL engine. Kept in one file so the language server, the CLI and the
// webview can import them without pulling in the spec tables.

export type Severity = 'error' | 'warning' | 'info';

export interface DslProblem {
  /** RFC 6901 JSON pointer into the validated body ('' is the body itself). */
  pointer: string;
  /** Stable identifier, one of DIAGNOSTIC_CODES. */
  code: string;
  severity: Severity;
  /** Says what is wrong and how to fix it. */
  message: string;
  /** For did-you-mean fixes: the JSON key or value to replace and its replacement. */
  fix?: { kind: 'renameKey' | 'replaceValue'; replacement: string };
}

export interface Range {
  start: { line: number; character: number };
  end: { line: number; character: number };
}

export interface PositionedProblem extends DslProblem {
  range: Range;
}

export interface ValidateOptions {
  mapping?: IndexMapping;
  /** e.g. '8.15.0' or '9'; features newer than this version are reported. Default: newest. */
  esVersion?: string;
  /** Severity of a field the mapping does not know. Default 'warning'. */
  unmappedFieldSeverity?: Severity | 'off';
}

/** One mapped field, flattened: `path` is the full dotted path ("user.name.keyword"). */
export interface MappedField {
  path: string;
  /** Elasticsearch field type: keyword, text, long, date, nested, object, alias, … */
  type: string;
  /** Set for `alias` fields: the path they point at. */
  aliasOf?: string;
  /** The nearest enclosing `nested` field's path, if any (for a nested field itself: its parent nested). */
  nestedParent?: string;
  /** `text` fields with `fielddata: true` may be aggregated and sorted on. */
  fielddata?: boolean;
  /** True for a multi-field (`fields` sub-field) such as `title.keyword`. */
  multiField?: boolean;
  /** True for a field declared under `runtime`. */
  runtime?: boolean;
  /** `dense_vector`: the number of dimensions, when the mapping states it. */
  dims?: number;
  /** `rank_feature(s)`: false when the mapping sets `positive_score_impact: false`. */
  positiveScoreImpact?: boolean;
  /** `completion`: the context mappings (`contexts: [{name, type}]`), when it has any. */
  contexts?: readonly { name: string; type: string }[];
}

/** A parsed index mapping: a flat table of every field path. Build it with parseMapping(). */
export interface IndexMapping {
  readonly fields: ReadonlyMap<string, MappedField>;
  /** `dynamic` setting of the root (true | false | 'strict' | 'runtime'); informational. */
  readonly dynamic?: string;
  /**
   * True when the mapping declares no fields at all (an index created without any): nothing is
   * known about its fields, so field checks stay silent rather than call every field unknown.
   */
  readonly noFields?: boolean;
}
