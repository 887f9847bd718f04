// The normaliser: one canonical form per meaning, for exact-match evaluation and de-duplication.
//  - object keys in sorted order; `aggregations` → `aggs`;
//  - short forms expanded: {"match": {"f": "x"}} → {"match": {"f": {"query": "x"}}}, and a
//    field-shaped query's outer boost/_name moved into its params;
//  - bool clauses and other one-or-many query slots always arrays; empty clause arrays dropped;
//    bool clause arrays sorted (their order never changes the result);
//  - sort always an array of {"field": {"order": …}};
//  - case-insensitive enum values lower-cased ("AND" → "and"); terms values sorted.
// Structures deeper than MAX_JSON_DEPTH are copied unchanged rather than recursed into.
import { AGGREGATION_SPECS } from './aggregations';
import { QUERY_SPECS } from './queries';
import type { ParamTable, ValueSpec } from './spec-types';
import { MAX_JSON_DEPTH } from './validator';

// Keys come from predictions: "__proto__" must stay a key (assigning it to a plain {} sets the
// prototype and drops the key) and "toString" must not find Object.prototype in the spec tables.
function put(o: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
  else o[key] = value;
}

function own<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function sortedKeys(o: Record<string, unknown>): string[] {
  return Object.keys(o).sort();
}

function deepSort(v: unknown, depth: number): unknown {
  if (depth > MAX_JSON_DEPTH || typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) return v.map((x) => deepSort(x, depth + 1));
  const o = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of sortedKeys(o)) put(out, k, deepSort(o[k], depth + 1));
  return out;
}

function normalizeParam(v: unknown, spec: ValueSpec, depth: number): unknown {
  if (typeof spec === 'string') {
    switch (spec) {
      case 'query':
      case 'span-query':
        return normalizeQuery(v, depth + 1);
      case 'queries':
      case 'query-array':
      case 'span-queries':
        if (Array.isArray(v)) return v.map((q) => normalizeQuery(q, depth + 1));
        return [normalizeQuery(v, depth + 1)];
      case 'fields':
      case 'string-or-strings':
        return typeof v === 'string' ? [v] : deepSort(v, depth + 1);
      case 'sort':
        return normalizeSort(v, depth + 1);
      case 'aggs':
        return normalizeAggs(v, depth + 1);
      default:
        return deepSort(v, depth + 1);
    }
  }
  if ('enum' in spec && spec.caseInsensitive === true && typeof v === 'string') return v.toLowerCase();
  if ('object' in spec && isObject(v)) return normalizeParams(v, spec.object, depth + 1);
  return deepSort(v, depth + 1);
}

function normalizeParams(o: Record<string, unknown>, table: ParamTable, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of sortedKeys(o)) {
    const ps = own(table, k);
    put(out, k, ps === undefined ? deepSort(o[k], depth + 1) : normalizeParam(o[k], ps.value, depth));
  }
  return out;
}

const BOOL_CLAUSES = new Set(['must', 'filter', 'should', 'must_not']);

function normalizeQuery(q: unknown, depth: number): unknown {
  if (depth > MAX_JSON_DEPTH || !isObject(q)) return q;
  const keys = Object.keys(q);
  if (keys.length !== 1) return deepSort(q, depth);
  const name = keys[0]!;
  const spec = own(QUERY_SPECS, name);
  const body = q[name];
  if (spec === undefined || !isObject(body)) return { [name]: deepSort(body, depth + 1) };
  switch (spec.shape) {
    case 'field': {
      const outer: Record<string, unknown> = {};
      let field: string | undefined;
      for (const k of Object.keys(body)) {
        if ((k === 'boost' || k === '_name') && !isObject(body[k])) outer[k] = body[k];
        else field ??= k;
      }
      if (field === undefined) return { [name]: deepSort(body, depth + 1) };
      const raw = body[field];
      const params: Record<string, unknown> = isObject(raw) ? { ...raw } : spec.shortParam !== undefined ? { [spec.shortParam]: raw } : { value: raw };
      for (const k in outer) params[k] ??= outer[k];
      if (name === 'span_term' && params['term'] !== undefined && params['value'] === undefined) {
        params['value'] = params['term'];
        delete params['term'];
      }
      return { [name]: { [field]: normalizeParams(params, spec.params, depth + 2) } };
    }
    case 'field-params': {
      const out: Record<string, unknown> = {};
      for (const k of sortedKeys(body)) {
        const ps = own(spec.params, k);
        if (ps !== undefined) put(out, k, normalizeParam(body[k], ps.value, depth + 1));
        else if (name === 'terms' && Array.isArray(body[k])) put(out, k, [...(body[k] as unknown[])].sort(compareCanonical));
        else put(out, k, deepSort(body[k], depth + 2));
      }
      return { [name]: out };
    }
    default: {
      const out = normalizeParams(body, spec.params, depth + 1);
      if (name === 'bool') {
        for (const clause of BOOL_CLAUSES) {
          const list = out[clause];
          if (!Array.isArray(list)) continue;
          if (list.length === 0) delete out[clause];
          else out[clause] = list.sort(compareCanonical);
        }
      }
      return { [name]: out };
    }
  }
}

