// The search request body and its options: sort, _source, fields, highlight, inner_hits, rescore,
// knn, retrievers, runtime mappings, collapse, suggest. Rules that read several body keys together
// (collapse + search_after, from + size, …) live in ../rules and run once the body is walked.
import { BODY_KEY_SPECS } from '../body';
import { QUERY_SPECS } from '../queries';
import { BODY_RULES, BODY_RULES_BY_KEY, KNN_RULES, RETRIEVER_RULES, type BodyRule } from '../rules';
import type { ParamTable, ValueSpec } from '../spec-types';
import { didYouMean, suggest } from '../suggest';
import {
  COLLAPSE_PARAMS, HIGHLIGHT_FIELD_PARAMS, HIGHLIGHT_PARAMS, INNER_HITS_PARAMS, KNN_SEARCH_PARAMS, RESCORE_PARAMS, RETRIEVERS,
  RUNTIME_FIELD_PARAMS, SORT_PARAMS, SOURCE_PARAMS,
} from '../value-tables';
import { isObject, jsonType, type Segment } from './json';
import { checkGeoPoint, checkStrings, checkValue, compileTable, compileValue, lazyCheck, params, type Check } from './values';
import { Use, type Walker } from './walker';

interface BodyKeyEntry {
  readonly check: Check;
  readonly since: string | undefined;
  /** Bit i set: BODY_RULES[i] runs when the body has this key. */
  readonly rules: number;
}
let bodyKeys: Map<string, BodyKeyEntry> | undefined;
function ruleBits(key: string): number {
  let bits = 0;
  for (const rule of BODY_RULES_BY_KEY.get(key) ?? ([] as readonly BodyRule[])) bits |= 1 << BODY_RULES.indexOf(rule);
  return bits;
}
function bodyKeyChecks(): Map<string, BodyKeyEntry> {
  if (BODY_RULES.length > 31) throw new Error('bug: body rules are tracked in a 31-bit mask; widen it');
  return (bodyKeys ??= new Map(Object.entries(BODY_KEY_SPECS).map(([k, spec]) => [k, { check: compileValue(spec.value), since: spec.since, rules: ruleBits(k) }])));
}

const KNN_ONE_OF = ['query_vector', 'query_vector_builder'] as const;
const INNER_HITS = lazyCheck({ object: INNER_HITS_PARAMS });
const RESCORE = lazyCheck({ object: RESCORE_PARAMS });
const COLLAPSE = lazyCheck({ object: COLLAPSE_PARAMS });
const RUNTIME_MAPPINGS = lazyCheck({ map: { object: RUNTIME_FIELD_PARAMS, required: ['type'] } });
const SORT_ORDER_SPEC: ValueSpec = { enum: ['asc', 'desc'], caseInsensitive: true };
const SORT_ORDER = lazyCheck(SORT_ORDER_SPEC);
const FIELD_AND_FORMAT: ParamTable = {
  field: { value: 'field', doc: 'Field name or pattern.', required: true },
  format: { value: 'string', doc: 'Date or numeric format.' },
  include_unmapped: { value: 'boolean', doc: 'Include unmapped fields matching the pattern.' },
};
const SCRIPT_SORT = lazyCheck({
  object: {
    type: { value: { enum: ['number', 'string', 'version'], caseInsensitive: true }, doc: 'Type of the script values.', required: true },
    script: { value: 'script', doc: 'Script computing the sort value.', required: true },
    order: { value: SORT_ORDER_SPEC, doc: 'asc or desc.' },
    mode: { value: { enum: ['min', 'max', 'sum', 'avg', 'median'], caseInsensitive: true }, doc: 'Multi-value mode.' },
    nested: { value: 'object', doc: 'Nested sort settings.' },
  },
  required: ['type', 'script'],
});
const GEO_DISTANCE_SORT_PARAMS: ParamTable = {
  order: { value: SORT_ORDER_SPEC, doc: 'asc or desc.' },
  unit: { value: 'string', doc: 'Distance unit (default m).' },
  mode: { value: { enum: ['min', 'max', 'median', 'avg'], caseInsensitive: true }, doc: 'Multi-value mode.' },
  distance_type: { value: { enum: ['arc', 'plane'], caseInsensitive: true }, doc: 'arc or plane.' },
  ignore_unmapped: { value: 'boolean', doc: 'Treat an unmapped field as missing.' },
  validation_method: { value: { enum: ['coerce', 'ignore_malformed', 'strict'], caseInsensitive: true }, doc: 'Validation method.' },
  nested: { value: 'object', doc: 'Nested sort settings.' },
};

