// Filtering, searching and sorting records for the panel's list (and anything else that lists
// records). Derived facts (query type, aggregations, search text, validity) are cached per record
// object: the store replaces a record's object when it changes, so edits invalidate exactly the
// records they touch.
//
//   const index = new RecordIndex({ validateOptions: { mapping } });
//   const rows = filterRecords(store.records(), { status: 'generated', validity: 'error', text: 'range', sort: { key: 'updatedAt', descending: true } }, index);
//   // rows: positions into the records array, in display order
//   const counts = facetCounts(store.records(), index);  // per status / validity / query type / split
import type { ValidateOptions } from '../dsl';
import { aggregationTypesOf, queryTypeOf, validityOf, type Validator, type Validity, type ValidityResult } from './dsl';
import type { DatasetRecord, RecordStatus, Split } from './record';

export interface RecordFacts {
  queryType: string;
  aggregations: string[];
  /** Lower-cased question, rationale and compact DSL, for text search. */
  searchText: string;
}

export class RecordIndex {
  private facts_ = new WeakMap<DatasetRecord, RecordFacts>();
  private validity_ = new WeakMap<DatasetRecord, ValidityResult>();
  private validate: Validator | undefined;
  private validateOptions: ValidateOptions | undefined;

  constructor(opts: { validate?: Validator; validateOptions?: ValidateOptions } = {}) {
    this.validate = opts.validate;
    this.validateOptions = opts.validateOptions;
  }

  /** New mapping or ES version: validity is recomputed on next use. */
  setValidateOptions(opts: ValidateOptions | undefined): void {
    this.validateOptions = opts;
    this.validity_ = new WeakMap();
  }

  facts(r: DatasetRecord): RecordFacts {
    let f = this.facts_.get(r);
    if (!f) {
      const dsl = r.dsl ?? null;
      f = {
        queryType: queryTypeOf(dsl),
        aggregations: aggregationTypesOf(dsl),
        searchText: `${r.id}\n${r.question}\n${r.rationale ?? ''}\n${dsl ? JSON.stringify(dsl) : ''}`.toLowerCase(),
      };
      this.facts_.set(r, f);
    }
    return f;
  }

  validity(r: DatasetRecord): ValidityResult {
    let v = this.validity_.get(r);
    if (!v) {
      v = validityOf(r.dsl ?? null, this.validate, this.validateOptions);
      this.validity_.set(r, v);
    }
    return v;
  }
}

export type SortKey = 'file' | 'id' | 'question' | 'status' | 'split' | 'queryType' | 'validity' | 'updatedAt';

type OneOrMany<T> = T | readonly T[];

export interface RecordFilter {
  status?: OneOrMany<RecordStatus>;
  validity?: OneOrMany<Validity>;
  queryType?: OneOrMany<string>;
  /** 'none' matches records without a split. */
  split?: OneOrMany<Split | 'none'>;
  /** Case-insensitive; every whitespace-separated word must occur in the id, question, rationale or DSL. */
  text?: string;
  sort?: { key: SortKey; descending?: boolean };
}

function asSet<T>(v: OneOrMany<T> | undefined): Set<T> | null {
  if (v === undefined) return null;
  const arr = (Array.isArray(v) ? v : [v]) as T[];
  return arr.length ? new Set(arr) : null;
}

const VALIDITY_ORDER: Record<Validity, number> = { error: 0, warning: 1, none: 2, clean: 3 };
const STATUS_ORDER: Record<RecordStatus, number> = { needs_fix: 0, generated: 1, pending: 2, accepted: 3, rejected: 4 };

/** Positions (into `records`) of the records that match, in display order. */
export function filterRecords(records: readonly DatasetRecord[], filter: RecordFilter, index: RecordIndex): number[] {
  const status = asSet(filter.status);
  const validity = asSet(filter.validity);
  const queryType = asSet(filter.queryType);
  const split = asSet(filter.split);
  const words = (filter.text ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  const out: number[] = [];
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    if (status && !status.has(r.status)) continue;
    if (split && !split.has(r.split ?? 'none')) continue;
    if (queryType || words.length) {
      const f = index.facts(r);
      if (queryType && !queryType.has(f.queryType)) continue;
      if (words.length && !words.every((w) => f.searchText.includes(w))) continue;
    }
    if (validity && !validity.has(index.validity(r).validity)) continue;
    out.push(i);
  }
  const sort = filter.sort;
  if (sort && sort.key !== 'file') {
    const key = sortKey(sort.key, records, index);
    const dir = sort.descending ? -1 : 1;
    // Keys are computed once per record, not once per comparison.
    const keys = new Array<string | number>(records.length);
    for (const i of out) keys[i] = key(i);
    // Ties keep file order, so the list does not jump around between renders.
    out.sort((a, b) => {
      const ka = keys[a]!;
      const kb = keys[b]!;
      return (ka < kb ? -1 : ka > kb ? 1 : 0) * dir || a - b;
    });
  } else if (sort?.descending) out.reverse();
  return out;
}

function sortKey(key: SortKey, records: readonly DatasetRecord[], index: RecordIndex): (i: number) => string | number {
  switch (key) {
    case 'id':
      return (i) => records[i]!.id;
    case 'question':
      return (i) => records[i]!.question.toLowerCase();
    case 'status':
      return (i) => STATUS_ORDER[records[i]!.status];
    case 'split':
      return (i) => records[i]!.split ?? '~';
    case 'queryType':
      return (i) => index.facts(records[i]!).queryType;
    case 'validity':
      return (i) => VALIDITY_ORDER[index.validity(records[i]!).validity];
    case 'updatedAt':
      return (i) => records[i]!.updatedAt ?? '';
    default:
      return (i) => i;
  }
}

export interface FacetCounts {
  total: number;
  status: Record<string, number>;
  validity: Record<string, number>;
  queryType: Record<string, number>;
  split: Record<string, number>;
}

/** Counts per facet value over `positions` (default: all records), for the filter chips. */
export function facetCounts(records: readonly DatasetRecord[], index: RecordIndex, positions?: readonly number[], opts: { validity?: boolean } = {}): FacetCounts {
  const c: FacetCounts = { total: 0, status: {}, validity: {}, queryType: {}, split: {} };
  const bump = (m: Record<string, number>, k: string) => (m[k] = (m[k] ?? 0) + 1);
  const visit = (r: DatasetRecord) => {
    c.total++;
    bump(c.status, r.status);
    bump(c.split, r.split ?? 'none');
    bump(c.queryType, index.facts(r).queryType);
    if (opts.validity !== false) bump(c.validity, index.validity(r).validity);
  };
  if (positions) for (const i of positions) visit(records[i]!);
  else for (const r of records) visit(r);
  return c;
}
