// Aggregations: the {"<name>": {"<type>": {…}, "aggs": {…}, "meta": {…}}} containers, their params,
// composite sources and the fields they read. Placement, pipeline and bounds rules that read more
// than one key live in ../rules and run from here with an AggregationContext.
import { AGGREGATION_SPECS, COMPOSITE_SOURCES } from '../aggregations';
import { AGGREGATION_RULES, type AggregationContext } from '../rules';
import type { AggregationSpec } from '../spec-types';
import { didYouMean, suggest } from '../suggest';
import { isObject, jsonType } from './json';
import { checkQuery } from './queries';
import { FIELD_TYPE_WORDS, fieldTypeFits } from './mapping-rules';
import { checkParams, checkValue, compileTable, type CompiledTable } from './values';
import { Use, type Walker } from './walker';

interface AggregationEntry { readonly spec: AggregationSpec; readonly table: CompiledTable }
let aggregationMap: Map<string, AggregationEntry> | undefined;
function aggregationEntries(): Map<string, AggregationEntry> {
  return (aggregationMap ??= new Map(Object.entries(AGGREGATION_SPECS).map(([k, spec]) => [k, { spec, table: compileTable(spec.params) }])));
}

const AGG_NAME_BAD = /[[\]>]/;
const EMPTY: Record<string, unknown> = {};
const RULE_CONTEXT: { -readonly [K in keyof AggregationContext]: AggregationContext[K] } = {
  name: '', type: '', spec: AGGREGATION_SPECS['terms']!, params: EMPTY, siblings: EMPTY, subAggregations: undefined, parents: [],
};
const FIELD_SLOTS = ['value', 'weight', 'a', 'b', 'point', 'sort', 'metrics'] as const;

export function checkAggs(w: Walker, v: unknown): void {
  if (!isObject(v)) {
    w.report('invalid-type', `aggregations must be an object {"<name>": {"<type>": {…}}}, found ${jsonType(v)}`);
    return;
  }
  if (w.tooDeep()) return;
  for (const name in v) {
    w.path.push(name);
    if (name === '' || AGG_NAME_BAD.test(name)) {
      w.path.pop();
      w.report('invalid-aggregation-name', `invalid aggregation name [${name}]: names may contain any character except '[', ']' and '>'`, name);
      w.path.push(name);
    }
    aggregation(w, name, v[name], v);
    w.path.pop();
  }
}

