export interface CompletionContext {
  kind: 'query-name' | 'agg-name' | 'body-key' | 'param' | 'field' | 'enum-value' | 'none';
  /** The query/aggregation/body key whose params or values are completed. */
  owner?: string;
  /** Allowed values for 'enum-value' (and param names for 'param'). */
  values?: string[];
}
/** What may be typed at a JSON path inside a body: used by the language server for completion. */
export function completionContext(path: (string | number)[]): CompletionContext { void path; return { kind: 'none' }; }
