// Values and units: the spec tables compiled once into checker nodes.
//
// A ValueSpec ('integer', {enum}, {object}, {array}, {map}, {oneOf}) becomes a Check closure the
// first time it is used, and the closure is cached on the spec. On the happy path the walk does
// one Map.get per key and one call per value: no `'enum' in spec` dispatch, no switch on a kind
// name, no string building. Param tables compile to a Map of key → { check, deprecated, since }.
//
// The named kinds that belong to another part of the body (query, aggs, sort, highlight, …) are
// wired here to the module that checks them; the scalar kinds and units are checked here.
import type { ParamTable, ValueKind, ValueSpec } from '../spec-types';
import { didYouMean, suggest } from '../suggest';
import type { DslProblem } from '../types';
import { SCRIPT_PARAMS } from '../value-tables';
import { checkAggs } from './aggregations';
import { isNumericString, isObject, jsonType, type Segment } from './json';
import {
  checkFieldList, checkFunctionScoreFunction, checkFunctionScoreFunctions, checkIntervalRule, checkQuery, checkSpanQueries, checkSpanQuery,
} from './queries';
import {
  checkBucketsPathValue, checkCollapse, checkFieldAndFormatList, checkHighlight, checkInnerHits, checkKnnSection, checkRescore, checkRetriever,
  checkRuntimeMappings, checkSort, checkSourceConfig, checkSuggest,
} from './search-options';
import { Use, type Walker } from './walker';

/** Checks value `v` at the walker's current path; `name` labels messages. */
export type Check = (w: Walker, v: unknown, name: Segment) => void;

export interface CompiledParam {
  readonly check: Check;
  readonly deprecated: string | undefined;
  readonly since: string | undefined;
}
export interface CompiledTable {
  readonly table: ParamTable;
  readonly params: Map<string, CompiledParam>;
  readonly required: readonly string[];
}

// ── compiling ─────────────────────────────────────────────────────────────────────────────────
// Cached on the table/spec object under a symbol (non-enumerable, so Object.keys, for..in and
// JSON never see it): one property load instead of a Map lookup keyed by identity.
const COMPILED: unique symbol = Symbol('compiled');
type WithCompiledTable = ParamTable & { [COMPILED]?: CompiledTable };
type WithCompiledCheck = object & { [COMPILED]?: Check };

function cache<T>(target: object, value: T): T {
  Object.defineProperty(target, COMPILED, { value, enumerable: false, writable: true, configurable: false });
  return value;
}

export function compileTable(table: ParamTable): CompiledTable {
  const cached = (table as WithCompiledTable)[COMPILED];
  if (cached !== undefined) return cached;
  const params = new Map<string, CompiledParam>();
  const c: CompiledTable = { table, params, required: Object.keys(table).filter((k) => table[k]!.required === true) };
  cache(table, c); // before compiling the values, so a table that reaches itself terminates
  for (const key of Object.keys(table)) {
    const ps = table[key]!;
    params.set(key, { check: compileValue(ps.value), deprecated: ps.deprecated, since: ps.since });
  }
  return c;
}

let kindChecks: Map<string, Check> | undefined;
export function compileValue(spec: ValueSpec): Check {
  if (typeof spec === 'string') {
    const check = (kindChecks ??= new Map(Object.entries(KIND_CHECKS))).get(spec);
    if (check === undefined) throw new Error(`bug: no check for value kind [${spec}]`);
    return check;
  }
  const cached = (spec as WithCompiledCheck)[COMPILED];
  if (cached !== undefined) return cached;
  // A forwarding stub is cached first so that specs which reach themselves compile once; then the
  // check itself replaces it, so only those self-references pay the extra call.
  let inner: Check | undefined;
  cache<Check>(spec, (w, v, name) => inner!(w, v, name));
  inner = buildCheck(spec);
  (spec as WithCompiledCheck)[COMPILED] = inner;
  return inner;
}

