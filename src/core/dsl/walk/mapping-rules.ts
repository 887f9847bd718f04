// Mapping rules of single keys: what a query or aggregation may do with the mapped type of the
// field it names. (Rules that read several keys against the mapping live in ../rules/mapping.ts.)
import { isDateType, isGeoType, isNumericType, isShapeType, isTextType } from '../mapping';
import type { AggregationSpec, QuerySpec } from '../spec-types';
import { isNumericString, isObject, jsonType } from './json';
import { Use, type Walker } from './walker';

export const FIELD_TYPE_WORDS: Record<NonNullable<AggregationSpec['fieldTypes']>, string> = {
  numeric: 'numeric', 'numeric-or-date': 'numeric or date', date: 'date', geo: 'geo_point or geo_shape', any: 'any', 'keyword-like': 'keyword, numeric, ip, boolean or date',
};

export function fieldTypeFits(want: NonNullable<AggregationSpec['fieldTypes']>, type: string): boolean {
  if (type === 'object' || type === 'nested' || type === 'alias' || type === 'unknown') return true; // reported elsewhere or undecidable
  switch (want) {
    case 'numeric':
      return isNumericType(type) || type === 'histogram' || type === 'aggregate_metric_double';
    case 'numeric-or-date':
      return isNumericType(type) || isDateType(type) || type === 'histogram' || type === 'aggregate_metric_double' || type === 'boolean';
    case 'date':
      return isDateType(type) || isNumericType(type);
    case 'geo':
      return isGeoType(type) || isShapeType(type);
    case 'keyword-like':
      return !isGeoType(type) && type !== 'dense_vector' && type !== 'sparse_vector' && type !== 'binary';
    case 'any':
      return true;
  }
}

/** Mapping checks for the field a query targets. `value` is the short form or params object. */
export function checkQueryField(w: Walker, name: string, spec: QuerySpec, field: string, value: unknown, isKey: boolean): void {
  if (w.mapping === undefined) return;
  const f = w.fieldRef(field, Use.Query, isKey ? field : 'field');
  if (f === undefined) return;
  const type = f.type;
  const at = isKey ? field : 'field';
  if (spec.fieldTypes === 'geo' || spec.fieldTypes === 'geo-or-shape' || spec.fieldTypes === 'shape') {
    const ok = spec.fieldTypes === 'shape' ? isShapeType(type) || isGeoType(type) : isGeoType(type) || (spec.fieldTypes === 'geo-or-shape' && isShapeType(type));
    if (!ok) w.report('field-type-mismatch', `[${name}] query needs a ${spec.fieldTypes === 'shape' ? 'shape or point' : 'geo_point or geo_shape'} field, but [${field}] is ${type}`, at);
    return;
  }
  if (spec.termLevel === true && isTextType(type)) {
    const kw = w.keywordSibling(field);
    w.report(
      'term-query-on-text',
      `[${name}] on text field [${field}] compares against analyzed tokens, not the whole value; ${kw !== undefined ? `query [${kw}] instead, or use match` : 'use match, or map a keyword sub-field'}`,
      at,
      kw !== undefined && isKey ? { kind: 'renameKey', replacement: kw } : undefined,
    );
    return;
  }
  if ((name === 'prefix' || name === 'wildcard' || name === 'regexp') && (isNumericType(type) || isDateType(type) || type === 'boolean')) {
    w.report('field-type-mismatch', `[${name}] query works on keyword and text fields, but [${field}] is ${type}; use range or term`, at);
    return;
  }
  if (name === 'term' || name === 'range' || name === 'terms') valueFit(w, name, field, type, value, at);
}

function valueFit(w: Walker, name: string, field: string, type: string, value: unknown, at: string): void {
  const numeric = isNumericType(type);
  const bool = type === 'boolean';
  if (!numeric && !bool && !isDateType(type)) return;
  const check = (v: unknown, key: string | number | undefined): void => {
    let ok = true;
    if (numeric) ok = typeof v === 'number' || (typeof v === 'string' && isNumericString(v));
    else if (bool) ok = typeof v === 'boolean' || v === 'true' || v === 'false';
    else ok = typeof v === 'string' || typeof v === 'number';
    if (!ok) {
      w.path.push(at);
      w.report('field-type-mismatch', `[${field}] is a ${type} field; ${jsonType(v)} cannot be compared with it${numeric ? ' (use a number)' : bool ? ' (use true or false)' : ''}`, key);
      w.path.pop();
    }
  };
  if (name === 'range') {
    if (!isObject(value)) return;
    for (const b of ['gt', 'gte', 'lt', 'lte', 'from', 'to']) {
      const v = value[b];
      if (v !== undefined && v !== null) check(v, b);
    }
  } else if (name === 'term') {
    // `term` is the older spelling of `value` that TermQueryBuilder still reads.
    const key = isObject(value) ? (value['value'] !== undefined ? 'value' : 'term') : undefined;
    const v = isObject(value) ? value[key!] : value;
    if (v !== undefined) check(v, key);
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) check(value[i], i);
  }
}
