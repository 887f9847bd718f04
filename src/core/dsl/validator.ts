// The validator: one walk over a parsed search request body, driven by the spec tables.
//
// Performance notes (the CLI validates 200k records at close to JSON.parse speed):
//  - the walk keeps one path stack and builds a JSON pointer string only when it reports;
//  - did-you-mean suggestions (edit distance) run only when a problem is reported;
//  - no per-node allocation on the happy path beyond what for..in needs.
// Depth: the walk is recursive but guarded. Queries nested deeper than Elasticsearch's own limit
// (indices.query.bool.max_nested_depth, 30) and any structure deeper than MAX_JSON_DEPTH stop the
// descent with one problem, so a body nested 10,000 levels deep cannot overflow the stack.
import { AGGREGATION_SPECS, COMPOSITE_SOURCES } from './aggregations';
import { BODY_KEY_SPECS } from './body';
import { DIAGNOSTIC_CODES } from './codes';
import { isDateType, isGeoType, isNumericType, isShapeType, isTextType, lookupField } from './mapping';
import { INTERVAL_RULES, QUERY_SPECS, SPAN_QUERY_NAMES } from './queries';
import type { AggregationSpec, ParamTable, QuerySpec, ValueSpec } from './spec-types';
import { didYouMean, suggest } from './suggest';
import type { DslProblem, IndexMapping, MappedField, Severity, ValidateOptions } from './types';
import {
  COLLAPSE_PARAMS, FUNCTION_PARAMS, HIGHLIGHT_FIELD_PARAMS, HIGHLIGHT_PARAMS, INNER_HITS_PARAMS, KNN_SEARCH_PARAMS,
  RESCORE_PARAMS, RETRIEVERS, RUNTIME_FIELD_PARAMS, SCRIPT_PARAMS, SORT_PARAMS, SOURCE_PARAMS,
} from './value-tables';

/** Elasticsearch's default `indices.query.bool.max_nested_depth`. */
export const MAX_QUERY_DEPTH = 30;
/** Deepest JSON structure the validator descends into. */
export const MAX_JSON_DEPTH = 400;

/** Problems whose pointer names an object key rather than a value (used to place ranges). */
export const KEY_TARGETED = new WeakSet<DslProblem>();

type Segment = string | number;