// ── body ──────────────────────────────────────────────────────────────────────────────────────
export function checkBody(w: Walker, body: unknown): void {
  if (!isObject(body)) {
    w.report('invalid-type', `a search request body must be a JSON object, not ${jsonType(body)}`);
    return;
  }
  w.body = body;
  const rm = body['runtime_mappings'];
  if (isObject(rm)) w.runtimeFields = new Set(Object.keys(rm));
  const checks = bodyKeyChecks();
  let triggered = 0;
  for (const key in body) {
    const entry = checks.get(key);
    if (entry === undefined) {
      unknownBodyKey(w, key);
      continue;
    }
    if (entry.rules !== 0) triggered |= entry.rules;
    if (entry.since !== undefined) w.checkSince(key, entry.since, key);
    w.path.push(key);
    entry.check(w, body[key], key);
    w.path.pop();
  }
  // Only the rules whose keys the body has, in their declared order.
  for (let i = 0; triggered !== 0; i++, triggered >>>= 1) if ((triggered & 1) !== 0) BODY_RULES[i]!.check(w, body);
}

function unknownBodyKey(w: Walker, key: string): void {
  if (QUERY_SPECS[key] !== undefined) {
    w.report('unknown-body-key', `[${key}] is a query, not a body key; wrap it: {"query": {"${key}": …}}`, key);
    return;
  }
  const s = suggest(key, Object.keys(BODY_KEY_SPECS));
  w.report('unknown-body-key', `unknown key [${key}] in the search request body${didYouMean(s)}`, key, s === undefined ? undefined : { kind: 'renameKey', replacement: s });
}

// ── sort ──────────────────────────────────────────────────────────────────────────────────────
export function checkSort(w: Walker, v: unknown, name: Segment): void {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      w.path.push(i);
      sortItem(w, v[i], name);
      w.path.pop();
    }
    return;
  }
  sortItem(w, v, name);
}

function sortItem(w: Walker, v: unknown, name: Segment): void {
  if (typeof v === 'string') {
    if (v !== '_score' && v !== '_doc') w.fieldRef(v, Use.Sort, undefined);
    return;
  }
  if (!isObject(v)) {
    w.report('invalid-type', `[${name}] items must be a field name or {"field": "asc"|"desc"|{…}}, found ${jsonType(v)}`);
    return;
  }
  let seen: string | undefined;
  for (const key in v) {
    if (seen !== undefined) {
      w.report('multiple-fields', `a sort object holds one field, found [${seen}] and [${key}]; use an array of sort objects`, key);
      continue;
    }
    seen = key;
    const spec = v[key];
    w.path.push(key);
    if (key === '_geo_distance') {
      geoDistanceSort(w, spec);
    } else if (key === '_script') {
      SCRIPT_SORT(w, spec, key);
    } else {
      if (typeof spec === 'string') SORT_ORDER(w, spec, 'order');
      else if (isObject(spec)) params(w, spec, SORT_PARAMS, key, '', undefined, undefined, 'sort on ');
      else w.report('invalid-type', `sort on [${key}] must be "asc", "desc" or an object, found ${jsonType(spec)}`);
    }
    w.path.pop();
    if (key !== '_geo_distance' && key !== '_script' && key !== '_score' && key !== '_doc') {
      const unmappedType = isObject(spec) ? spec['unmapped_type'] : undefined;
      // A sort on a nested field names its nested path(s) in "nested": {"path", "nested": {…}}.
      let nestedPath: string | undefined;
      for (let n = isObject(spec) ? spec['nested'] : undefined; isObject(n); n = n['nested']) {
        if (typeof n['path'] === 'string') nestedPath = n['path'];
      }
      const saved = w.nestedScope;
      w.nestedScope = nestedPath;
      if (unmappedType === undefined || w.mapping?.fields.has(key) === true) w.fieldRef(key, Use.Sort, key);
      w.nestedScope = saved;
    }
  }
}