/** A Check compiled on its first call: for module-level specs (import cycles make eager compiling unsafe). */
export function lazyCheck(spec: ValueSpec): Check {
  let c: Check | undefined;
  return (w, v, name) => (c ??= compileValue(spec))(w, v, name);
}

export function checkValue(w: Walker, v: unknown, spec: ValueSpec, name: Segment): void {
  compileValue(spec)(w, v, name);
}

function buildCheck(spec: Exclude<ValueSpec, ValueKind>): Check {
  if ('enum' in spec) return enumCheck(spec.enum, spec.caseInsensitive === true);
  if ('object' in spec) {
    const table = spec.object;
    const open = spec.open;
    // `required` in the descriptor, beyond params already marked required in the table.
    const extraRequired = (spec.required ?? []).filter((r) => table[r]?.required !== true);
    let compiled: CompiledTable | undefined;
    return (w, v, name) => {
      if (!isObject(v)) {
        w.report('invalid-type', `[${name}] must be an object, found ${jsonType(v)}`);
        return;
      }
      if (w.tooDeep()) return;
      checkParams(w, v, (compiled ??= compileTable(table)), name, '', undefined, open);
      for (const r of extraRequired) if (v[r] === undefined) w.report('missing-param', `[${name}] requires [${r}]`);
    };
  }
  if ('array' in spec) {
    const item = compileValue(spec.array);
    return (w, v, name) => {
      if (!Array.isArray(v)) {
        w.report('invalid-type', `[${name}] must be an array, found ${jsonType(v)}`);
        return;
      }
      if (w.tooDeep()) return;
      for (let i = 0; i < v.length; i++) {
        w.path.push(i);
        item(w, v[i], name);
        w.path.pop();
      }
    };
  }
  if ('map' in spec) {
    const item = compileValue(spec.map);
    return (w, v, name) => {
      if (!isObject(v)) {
        w.report('invalid-type', `[${name}] must be an object, found ${jsonType(v)}`);
        return;
      }
      if (w.tooDeep()) return;
      for (const key in v) {
        w.path.push(key);
        item(w, v[key], key);
        w.path.pop();
      }
    };
  }
  // oneOf: the first alternative that fits without problems wins.
  const alternatives = spec.oneOf.map((alt) => ({ matches: shapeTest(alt), check: compileValue(alt) }));
  const described = spec.oneOf.map(describeSpec).join(' or ');
  return (w, v, name) => {
    const mark = w.problems.length;
    let firstFail: DslProblem[] | undefined;
    for (const alt of alternatives) {
      if (!alt.matches(v)) continue;
      alt.check(w, v, name);
      if (w.problems.length === mark) return;
      if (firstFail === undefined) firstFail = w.problems.slice(mark);
      if (w.problems.length !== mark) w.problems.length = mark;
    }
    if (firstFail !== undefined) {
      for (const p of firstFail) w.problems.push(p);
      return;
    }
    w.report('invalid-type', `[${name}] must be ${described}, found ${jsonType(v)}`);
  };
}

function enumCheck(values: readonly string[], caseInsensitive: boolean): Check {
  const exact = new Set(values);
  const lower = new Set(values.map((e) => e.toLowerCase()));
  const list = values.join(', ');
  return (w, v, name) => {
    if (typeof v !== 'string') {
      w.report('invalid-type', `[${name}] must be one of [${list}], found ${jsonType(v)}`);
      return;
    }
    if (exact.has(v) || (caseInsensitive && lower.has(v.toLowerCase()))) return;
    if (name === 'calendar_interval' && /^\d+[smhdwMqy]$/.test(v)) {
      w.report('invalid-enum', `[calendar_interval] takes a single calendar unit such as "1d" or "month"; for [${v}] use "fixed_interval": "${v}"`, undefined);
      return;
    }
    const sg = suggest(v, values);
    w.report('invalid-enum', `[${name}] must be one of [${list}], found [${v}]${didYouMean(sg)}`, undefined, sg === undefined ? undefined : { kind: 'replaceValue', replacement: sg });
  };
}