function aggregation(w: Walker, aggName: string, v: unknown, siblings: Record<string, unknown>): void {
  if (!isObject(v)) {
    w.report('invalid-type', `aggregation [${aggName}] must be an object {"<type>": {…}}, found ${jsonType(v)}`);
    return;
  }
  let type: string | undefined;
  let spec: AggregationSpec | undefined;
  let table: CompiledTable | undefined;
  let subKey: string | undefined;
  for (const key in v) {
    if (key === 'aggs' || key === 'aggregations') {
      if (subKey !== undefined) w.report('conflicting-params', `aggregation [${aggName}] has both [aggs] and [aggregations]; use one`, key);
      subKey = key;
      continue;
    }
    if (key === 'meta') {
      if (!isObject(v[key])) w.report('invalid-type', `[meta] must be an object, found ${jsonType(v[key])}`, key);
      continue;
    }
    const s = aggregationEntries().get(key);
    if (s === undefined) {
      const sg = suggest(key, Object.keys(AGGREGATION_SPECS));
      w.report('unknown-aggregation', `unknown aggregation type [${key}] in [${aggName}]${didYouMean(sg)}`, key, sg === undefined ? undefined : { kind: 'renameKey', replacement: sg });
      type = type ?? key;
      continue;
    }
    if (type !== undefined) {
      w.report('multiple-aggregation-types', `aggregation [${aggName}] has two types, [${type}] and [${key}]; define a second aggregation`, key);
      continue;
    }
    type = key;
    spec = s.spec;
    table = s.table;
  }
  if (type === undefined) {
    w.report('missing-aggregation-type', `aggregation [${aggName}] has no type; add one such as {"terms": {"field": …}}`);
    return;
  }
  const saved = w.nestedScope;
  const body = v[type];
  const sub = subKey !== undefined ? v[subKey] : undefined;
  const subAggregations = isObject(sub) ? sub : undefined;
  if (spec !== undefined) {
    if (spec.deprecated !== undefined) w.report(spec.deprecated.includes('removed') ? 'removed-feature' : 'deprecated', `[${type}] aggregation: ${spec.deprecated}`, type);
    if (spec.since !== undefined) w.checkSince(type, spec.since, type);
    w.path.push(type);
    aggregationBody(w, type, spec, table!, body);
    w.path.pop();
    const rules = AGGREGATION_RULES.get(type);
    let triggered = 0;
    if (rules !== undefined && isObject(body)) {
      if (rules.conditional.length > 0) for (const k in body) triggered |= rules.byParam.get(k) ?? 0;
    }
    if (rules !== undefined && isObject(body) && (triggered !== 0 || rules.always.length > 0)) {
      // One context object, refilled per aggregation: rules read it and keep nothing.
      const context = RULE_CONTEXT;
      context.name = aggName;
      context.type = type;
      context.spec = spec;
      context.params = body;
      context.siblings = siblings;
      context.subAggregations = subAggregations;
      context.parents = w.aggregations;
      for (const rule of rules.always) rule.check(w, context);
      for (let i = 0; triggered !== 0; i++, triggered >>>= 1) if ((triggered & 1) !== 0) rules.conditional[i]!.check(w, context);
      context.params = context.siblings = EMPTY; // drop references to the caller's body
      context.subAggregations = undefined;
    }
  }
  if (subKey !== undefined) {
    if (spec !== undefined && !spec.subAggregations) {
      w.report('sub-aggregations-not-allowed', `[${type}] is a ${spec.category} aggregation and cannot hold sub-aggregations; move them to a bucket aggregation`, subKey);
    } else {
      w.pushAggregation(aggName, type, spec, isObject(body) ? body : undefined, subAggregations);
      w.path.push(subKey);
      checkAggs(w, v[subKey]);
      w.path.pop();
      w.popAggregation();
    }
  }
  w.nestedScope = saved;
}

