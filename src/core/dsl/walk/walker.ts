// The walk's state: one path stack, the problems found so far, the options, and the scopes that
// change how a field is judged (nested scope, runtime fields, aggregation parents). Every check
// module (queries, aggregations, search options, values, mapping rules, cross-key rules) takes a
// Walker as its first argument and reports through it.
//
// Performance: the path is one stack and a JSON pointer string is built only when a problem is
// reported; did-you-mean suggestions (edit distance) run only then too.
import { DIAGNOSTIC_CODES } from '../codes';
import { isTextType, lookupField } from '../mapping';
import { didYouMean, suggest } from '../suggest';
import type { AggregationSpec } from '../spec-types';
import type { DslProblem, IndexMapping, MappedField, Severity, ValidateOptions } from '../types';
import { escapePointerSegment, type Segment } from './json';

/** Elasticsearch's default `indices.query.bool.max_nested_depth`. */
export const MAX_QUERY_DEPTH = 30;
/** Deepest JSON structure the validator descends into. */
export const MAX_JSON_DEPTH = 400;

/** Problems whose pointer names an object key rather than a value (used to place ranges). */
export const KEY_TARGETED = new WeakSet<DslProblem>();

/** How a field is used, for mapping checks. */
export const enum Use { Generic, Query, Aggregation, Sort, NestedPath }

/** One aggregation on the way down, for placement and buckets_path rules. */
export interface AggregationFrame {
  readonly name: string;
  readonly type: string;
  /** undefined for an unknown type (already reported). */
  readonly spec: AggregationSpec | undefined;
  /** The aggregation's own params object, when it is an object. */
  readonly params: Record<string, unknown> | undefined;
  /** Its sub-aggregations map, when it has one. */
  readonly subAggregations: Record<string, unknown> | undefined;
}

function parseVersion(v: string | undefined): number[] | undefined {
  if (v === undefined) return undefined;
  const m = /^(\d+)(?:\.(\d+))?/.exec(v.trim());
  return m ? [Number(m[1]), Number(m[2] ?? 99)] : undefined;
}

function versionBefore(have: number[], since: string): boolean {
  const need = parseVersion(since)!;
  return have[0]! < need[0]! || (have[0] === need[0] && have[1]! < need[1]!);
}

// Never pushed to: the walk starts with it and report() swaps in a real array at the first problem,
// so a clean body (the common case) allocates none. Callers get it back read-only. Frozen, so a
// push that skipped report() fails loudly instead of leaking a problem into every later body.
export const NO_PROBLEMS = Object.freeze([]) as unknown as DslProblem[];

export class Walker {
  // One Walker is reused for every validation (see validator.ts); reset() clears the state.
  problems: DslProblem[] = [];
  readonly path: Segment[] = [];
  queryDepth = 0;
  /** Inside a query parsed with ObjectParser (QuerySpec.strictText): text params want JSON strings. */
  strictText = false;
  depthReported = false;
  nestedScope: string | undefined;
  runtimeFields: Set<string> | undefined;
  /** bucket_sort sorts by metric names, not fields: no mapping checks inside it. */
  fieldChecksSuspended = false;
  mapping: IndexMapping | undefined;
  version: number[] | undefined;
  private versionSource: string | undefined;
  unmappedSeverity: Severity | 'off' = 'warning';
  /** Enclosing aggregations, outermost first (placement and buckets_path rules read it). */
  readonly aggregations: AggregationFrame[] = [];
  // Frames are reused from body to body: a dataset walk would otherwise allocate one per bucket aggregation.
  private readonly framePool: { -readonly [K in keyof AggregationFrame]: AggregationFrame[K] }[] = [];
  /** The search body being walked (undefined for a bare query): rules read its size, sort, pit. */
  body: Record<string, unknown> | undefined;

  reset(options: ValidateOptions | undefined, pointerPrefix: readonly Segment[]): void {
    this.problems = NO_PROBLEMS;
    // pop(), not `length = 0`: the length setter is a slow runtime call; the path is short here.
    while (this.path.length > 0) this.path.pop();
    for (let i = 0; i < pointerPrefix.length; i++) this.path.push(pointerPrefix[i]!);
    while (this.aggregations.length > 0) this.aggregations.pop();
    this.queryDepth = 0;
    this.strictText = false;
    this.depthReported = false;
    this.nestedScope = undefined;
    this.runtimeFields = undefined;
    this.body = undefined;
    this.fieldChecksSuspended = false;
    const mapping = options?.mapping;
    this.mapping = mapping?.noFields === true ? undefined : mapping;
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
    this.body = undefined;
    while (this.aggregations.length > 0) this.aggregations.pop();
  }

  pushAggregation(name: string, type: string, spec: AggregationSpec | undefined, params: Record<string, unknown> | undefined, subAggregations: Record<string, unknown> | undefined): void {
    const depth = this.aggregations.length;
    let frame = this.framePool[depth];
    if (frame === undefined) {
      frame = { name, type, spec, params, subAggregations };
      this.framePool.push(frame);
    } else {
      frame.name = name;
      frame.type = type;
      frame.spec = spec;
      frame.params = params;
      frame.subAggregations = subAggregations;
    }
    this.aggregations.push(frame);
  }

  popAggregation(): void {
    const frame = this.framePool[this.aggregations.length - 1]!;
    frame.params = frame.subAggregations = undefined; // keep no reference to the caller's body
    this.aggregations.pop();
  }

  // ── reporting ───────────────────────────────────────────────────────────────────────────────
  pointer(extra?: Segment): string {
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
    if (this.problems === NO_PROBLEMS) this.problems = [];
    this.problems.push(problem);
  }

  /** Reports at `segments` below the current path (for rules that point into a value they read). */
  reportAt(segments: readonly Segment[], code: string, message: string): void {
    for (const s of segments) this.path.push(s);
    this.report(code, message);
    for (let i = 0; i < segments.length; i++) this.path.pop();
  }

  /** Reports on the key `key` of the object at `segments` below the current path. */
  reportKeyAt(segments: readonly Segment[], key: Segment, code: string, message: string): void {
    for (const s of segments) this.path.push(s);
    this.report(code, message, key);
    for (let i = 0; i < segments.length; i++) this.path.pop();
  }

  tooDeep(): boolean {
    if (this.path.length <= MAX_JSON_DEPTH) return false;
    if (!this.depthReported) {
      this.depthReported = true;
      this.report('max-depth', `the body is nested more than ${MAX_JSON_DEPTH} levels deep; Elasticsearch rejects such documents — flatten it`);
    }
    return true;
  }

  checkSince(name: string, since: string, key: Segment | undefined): void {
    if (this.version !== undefined && versionBefore(this.version, since)) {
      this.report('version-unsupported', `[${name}] needs Elasticsearch ${since} or later (configured version ${this.version[0]}.${this.version[1]})`, key);
    }
  }

  // ── fields ──────────────────────────────────────────────────────────────────────────────────
  /** The mapped field, without reporting anything (cross-key rules read types through this). */
  mappedField(name: string): MappedField | undefined {
    if (this.mapping === undefined || name.includes('*') || this.runtimeFields?.has(name) === true) return undefined;
    return lookupField(this.mapping, name);
  }

  keywordSibling(field: string): string | undefined {
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
}