/** Cheap pre-check of which oneOf alternative a value could be. */
function shapeTest(spec: ValueSpec): (v: unknown) => boolean {
  if (typeof spec === 'string') {
    switch (spec) {
      case 'string': return (v) => typeof v === 'string';
      case 'number': case 'integer': return (v) => typeof v === 'number' || (typeof v === 'string' && isNumericString(v));
      case 'boolean': return (v) => typeof v === 'boolean' || v === 'true' || v === 'false';
      case 'strings': case 'numbers': return Array.isArray;
      case 'query': case 'object': return isObject;
      default: return () => true;
    }
  }
  if ('enum' in spec) return (v) => typeof v === 'string';
  if ('object' in spec || 'map' in spec) return isObject;
  if ('array' in spec) return Array.isArray;
  return () => true;
}

function describeSpec(spec: ValueSpec): string {
  if (typeof spec === 'string') return spec === 'strings' ? 'an array of strings' : spec === 'numbers' ? 'an array of numbers' : `a ${spec}`;
  if ('enum' in spec) return `one of [${spec.enum.join(', ')}]`;
  if ('object' in spec || 'map' in spec) return 'an object';
  if ('array' in spec) return 'an array';
  return spec.oneOf.map(describeSpec).join(' or ');
}

// ── param tables ──────────────────────────────────────────────────────────────────────────────
/**
 * Checks an object's keys against a compiled param table. The current path is the object.
 * Messages name the owner as `${ownerPrefix}[${ownerName}]${ownerSuffix}` ("[match] query",
 * "sort on [price]"); the string is built only when a problem is reported.
 */
export function checkParams(w: Walker, obj: Record<string, unknown>, c: CompiledTable, ownerName: Segment, ownerSuffix: string, requireOneOf?: readonly string[], open?: boolean, ownerPrefix = ''): void {
  for (const key in obj) {
    const ps = c.params.get(key);
    if (ps === undefined) {
      if (open === true) continue;
      const s = suggest(key, Object.keys(c.table));
      w.report('unknown-param', `${ownerPrefix}[${ownerName}]${ownerSuffix} does not support [${key}]${didYouMean(s)}`, key, s === undefined ? undefined : { kind: 'renameKey', replacement: s });
      continue;
    }
    if (ps.deprecated !== undefined || ps.since !== undefined) {
      if (ps.deprecated !== undefined) w.report('deprecated', `${ownerPrefix}[${ownerName}]${ownerSuffix}: ${ps.deprecated}`, key);
      if (ps.since !== undefined) w.checkSince(key, ps.since, key);
    }
    w.path.push(key);
    ps.check(w, obj[key], key);
    w.path.pop();
  }
  for (const r of c.required) {
    if (obj[r] === undefined) w.report('missing-param', `${ownerPrefix}[${ownerName}]${ownerSuffix} requires [${r}]`);
  }
  if (requireOneOf !== undefined) {
    let found = false;
    for (const k of requireOneOf) if (obj[k] !== undefined) found = true;
    if (!found) w.report('missing-param', `${ownerPrefix}[${ownerName}]${ownerSuffix} requires one of [${requireOneOf.join(', ')}]`);
  }
}

/** checkParams() for a table given in its declared form. */
export function params(w: Walker, obj: Record<string, unknown>, table: ParamTable, ownerName: Segment, ownerSuffix: string, requireOneOf?: readonly string[], open?: boolean, ownerPrefix = ''): void {
  checkParams(w, obj, compileTable(table), ownerName, ownerSuffix, requireOneOf, open, ownerPrefix);
}