export function escapePointerSegment(s: string): string {
  return s.includes('~') || s.includes('/') ? s.replace(/~/g, '~0').replace(/\//g, '~1') : s;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  return `${typeof v} ${String(v)}`;
}

function isNumericString(v: string): boolean {
  return v.trim() !== '' && Number.isFinite(Number(v));
}

const MSM_RE = /^\s*(?:-?\d+%?|(?:\s*\d+\s*<\s*-?\d+%?\s*)+)\s*$/;
const FUZZINESS_RE = /^(?:AUTO(?::\d+,\d+)?|\d+(?:\.\d+)?)$/i;
const DISTANCE_RE = /^\s*\d+(?:\.\d+)?(?:e-?\d+)?\s*(?:mi|miles|yd|yards|ft|feet|in|inch|km|kilometers|m|meters|cm|centimeters|mm|millimeters|nmi|NM|nauticalmiles)?\s*$/;
const TIME_RE = /^\s*(?:-1|0|\d+(?:\.\d+)?\s*(?:nanos|micros|ms|s|m|h|d))\s*$/;
const AGG_NAME_BAD = /[[\]>]/;

function parseVersion(v: string | undefined): number[] | undefined {
  if (v === undefined) return undefined;
  const m = /^(\d+)(?:\.(\d+))?/.exec(v.trim());
  return m ? [Number(m[1]), Number(m[2] ?? 99)] : undefined;
}

function versionBefore(have: number[], since: string): boolean {
  const need = parseVersion(since)!;
  return have[0]! < need[0]! || (have[0] === need[0] && have[1]! < need[1]!);
}

// Lookups on the hot path go through Maps: a keyed load on a large object literal with a
// varying key is several times slower than Map.get in V8.
/** A ParamSpec reduced to what the walk reads, in one object shape (monomorphic loads). */
interface CompiledParam {
  readonly value: ValueSpec;
  readonly deprecated: string | undefined;
  readonly since: string | undefined;
}
interface CompiledTable {
  readonly table: ParamTable;
  readonly params: Map<string, CompiledParam>;
  readonly required: readonly string[];
}
// Cached on the table itself under a symbol (non-enumerable, so Object.keys/for..in/JSON never see
// it): one property load per call instead of a Map lookup keyed by the table's identity.
const COMPILED: unique symbol = Symbol('compiled');
type WithCompiled = ParamTable & { [COMPILED]?: CompiledTable };
function compile(table: ParamTable): CompiledTable {
  const c: CompiledTable = {
    table,
    params: new Map(Object.entries(table).map(([k, ps]): [string, CompiledParam] => [k, { value: ps.value, deprecated: ps.deprecated, since: ps.since }])),
    required: Object.keys(table).filter((k) => table[k]!.required === true),
  };
  Object.defineProperty(table, COMPILED, { value: c, enumerable: false, writable: false, configurable: false });
  return c;
}
function compiled(table: ParamTable): CompiledTable {
  return (table as WithCompiled)[COMPILED] ?? compile(table);
}
// Each entry carries its compiled param table, so the walk needs no second lookup.
const QUERY_MAP = new Map(Object.entries(QUERY_SPECS).map(([k, spec]) => [k, { spec, table: compiled(spec.params) }] as const));
const AGGREGATION_MAP = new Map(Object.entries(AGGREGATION_SPECS).map(([k, spec]) => [k, { spec, table: compiled(spec.params) }] as const));
const BODY_KEY_MAP = new Map(Object.entries(BODY_KEY_SPECS));

/** How a field is used, for mapping checks. */
const enum Use { Generic, Query, Aggregation, Sort, NestedPath }

class Walker {
  // One Walker is reused for every validation (see walker() below); reset() clears the state.
  problems: DslProblem[] = [];
  private readonly path: Segment[] = [];
  private queryDepth = 0;
  private depthReported = false;
  private nestedScope: string | undefined;
  private runtimeFields: Set<string> | undefined;
  /** bucket_sort sorts by metric names, not fields: no mapping checks inside it. */
  private fieldChecksSuspended = false;
  private mapping: IndexMapping | undefined;
  private version: number[] | undefined;
  private versionSource: string | undefined;
  private unmappedSeverity: Severity | 'off' = 'warning';

  reset(options: ValidateOptions | undefined, pointerPrefix: readonly Segment[]): void {
    this.problems = [];
    // pop(), not `length = 0`: the length setter is a slow runtime call; the path is short here.
    while (this.path.length > 0) this.path.pop();
    for (let i = 0; i < pointerPrefix.length; i++) this.path.push(pointerPrefix[i]!);
    this.queryDepth = 0;
    this.depthReported = false;
    this.nestedScope = undefined;
    this.runtimeFields = undefined;
    this.fieldChecksSuspended = false;
    this.mapping = options?.mapping;
    const esVersion = options?.esVersion;
    if (esVersion !== this.versionSource) {
      this.version = parseVersion(esVersion);
      this.versionSource = esVersion;
    }
    this.unmappedSeverity = options?.unmappedFieldSeverity ?? 'warning';
  }

  /** Drops references to the last caller's data (mapping, problems, runtime field names). */
  release(): void {
    this.problems = NO_PROBLEMS;
    this.mapping = undefined;
    this.runtimeFields = undefined;
  }

  // ── reporting ───────────────────────────────────────────────────────────────────────────────
  private pointer(extra?: Segment): string {
    let s = '';
    for (const seg of this.path) s += '/' + (typeof seg === 'number' ? String(seg) : escapePointerSegment(seg));
    if (extra !== undefined) s += '/' + (typeof extra === 'number' ? String(extra) : escapePointerSegment(extra));
    return s;
  }

  /** Reports at the current path, or at `key` below it (then the problem targets that key). */
  report(code: string, message: string, key?: Segment, fix?: DslProblem['fix'], severity?: Severity): void {
    const problem: DslProblem = {
      pointer: this.pointer(key),
      code,
      severity: severity ?? DIAGNOSTIC_CODES[code]!.severity,
      message,
    };
    if (fix !== undefined) problem.fix = fix;
    if (key !== undefined && typeof key === 'string') KEY_TARGETED.add(problem);
    this.problems.push(problem);
  }

  private tooDeep(): boolean {
    if (this.path.length <= MAX_JSON_DEPTH) return false;
    if (!this.depthReported) {
      this.depthReported = true;
      this.report('max-depth', `the body is nested more than ${MAX_JSON_DEPTH} levels deep; Elasticsearch rejects such documents — flatten it`);
    }
    return true;
  }

  // ── body ────────────────────────────────────────────────────────────────────────────────────
  body(body: unknown): void {
    if (!isObject(body)) {
      this.report('invalid-type', `a search request body must be a JSON object, not ${jsonType(body)}`);
      return;
    }
    const rm = body['runtime_mappings'];
    if (isObject(rm)) this.runtimeFields = new Set(Object.keys(rm));
    for (const key in body) {
      const spec = BODY_KEY_MAP.get(key);
      if (spec === undefined) {
        this.unknownBodyKey(key);
        continue;
      }
      if (spec.since !== undefined) this.checkSince(key, spec.since, key);
      this.path.push(key);
      this.value(body[key], spec.value, key);
      this.path.pop();
    }
    if (body['aggs'] !== undefined && body['aggregations'] !== undefined) {
      this.report('conflicting-params', 'use either [aggs] or [aggregations], not both: Elasticsearch rejects the body', 'aggregations');
    }
    const from = body['from'];
    const size = body['size'];
    if (typeof size === 'number' && (typeof from === 'number' ? from : 0) + size > 10000) {
      this.report('result-window-exceeded', `from + size = ${(typeof from === 'number' ? from : 0) + size} exceeds index.max_result_window (10000); use search_after with a point in time to page deeper`, 'size');
    }
  }

  private unknownBodyKey(key: string): void {
    if (Object.hasOwn(QUERY_SPECS, key)) {
      this.report('unknown-body-key', `[${key}] is a query, not a body key; wrap it: {"query": {"${key}": …}}`, key);
      return;
    }
    const s = suggest(key, Object.keys(BODY_KEY_SPECS));
    this.report('unknown-body-key', `unknown key [${key}] in the search request body${didYouMean(s)}`, key, s === undefined ? undefined : { kind: 'renameKey', replacement: s });
  }

  private checkSince(name: string, since: string, key: Segment | undefined): void {
    if (this.version !== undefined && versionBefore(this.version, since)) {
      this.report('version-unsupported', `[${name}] needs Elasticsearch ${since} or later (configured version ${this.version[0]}.${this.version[1]})`, key);
    }
  }

  // ── queries ─────────────────────────────────────────────────────────────────────────────────
  /** Validates a QueryContainer at the current path. Returns the query name, if well formed. */
  query(q: unknown): string | undefined {
    if (!isObject(q)) {
      this.report('invalid-type', `expected a query object such as {"match": {…}}, found ${jsonType(q)}`);
      return undefined;
    }
    let name: string | undefined;
    for (const key in q) {
      if (name !== undefined) {
        this.report('multiple-query-types', `a query object holds one query type, found [${name}] and [${key}]; combine them with {"bool": {"must": [ … ]}}`, key);
        continue;
      }
      name = key;
    }
    if (name === undefined) {
      this.report('empty-clause', 'empty query clause {}; write a query such as {"match_all": {}} or remove the clause');
      return undefined;
    }
    const entry = QUERY_MAP.get(name);
    if (entry === undefined) {
      if (name === 'span_gap') return name; // valid only inside span_near; accepted loosely
      const s = suggest(name, Object.keys(QUERY_SPECS));
      this.report('unknown-query', `unknown query [${name}]${didYouMean(s)}`, name, s === undefined ? undefined : { kind: 'renameKey', replacement: s });
      return undefined;
    }
    const spec = entry.spec;
    if (spec.removed !== undefined) {
      this.report('removed-feature', `[${name}] query: ${spec.removed}`, name);
      return name;
    }
    if (spec.deprecated !== undefined) this.report('deprecated', spec.deprecated, name);
    if (spec.since !== undefined) this.checkSince(name, spec.since, name);
    if (this.queryDepth >= MAX_QUERY_DEPTH) {
      this.report('max-depth', `queries are nested more than ${MAX_QUERY_DEPTH} levels deep; Elasticsearch rejects this (indices.query.bool.max_nested_depth) — flatten the bool structure`, name);
      return name;
    }
    this.queryDepth++;
    this.path.push(name);
    if (!this.tooDeep()) this.queryBody(name, spec, entry.table, q[name]);
    this.path.pop();
    this.queryDepth--;
    return name;
  }

  private queryBody(name: string, spec: QuerySpec, table: CompiledTable, body: unknown): void {
    if (!isObject(body)) {
      this.report('invalid-type', `[${name}] query expects an object, found ${jsonType(body)}`);
      return;
    }
    switch (spec.shape) {
      case 'no-field':
      case 'explicit-field': {
        // Fields under a nested query's path are in scope for its inner query.
        const saved = this.nestedScope;
        if (name === 'nested' && typeof body['path'] === 'string') this.nestedScope = body['path'];
        this.paramsOf(body, table, name, ' query', spec.requireOneOf);
        this.nestedScope = saved;
        this.querySemantics(name, spec, body);
        return;
      }
      case 'field':
        this.fieldShapedQuery(name, spec, table, body);
        return;
      case 'field-params':
        this.fieldParamsQuery(name, spec, table, body);
        return;
    }
  }

  /** { "<field>": short | { params } } */
  private fieldShapedQuery(name: string, spec: QuerySpec, table: CompiledTable, body: Record<string, unknown>): void {
    let field: string | undefined;
    for (const key in body) {
      const v = body[key];
      if ((key === 'boost' || key === '_name') && !isObject(v)) {
        this.path.push(key);
        this.value(v, spec.params[key]!.value, key);
        this.path.pop();
        continue;
      }
      if (field !== undefined) {
        this.report('multiple-fields', `[${name}] query takes one field, found [${field}] and [${key}]; use one ${name} per field inside a bool query`, key);
        continue;
      }
      field = key;
      this.path.push(key);
      if (isObject(v)) {
        this.paramsOf(v, table, name, ' query', spec.requireOneOf);
      } else if (spec.shortParam !== undefined) {
        this.value(v, spec.params[spec.shortParam]!.value, spec.shortParam);
      } else {
        this.report('invalid-type', `[${name}] query on [${key}] expects an object of parameters, found ${jsonType(v)}`);
      }
      this.path.pop();
      this.queryField(name, spec, key, v, true);
    }
    if (field === undefined) {
      this.report('missing-field', `[${name}] query names no field; write {"${name}": {"<field>": ${spec.shortParam !== undefined ? '<value>' : '{…}'}}}`);
    }
  }

  /** { "<field>": value, ...params } */
  private fieldParamsQuery(name: string, spec: QuerySpec, table: CompiledTable, body: Record<string, unknown>): void {
    let field: string | undefined;
    for (const key in body) {
      const ps = spec.params[key];
      this.path.push(key);
      if (ps !== undefined) {
        this.value(body[key], ps.value, key);
        if (ps.deprecated !== undefined) this.report('deprecated', ps.deprecated);
      } else if (field !== undefined) {
        const s = suggest(key, Object.keys(spec.params));
        this.path.pop();
        if (s !== undefined) {
          this.report('unknown-param', `[${name}] query does not support [${key}]${didYouMean(s)}`, key, { kind: 'renameKey', replacement: s });
        } else {
          this.report('multiple-fields', `[${name}] query takes one field, found [${field}] and [${key}]`, key);
        }
        continue;
      } else {
        field = key;
        this.value(body[key], spec.fieldValue ?? 'any', key);
      }
      this.path.pop();
      if (field === key) this.queryField(name, spec, key, body[key], true);
    }
    for (const r of table.required) {
      if (body[r] === undefined) this.report('missing-param', `[${name}] query requires [${r}]`);
    }
    if (field === undefined) this.report('missing-field', `[${name}] query names no field; add "<field>": …`);
  }

  private querySemantics(name: string, spec: QuerySpec, body: Record<string, unknown>): void {
    switch (name) {
      case 'nested': {
        const path = body['path'];
        if (typeof path === 'string') this.fieldRef(path, Use.NestedPath, 'path');
        return;
      }
      case 'function_score': {
        let inline: string | undefined;
        for (const fn of INLINE_FUNCTIONS) {
          if (body[fn] === undefined) continue;
          if (inline !== undefined) this.report('conflicting-params', `[function_score] takes one inline function, found [${inline}] and [${fn}]; list them in [functions]`, fn);
          inline = fn;
          this.path.push(fn);
          this.scoreFunction(fn, body[fn]);
          this.path.pop();
        }
        if (inline !== undefined && body['functions'] !== undefined) {
          this.report('conflicting-params', `[function_score] takes either [functions] or an inline [${inline}], not both`, inline);
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
        if (typeof f === 'string') this.queryField(name, spec, f, undefined, false);
        return;
      }
      default:
        return;
    }
  }

  private scoreFunction(fn: string, v: unknown): void {
    if (!isObject(v)) {
      this.report('invalid-type', `[${fn}] expects an object, found ${jsonType(v)}`);
      return;
    }
    if (fn === 'exp' || fn === 'gauss' || fn === 'linear') {
      let field: string | undefined;
      for (const key in v) {
        if (key === 'multi_value_mode') {
          this.path.push(key);
          this.value(v[key], MULTI_VALUE_MODE_SPEC, key);
          this.path.pop();
          continue;
        }
        if (field !== undefined) {
          this.report('multiple-fields', `[${fn}] decay function takes one field, found [${field}] and [${key}]`, key);
          continue;
        }
        field = key;
        this.path.push(key);
        this.value(v[key], DECAY_PLACEMENT, key);
        this.path.pop();
        this.fieldRef(key, Use.Generic, key);
      }
      if (field === undefined) this.report('missing-field', `[${fn}] decay function names no field: {"${fn}": {"<field>": {"origin": …, "scale": …}}}`);
      return;
    }
    const table = FUNCTION_PARAMS[fn]!;
    this.params(v, table, fn, ' function');
    const field = v['field'];
    if (typeof field === 'string' && this.mapping !== undefined) {
      const f = this.fieldRef(field, Use.Aggregation, 'field');
      if (f !== undefined && fn === 'field_value_factor' && !fieldTypeFits('numeric-or-date', f.type)) {
        this.report('field-type-mismatch', `[field_value_factor] needs a numeric field, but [${field}] is ${f.type}`, 'field');
      }
    }
  }

  /** Mapping checks for the field a query targets. `value` is the short form or params object. */
  private queryField(name: string, spec: QuerySpec, field: string, value: unknown, isKey: boolean): void {
    if (this.mapping === undefined) return;
    const f = this.fieldRef(field, Use.Query, isKey ? field : 'field');
    if (f === undefined) return;
    const type = f.type;
    const at = isKey ? field : 'field';
    if (spec.fieldTypes === 'geo' || spec.fieldTypes === 'geo-or-shape' || spec.fieldTypes === 'shape') {
      const ok = spec.fieldTypes === 'shape' ? isShapeType(type) || isGeoType(type) : isGeoType(type) || (spec.fieldTypes === 'geo-or-shape' && isShapeType(type));
      if (!ok) this.report('field-type-mismatch', `[${name}] query needs a ${spec.fieldTypes === 'shape' ? 'shape or point' : 'geo_point or geo_shape'} field, but [${field}] is ${type}`, at);
      return;
    }
    if (spec.termLevel === true && isTextType(type)) {
      const kw = this.keywordSibling(field);
      this.report(
        'term-query-on-text',
        `[${name}] on text field [${field}] compares against analyzed tokens, not the whole value; ${kw !== undefined ? `query [${kw}] instead, or use match` : 'use match, or map a keyword sub-field'}`,
        at,
        kw !== undefined && isKey ? { kind: 'renameKey', replacement: kw } : undefined,
      );
      return;
    }
    if ((name === 'prefix' || name === 'wildcard' || name === 'regexp') && (isNumericType(type) || isDateType(type) || type === 'boolean')) {
      this.report('field-type-mismatch', `[${name}] query works on keyword and text fields, but [${field}] is ${type}; use range or term`, at);
      return;
    }
    if (name === 'term' || name === 'range' || name === 'terms') this.valueFit(name, field, type, value, at);
  }

  private valueFit(name: string, field: string, type: string, value: unknown, at: string): void {
    const numeric = isNumericType(type);
    const bool = type === 'boolean';
    if (!numeric && !bool && !isDateType(type)) return;
    const check = (v: unknown, key: string | number | undefined): void => {
      let ok = true;
      if (numeric) ok = typeof v === 'number' || (typeof v === 'string' && isNumericString(v));
      else if (bool) ok = typeof v === 'boolean' || v === 'true' || v === 'false';
      else ok = typeof v === 'string' || typeof v === 'number';
      if (!ok) {
        this.path.push(at);
        this.report('field-type-mismatch', `[${field}] is a ${type} field; ${jsonType(v)} cannot be compared with it${numeric ? ' (use a number)' : bool ? ' (use true or false)' : ''}`, key);
        this.path.pop();
      }
    };
    if (name === 'range') {
      if (!isObject(value)) return;
      for (const b of ['gt', 'gte', 'lt', 'lte', 'from', 'to']) {
        const v = value[b];
        if (v !== undefined && v !== null) check(v, b);
      }
    } else if (name === 'term') {
      const v = isObject(value) ? value['value'] : value;
      if (v !== undefined) check(v, isObject(value) ? 'value' : undefined);
    } else if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) check(value[i], i);
    }
  }

  private keywordSibling(field: string): string | undefined {
    if (this.mapping === undefined) return undefined;
    for (const sub of ['keyword', 'raw', 'exact']) {
      const f = this.mapping.fields.get(`${field}.${sub}`);
      if (f !== undefined && (f.type === 'keyword' || f.type === 'constant_keyword' || f.type === 'wildcard')) return f.path;
    }
    return undefined;
  }

  /**
   * Looks up a field reference; reports unknown fields and nested-scope problems.
   * `key` is where to report, relative to the current path.
   */
  fieldRef(name: string, use: Use, key: Segment | undefined): MappedField | undefined {
    const mapping = this.mapping;
    if (mapping === undefined || this.fieldChecksSuspended) return undefined;
    if (name.includes('*') || this.runtimeFields?.has(name) === true) return undefined;
    const f = lookupField(mapping, name);
    if (f === undefined) {
      if (this.unmappedSeverity === 'off') return undefined;
      const s = suggest(name, mapping.fields.keys());
      const where = use === Use.NestedPath ? 'nested path' : 'field';
      this.report(
        'unknown-field',
        `unknown ${where} [${name}]: the index mapping has no such field${didYouMean(s)}`,
        key,
        s === undefined ? undefined : typeof key === 'string' && key === name ? { kind: 'renameKey', replacement: s } : { kind: 'replaceValue', replacement: s },
        this.unmappedSeverity,
      );
      return undefined;
    }
    if (use === Use.NestedPath) {
      if (f.type !== 'nested') {
        this.report('nested-path-not-nested', `[${name}] is mapped as ${f.type}, not nested; a nested query/aggregation needs a field of type nested${f.type === 'object' ? ' (change the mapping to "type": "nested", or query the object\'s fields directly)' : ''}`, key);
      }
      return f;
    }
    if (f.nestedParent !== undefined && f.nestedParent !== this.nestedScope) {
      this.report(
        'nested-field-outside-nested',
        use === Use.Aggregation
          ? `[${name}] lives in nested object [${f.nestedParent}]; aggregate it inside {"nested": {"path": "${f.nestedParent}"}, "aggs": {…}} or it matches nothing`
          : use === Use.Sort
            ? `[${name}] lives in nested object [${f.nestedParent}]; sort on it with {"${name}": {"order": …, "nested": {"path": "${f.nestedParent}"}}}`
            : `[${name}] lives in nested object [${f.nestedParent}]; wrap the query in {"nested": {"path": "${f.nestedParent}", "query": …}} or it matches nothing`,
        key,
      );
    }
    if ((use === Use.Aggregation || use === Use.Sort) && isTextType(f.type) && f.fielddata !== true) {
      const kw = this.keywordSibling(f.path);
      this.report(
        'text-field-not-aggregatable',
        `[${name}] is a text field without fielddata; Elasticsearch cannot ${use === Use.Sort ? 'sort' : 'aggregate'} on it — ${kw !== undefined ? `use [${kw}]` : 'use a keyword field'}`,
        key,
        kw !== undefined ? (typeof key === 'string' && key === name ? { kind: 'renameKey', replacement: kw } : { kind: 'replaceValue', replacement: kw }) : undefined,
      );
    }
    return f;
  }

  // ── params and values ───────────────────────────────────────────────────────────────────────
  /** Checks an object's keys against a param table. The current path is the object. */
  /**
   * Messages name the owner as `${ownerPrefix}[${ownerName}]${ownerSuffix}` ("[match] query",
   * "sort on [price]"); the string is built only when a problem is reported.
   */
  params(obj: Record<string, unknown>, table: ParamTable, ownerName: Segment, ownerSuffix: string, requireOneOf?: readonly string[], open?: boolean, ownerPrefix = ''): void {
    this.paramsOf(obj, compiled(table), ownerName, ownerSuffix, requireOneOf, open, ownerPrefix);
  }

  /** params() with the table already compiled. */
  private paramsOf(obj: Record<string, unknown>, c: CompiledTable, ownerName: Segment, ownerSuffix: string, requireOneOf?: readonly string[], open?: boolean, ownerPrefix = ''): void {
    for (const key in obj) {
      const ps = c.params.get(key);
      if (ps === undefined) {
        if (open === true) continue;
        const s = suggest(key, Object.keys(c.table));
        this.report('unknown-param', `${ownerPrefix}[${ownerName}]${ownerSuffix} does not support [${key}]${didYouMean(s)}`, key, s === undefined ? undefined : { kind: 'renameKey', replacement: s });
        continue;
      }
      if (ps.deprecated !== undefined || ps.since !== undefined) {
        if (ps.deprecated !== undefined) this.report('deprecated', `${ownerPrefix}[${ownerName}]${ownerSuffix}: ${ps.deprecated}`, key);
        if (ps.since !== undefined) this.checkSince(key, ps.since, key);
      }
      this.path.push(key);
      this.value(obj[key], ps.value, key);
      this.path.pop();
    }
    for (const r of c.required) {
      if (obj[r] === undefined) this.report('missing-param', `${ownerPrefix}[${ownerName}]${ownerSuffix} requires [${r}]`);
    }
    if (requireOneOf !== undefined) {
      let found = false;
      for (const k of requireOneOf) if (obj[k] !== undefined) found = true;
      if (!found) this.report('missing-param', `${ownerPrefix}[${ownerName}]${ownerSuffix} requires one of [${requireOneOf.join(', ')}]`);
    }
  }

  /** Checks a value against a ValueSpec. The current path is the value; `name` labels messages. */
  value(v: unknown, spec: ValueSpec, name: Segment): void {
    if (typeof spec === 'string') {
      this.kind(v, spec, name);
      return;
    }
    if ('enum' in spec) {
      const s = typeof v === 'string' ? v : undefined;
      if (s === undefined) {
        this.report('invalid-type', `[${name}] must be one of [${spec.enum.join(', ')}], found ${jsonType(v)}`);
        return;
      }
      const lower = spec.caseInsensitive === true ? s.toLowerCase() : s;
      for (const e of spec.enum) if ((spec.caseInsensitive === true ? e.toLowerCase() : e) === lower) return;
      if (name === 'calendar_interval' && /^\d+[smhdwMqy]$/.test(s)) {
        this.report('invalid-enum', `[calendar_interval] takes a single calendar unit such as "1d" or "month"; for [${s}] use "fixed_interval": "${s}"`, undefined);
        return;
      }
      const sg = suggest(s, spec.enum);
      this.report('invalid-enum', `[${name}] must be one of [${spec.enum.join(', ')}], found [${s}]${didYouMean(sg)}`, undefined, sg === undefined ? undefined : { kind: 'replaceValue', replacement: sg });
      return;
    }
    if ('object' in spec) {
      if (!isObject(v)) {
        this.report('invalid-type', `[${name}] must be an object, found ${jsonType(v)}`);
        return;
      }
      if (this.tooDeep()) return;
      this.params(v, spec.object, name, '', undefined, spec.open);
      if (spec.required !== undefined) {
        for (const r of spec.required) {
          if (v[r] === undefined && spec.object[r]?.required !== true) this.report('missing-param', `[${name}] requires [${r}]`);
        }
      }
      return;
    }
    if ('array' in spec) {
      if (!Array.isArray(v)) {
        this.report('invalid-type', `[${name}] must be an array, found ${jsonType(v)}`);
        return;
      }
      if (this.tooDeep()) return;
      for (let i = 0; i < v.length; i++) {
        this.path.push(i);
        this.value(v[i], spec.array, name);
        this.path.pop();
      }
      return;
    }
    if ('map' in spec) {
      if (!isObject(v)) {
        this.report('invalid-type', `[${name}] must be an object, found ${jsonType(v)}`);
        return;
      }
      if (this.tooDeep()) return;
      for (const key in v) {
        this.path.push(key);
        this.value(v[key], spec.map, key);
        this.path.pop();
      }
      return;
    }
    // oneOf: the first alternative that fits without problems wins.
    const mark = this.problems.length;
    let firstFail: DslProblem[] | undefined;
    for (const alt of spec.oneOf) {
      if (!shapeMatches(v, alt)) continue;
      this.value(v, alt, name);
      if (this.problems.length === mark) return;
      if (firstFail === undefined) firstFail = this.problems.slice(mark);
      this.problems.length = mark;
    }
    if (firstFail !== undefined) {
      for (const p of firstFail) this.problems.push(p);
      return;
    }
    this.report('invalid-type', `[${name}] must be ${spec.oneOf.map(describeSpec).join(' or ')}, found ${jsonType(v)}`);
  }

  private kind(v: unknown, kind: string, name: Segment): void {
    switch (kind) {
      case 'query':
        this.query(v);
        return;
      case 'any':
      case 'object':
        if (kind === 'object' && !isObject(v)) this.report('invalid-type', `[${name}] must be an object, found ${jsonType(v)}`);
        return;
      case 'string':
        if (typeof v !== 'string') this.report('invalid-type', `[${name}] must be a string, found ${jsonType(v)}`);
        return;
      case 'number':
        if (typeof v === 'number' || (typeof v === 'string' && isNumericString(v))) return;
        this.report('invalid-type', `[${name}] must be a number, found ${jsonType(v)}`);
        return;
      case 'integer':
        if (typeof v === 'number' || (typeof v === 'string' && isNumericString(v))) {
          const n = Number(v);
          if (!Number.isInteger(n)) this.report('invalid-value', `[${name}] must be a whole number, found ${String(v)}`);
          else if (n < 0 && (name === 'size' || name === 'from' || name === 'terminate_after')) this.report('invalid-value', `[${name}] must not be negative, found ${n}`);
          return;
        }
        this.report('invalid-type', `[${name}] must be an integer, found ${jsonType(v)}`);
        return;
      case 'boolean':
        // Elasticsearch's booleans are strict: only true/false (and their string forms).
        if (typeof v === 'boolean' || v === 'true' || v === 'false') return;
        this.report('invalid-type', `[${name}] must be true or false, found ${jsonType(v)}`, undefined,
          v === 'yes' || v === 1 || v === 'on' || v === '1' ? { kind: 'replaceValue', replacement: 'true' } : v === 'no' || v === 0 || v === 'off' || v === '0' ? { kind: 'replaceValue', replacement: 'false' } : undefined);
        return;
      case 'scalar':
      case 'missing':
        if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return;
        this.report('invalid-type', `[${name}] must be a string, number or boolean, found ${jsonType(v)}`);
        return;
      case 'strings':
        if (Array.isArray(v)) {
          for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'string') this.report('invalid-type', `[${name}] items must be strings, found ${jsonType(v[i])}`, i);
          return;
        }
        this.report('invalid-type', `[${name}] must be an array of strings, found ${jsonType(v)}`);
        return;
      case 'string-or-strings':
        if (typeof v === 'string') return;
        this.kind(v, 'strings', name);
        return;
      case 'numbers':
        if (Array.isArray(v)) {
          for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'number') this.report('invalid-type', `[${name}] items must be numbers, found ${jsonType(v[i])}`, i);
          return;
        }
        this.report('invalid-type', `[${name}] must be an array of numbers, found ${jsonType(v)}`);
        return;
      case 'number-or-string':
      case 'date-math':
        if (typeof v === 'number' || typeof v === 'string') return;
        this.report('invalid-type', `[${name}] must be a number or a string, found ${jsonType(v)}`);
        return;
      case 'field':
        if (typeof v !== 'string' || v === '') {
          this.report('invalid-type', `[${name}] must be a field name, found ${jsonType(v)}`);
          return;
        }
        if (name !== 'field' && name !== 'path') this.fieldRef(v, Use.Generic, undefined);
        return;
      case 'fields':
        this.fieldList(v, name);
        return;
      case 'queries':
      case 'query-array':
        if (Array.isArray(v)) {
          if (this.tooDeep()) return;
          for (let i = 0; i < v.length; i++) {
            this.path.push(i);
            this.query(v[i]);
            this.path.pop();
          }
          return;
        }
        this.query(v);
        return;
      case 'span-query':
        this.spanQuery(v);
        return;
      case 'span-queries':
        if (!Array.isArray(v)) {
          this.report('invalid-type', `[${name}] must be an array of span queries, found ${jsonType(v)}`);
          return;
        }
        for (let i = 0; i < v.length; i++) {
          this.path.push(i);
          this.spanQuery(v[i]);
          this.path.pop();
        }
        return;
      case 'script':
        if (typeof v === 'string') return;
        if (!isObject(v)) {
          this.report('invalid-type', `[${name}] must be a script: a string or {"source": …}, found ${jsonType(v)}`);
          return;
        }
        this.params(v, SCRIPT_PARAMS, name, ' script', SCRIPT_ONE_OF);
        return;
      case 'msm':
        if (typeof v === 'number') {
          if (!Number.isInteger(v)) this.report('invalid-value', `[${name}] must be a whole number or a percentage string such as "75%", found ${v}`);
          return;
        }
        if (typeof v === 'string') {
          if (!MSM_RE.test(v)) this.report('invalid-value', `[${name}] must look like 2, "-1", "75%" or "3<90%", found "${v}"`);
          return;
        }
        this.report('invalid-type', `[${name}] must be an integer or a string such as "75%", found ${jsonType(v)}`);
        return;
      case 'fuzziness':
        if (typeof v === 'number') return;
        if (typeof v === 'string') {
          if (!FUZZINESS_RE.test(v)) this.report('invalid-value', `[${name}] must be AUTO, AUTO:low,high, 0, 1 or 2, found "${v}"`, undefined, /^auto/i.test(v) ? undefined : { kind: 'replaceValue', replacement: 'AUTO' });
          return;
        }
        this.report('invalid-type', `[${name}] must be "AUTO" or a number, found ${jsonType(v)}`);
        return;
      case 'distance':
        if (typeof v === 'number') return;
        if (typeof v === 'string') {
          if (!DISTANCE_RE.test(v)) this.report('invalid-value', `[${name}] must be a distance such as "12km", "500m" or a number of meters, found "${v}"`);
          return;
        }
        this.report('invalid-type', `[${name}] must be a distance such as "12km", found ${jsonType(v)}`);
        return;
      case 'time':
        if (v === -1 || v === 0) return;
        if (typeof v === 'string' && TIME_RE.test(v)) return;
        this.report(typeof v === 'string' ? 'invalid-value' : 'invalid-type', `[${name}] must be a time value with a unit such as "30s", "1m" or "500ms", found ${jsonType(v)}`);
        return;
      case 'geo-point':
        this.geoPoint(v, name);
        return;
      case 'geo-bounds':
        this.geoBounds(v, name);
        return;
      case 'geo-shape':
        if (typeof v === 'string') return;
        if (isObject(v) && typeof v['type'] === 'string') return;
        this.report('invalid-type', `[${name}] must be a GeoJSON object with a "type" or a WKT string, found ${jsonType(v)}`);
        return;
      case 'aggs':
        this.aggs(v);
        return;
      case 'sort':
        this.sort(v, name);
        return;
      case 'source-config':
        if (typeof v === 'boolean' || typeof v === 'string') return;
        if (Array.isArray(v)) {
          this.kind(v, 'strings', name);
          return;
        }
        if (isObject(v)) {
          this.params(v, SOURCE_PARAMS, name, '');
          return;
        }
        this.report('invalid-type', `[${name}] must be true/false, a pattern, a list of patterns or {"includes", "excludes"}, found ${jsonType(v)}`);
        return;
      case 'field-and-format-list':
        if (!Array.isArray(v)) {
          if (typeof v === 'string') return;
          this.report('invalid-type', `[${name}] must be an array of field names or {"field", "format"} objects, found ${jsonType(v)}`);
          return;
        }
        for (let i = 0; i < v.length; i++) {
          const item = v[i];
          this.path.push(i);
          if (typeof item === 'string') this.fieldRef(item, Use.Generic, undefined);
          else if (isObject(item)) this.params(item, FIELD_AND_FORMAT, name, ' item');
          else this.report('invalid-type', `[${name}] items must be field names or {"field", "format"} objects, found ${jsonType(item)}`);
          this.path.pop();
        }
        return;
      case 'highlight':
        this.highlight(v, name);
        return;
      case 'inner-hits':
        if (Array.isArray(v) && name === 'inner_hits') {
          for (let i = 0; i < v.length; i++) {
            this.path.push(i);
            this.value(v[i], INNER_HITS_SPEC, name);
            this.path.pop();
          }
          return;
        }
        this.value(v, INNER_HITS_SPEC, name);
        return;
      case 'rescore':
        if (Array.isArray(v)) {
          for (let i = 0; i < v.length; i++) {
            this.path.push(i);
            this.value(v[i], RESCORE_SPEC, name);
            this.path.pop();
          }
          return;
        }
        this.value(v, RESCORE_SPEC, name);
        return;
      case 'knn': {
        const one = (item: unknown): void => {
          if (!isObject(item)) {
            this.report('invalid-type', `[knn] must be an object or an array of objects, found ${jsonType(item)}`);
            return;
          }
          this.params(item, KNN_SEARCH_PARAMS, 'knn', ' search', KNN_ONE_OF);
          if (typeof item['field'] === 'string') this.fieldRef(item['field'], Use.Query, 'field');
        };
        if (Array.isArray(v)) {
          for (let i = 0; i < v.length; i++) {
            this.path.push(i);
            one(v[i]);
            this.path.pop();
          }
        } else one(v);
        return;
      }
      case 'retriever':
        this.retriever(v);
        return;
      case 'runtime-mappings':
        this.value(v, RUNTIME_MAPPINGS_SPEC, name);
        return;
      case 'bucket-path':
        if (typeof v === 'string') return;
        if (Array.isArray(v)) {
          this.kind(v, 'strings', name);
          return;
        }
        if (isObject(v)) {
          for (const key in v) if (typeof v[key] !== 'string') this.report('invalid-type', `[buckets_path] values must be paths (strings), found ${jsonType(v[key])}`, key);
          return;
        }
        this.report('invalid-type', `[buckets_path] must be a path string, an array of paths or {"var": "path"}, found ${jsonType(v)}`);
        return;
      case 'interval-rule':
        this.intervalRule(v);
        return;
      case 'function-score-functions':
        if (!Array.isArray(v)) {
          this.report('invalid-type', `[functions] must be an array, found ${jsonType(v)}`);
          return;
        }
        for (let i = 0; i < v.length; i++) {
          this.path.push(i);
          this.functionScoreFunction(v[i]);
          this.path.pop();
        }
        return;
      case 'function-score-function':
        this.functionScoreFunction(v);
        return;
      case 'collapse':
        this.value(v, COLLAPSE_SPEC, name);
        if (isObject(v) && typeof v['field'] === 'string') this.fieldRef(v['field'], Use.Aggregation, 'field');
        return;
      case 'suggest':
        if (!isObject(v)) this.report('invalid-type', `[suggest] must be an object, found ${jsonType(v)}`);
        return;
      default:
        throw new Error(`bug: no check for value kind [${kind}]`);
    }
  }

  private fieldList(v: unknown, name: Segment): void {
    const one = (s: unknown, i: number | undefined): void => {
      if (typeof s !== 'string') {
        this.report('invalid-type', `[${name}] must hold field names, found ${jsonType(s)}`, i);
        return;
      }
      const caret = s.indexOf('^');
      const field = caret >= 0 ? s.slice(0, caret) : s;
      if (caret >= 0 && !isNumericString(s.slice(caret + 1))) {
        this.report('invalid-value', `[${s}]: the boost after ^ must be a number, e.g. "title^2"`, i);
      }
      if (this.mapping !== undefined) {
        if (i !== undefined) this.path.push(i);
        const mark = this.problems.length;
        this.fieldRef(field, Use.Query, undefined);
        // Keep the ^boost in a suggested replacement.
        for (let k = mark; k < this.problems.length && caret >= 0; k++) {
          const fix = this.problems[k]!.fix;
          if (fix?.kind === 'replaceValue') fix.replacement += s.slice(caret);
        }
        if (i !== undefined) this.path.pop();
      }
    };
    if (typeof v === 'string') {
      one(v, undefined);
      return;
    }
    if (!Array.isArray(v)) {
      this.report('invalid-type', `[${name}] must be an array of field names, found ${jsonType(v)}`);
      return;
    }
    for (let i = 0; i < v.length; i++) one(v[i], i);
  }

  private spanQuery(v: unknown): void {
    const name = this.query(v);
    if (name !== undefined && !SPAN_QUERY_NAMES.has(name)) {
      this.report('not-span-query', `[${name}] is not a span query; span clauses take span_term, span_near, span_or, … (wrap multi-term queries in span_multi)`, name);
    }
  }

  private intervalRule(v: unknown): void {
    if (!isObject(v)) {
      this.report('invalid-type', `an interval rule must be an object such as {"match": {"query": …}}, found ${jsonType(v)}`);
      return;
    }
    let rule: string | undefined;
    for (const key in v) {
      const spec = INTERVAL_RULES[key];
      if (spec === undefined) {
        const s = suggest(key, Object.keys(INTERVAL_RULES));
        this.report('unknown-param', `unknown interval rule [${key}]${didYouMean(s)}`, key, s === undefined ? undefined : { kind: 'renameKey', replacement: s });
        continue;
      }
      if (rule !== undefined) {
        this.report('conflicting-params', `an interval rule holds one rule, found [${rule}] and [${key}]; combine them with all_of or any_of`, key);
        continue;
      }
      rule = key;
      this.path.push(key);
      this.value(v[key], spec, key);
      this.path.pop();
    }
    if (rule === undefined) this.report('empty-clause', 'empty interval rule {}; use match, prefix, wildcard, regexp, fuzzy, range, all_of or any_of');
  }

  private functionScoreFunction(v: unknown): void {
    if (!isObject(v)) {
      this.report('invalid-type', `a function_score function must be an object, found ${jsonType(v)}`);
      return;
    }
    let fn: string | undefined;
    for (const key in v) {
      if (key === 'filter') {
        this.path.push(key);
        this.query(v[key]);
        this.path.pop();
        continue;
      }
      if (key === 'weight' || key === '_name') {
        this.path.push(key);
        this.kind(v[key], key === 'weight' ? 'number' : 'string', key);
        this.path.pop();
        continue;
      }
      if (FUNCTION_NAMES.has(key)) {
        if (fn !== undefined) {
          this.report('conflicting-params', `a function_score function holds one function, found [${fn}] and [${key}]`, key);
          continue;
        }
        fn = key;
        this.path.push(key);
        this.scoreFunction(key, v[key]);
        this.path.pop();
        continue;
      }
      const s = suggest(key, [...FUNCTION_NAMES, 'filter', 'weight']);
      this.report('unknown-param', `unknown function_score function [${key}]${didYouMean(s)}`, key, s === undefined ? undefined : { kind: 'renameKey', replacement: s });
    }
    if (fn === undefined && v['weight'] === undefined) {
      this.report('missing-param', 'a function_score function needs a function (gauss, exp, linear, field_value_factor, random_score, script_score) or a weight');
    }
  }

  private geoPoint(v: unknown, name: Segment): void {
    if (typeof v === 'string') return; // "lat,lon", geohash or WKT
    if (Array.isArray(v)) {
      if ((v.length === 2 || v.length === 3) && v.every((x) => typeof x === 'number')) return;
      this.report('invalid-value', `[${name}] as an array must be [lon, lat] numbers, found ${JSON.stringify(v).slice(0, 60)}`);
      return;
    }
    if (isObject(v)) {
      if (v['lat'] !== undefined && v['lon'] !== undefined) {
        for (const key in v) if (key !== 'lat' && key !== 'lon' && key !== 'z') this.report('unknown-param', `a geo point has only lat and lon, found [${key}]`, key);
        if (typeof v['lat'] !== 'number' && !(typeof v['lat'] === 'string' && isNumericString(v['lat']))) this.report('invalid-type', '[lat] must be a number', 'lat');
        if (typeof v['lon'] !== 'number' && !(typeof v['lon'] === 'string' && isNumericString(v['lon']))) this.report('invalid-type', '[lon] must be a number', 'lon');
        return;
      }
      if (v['type'] !== undefined && v['coordinates'] !== undefined) return; // GeoJSON point
      this.report('missing-param', `[${name}] as an object needs both lat and lon`);
      return;
    }
    this.report('invalid-type', `[${name}] must be a geo point: {"lat", "lon"}, [lon, lat], "lat,lon" or a geohash, found ${jsonType(v)}`);
  }

  private geoBounds(v: unknown, name: Segment): void {
    if (!isObject(v)) {
      this.report('invalid-type', `[${name}] must be a bounding box: {"top_left", "bottom_right"}, {"top", "left", "bottom", "right"} or {"wkt"}, found ${jsonType(v)}`);
      return;
    }
    for (const key in v) {
      if (!GEO_BOUNDS_KEYS.has(key)) {
        const s = suggest(key, GEO_BOUNDS_KEYS);
        this.report('unknown-param', `a bounding box does not support [${key}]${didYouMean(s)}`, key, s === undefined ? undefined : { kind: 'renameKey', replacement: s });
        continue;
      }
      this.path.push(key);
      if (key === 'wkt') this.kind(v[key], 'string', key);
      else if (key === 'top' || key === 'left' || key === 'bottom' || key === 'right') this.kind(v[key], 'number', key);
      else this.geoPoint(v[key], key);
      this.path.pop();
    }
    const corners = (v['top_left'] !== undefined && v['bottom_right'] !== undefined) || (v['top_right'] !== undefined && v['bottom_left'] !== undefined);
    const sides = v['top'] !== undefined && v['left'] !== undefined && v['bottom'] !== undefined && v['right'] !== undefined;
    if (!corners && !sides && v['wkt'] === undefined) {
      this.report('missing-param', `[${name}] needs top_left + bottom_right, top_right + bottom_left, top + left + bottom + right, or wkt`);
    }
  }

  private sort(v: unknown, name: Segment): void {
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        this.path.push(i);
        this.sortItem(v[i], name);
        this.path.pop();
      }
      return;
    }
    this.sortItem(v, name);
  }

  private sortItem(v: unknown, name: Segment): void {
    if (typeof v === 'string') {
      if (v !== '_score' && v !== '_doc') this.fieldRef(v, Use.Sort, undefined);
      return;
    }
    if (!isObject(v)) {
      this.report('invalid-type', `[${name}] items must be a field name or {"field": "asc"|"desc"|{…}}, found ${jsonType(v)}`);
      return;
    }
    let seen: string | undefined;
    for (const key in v) {
      if (seen !== undefined) {
        this.report('multiple-fields', `a sort object holds one field, found [${seen}] and [${key}]; use an array of sort objects`, key);
        continue;
      }
      seen = key;
      const spec = v[key];
      this.path.push(key);
      if (key === '_geo_distance') {
        this.geoDistanceSort(spec);
      } else if (key === '_script') {
        this.value(spec, SCRIPT_SORT_SPEC, key);
      } else {
        if (typeof spec === 'string') this.value(spec, SORT_ORDER_SPEC, 'order');
        else if (isObject(spec)) this.params(spec, SORT_PARAMS, key, '', undefined, undefined, 'sort on ');
        else this.report('invalid-type', `sort on [${key}] must be "asc", "desc" or an object, found ${jsonType(spec)}`);
      }
      this.path.pop();
      if (key !== '_geo_distance' && key !== '_script' && key !== '_score' && key !== '_doc') {
        const unmappedType = isObject(spec) ? spec['unmapped_type'] : undefined;
        // A sort on a nested field names its nested path(s) in "nested": {"path", "nested": {…}}.
        let nestedPath: string | undefined;
        for (let n = isObject(spec) ? spec['nested'] : undefined; isObject(n); n = n['nested']) {
          if (typeof n['path'] === 'string') nestedPath = n['path'];
        }
        const saved = this.nestedScope;
        this.nestedScope = nestedPath;
        if (unmappedType === undefined || this.mapping?.fields.has(key) === true) this.fieldRef(key, Use.Sort, key);
        this.nestedScope = saved;
      }
    }
  }

  private geoDistanceSort(v: unknown): void {
    if (!isObject(v)) {
      this.report('invalid-type', `[_geo_distance] must be an object, found ${jsonType(v)}`);
      return;
    }
    for (const key in v) {
      const ps = GEO_DISTANCE_SORT_PARAMS[key];
      this.path.push(key);
      if (ps !== undefined) this.value(v[key], ps.value, key);
      else {
        // the field key: one point or an array of points
        const pts = v[key];
        if (Array.isArray(pts) && pts.length > 0 && typeof pts[0] !== 'number') {
          for (let i = 0; i < pts.length; i++) {
            this.path.push(i);
            this.geoPoint(pts[i], key);
            this.path.pop();
          }
        } else this.geoPoint(pts, key);
      }
      this.path.pop();
      if (ps === undefined) this.fieldRef(key, Use.Generic, key);
    }
  }

  private highlight(v: unknown, name: Segment): void {
    if (!isObject(v)) {
      this.report('invalid-type', `[${name}] must be an object, found ${jsonType(v)}`);
      return;
    }
    this.params(v, HIGHLIGHT_PARAMS, 'highlight', '');
    if (v['fields'] !== undefined) {
      this.path.push('fields');
      this.highlightFields(v['fields']);
      this.path.pop();
    }
  }

  /** Called for highlight.fields (a map or an array of one-key maps). */
  highlightFields(v: unknown): void {
    const one = (o: Record<string, unknown>): void => {
      for (const key in o) {
        this.path.push(key);
        const spec = o[key];
        if (!isObject(spec)) this.report('invalid-type', `highlight settings for [${key}] must be an object (use {} for defaults), found ${jsonType(spec)}`);
        else this.params(spec, HIGHLIGHT_FIELD_PARAMS, key, '', undefined, undefined, '[highlight] field ');
        this.path.pop();
      }
    };
    if (isObject(v)) one(v);
    else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        this.path.push(i);
        const o = v[i];
        if (isObject(o)) one(o);
        else this.report('invalid-type', `[fields] items must be {"<field>": {…}}, found ${jsonType(o)}`);
        this.path.pop();
      }
    } else this.report('invalid-type', `[fields] must be an object {"<field>": {…}}, found ${jsonType(v)}`);
  }

  private retriever(v: unknown): void {
    if (!isObject(v)) {
      this.report('invalid-type', `a retriever must be an object such as {"standard": {…}}, found ${jsonType(v)}`);
      return;
    }
    let kind: string | undefined;
    for (const key in v) {
      const spec = RETRIEVERS[key];
      if (spec === undefined) {
        const s = suggest(key, Object.keys(RETRIEVERS));
        this.report('unknown-param', `unknown retriever [${key}]${didYouMean(s)}`, key, s === undefined ? undefined : { kind: 'renameKey', replacement: s });
        continue;
      }
      if (kind !== undefined) {
        this.report('conflicting-params', `a retriever object holds one retriever, found [${kind}] and [${key}]`, key);
        continue;
      }
      kind = key;
      this.path.push(key);
      if (this.tooDeep()) {
        this.path.pop();
        return;
      }
      this.value(v[key], spec, key);
      this.path.pop();
    }
    if (kind === undefined) this.report('empty-clause', 'empty retriever {}; use standard, knn, rrf, linear, text_similarity_reranker, rule, pinned or rescorer');
  }

  // ── aggregations ────────────────────────────────────────────────────────────────────────────
  aggs(v: unknown): void {
    if (!isObject(v)) {
      this.report('invalid-type', `aggregations must be an object {"<name>": {"<type>": {…}}}, found ${jsonType(v)}`);
      return;
    }
    if (this.tooDeep()) return;
    for (const name in v) {
      this.path.push(name);
      if (name === '' || AGG_NAME_BAD.test(name)) {
        this.path.pop();
        this.report('invalid-aggregation-name', `invalid aggregation name [${name}]: names may contain any character except '[', ']' and '>'`, name);
        this.path.push(name);
      }
      this.aggregation(name, v[name]);
      this.path.pop();
    }
  }

  private aggregation(aggName: string, v: unknown): void {
    if (!isObject(v)) {
      this.report('invalid-type', `aggregation [${aggName}] must be an object {"<type>": {…}}, found ${jsonType(v)}`);
      return;
    }
    let type: string | undefined;
    let spec: AggregationSpec | undefined;
    let table: CompiledTable | undefined;
    let subKey: string | undefined;
    for (const key in v) {
      if (key === 'aggs' || key === 'aggregations') {
        if (subKey !== undefined) this.report('conflicting-params', `aggregation [${aggName}] has both [aggs] and [aggregations]; use one`, key);
        subKey = key;
        continue;
      }
      if (key === 'meta') {
        if (!isObject(v[key])) this.report('invalid-type', `[meta] must be an object, found ${jsonType(v[key])}`, key);
        continue;
      }
      const s = AGGREGATION_MAP.get(key);
      if (s === undefined) {
        const sg = suggest(key, Object.keys(AGGREGATION_SPECS));
        this.report('unknown-aggregation', `unknown aggregation type [${key}] in [${aggName}]${didYouMean(sg)}`, key, sg === undefined ? undefined : { kind: 'renameKey', replacement: sg });
        type = type ?? key;
        continue;
      }
      if (type !== undefined) {
        this.report('multiple-aggregation-types', `aggregation [${aggName}] has two types, [${type}] and [${key}]; define a second aggregation`, key);
        continue;
      }
      type = key;
      spec = s.spec;
      table = s.table;
    }
    if (type === undefined) {
      this.report('missing-aggregation-type', `aggregation [${aggName}] has no type; add one such as {"terms": {"field": …}}`);
      return;
    }
    const saved = this.nestedScope;
    if (spec !== undefined) {
      if (spec.deprecated !== undefined) this.report(spec.deprecated.includes('removed') ? 'removed-feature' : 'deprecated', `[${type}] aggregation: ${spec.deprecated}`, type);
      if (spec.since !== undefined) this.checkSince(type, spec.since, type);
      this.path.push(type);
      this.aggregationBody(type, spec, table!, v[type]);
      this.path.pop();
    }
    if (subKey !== undefined) {
      if (spec !== undefined && !spec.subAggregations) {
        this.report('sub-aggregations-not-allowed', `[${type}] is a ${spec.category} aggregation and cannot hold sub-aggregations; move them to a bucket aggregation`, subKey);
      } else {
        this.path.push(subKey);
        this.aggs(v[subKey]);
        this.path.pop();
      }
    }
    this.nestedScope = saved;
  }

  private aggregationBody(type: string, spec: AggregationSpec, table: CompiledTable, body: unknown): void {
    if (type === 'filter') {
      this.query(body);
      return;
    }
    if (!isObject(body)) {
      this.report('invalid-type', `[${type}] aggregation expects an object, found ${jsonType(body)}`);
      return;
    }
    let empty = true;
    for (const _ in body) {
      empty = false;
      break;
    }
    if (empty && spec.allowEmpty !== true && (table.required.length > 0 || spec.requireOneOf !== undefined)) {
      this.paramsOf(body, table, type, ' aggregation', spec.requireOneOf);
      return;
    }
    this.fieldChecksSuspended = type === 'bucket_sort';
    this.paramsOf(body, table, type, ' aggregation', spec.requireOneOf, spec.open);
    this.fieldChecksSuspended = false;
    if (spec.exclusive !== undefined) {
      let present = 0;
      for (const k of spec.exclusive) if (body[k] !== undefined) present++;
      const set = present > 1 ? spec.exclusive.filter((k) => body[k] !== undefined) : undefined;
      if (set !== undefined) this.report('conflicting-params', `[${type}] aggregation takes only one of [${spec.exclusive.join(', ')}], found ${set.map((s) => `[${s}]`).join(' and ')}`, set[1]);
    }
    switch (type) {
      case 'nested': {
        const path = body['path'];
        if (typeof path === 'string') {
          this.fieldRef(path, Use.NestedPath, 'path');
          this.nestedScope = path;
        }
        return;
      }
      case 'reverse_nested': {
        const path = body['path'];
        if (typeof path === 'string') this.fieldRef(path, Use.NestedPath, 'path');
        this.nestedScope = typeof path === 'string' ? path : undefined;
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
            this.path.push(slot);
            if (Array.isArray(v)) this.path.push(i);
            this.fieldRef(item['field'], Use.Aggregation, 'field');
            if (Array.isArray(v)) this.path.pop();
            this.path.pop();
          }
        }
        return;
      case 'date_histogram':
        if (body['interval'] !== undefined) this.report('removed-feature', '[date_histogram] [interval] was removed in 8.0; use calendar_interval (1d, 1M, …) or fixed_interval (30s, 90m, …)', 'interval');
        break;
      case 'composite':
        this.compositeSources(body['sources']);
        return;
      case 'multi_terms': {
        const terms = body['terms'];
        if (Array.isArray(terms)) {
          for (let i = 0; i < terms.length; i++) {
            const t = terms[i];
            if (isObject(t) && typeof t['field'] === 'string') {
              this.path.push('terms', i);
              this.fieldRef(t['field'], Use.Aggregation, 'field');
              this.path.pop();
              this.path.pop();
            }
          }
        }
        return;
      }
      default:
        break;
    }
    if (spec.fieldParam !== undefined && this.mapping !== undefined) {
      const f = body[spec.fieldParam];
      if (typeof f === 'string') {
        const mf = this.fieldRef(f, Use.Aggregation, spec.fieldParam);
        if (mf !== undefined && spec.fieldTypes !== undefined && !fieldTypeFits(spec.fieldTypes, mf.type)) {
          this.report('field-type-mismatch', `[${type}] aggregation needs a ${FIELD_TYPE_WORDS[spec.fieldTypes]} field, but [${f}] is ${mf.type}`, spec.fieldParam);
        }
      }
    }
  }

  private compositeSources(sources: unknown): void {
    if (!Array.isArray(sources)) return; // type already reported by params()
    this.path.push('sources');
    for (let i = 0; i < sources.length; i++) {
      this.path.push(i);
      const src = sources[i];
      if (!isObject(src)) {
        this.report('invalid-type', `composite sources must be {"<name>": {"terms"|"histogram"|"date_histogram"|"geotile_grid": {…}}}, found ${jsonType(src)}`);
        this.path.pop();
        continue;
      }
      for (const name in src) {
        this.path.push(name);
        const def = src[name];
        if (!isObject(def)) this.report('invalid-type', `composite source [${name}] must be an object, found ${jsonType(def)}`);
        else {
          let kind: string | undefined;
          for (const k in def) {
            const spec = COMPOSITE_SOURCES[k];
            if (spec === undefined) {
              const s = suggest(k, Object.keys(COMPOSITE_SOURCES));
              this.report('unknown-aggregation', `composite source type [${k}] is not supported (terms, histogram, date_histogram, geotile_grid)${didYouMean(s)}`, k, s === undefined ? undefined : { kind: 'renameKey', replacement: s });
              continue;
            }
            if (kind !== undefined) {
              this.report('multiple-aggregation-types', `composite source [${name}] has two types, [${kind}] and [${k}]`, k);
              continue;
            }
            kind = k;
            this.path.push(k);
            this.value(def[k], spec, k);
            const inner = def[k];
            if (isObject(inner) && typeof inner['field'] === 'string') this.fieldRef(inner['field'], Use.Aggregation, 'field');
            this.path.pop();
          }
          if (kind === undefined) this.report('missing-aggregation-type', `composite source [${name}] has no type; use terms, histogram, date_histogram or geotile_grid`);
        }
        this.path.pop();
      }
      this.path.pop();
    }
    this.path.pop();
  }
}

