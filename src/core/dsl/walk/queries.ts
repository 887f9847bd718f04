// Queries: the QueryContainer and its four shapes (see QueryShape in spec-types.ts), score
// functions, span and interval rules. Mapping checks of a query's field live in mapping-rules.ts;
// rules that read several keys of one query live in ../rules and run from runQueryRules().
import { INTERVAL_RULES, QUERY_SPECS, SPAN_QUERY_NAMES } from '../queries';
import { QUERY_RULES } from '../rules';
import type { QuerySpec, ValueSpec } from '../spec-types';
import { didYouMean, suggest } from '../suggest';
import { FUNCTION_PARAMS } from '../value-tables';
import { isNumericString, isObject, jsonType, type Segment } from './json';
import { checkQueryField, fieldTypeFits } from './mapping-rules';
import { checkParams, checkValue, compileTable, compileValue, lazyCheck, params, type Check, type CompiledTable } from './values';
import { MAX_QUERY_DEPTH, Use, type Walker } from './walker';

interface QueryEntry { readonly spec: QuerySpec; readonly table: CompiledTable; readonly fieldValue: Check; readonly strictText: boolean }
// Built on first use: compiling at module load would run before the modules it calls are loaded.
let queryMap: Map<string, QueryEntry> | undefined;
function queryEntries(): Map<string, QueryEntry> {
  return (queryMap ??= new Map(Object.entries(QUERY_SPECS).map(([k, spec]) => [k, { spec, table: compileTable(spec.params), fieldValue: compileValue(spec.fieldValue ?? 'any'), strictText: spec.strictText === true }])));
}

const INLINE_FUNCTIONS = ['exp', 'gauss', 'linear', 'field_value_factor', 'random_score', 'script_score'] as const;
const FUNCTION_NAMES = new Set<string>(INLINE_FUNCTIONS);
const MULTI_VALUE_MODE = lazyCheck({ enum: ['min', 'max', 'avg', 'sum'], caseInsensitive: true });
const DECAY_PLACEMENT_SPEC: ValueSpec = {
  object: {
    origin: { value: 'any', doc: 'Origin: a number, date or geo point.' },
    scale: { value: 'any', doc: 'Distance from origin + offset at which the score is `decay`.' },
    offset: { value: 'any', doc: 'Distance within which the score is 1.' },
    decay: { value: 'number', doc: 'Score at `scale` (default 0.5).' },
  },
  required: ['scale'],
};
const DECAY_PLACEMENT = lazyCheck(DECAY_PLACEMENT_SPEC);

/** Validates a QueryContainer at the current path. Returns the query name, if well formed. */
export function checkQuery(w: Walker, q: unknown): string | undefined {
  if (!isObject(q)) {
    w.report('invalid-type', `expected a query object such as {"match": {…}}, found ${jsonType(q)}`);
    return undefined;
  }
  let name: string | undefined;
  for (const key in q) {
    if (name !== undefined) {
      w.report('multiple-query-types', `a query object holds one query type, found [${name}] and [${key}]; combine them with {"bool": {"must": [ … ]}}`, key);
      continue;
    }
    name = key;
  }
  if (name === undefined) {
    w.report('empty-clause', 'empty query clause {}; write a query such as {"match_all": {}} or remove the clause');
    return undefined;
  }
  const entry = queryEntries().get(name);
  if (entry === undefined) {
    if (name === 'span_gap') return name; // valid only inside span_near; accepted loosely
    const s = suggest(name, Object.keys(QUERY_SPECS));
    w.report('unknown-query', `unknown query [${name}]${didYouMean(s)}`, name, s === undefined ? undefined : { kind: 'renameKey', replacement: s });
    return undefined;
  }
  const spec = entry.spec;
  if (spec.removed !== undefined) {
    w.report('removed-feature', `[${name}] query: ${spec.removed}`, name);
    return name;
  }
  if (spec.deprecated !== undefined) w.report('deprecated', spec.deprecated, name);
  if (spec.since !== undefined) w.checkSince(name, spec.since, name);
  if (w.queryDepth >= MAX_QUERY_DEPTH) {
    w.report('max-depth', `queries are nested more than ${MAX_QUERY_DEPTH} levels deep; Elasticsearch rejects this (indices.query.bool.max_nested_depth) — flatten the bool structure`, name);
    return name;
  }
  w.queryDepth++;
  const strictText = w.strictText;
  // Only the query's own params: a query nested inside (a filter) is parsed by its own parser.
  w.strictText = entry.strictText;
  w.path.push(name);
  if (!w.tooDeep()) queryBody(w, name, entry, q[name]);
  w.path.pop();
  w.strictText = strictText;
  w.queryDepth--;
  return name;
}