// ── scalar kinds and units ────────────────────────────────────────────────────────────────────
const MSM_RE = /^\s*(?:-?\d+%?|(?:\s*\d+\s*<\s*-?\d+%?\s*)+)\s*$/;
const FUZZINESS_RE = /^(?:AUTO(?::\d+,\d+)?|\d+(?:\.\d+)?)$/i;
const DISTANCE_RE = /^\s*\d+(?:\.\d+)?(?:e-?\d+)?\s*(?:mi|miles|yd|yards|ft|feet|in|inch|km|kilometers|m|meters|cm|centimeters|mm|millimeters|nmi|NM|nauticalmiles)?\s*$/;
const TIME_RE = /^\s*(?:-1|0|\d+(?:\.\d+)?\s*(?:nanos|micros|ms|s|m|h|d))\s*$/;
// Offsets of date histograms are signed ("+6h", "-30m"): DateHistogramAggregationBuilder.parseStringOffset.
const SIGNED_TIME_RE = /^\s*[+-]?\s*(?:0|\d+(?:\.\d+)?\s*(?:nanos|micros|ms|s|m|h|d))\s*$/;
const SCRIPT_ONE_OF = ['source', 'id'] as const;
const NOT_NEGATIVE = new Set<Segment>(['size', 'from', 'terminate_after']);
const GEO_BOUNDS_KEYS = new Set(['top_left', 'bottom_right', 'top_right', 'bottom_left', 'top', 'left', 'bottom', 'right', 'wkt']);

/**
 * Query parsers read text parameters with `parser.text()`, which takes any scalar: `"id": 42`
 * is the id "42". Outside queries (aggregations, body options) the ObjectParser-based parsers
 * want a JSON string, so there the kind stays strict; so it does in the queries that use
 * ObjectParser too (QuerySpec.strictText: combined_fields, intervals, knn, semantic, …).
 */
function isLenientText(w: Walker, v: unknown): boolean {
  return w.queryDepth > 0 && !w.strictText && (typeof v === 'number' || typeof v === 'boolean');
}

function checkString(w: Walker, v: unknown, name: Segment): void {
  if (typeof v !== 'string' && !isLenientText(w, v)) w.report('invalid-type', `[${name}] must be a string, found ${jsonType(v)}`);
}

function checkStrings(w: Walker, v: unknown, name: Segment): void {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const item: unknown = v[i];
      if (typeof item !== 'string' && !isLenientText(w, item)) w.report('invalid-type', `[${name}] items must be strings, found ${jsonType(item)}`, i);
    }
    return;
  }
  w.report('invalid-type', `[${name}] must be an array of strings, found ${jsonType(v)}`);
}

function checkNumber(w: Walker, v: unknown, name: Segment): void {
  if (typeof v === 'number' || (typeof v === 'string' && isNumericString(v))) return;
  w.report('invalid-type', `[${name}] must be a number, found ${jsonType(v)}`);
}

function checkInteger(w: Walker, v: unknown, name: Segment): void {
  if (typeof v === 'number' || (typeof v === 'string' && isNumericString(v))) {
    const n = Number(v);
    if (!Number.isInteger(n)) w.report('invalid-value', `[${name}] must be a whole number, found ${String(v)}`);
    else if (n < 0 && NOT_NEGATIVE.has(name)) w.report('invalid-value', `[${name}] must not be negative, found ${n}`);
    return;
  }
  w.report('invalid-type', `[${name}] must be an integer, found ${jsonType(v)}`);
}

function checkBoolean(w: Walker, v: unknown, name: Segment): void {
  // Elasticsearch's booleans are strict: only true/false (and their string forms).
  if (typeof v === 'boolean' || v === 'true' || v === 'false') return;
  w.report('invalid-type', `[${name}] must be true or false, found ${jsonType(v)}`, undefined,
    v === 'yes' || v === 1 || v === 'on' || v === '1' ? { kind: 'replaceValue', replacement: 'true' } : v === 'no' || v === 0 || v === 'off' || v === '0' ? { kind: 'replaceValue', replacement: 'false' } : undefined);
}