function aggregationBody(w: Walker, type: string, spec: AggregationSpec, table: CompiledTable, body: unknown): void {
  if (type === 'filter') {
    checkQuery(w, body);
    return;
  }
  if (!isObject(body)) {
    w.report('invalid-type', `[${type}] aggregation expects an object, found ${jsonType(body)}`);
    return;
  }
  let empty = true;
  for (const _ in body) {
    empty = false;
    break;
  }
  if (empty && spec.allowEmpty !== true && (table.required.length > 0 || spec.requireOneOf !== undefined)) {
    checkParams(w, body, table, type, ' aggregation', spec.requireOneOf);
    return;
  }
  w.fieldChecksSuspended = type === 'bucket_sort';
  checkParams(w, body, table, type, ' aggregation', spec.requireOneOf, spec.open);
  w.fieldChecksSuspended = false;
  if (spec.exclusive !== undefined) {
    let present = 0;
    for (const k of spec.exclusive) if (body[k] !== undefined) present++;
    const set = present > 1 ? spec.exclusive.filter((k) => body[k] !== undefined) : undefined;
    if (set !== undefined) w.report('conflicting-params', `[${type}] aggregation takes only one of [${spec.exclusive.join(', ')}], found ${set.map((s) => `[${s}]`).join(' and ')}`, set[1]);
  }
  switch (type) {
    case 'nested': {
      const path = body['path'];
      if (typeof path === 'string') {
        w.fieldRef(path, Use.NestedPath, 'path');
        w.nestedScope = path;
      }
      return;
    }
    case 'reverse_nested': {
      const path = body['path'];
      if (typeof path === 'string') w.fieldRef(path, Use.NestedPath, 'path');
      w.nestedScope = typeof path === 'string' ? path : undefined;
      return;
    }
    case 'weighted_avg':
    case 't_test':
    case 'geo_line':
    case 'top_metrics':
      // Fields inside value/weight, a/b, point/sort and metrics objects.
      for (const slot of FIELD_SLOTS) {
        const v = body[slot];
        const items = Array.isArray(v) ? v : [v];
        for (let i = 0; i < items.length; i++) {
          const item: unknown = items[i];
          if (!isObject(item) || typeof item['field'] !== 'string') continue;
          w.path.push(slot);
          if (Array.isArray(v)) w.path.push(i);
          w.fieldRef(item['field'], Use.Aggregation, 'field');
          if (Array.isArray(v)) w.path.pop();
          w.path.pop();
        }
      }
      return;
    case 'date_histogram':
      if (body['interval'] !== undefined) w.report('removed-feature', '[date_histogram] [interval] was removed in 8.0; use calendar_interval (1d, 1M, …) or fixed_interval (30s, 90m, …)', 'interval');
      break;
    case 'composite':
      compositeSources(w, body['sources']);
      return;
    case 'multi_terms': {
      const terms = body['terms'];
      if (Array.isArray(terms)) {
        for (let i = 0; i < terms.length; i++) {
          const t = terms[i];
          if (isObject(t) && typeof t['field'] === 'string') {
            w.path.push('terms', i);
            w.fieldRef(t['field'], Use.Aggregation, 'field');
            w.path.pop();
            w.path.pop();
          }
        }
      }
      return;
    }
    default:
      break;
  }
  if (spec.fieldParam !== undefined && w.mapping !== undefined) {
    const f = body[spec.fieldParam];
    if (typeof f === 'string') {
      // significant_text re-analyzes text from _source: a text field is what it wants.
      const mf = w.fieldRef(f, type === 'significant_text' ? Use.Query : Use.Aggregation, spec.fieldParam);
      if (mf !== undefined && spec.fieldTypes !== undefined && !fieldTypeFits(spec.fieldTypes, mf.type)) {
        w.report('field-type-mismatch', `[${type}] aggregation needs a ${FIELD_TYPE_WORDS[spec.fieldTypes]} field, but [${f}] is ${mf.type}`, spec.fieldParam);
      }
    }
  }
}

function compositeSources(w: Walker, sources: unknown): void {
  if (!Array.isArray(sources)) return; // type already reported by the params check
  w.path.push('sources');
  for (let i = 0; i < sources.length; i++) {
    w.path.push(i);
    const src = sources[i];
    if (!isObject(src)) {
      w.report('invalid-type', `composite sources must be {"<name>": {"terms"|"histogram"|"date_histogram"|"geotile_grid": {…}}}, found ${jsonType(src)}`);
      w.path.pop();
      continue;
    }
    for (const name in src) {
      w.path.push(name);
      const def = src[name];
      if (!isObject(def)) w.report('invalid-type', `composite source [${name}] must be an object, found ${jsonType(def)}`);
      else {
        let kind: string | undefined;
        for (const k in def) {
          const spec = COMPOSITE_SOURCES[k];
          if (spec === undefined) {
            const s = suggest(k, Object.keys(COMPOSITE_SOURCES));
            w.report('unknown-aggregation', `composite source type [${k}] is not supported (terms, histogram, date_histogram, geotile_grid)${didYouMean(s)}`, k, s === undefined ? undefined : { kind: 'renameKey', replacement: s });
            continue;
          }
          if (kind !== undefined) {
            w.report('multiple-aggregation-types', `composite source [${name}] has two types, [${kind}] and [${k}]`, k);
            continue;
          }
          kind = k;
          w.path.push(k);
          checkValue(w, def[k], spec, k);
          const inner = def[k];
          if (isObject(inner) && typeof inner['field'] === 'string') w.fieldRef(inner['field'], Use.Aggregation, 'field');
          w.path.pop();
        }
        if (kind === undefined) w.report('missing-aggregation-type', `composite source [${name}] has no type; use terms, histogram, date_histogram or geotile_grid`);
      }
      w.path.pop();
    }
    w.path.pop();
  }
  w.path.pop();
}