function queryBody(w: Walker, name: string, entry: QueryEntry, body: unknown): void {
  const spec = entry.spec;
  const table = entry.table;
  if (!isObject(body)) {
    w.report('invalid-type', `[${name}] query expects an object, found ${jsonType(body)}`);
    return;
  }
  switch (spec.shape) {
    case 'no-field':
    case 'explicit-field': {
      // Fields under a nested query's path are in scope for its inner query.
      const saved = w.nestedScope;
      if (name === 'nested' && typeof body['path'] === 'string') w.nestedScope = body['path'];
      checkParams(w, body, table, name, ' query', spec.requireOneOf);
      w.nestedScope = saved;
      querySemantics(w, name, spec, body);
      break;
    }
    case 'field':
      fieldShapedQuery(w, name, spec, table, body);
      break;
    case 'field-params':
      fieldParamsQuery(w, name, entry, body);
      break;
  }
  const rules = QUERY_RULES.get(name);
  if (rules !== undefined) for (const rule of rules) rule.check(w, body);
}

/** { "<field>": short | { params } } */
function fieldShapedQuery(w: Walker, name: string, spec: QuerySpec, table: CompiledTable, body: Record<string, unknown>): void {
  let field: string | undefined;
  for (const key in body) {
    const v = body[key];
    if ((key === 'boost' || key === '_name') && !isObject(v)) {
      w.path.push(key);
      table.params.get(key)!.check(w, v, key);
      w.path.pop();
      continue;
    }
    if (field !== undefined) {
      w.report('multiple-fields', `[${name}] query takes one field, found [${field}] and [${key}]; use one ${name} per field inside a bool query`, key);
      continue;
    }
    field = key;
    w.path.push(key);
    if (isObject(v)) {
      checkParams(w, v, table, name, ' query', spec.requireOneOf);
    } else if (spec.shortParam !== undefined) {
      table.params.get(spec.shortParam)!.check(w, v, spec.shortParam);
    } else {
      w.report('invalid-type', `[${name}] query on [${key}] expects an object of parameters, found ${jsonType(v)}`);
    }
    w.path.pop();
    checkQueryField(w, name, spec, key, v, true);
  }
  if (field === undefined) {
    w.report('missing-field', `[${name}] query names no field; write {"${name}": {"<field>": ${spec.shortParam !== undefined ? '<value>' : '{…}'}}}`);
  }
}

/** { "<field>": value, ...params } */
function fieldParamsQuery(w: Walker, name: string, entry: QueryEntry, body: Record<string, unknown>): void {
  const spec = entry.spec;
  const table = entry.table;
  let field: string | undefined;
  for (const key in body) {
    const ps = table.params.get(key);
    w.path.push(key);
    if (ps !== undefined) {
      ps.check(w, body[key], key);
      if (ps.deprecated !== undefined) w.report('deprecated', ps.deprecated);
    } else if (field !== undefined) {
      const s = suggest(key, Object.keys(spec.params));
      w.path.pop();
      if (s !== undefined) {
        w.report('unknown-param', `[${name}] query does not support [${key}]${didYouMean(s)}`, key, { kind: 'renameKey', replacement: s });
      } else {
        w.report('multiple-fields', `[${name}] query takes one field, found [${field}] and [${key}]`, key);
      }
      continue;
    } else {
      field = key;
      entry.fieldValue(w, body[key], key);
    }
    w.path.pop();
    if (field === key) checkQueryField(w, name, spec, key, body[key], true);
  }
  for (const r of table.required) {
    if (body[r] === undefined) w.report('missing-param', `[${name}] query requires [${r}]`);
  }
  if (field === undefined) w.report('missing-field', `[${name}] query names no field; add "<field>": …`);
}