function checkScalar(w: Walker, v: unknown, name: Segment): void {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return;
  w.report('invalid-type', `[${name}] must be a string, number or boolean, found ${jsonType(v)}`);
}

function checkNumbers(w: Walker, v: unknown, name: Segment): void {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'number') w.report('invalid-type', `[${name}] items must be numbers, found ${jsonType(v[i])}`, i);
    return;
  }
  w.report('invalid-type', `[${name}] must be an array of numbers, found ${jsonType(v)}`);
}

function checkNumberOrString(w: Walker, v: unknown, name: Segment): void {
  if (typeof v === 'number' || typeof v === 'string') return;
  w.report('invalid-type', `[${name}] must be a number or a string, found ${jsonType(v)}`);
}

function checkField(w: Walker, v: unknown, name: Segment): void {
  if (typeof v !== 'string' || v === '') {
    w.report('invalid-type', `[${name}] must be a field name, found ${jsonType(v)}`);
    return;
  }
  // `field` and `path` params are checked by the code that knows their role (aggregation, nested…).
  if (name !== 'field' && name !== 'path') w.fieldRef(v, Use.Generic, undefined);
}

let scriptParams: CompiledTable | undefined;
function checkScript(w: Walker, v: unknown, name: Segment): void {
  if (typeof v === 'string') return;
  if (!isObject(v)) {
    w.report('invalid-type', `[${name}] must be a script: a string or {"source": …}, found ${jsonType(v)}`);
    return;
  }
  checkParams(w, v, (scriptParams ??= compileTable(SCRIPT_PARAMS)), name, ' script', SCRIPT_ONE_OF);
}

function checkMsm(w: Walker, v: unknown, name: Segment): void {
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) w.report('invalid-value', `[${name}] must be a whole number or a percentage string such as "75%", found ${v}`);
    return;
  }
  if (typeof v === 'string') {
    if (!MSM_RE.test(v)) w.report('invalid-value', `[${name}] must look like 2, "-1", "75%" or "3<90%", found "${v}"`);
    return;
  }
  w.report('invalid-type', `[${name}] must be an integer or a string such as "75%", found ${jsonType(v)}`);
}

function checkFuzziness(w: Walker, v: unknown, name: Segment): void {
  if (typeof v === 'number') return;
  if (typeof v === 'string') {
    if (!FUZZINESS_RE.test(v)) w.report('invalid-value', `[${name}] must be AUTO, AUTO:low,high, 0, 1 or 2, found "${v}"`, undefined, /^auto/i.test(v) ? undefined : { kind: 'replaceValue', replacement: 'AUTO' });
    return;
  }
  w.report('invalid-type', `[${name}] must be "AUTO" or a number, found ${jsonType(v)}`);
}

function checkDistance(w: Walker, v: unknown, name: Segment): void {
  if (typeof v === 'number') return;
  if (typeof v === 'string') {
    if (!DISTANCE_RE.test(v)) w.report('invalid-value', `[${name}] must be a distance such as "12km", "500m" or a number of meters, found "${v}"`);
    return;
  }
  w.report('invalid-type', `[${name}] must be a distance such as "12km", found ${jsonType(v)}`);
}

function checkTime(w: Walker, v: unknown, name: Segment): void {
  if (v === -1 || v === 0) return;
  if (typeof v === 'string' && TIME_RE.test(v)) return;
  w.report(typeof v === 'string' ? 'invalid-value' : 'invalid-type', `[${name}] must be a time value with a unit such as "30s", "1m" or "500ms", found ${jsonType(v)}`);
}

function checkSignedTime(w: Walker, v: unknown, name: Segment): void {
  if (typeof v === 'number') return; // milliseconds
  if (typeof v === 'string' && SIGNED_TIME_RE.test(v)) return;
  w.report(typeof v === 'string' ? 'invalid-value' : 'invalid-type', `[${name}] must be a signed time value such as "+6h", "-30m" or "1d", found ${jsonType(v)}`);
}