function geoDistanceSort(w: Walker, v: unknown): void {
  if (!isObject(v)) {
    w.report('invalid-type', `[_geo_distance] must be an object, found ${jsonType(v)}`);
    return;
  }
  const table = compileTable(GEO_DISTANCE_SORT_PARAMS);
  for (const key in v) {
    const ps = table.params.get(key);
    w.path.push(key);
    if (ps !== undefined) ps.check(w, v[key], key);
    else {
      // the field key: one point or an array of points
      const pts = v[key];
      if (Array.isArray(pts) && pts.length > 0 && typeof pts[0] !== 'number') {
        for (let i = 0; i < pts.length; i++) {
          w.path.push(i);
          checkGeoPoint(w, pts[i], key);
          w.path.pop();
        }
      } else checkGeoPoint(w, pts, key);
    }
    w.path.pop();
    if (ps === undefined) w.fieldRef(key, Use.Generic, key);
  }
}

// ── returned fields ───────────────────────────────────────────────────────────────────────────
export function checkSourceConfig(w: Walker, v: unknown, name: Segment): void {
  if (typeof v === 'boolean' || typeof v === 'string') return;
  if (Array.isArray(v)) {
    // FetchSourceContext reads the patterns with parser.text(): any scalar is a pattern.
    for (let i = 0; i < v.length; i++) {
      const item: unknown = v[i];
      if (typeof item !== 'string' && typeof item !== 'number' && typeof item !== 'boolean') w.report('invalid-type', `[${name}] items must be field patterns, found ${jsonType(item)}`, i);
    }
    return;
  }
  if (isObject(v)) {
    params(w, v, SOURCE_PARAMS, name, '');
    return;
  }
  w.report('invalid-type', `[${name}] must be true/false, a pattern, a list of patterns or {"includes", "excludes"}, found ${jsonType(v)}`);
}

export function checkFieldAndFormatList(w: Walker, v: unknown, name: Segment): void {
  if (!Array.isArray(v)) {
    if (typeof v === 'string') return;
    w.report('invalid-type', `[${name}] must be an array of field names or {"field", "format"} objects, found ${jsonType(v)}`);
    return;
  }
  for (let i = 0; i < v.length; i++) {
    const item: unknown = v[i];
    w.path.push(i);
    if (typeof item === 'string') w.fieldRef(item, Use.Generic, undefined);
    else if (typeof item === 'number' || typeof item === 'boolean') {
      // SearchSourceBuilder reads field names with parser.text(): 7 is the field "7".
    } else if (isObject(item)) params(w, item, FIELD_AND_FORMAT, name, ' item');
    else w.report('invalid-type', `[${name}] items must be field names or {"field", "format"} objects, found ${jsonType(item)}`);
    w.path.pop();
  }
}

export function checkHighlight(w: Walker, v: unknown, name: Segment): void {
  if (!isObject(v)) {
    w.report('invalid-type', `[${name}] must be an object, found ${jsonType(v)}`);
    return;
  }
  params(w, v, HIGHLIGHT_PARAMS, 'highlight', '');
  if (v['fields'] !== undefined) {
    w.path.push('fields');
    highlightFields(w, v['fields']);
    w.path.pop();
  }
}

/** highlight.fields: a map or an array of one-key maps. */
function highlightFields(w: Walker, v: unknown): void {
  const one = (o: Record<string, unknown>): void => {
    for (const key in o) {
      w.path.push(key);
      const spec = o[key];
      if (!isObject(spec)) w.report('invalid-type', `highlight settings for [${key}] must be an object (use {} for defaults), found ${jsonType(spec)}`);
      else params(w, spec, HIGHLIGHT_FIELD_PARAMS, key, '', undefined, undefined, '[highlight] field ');
      w.path.pop();
    }
  };
  if (isObject(v)) one(v);
  else if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      w.path.push(i);
      const o: unknown = v[i];
      if (isObject(o)) one(o);
      else w.report('invalid-type', `[fields] items must be {"<field>": {…}}, found ${jsonType(o)}`);
      w.path.pop();
    }
  } else w.report('invalid-type', `[fields] must be an object {"<field>": {…}}, found ${jsonType(v)}`);
}