const FIELD_TYPE_WORDS: Record<NonNullable<AggregationSpec['fieldTypes']>, string> = {
  numeric: 'numeric', 'numeric-or-date': 'numeric or date', date: 'date', geo: 'geo_point or geo_shape', any: 'any', 'keyword-like': 'keyword, numeric, ip, boolean or date',
};

function fieldTypeFits(want: NonNullable<AggregationSpec['fieldTypes']>, type: string): boolean {
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

/** Cheap pre-check of which oneOf alternative a value could be. */
function shapeMatches(v: unknown, spec: ValueSpec): boolean {
  if (typeof spec === 'string') {
    switch (spec) {
      case 'string': return typeof v === 'string';
      case 'number': case 'integer': return typeof v === 'number' || (typeof v === 'string' && isNumericString(v));
      case 'boolean': return typeof v === 'boolean' || v === 'true' || v === 'false';
      case 'strings': case 'numbers': return Array.isArray(v);
      case 'query': case 'object': return isObject(v);
      default: return true;
    }
  }
  if ('enum' in spec) return typeof v === 'string';
  if ('object' in spec || 'map' in spec) return isObject(v);
  if ('array' in spec) return Array.isArray(v);
  return true;
}

function describeSpec(spec: ValueSpec): string {
  if (typeof spec === 'string') return spec === 'strings' ? 'an array of strings' : spec === 'numbers' ? 'an array of numbers' : `a ${spec}`;
  if ('enum' in spec) return `one of [${spec.enum.join(', ')}]`;
  if ('object' in spec || 'map' in spec) return 'an object';
  if ('array' in spec) return 'an array';
  return spec.oneOf.map(describeSpec).join(' or ');
}

const INLINE_FUNCTIONS = ['exp', 'gauss', 'linear', 'field_value_factor', 'random_score', 'script_score'] as const;
const FUNCTION_NAMES = new Set<string>(INLINE_FUNCTIONS);
const FIELD_SLOTS = ['value', 'weight', 'a', 'b', 'point', 'sort', 'metrics'] as const;
const SCRIPT_ONE_OF = ['source', 'id'] as const;
const KNN_ONE_OF = ['query_vector', 'query_vector_builder'] as const;
const MULTI_VALUE_MODE_SPEC: ValueSpec = { enum: ['min', 'max', 'avg', 'sum'], caseInsensitive: true };
// Built once here rather than as literals on each call.
const INNER_HITS_SPEC: ValueSpec = { object: INNER_HITS_PARAMS };
const RESCORE_SPEC: ValueSpec = { object: RESCORE_PARAMS };
const COLLAPSE_SPEC: ValueSpec = { object: COLLAPSE_PARAMS };
const RUNTIME_MAPPINGS_SPEC: ValueSpec = { map: { object: RUNTIME_FIELD_PARAMS, required: ['type'] } };
const GEO_BOUNDS_KEYS = new Set(['top_left', 'bottom_right', 'top_right', 'bottom_left', 'top', 'left', 'bottom', 'right', 'wkt']);
const SORT_ORDER_SPEC: ValueSpec = { enum: ['asc', 'desc'], caseInsensitive: true };
const DECAY_PLACEMENT: ValueSpec = {
  object: {
    origin: { value: 'any', doc: 'Origin: a number, date or geo point.' },
    scale: { value: 'any', doc: 'Distance from origin + offset at which the score is `decay`.' },
    offset: { value: 'any', doc: 'Distance within which the score is 1.' },
    decay: { value: 'number', doc: 'Score at `scale` (default 0.5).' },
  },
  required: ['scale'],
};
const FIELD_AND_FORMAT: ParamTable = {
  field: { value: 'field', doc: 'Field name or pattern.', required: true },
  format: { value: 'string', doc: 'Date or numeric format.' },
  include_unmapped: { value: 'boolean', doc: 'Include unmapped fields matching the pattern.' },
};
const SCRIPT_SORT_PARAMS: ParamTable = {
  type: { value: { enum: ['number', 'string', 'version'], caseInsensitive: true }, doc: 'Type of the script values.', required: true },
  script: { value: 'script', doc: 'Script computing the sort value.', required: true },
  order: { value: SORT_ORDER_SPEC, doc: 'asc or desc.' },
  mode: { value: { enum: ['min', 'max', 'sum', 'avg', 'median'], caseInsensitive: true }, doc: 'Multi-value mode.' },
  nested: { value: 'object', doc: 'Nested sort settings.' },
};
const SCRIPT_SORT_SPEC: ValueSpec = { object: SCRIPT_SORT_PARAMS, required: ['type', 'script'] };
const GEO_DISTANCE_SORT_PARAMS: ParamTable = {
  order: { value: SORT_ORDER_SPEC, doc: 'asc or desc.' },
  unit: { value: 'string', doc: 'Distance unit (default m).' },
  mode: { value: { enum: ['min', 'max', 'median', 'avg'], caseInsensitive: true }, doc: 'Multi-value mode.' },
  distance_type: { value: { enum: ['arc', 'plane'], caseInsensitive: true }, doc: 'arc or plane.' },
  ignore_unmapped: { value: 'boolean', doc: 'Treat an unmapped field as missing.' },
  validation_method: { value: { enum: ['coerce', 'ignore_malformed', 'strict'], caseInsensitive: true }, doc: 'Validation method.' },
  nested: { value: 'object', doc: 'Nested sort settings.' },
};


const NO_PREFIX: readonly Segment[] = [];
// Never pushed to: release() parks it, reset() replaces it before any report.
const NO_PROBLEMS: DslProblem[] = [];
let shared: Walker | undefined;
/** The reused Walker, reset for a new validation (the walk is synchronous and never re-entered). */
function walker(options: ValidateOptions | undefined, prefix: readonly Segment[]): Walker {
  const w = (shared ??= new Walker());
  w.reset(options, prefix);
  return w;
}
/** Hands the problems over and drops references to the caller's data. */
function finish(w: Walker): DslProblem[] {
  const problems = w.problems;
  w.release();
  return problems;
}

/** Validates a parsed search request body. */
export function validateBody(body: unknown, options?: ValidateOptions): DslProblem[] {
  const w = walker(options, NO_PREFIX);
  w.body(body);
  return finish(w);
}

/** Validates a bare query (the value of `query`). */
export function validateQuery(query: unknown, options?: ValidateOptions): DslProblem[] {
  const w = walker(options, NO_PREFIX);
  w.query(query);
  return finish(w);
}

/** Internal: validates a body whose pointers are prefixed (dataset lines use ['dsl']). */
export function validateBodyAt(body: unknown, prefix: readonly Segment[], options?: ValidateOptions): DslProblem[] {
  const w = walker(options, prefix);
  w.body(body);
  return finish(w);
}