export function checkGeoPoint(w: Walker, v: unknown, name: Segment): void {
  if (typeof v === 'string') return; // "lat,lon", geohash or WKT
  if (Array.isArray(v)) {
    if ((v.length === 2 || v.length === 3) && v.every((x) => typeof x === 'number')) return;
    w.report('invalid-value', `[${name}] as an array must be [lon, lat] numbers, found ${JSON.stringify(v).slice(0, 60)}`);
    return;
  }
  if (isObject(v)) {
    if (v['lat'] !== undefined && v['lon'] !== undefined) {
      for (const key in v) if (key !== 'lat' && key !== 'lon' && key !== 'z') w.report('unknown-param', `a geo point has only lat and lon, found [${key}]`, key);
      if (typeof v['lat'] !== 'number' && !(typeof v['lat'] === 'string' && isNumericString(v['lat']))) w.report('invalid-type', '[lat] must be a number', 'lat');
      if (typeof v['lon'] !== 'number' && !(typeof v['lon'] === 'string' && isNumericString(v['lon']))) w.report('invalid-type', '[lon] must be a number', 'lon');
      return;
    }
    if (v['type'] !== undefined && v['coordinates'] !== undefined) return; // GeoJSON point
    w.report('missing-param', `[${name}] as an object needs both lat and lon`);
    return;
  }
  w.report('invalid-type', `[${name}] must be a geo point: {"lat", "lon"}, [lon, lat], "lat,lon" or a geohash, found ${jsonType(v)}`);
}

function checkGeoBounds(w: Walker, v: unknown, name: Segment): void {
  if (!isObject(v)) {
    w.report('invalid-type', `[${name}] must be a bounding box: {"top_left", "bottom_right"}, {"top", "left", "bottom", "right"} or {"wkt"}, found ${jsonType(v)}`);
    return;
  }
  for (const key in v) {
    if (!GEO_BOUNDS_KEYS.has(key)) {
      const s = suggest(key, GEO_BOUNDS_KEYS);
      w.report('unknown-param', `a bounding box does not support [${key}]${didYouMean(s)}`, key, s === undefined ? undefined : { kind: 'renameKey', replacement: s });
      continue;
    }
    w.path.push(key);
    if (key === 'wkt') checkString(w, v[key], key);
    else if (key === 'top' || key === 'left' || key === 'bottom' || key === 'right') checkNumber(w, v[key], key);
    else checkGeoPoint(w, v[key], key);
    w.path.pop();
  }
  const corners = (v['top_left'] !== undefined && v['bottom_right'] !== undefined) || (v['top_right'] !== undefined && v['bottom_left'] !== undefined);
  const sides = v['top'] !== undefined && v['left'] !== undefined && v['bottom'] !== undefined && v['right'] !== undefined;
  if (!corners && !sides && v['wkt'] === undefined) {
    w.report('missing-param', `[${name}] needs top_left + bottom_right, top_right + bottom_left, top + left + bottom + right, or wkt`);
  }
}

function checkGeoShape(w: Walker, v: unknown, name: Segment): void {
  if (typeof v === 'string') return;
  if (isObject(v) && typeof v['type'] === 'string') return;
  w.report('invalid-type', `[${name}] must be a GeoJSON object with a "type" or a WKT string, found ${jsonType(v)}`);
}

// Highlighters built into Elasticsearch; others are registered by plugins (HighlightPlugin).
const CORE_HIGHLIGHTERS = new Set(['unified', 'plain', 'fvh']);
const PLUGIN_HIGHLIGHTERS: Readonly<Record<string, string>> = { annotated: 'mapper-annotated-text' };