function compareCanonical(a: unknown, b: unknown): number {
  const x = canonicalJson(a);
  const y = canonicalJson(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function normalizeSort(v: unknown, depth: number): unknown {
  const items = Array.isArray(v) ? v : [v];
  return items.map((item) => {
    if (typeof item === 'string') return { [item]: { order: item === '_score' ? 'desc' : 'asc' } };
    if (!isObject(item)) return item;
    const keys = Object.keys(item);
    if (keys.length !== 1) return deepSort(item, depth + 1);
    const field = keys[0]!;
    const spec = item[field];
    if (typeof spec === 'string') return { [field]: { order: spec.toLowerCase() } };
    return { [field]: deepSort(spec, depth + 2) };
  });
}

function normalizeAggs(v: unknown, depth: number): unknown {
  if (depth > MAX_JSON_DEPTH || !isObject(v)) return v;
  const out: Record<string, unknown> = {};
  for (const name of sortedKeys(v)) {
    const agg = v[name];
    if (!isObject(agg)) {
      put(out, name, agg);
      continue;
    }
    const container: Record<string, unknown> = {};
    for (const k of sortedKeys(agg)) {
      const body = agg[k];
      if (k === 'aggs' || k === 'aggregations') container['aggs'] = normalizeAggs(body, depth + 2);
      else if (k === 'filter') put(container, k, normalizeQuery(body, depth + 2));
      else if (k === 'filters' && isObject(body)) {
        const filters = body['filters'];
        const copy = deepSort(body, depth + 2) as Record<string, unknown>;
        if (Array.isArray(filters)) copy['filters'] = filters.map((f) => normalizeQuery(f, depth + 3));
        else if (isObject(filters)) {
          const m: Record<string, unknown> = {};
          for (const fk of sortedKeys(filters)) put(m, fk, normalizeQuery(filters[fk], depth + 3));
          copy['filters'] = m;
        }
        put(container, k, copy);
      } else {
        const spec = own(AGGREGATION_SPECS, k);
        put(container, k, spec !== undefined && isObject(body) ? normalizeParams(body, spec.params, depth + 2) : deepSort(body, depth + 2));
      }
    }
    put(out, name, container);
  }
  return out;
}

/** Canonical form of a search request body (see the file comment). */
export function normalizeBody(body: unknown): unknown {
  if (!isObject(body)) return body;
  const out: Record<string, unknown> = {};
  const keys = sortedKeys(body).map((k) => (k === 'aggregations' && body['aggs'] === undefined ? 'aggs' : k)).sort();
  for (const k of keys) {
    const v = k === 'aggs' && body['aggs'] === undefined ? body['aggregations'] : body[k];
    switch (k) {
      case 'query':
      case 'post_filter':
        put(out, k, normalizeQuery(v, 1));
        break;
      case 'aggs':
      case 'aggregations':
        put(out, k, normalizeAggs(v, 1));
        break;
      case 'sort':
        put(out, k, normalizeSort(v, 1));
        break;
      case 'knn':
        put(out, k, Array.isArray(v) ? deepSort(v, 1) : [deepSort(v, 1)]);
        break;
      default:
        put(out, k, deepSort(v, 1));
    }
  }
  return out;
}

/**
 * Stable string of normalizeBody: sorted keys, no whitespace. Iterative, so any depth is safe
 * (JSON.stringify overflows the stack near 10,000 levels).
 */
export function canonicalJson(body: unknown): string {
  return stableStringify(normalizeBody(body));
}

export function stableStringify(value: unknown): string {
  let out = '';
  // Work items: a value to write, or a literal string.
  const stack: ({ v: unknown } | string)[] = [{ v: value }];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (typeof item === 'string') {
      out += item;
      continue;
    }
    const v = item.v;
    if (v === null || typeof v !== 'object') {
      out += v === undefined ? 'null' : JSON.stringify(v);
      continue;
    }
    if (Array.isArray(v)) {
      stack.push(']');
      for (let i = v.length - 1; i >= 0; i--) {
        stack.push({ v: v[i] });
        if (i > 0) stack.push(',');
      }
      out += '[';
      continue;
    }
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
    stack.push('}');
    for (let i = keys.length - 1; i >= 0; i--) {
      stack.push({ v: o[keys[i]!] });
      stack.push(JSON.stringify(keys[i]) + ':');
      if (i > 0) stack.push(',');
    }
    out += '{';
  }
  return out;
}

/** The query type at the top of `body.query` ('bool', 'match', …), or null when there is none. */
export function topQueryType(body: unknown): string | null {
  if (!isObject(body)) return null;
  const q = body['query'];
  if (!isObject(q)) return null;
  for (const k in q) return k;
  return null;
}

/** Every aggregation type used in the body, sub-aggregations included, in order of first use. */
export function aggregationTypes(body: unknown): string[] {
  if (!isObject(body)) return [];
  const seen = new Set<string>();
  const stack: unknown[] = [body['aggs'] ?? body['aggregations']];
  while (stack.length > 0) {
    const aggs = stack.shift();
    if (!isObject(aggs)) continue;
    for (const name in aggs) {
      const agg = aggs[name];
      if (!isObject(agg)) continue;
      for (const k in agg) {
        if (k === 'aggs' || k === 'aggregations') stack.push(agg[k]);
        else if (k !== 'meta') seen.add(k);
      }
    }
  }
  return [...seen];
}