function querySemantics(w: Walker, name: string, spec: QuerySpec, body: Record<string, unknown>): void {
  switch (name) {
    case 'nested': {
      const path = body['path'];
      if (typeof path === 'string') w.fieldRef(path, Use.NestedPath, 'path');
      return;
    }
    case 'function_score': {
      let inline: string | undefined;
      for (const fn of INLINE_FUNCTIONS) {
        if (body[fn] === undefined) continue;
        if (inline !== undefined) w.report('conflicting-params', `[function_score] takes one inline function, found [${inline}] and [${fn}]; list them in [functions]`, fn);
        inline = fn;
        w.path.push(fn);
        scoreFunction(w, fn, body[fn]);
        w.path.pop();
      }
      if (inline !== undefined && body['functions'] !== undefined) {
        w.report('conflicting-params', `[function_score] takes either [functions] or an inline [${inline}], not both`, inline);
      }
      return;
    }
    case 'knn':
    case 'sparse_vector':
    case 'semantic':
    case 'exists':
    case 'rank_feature':
    case 'distance_feature':
    case 'percolate': {
      const f = body['field'];
      if (typeof f === 'string') checkQueryField(w, name, spec, f, undefined, false);
      return;
    }
    default:
      return;
  }
}

function scoreFunction(w: Walker, fn: string, v: unknown): void {
  if (!isObject(v)) {
    w.report('invalid-type', `[${fn}] expects an object, found ${jsonType(v)}`);
    return;
  }
  if (fn === 'exp' || fn === 'gauss' || fn === 'linear') {
    let field: string | undefined;
    for (const key in v) {
      if (key === 'multi_value_mode') {
        w.path.push(key);
        MULTI_VALUE_MODE(w, v[key], key);
        w.path.pop();
        continue;
      }
      if (field !== undefined) {
        w.report('multiple-fields', `[${fn}] decay function takes one field, found [${field}] and [${key}]`, key);
        continue;
      }
      field = key;
      w.path.push(key);
      DECAY_PLACEMENT(w, v[key], key);
      w.path.pop();
      w.fieldRef(key, Use.Generic, key);
    }
    if (field === undefined) w.report('missing-field', `[${fn}] decay function names no field: {"${fn}": {"<field>": {"origin": …, "scale": …}}}`);
    return;
  }
  params(w, v, FUNCTION_PARAMS[fn]!, fn, ' function');
  const field = v['field'];
  if (typeof field === 'string' && w.mapping !== undefined) {
    const f = w.fieldRef(field, Use.Aggregation, 'field');
    if (f !== undefined && fn === 'field_value_factor' && !fieldTypeFits('numeric-or-date', f.type)) {
      w.report('field-type-mismatch', `[field_value_factor] needs a numeric field, but [${field}] is ${f.type}`, 'field');
    }
  }
  const rules = QUERY_RULES.get(fn);
  if (rules !== undefined) for (const rule of rules) rule.check(w, v);
}

export function checkFunctionScoreFunctions(w: Walker, v: unknown): void {
  if (!Array.isArray(v)) {
    w.report('invalid-type', `[functions] must be an array, found ${jsonType(v)}`);
    return;
  }
  for (let i = 0; i < v.length; i++) {
    w.path.push(i);
    checkFunctionScoreFunction(w, v[i]);
    w.path.pop();
  }
}

export function checkFunctionScoreFunction(w: Walker, v: unknown): void {
  if (!isObject(v)) {
    w.report('invalid-type', `a function_score function must be an object, found ${jsonType(v)}`);
    return;
  }
  let fn: string | undefined;
  for (const key in v) {
    if (key === 'filter') {
      w.path.push(key);
      checkQuery(w, v[key]);
      w.path.pop();
      continue;
    }
    if (key === 'weight' || key === '_name') {
      w.path.push(key);
      checkValue(w, v[key], key === 'weight' ? 'number' : 'string', key);
      w.path.pop();
      continue;
    }
    if (FUNCTION_NAMES.has(key)) {
      if (fn !== undefined) {
        w.report('conflicting-params', `a function_score function holds one function, found [${fn}] and [${key}]`, key);
        continue;
      }
      fn = key;
      w.path.push(key);
      scoreFunction(w, key, v[key]);
      w.path.pop();
      continue;
    }
    const s = suggest(key, [...FUNCTION_NAMES, 'filter', 'weight']);
    w.report('unknown-param', `unknown function_score function [${key}]${didYouMean(s)}`, key, s === undefined ? undefined : { kind: 'renameKey', replacement: s });
  }
  if (fn === undefined && v['weight'] === undefined) {
    w.report('missing-param', 'a function_score function needs a function (gauss, exp, linear, field_value_factor, random_score, script_score) or a weight');
  }
}

