// Reading the engine's spec tables for completion and hover: what a key means, how its value is
// typed, and what to insert for it.
import {
  AGGREGATION_SPECS,
  BODY_KEY_SPECS,
  QUERY_SPECS,
  completionContext,
  type CompletionContext,
  type ParamSpec,
  type ValueSpec,
} from '../core/dsl';
import type { JSONPath } from 'jsonc-parser';

/**
 * The engine's view of what belongs at a body path: the path of the object whose keys are typed,
 * or of the value being typed. Never throws (a bug there must not break completion or hover).
 */
export function contextAt(path: JSONPath): CompletionContext {
  try {
    return completionContext([...path]);
  } catch {
    return { kind: 'none' };
  }
}

/** The parameter table of a query, aggregation or body key named `owner`. */
export function paramTableOf(owner: string | undefined): Readonly<Record<string, ParamSpec>> | undefined {
  if (!owner) return undefined;
  const spec = QUERY_SPECS[owner]?.params ?? AGGREGATION_SPECS[owner]?.params;
  if (spec) return spec;
  const body = BODY_KEY_SPECS[owner];
  return body ? objectTable(body.value) : undefined;
}

function objectTable(spec: ValueSpec): Readonly<Record<string, ParamSpec>> | undefined {
  if (typeof spec === 'string') return undefined;
  if ('object' in spec) return spec.object;
  if ('oneOf' in spec) {
    for (const option of spec.oneOf) {
      const t = objectTable(option);
      if (t) return t;
    }
  }
  return undefined;
}

/** A short, human reading of a value spec: "string", "one of asc, desc", "array of query". */
export function describeValue(spec: ValueSpec): string {
  if (typeof spec === 'string') return spec;
  if ('enum' in spec) return `one of ${spec.enum.map((v) => `\`${v}\``).join(', ')}`;
  if ('object' in spec) return 'object';
  if ('array' in spec) return `array of ${describeValue(spec.array)}`;
  if ('oneOf' in spec) return spec.oneOf.map(describeValue).join(' or ');
  return `map of ${describeValue(spec.map)}`;
}

const STRING_KINDS = new Set(['string', 'field', 'date-math', 'time', 'distance', 'fuzziness']);
const NUMBER_KINDS = new Set(['number', 'integer', 'number-or-string']);
const ARRAY_KINDS = new Set(['strings', 'numbers', 'query-array', 'span-queries', 'function-score-functions', 'sort']);
const OBJECT_KINDS = new Set([
  'object', 'query', 'span-query', 'aggs', 'highlight', 'inner-hits', 'knn', 'retriever', 'runtime-mappings', 'collapse',
  'suggest', 'rescore', 'geo-bounds', 'geo-shape', 'function-score-function', 'interval-rule', 'queries',
]);

/** A snippet for a value of this spec, placed after `"key": `. */
export function valueSnippet(spec: ValueSpec | undefined): string {
  if (spec === undefined) return '$0';
  if (typeof spec === 'string') {
    if (spec === 'boolean') return '${1|true,false|}';
    if (STRING_KINDS.has(spec)) return '"$1"';
    if (NUMBER_KINDS.has(spec)) return '${1:0}';
    if (ARRAY_KINDS.has(spec)) return '[$1]';
    if (OBJECT_KINDS.has(spec)) return '{$1}';
    return '$1';
  }
  if ('enum' in spec) {
    const choices = spec.enum.map((v) => v.replace(/[,|\\$}]/g, (c) => `\\${c}`)).join(',');
    return spec.enum.length > 0 ? `"\${1|${choices}|}"` : '"$1"';
  }
  if ('object' in spec || 'map' in spec) return '{$1}';
  if ('array' in spec) return '[$1]';
  return valueSnippet(spec.oneOf[0]);
}

export { AGGREGATION_SPECS, BODY_KEY_SPECS, QUERY_SPECS };