function checkHighlighterType(w: Walker, v: unknown, name: Segment): void {
  if (typeof v !== 'string') {
    w.report('invalid-type', `[${name}] must be a highlighter name (unified, plain, fvh), found ${jsonType(v)}`);
    return;
  }
  if (CORE_HIGHLIGHTERS.has(v.toLowerCase())) return;
  const plugin = PLUGIN_HIGHLIGHTERS[v];
  const near = suggest(v, [...CORE_HIGHLIGHTERS]);
  w.report('needs-plugin', plugin !== undefined
    ? `highlighter [${v}] needs plugin ${plugin} installed on the cluster`
    : `highlighter [${v}] is not built in (unified, plain, fvh); it needs the plugin that registers it${didYouMean(near)}`, undefined,
  near === undefined || plugin !== undefined ? undefined : { kind: 'replaceValue', replacement: near });
}

function checkObject(w: Walker, v: unknown, name: Segment): void {
  if (!isObject(v)) w.report('invalid-type', `[${name}] must be an object, found ${jsonType(v)}`);
}

function checkQueries(w: Walker, v: unknown): void {
  if (Array.isArray(v)) {
    if (w.tooDeep()) return;
    for (let i = 0; i < v.length; i++) {
      w.path.push(i);
      checkQuery(w, v[i]);
      w.path.pop();
    }
    return;
  }
  checkQuery(w, v);
}

/** One check per named kind. Arrows, not direct references: the modules import each other. */
const KIND_CHECKS: Readonly<Record<ValueKind, Check>> = {
  any: () => undefined,
  object: checkObject,
  string: checkString,
  number: checkNumber,
  integer: checkInteger,
  boolean: checkBoolean,
  scalar: checkScalar,
  missing: checkScalar,
  'scalar-or-null': (w, v, name) => {
    if (v !== null) checkScalar(w, v, name);
  },
  strings: checkStrings,
  'string-or-strings': (w, v, name) => {
    if (typeof v !== 'string') checkStrings(w, v, name);
  },
  numbers: checkNumbers,
  'number-or-string': checkNumberOrString,
  'date-math': checkNumberOrString,
  field: checkField,
  fields: (w, v, name) => checkFieldList(w, v, name),
  query: (w, v) => {
    checkQuery(w, v);
  },
  queries: checkQueries,
  'query-array': checkQueries,
  'span-query': (w, v) => checkSpanQuery(w, v),
  'span-queries': (w, v, name) => checkSpanQueries(w, v, name),
  script: checkScript,
  msm: checkMsm,
  fuzziness: checkFuzziness,
  distance: checkDistance,
  time: checkTime,
  'signed-time': checkSignedTime,
  'geo-point': checkGeoPoint,
  'geo-bounds': checkGeoBounds,
  'geo-shape': checkGeoShape,
  aggs: (w, v) => checkAggs(w, v),
  sort: (w, v, name) => checkSort(w, v, name),
  'source-config': (w, v, name) => checkSourceConfig(w, v, name),
  'field-and-format-list': (w, v, name) => checkFieldAndFormatList(w, v, name),
  highlight: (w, v, name) => checkHighlight(w, v, name),
  'inner-hits': (w, v, name) => checkInnerHits(w, v, name),
  rescore: (w, v, name) => checkRescore(w, v, name),
  knn: (w, v) => checkKnnSection(w, v),
  retriever: (w, v) => checkRetriever(w, v),
  'runtime-mappings': (w, v, name) => checkRuntimeMappings(w, v, name),
  'bucket-path': (w, v) => checkBucketsPathValue(w, v),
  'interval-rule': (w, v) => checkIntervalRule(w, v),
  'function-score-functions': (w, v) => checkFunctionScoreFunctions(w, v),
  'function-score-function': (w, v) => checkFunctionScoreFunction(w, v),
  collapse: (w, v, name) => checkCollapse(w, v, name),
  suggest: (w, v) => checkSuggest(w, v),
  'highlighter-type': checkHighlighterType,
};

export { checkBoolean, checkInteger, checkNumber, checkString, checkStrings };