export function checkSpanQuery(w: Walker, v: unknown): void {
  const name = checkQuery(w, v);
  if (name !== undefined && !SPAN_QUERY_NAMES.has(name)) {
    w.report('not-span-query', `[${name}] is not a span query; span clauses take span_term, span_near, span_or, … (wrap multi-term queries in span_multi)`, name);
  }
}

export function checkSpanQueries(w: Walker, v: unknown, name: Segment): void {
  if (!Array.isArray(v)) {
    w.report('invalid-type', `[${name}] must be an array of span queries, found ${jsonType(v)}`);
    return;
  }
  for (let i = 0; i < v.length; i++) {
    w.path.push(i);
    checkSpanQuery(w, v[i]);
    w.path.pop();
  }
}

export function checkIntervalRule(w: Walker, v: unknown): void {
  if (!isObject(v)) {
    w.report('invalid-type', `an interval rule must be an object such as {"match": {"query": …}}, found ${jsonType(v)}`);
    return;
  }
  let rule: string | undefined;
  for (const key in v) {
    const spec = INTERVAL_RULES[key];
    if (spec === undefined) {
      const s = suggest(key, Object.keys(INTERVAL_RULES));
      w.report('unknown-param', `unknown interval rule [${key}]${didYouMean(s)}`, key, s === undefined ? undefined : { kind: 'renameKey', replacement: s });
      continue;
    }
    if (rule !== undefined) {
      w.report('conflicting-params', `an interval rule holds one rule, found [${rule}] and [${key}]; combine them with all_of or any_of`, key);
      continue;
    }
    rule = key;
    w.path.push(key);
    checkValue(w, v[key], spec, key);
    w.path.pop();
  }
  if (rule === undefined) w.report('empty-clause', 'empty interval rule {}; use match, prefix, wildcard, regexp, fuzzy, range, all_of or any_of');
}

/** `fields` of multi_match / query_string: names, each optionally with ^boost. */
export function checkFieldList(w: Walker, v: unknown, name: Segment): void {
  const one = (s: unknown, i: number | undefined): void => {
    if (typeof s !== 'string') {
      // Query parsers read field names with parser.text(): 7 is the field "7".
      if (typeof s === 'number' || typeof s === 'boolean') return;
      w.report('invalid-type', `[${name}] must hold field names, found ${jsonType(s)}`, i);
      return;
    }
    const caret = s.indexOf('^');
    const field = caret >= 0 ? s.slice(0, caret) : s;
    if (caret >= 0 && !isNumericString(s.slice(caret + 1))) {
      w.report('invalid-value', `[${s}]: the boost after ^ must be a number, e.g. "title^2"`, i);
    }
    if (w.mapping !== undefined) {
      if (i !== undefined) w.path.push(i);
      const mark = w.problems.length;
      w.fieldRef(field, Use.Query, undefined);
      // Keep the ^boost in a suggested replacement.
      for (let k = mark; k < w.problems.length && caret >= 0; k++) {
        const fix = w.problems[k]!.fix;
        if (fix?.kind === 'replaceValue') fix.replacement += s.slice(caret);
      }
      if (i !== undefined) w.path.pop();
    }
  };
  if (typeof v === 'string') {
    one(v, undefined);
    return;
  }
  if (!Array.isArray(v)) {
    w.report('invalid-type', `[${name}] must be an array of field names, found ${jsonType(v)}`);
    return;
  }
  for (let i = 0; i < v.length; i++) one(v[i], i);
}
