// Completion context: what may be typed at a path inside a search body. The language server
// passes the JSON path of the object whose keys are being typed, or of the value being typed.
//   []                                   → body-key
//   ['query'] / ['query','bool','must',0] → query-name
//   ['query','bool']                     → param (owner 'bool', values: its params)
//   ['query','match']                    → field (owner 'match')
//   ['query','match','title','operator'] → enum-value (values ['or','and'])
//   ['aggs','by_tag']                    → agg-name
//   ['aggs','by_tag','terms','field']    → field
import { AGGREGATION_SPECS } from './aggregations';
import { BODY_KEY_SPECS } from './body';
import { QUERY_SPECS } from './queries';
import type { ParamTable, ValueSpec } from './spec-types';
import { INNER_HITS_PARAMS, SORT_PARAMS } from './value-tables';

export interface CompletionContext {
  kind: 'query-name' | 'agg-name' | 'body-key' | 'param' | 'field' | 'enum-value' | 'none';
  /** The query/aggregation/body key whose params or values are completed. */
  owner?: string;
  /** Allowed values for 'enum-value'; parameter names for 'param'; names for the *-name kinds. */
  values?: string[];
}

type State =
  | { s: 'body' }
  | { s: 'value'; spec: ValueSpec; owner: string }
  | { s: 'query-container' }
  | { s: 'query-body'; name: string }
  | { s: 'query-field'; name: string }
  | { s: 'aggs' }
  | { s: 'agg-container' }
  | { s: 'params'; table: ParamTable; owner: string }
  | { s: 'none' };

const NONE: State = { s: 'none' };

function step(state: State, seg: string | number): State {
  switch (state.s) {
    case 'body': {
      const spec = typeof seg === 'string' ? BODY_KEY_SPECS[seg] : undefined;
      return spec === undefined ? NONE : { s: 'value', spec: spec.value, owner: String(seg) };
    }
    case 'query-container': {
      if (typeof seg !== 'string' || QUERY_SPECS[seg] === undefined) return NONE;
      return { s: 'query-body', name: seg };
    }
    case 'query-body': {
      const spec = QUERY_SPECS[state.name]!;
      if (typeof seg !== 'string') return NONE;
      if (spec.shape === 'field') return { s: 'query-field', name: state.name };
      const ps = spec.params[seg];
      if (ps !== undefined) return { s: 'value', spec: ps.value, owner: state.name };
      if (spec.shape === 'field-params') return { s: 'value', spec: spec.fieldValue ?? 'any', owner: state.name };
      return NONE;
    }
    case 'query-field': {
      const spec = QUERY_SPECS[state.name]!;
      const ps = typeof seg === 'string' ? spec.params[seg] : undefined;
      return ps === undefined ? NONE : { s: 'value', spec: ps.value, owner: state.name };
    }
    case 'aggs':
      return typeof seg === 'string' ? { s: 'agg-container' } : NONE;
    case 'agg-container': {
      if (seg === 'aggs' || seg === 'aggregations') return { s: 'aggs' };
      if (typeof seg !== 'string' || seg === 'meta') return NONE;
      if (seg === 'filter') return { s: 'query-container' };
      const spec = AGGREGATION_SPECS[seg];
      return spec === undefined ? NONE : { s: 'params', table: spec.params, owner: seg };
    }
    case 'params': {
      const ps = typeof seg === 'string' ? state.table[seg] : undefined;
      return ps === undefined ? NONE : { s: 'value', spec: ps.value, owner: state.owner };
    }
    case 'value':
      return stepValue(state.spec, state.owner, seg);
    case 'none':
      return NONE;
  }
}

function stepValue(spec: ValueSpec, owner: string, seg: string | number): State {
  if (typeof spec === 'string') {
    switch (spec) {
      case 'query':
        return step({ s: 'query-container' }, seg);
      case 'queries':
      case 'query-array':
      case 'span-queries':
        return typeof seg === 'number' ? { s: 'query-container' } : step({ s: 'query-container' }, seg);
      case 'span-query':
        return step({ s: 'query-container' }, seg);
      case 'aggs':
        return step({ s: 'aggs' }, seg);
      case 'sort':
        if (typeof seg === 'number') return { s: 'value', spec: 'sort', owner };
        return { s: 'params', table: SORT_PARAMS, owner: 'sort' };
      case 'fields':
      case 'strings':
      case 'string-or-strings':
      case 'numbers':
        return typeof seg === 'number' ? { s: 'value', spec: spec === 'fields' ? 'field' : 'string', owner } : NONE;
      case 'inner-hits':
        return step({ s: 'params', table: INNER_HITS_PARAMS, owner: 'inner_hits' }, seg);
      default:
        return NONE;
    }
  }
  if ('object' in spec) return step({ s: 'params', table: spec.object, owner }, seg);
  if ('array' in spec) return typeof seg === 'number' ? { s: 'value', spec: spec.array, owner } : NONE;
  if ('map' in spec) return { s: 'value', spec: spec.map, owner };
  if ('oneOf' in spec) {
    for (const alt of spec.oneOf) {
      const next = stepValue(alt, owner, seg);
      if (next.s !== 'none') return next;
    }
  }
  return NONE;
}

function describe(state: State): CompletionContext {
  switch (state.s) {
    case 'body':
      return { kind: 'body-key', values: Object.keys(BODY_KEY_SPECS) };
    case 'query-container':
      return { kind: 'query-name', values: Object.keys(QUERY_SPECS).filter((q) => QUERY_SPECS[q]!.removed === undefined) };
    case 'agg-container':
      return { kind: 'agg-name', values: Object.keys(AGGREGATION_SPECS) };
    case 'query-body': {
      const spec = QUERY_SPECS[state.name]!;
      if (spec.shape === 'field' || spec.shape === 'field-params') return { kind: 'field', owner: state.name };
      return { kind: 'param', owner: state.name, values: Object.keys(spec.params) };
    }
    case 'query-field':
      return { kind: 'param', owner: state.name, values: Object.keys(QUERY_SPECS[state.name]!.params) };
    case 'params':
      return { kind: 'param', owner: state.owner, values: Object.keys(state.table) };
    case 'value': {
      const spec = state.spec;
      if (typeof spec === 'string') {
        switch (spec) {
          case 'query': case 'queries': case 'query-array': case 'span-query':
            return describe({ s: 'query-container' });
          case 'field': case 'fields':
            return { kind: 'field', owner: state.owner };
          case 'boolean':
            return { kind: 'enum-value', owner: state.owner, values: ['true', 'false'] };
          case 'highlighter-type':
            return { kind: 'enum-value', owner: state.owner, values: ['unified', 'plain', 'fvh'] };
          case 'sort':
            return { kind: 'field', owner: 'sort' };
          case 'aggs':
            return { kind: 'none', owner: state.owner };
          default:
            return { kind: 'none', owner: state.owner };
        }
      }
      if ('enum' in spec) return { kind: 'enum-value', owner: state.owner, values: [...spec.enum] };
      if ('object' in spec) return { kind: 'param', owner: state.owner, values: Object.keys(spec.object) };
      return { kind: 'none', owner: state.owner };
    }
    case 'aggs':
    case 'none':
      return { kind: 'none' };
  }
}

/** What may be typed at a JSON path inside a body: used by the language server for completion. */
export function completionContext(path: (string | number)[]): CompletionContext {
  let state: State = { s: 'body' };
  for (const seg of path) {
    state = step(state, seg);
    if (state.s === 'none') return { kind: 'none' };
  }
  return describe(state);
}