export function checkInnerHits(w: Walker, v: unknown, name: Segment): void {
  if (Array.isArray(v) && name === 'inner_hits') {
    for (let i = 0; i < v.length; i++) {
      w.path.push(i);
      INNER_HITS(w, v[i], name);
      w.path.pop();
    }
    return;
  }
  INNER_HITS(w, v, name);
}

export function checkRescore(w: Walker, v: unknown, name: Segment): void {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      w.path.push(i);
      RESCORE(w, v[i], name);
      w.path.pop();
    }
    return;
  }
  RESCORE(w, v, name);
}

export function checkCollapse(w: Walker, v: unknown, name: Segment): void {
  COLLAPSE(w, v, name);
  if (isObject(v) && typeof v['field'] === 'string') w.fieldRef(v['field'], Use.Aggregation, 'field');
}

export function checkRuntimeMappings(w: Walker, v: unknown, name: Segment): void {
  RUNTIME_MAPPINGS(w, v, name);
}

export function checkSuggest(w: Walker, v: unknown): void {
  if (!isObject(v)) w.report('invalid-type', `[suggest] must be an object, found ${jsonType(v)}`);
}

/** The value of a pipeline's buckets_path (its resolution is a rule: ../rules/buckets-path.ts). */
export function checkBucketsPathValue(w: Walker, v: unknown): void {
  if (typeof v === 'string') return;
  if (Array.isArray(v)) {
    checkStrings(w, v, 'buckets_path');
    return;
  }
  if (isObject(v)) {
    for (const key in v) if (typeof v[key] !== 'string') w.report('invalid-type', `[buckets_path] values must be paths (strings), found ${jsonType(v[key])}`, key);
    return;
  }
  w.report('invalid-type', `[buckets_path] must be a path string, an array of paths or {"var": "path"}, found ${jsonType(v)}`);
}

// ── vector search and retrievers ─────────────────────────────────────────────────────────────
/** The body's `knn` section: one search or an array of them. */
export function checkKnnSection(w: Walker, v: unknown): void {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      w.path.push(i);
      knnSearch(w, v[i]);
      w.path.pop();
    }
  } else knnSearch(w, v);
}

function knnSearch(w: Walker, item: unknown): void {
  if (!isObject(item)) {
    w.report('invalid-type', `[knn] must be an object or an array of objects, found ${jsonType(item)}`);
    return;
  }
  params(w, item, KNN_SEARCH_PARAMS, 'knn', ' search', KNN_ONE_OF);
  if (typeof item['field'] === 'string') w.fieldRef(item['field'], Use.Query, 'field');
  for (const rule of KNN_RULES) rule.check(w, item, 'knn');
}

export function checkRetriever(w: Walker, v: unknown): void {
  if (!isObject(v)) {
    w.report('invalid-type', `a retriever must be an object such as {"standard": {…}}, found ${jsonType(v)}`);
    return;
  }
  let kind: string | undefined;
  for (const key in v) {
    const spec = RETRIEVERS[key];
    if (spec === undefined) {
      const s = suggest(key, Object.keys(RETRIEVERS));
      w.report('unknown-param', `unknown retriever [${key}]${didYouMean(s)}`, key, s === undefined ? undefined : { kind: 'renameKey', replacement: s });
      continue;
    }
    if (kind !== undefined) {
      w.report('conflicting-params', `a retriever object holds one retriever, found [${kind}] and [${key}]`, key);
      continue;
    }
    kind = key;
    w.path.push(key);
    if (w.tooDeep()) {
      w.path.pop();
      return;
    }
    const body = v[key];
    checkValue(w, body, spec, key);
    if (isObject(body)) {
      const rules = RETRIEVER_RULES.get(key);
      if (rules !== undefined) for (const rule of rules) rule.check(w, body, key);
      if (key === 'knn') for (const rule of KNN_RULES) rule.check(w, body, 'retriever');
    }
    w.path.pop();
  }
  if (kind === undefined) w.report('empty-clause', 'empty retriever {}; use standard, knn, rrf, linear, text_similarity_reranker, rule, pinned or rescorer');
}
