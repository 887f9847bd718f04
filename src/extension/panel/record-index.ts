// The panel's in-memory index over a dataset: one small entry per record with what the list,
// filters and sort need (codes, not strings), so a filter over 100,000 records is one tight loop.
// Pure TypeScript, no `vscode`: tests and the benchmark run it under Node.
import type { DatasetRecord } from '../../core/dataset/record';
import {
  REVIEW_STATUSES,
  SPLIT_FILTERS,
  VALIDITIES,
  type Counts,
  type Filter,
  type ReviewStatus,
  type Row,
  type Sort,
  type Validity,
} from '../../shared/webview-protocol';

export interface Entry {
  id: string;
  record: DatasetRecord;
  status: ReviewStatus;
  validity: Validity;
  queryType: string | null;
  /** The DSL as stored, serialised (undefined until needed): text search, and a reload keeps the validity of unchanged records. */
  dslJson: string | null | undefined;
  /** Lower-cased question + rationale + DSL, built on first text search. */
  haystack: string | null;
}

/** What the index needs from the Query DSL engine. */
export interface Classifier {
  /** Worst severity of the body's problems. */
  validity(body: Record<string, unknown>): 'error' | 'warning' | 'clean';
  topQueryType(body: Record<string, unknown>): string | null;
}

const STATUS_ORDER: Record<ReviewStatus, number> = { needs_fix: 0, pending: 1, generated: 2, accepted: 3, rejected: 4 };
const VALIDITY_ORDER: Record<Validity, number> = { error: 0, warning: 1, unchecked: 2, missing: 3, clean: 4 };

/**
 * A new entry. On first load nothing is computed beyond the record's own fields, so the list can
 * paint at once; validity and query type come from the background pass (`classify`). A previous
 * entry for the same id passes on its results when the DSL did not change.
 */
export function makeEntry(record: DatasetRecord, previous?: Entry): Entry {
  const dsl = record.dsl ?? null;
  const entry: Entry = { id: record.id, record, status: record.status, validity: dsl === null ? 'missing' : 'unchecked', queryType: null, dslJson: undefined, haystack: null };
  if (previous && dsl !== null) {
    entry.dslJson = JSON.stringify(dsl);
    if (dslJsonOf(previous) === entry.dslJson) {
      entry.validity = previous.validity;
      entry.queryType = previous.queryType;
    }
  }
  return entry;
}

export function dslJsonOf(entry: Entry): string | null {
  if (entry.dslJson === undefined) entry.dslJson = entry.record.dsl ? JSON.stringify(entry.record.dsl) : null;
  return entry.dslJson;
}

function safeTopType(classifier: Classifier, dsl: Record<string, unknown>): string | null {
  try {
    return classifier.topQueryType(dsl);
  } catch {
    return null;
  }
}

/** Validity and top-level query type of one entry (the background pass, or right after an edit). */
export function classify(entry: Entry, classifier: Classifier): void {
  const dsl = entry.record.dsl;
  if (!dsl) {
    entry.validity = 'missing';
    entry.queryType = null;
    return;
  }
  entry.queryType = safeTopType(classifier, dsl);
  try {
    entry.validity = classifier.validity(dsl);
  } catch {
    // A validator crash on one body must not stop the panel; show it as an error to look at.
    entry.validity = 'error';
  }
}

/** Builds what text search looks through (done in the background after validation). */
export function haystackOf(entry: Entry): string {
  if (entry.haystack === null) {
    const r = entry.record;
    entry.haystack = `${r.question}\n${r.rationale ?? ''}\n${dslJsonOf(entry) ?? ''}`.toLowerCase();
  }
  return entry.haystack;
}

const splitKey = (e: Entry): string => e.record.split ?? 'none';

/**
 * Evaluates a filter and sort over the entries, with facet counts, in a single pass plus a sort.
 * `ordered`, when given, is the entries already sorted by `sort.key` ascending (a cached order):
 * then no sort runs at all.
 */
export function evaluateView(entries: readonly Entry[], filter: Filter, sort: Sort, ordered?: readonly Entry[]): { view: Entry[]; counts: Counts } {
  const status = filter.status.length ? new Set<string>(filter.status) : null;
  const validity = filter.validity.length ? new Set<string>(filter.validity) : null;
  const queryType = filter.queryType.length ? new Set<string>(filter.queryType) : null;
  const split = filter.split.length ? new Set<string>(filter.split) : null;
  const needle = filter.text.trim().toLowerCase();

  const counts: Counts = {
    total: entries.length,
    matching: 0,
    status: Object.fromEntries(REVIEW_STATUSES.map((s) => [s, 0])),
    validity: Object.fromEntries(VALIDITIES.map((v) => [v, 0])),
    queryType: {},
    split: Object.fromEntries(SPLIT_FILTERS.map((s) => [s, 0])),
  };
  const view: Entry[] = [];
  const source = sort.key !== 'file' && ordered ? ordered : entries;
  for (const e of source) {
    // Text is not a facet: a record that fails it counts nowhere.
    if (needle && !haystackOf(e).includes(needle)) continue;
    const qt = e.queryType ?? '(none)';
    const sp = splitKey(e);
    const okStatus = !status || status.has(e.status);
    const okValidity = !validity || validity.has(e.validity);
    const okType = !queryType || queryType.has(qt);
    const okSplit = !split || split.has(sp);
    const failures = (okStatus ? 0 : 1) + (okValidity ? 0 : 1) + (okType ? 0 : 1) + (okSplit ? 0 : 1);
    if (failures > 1) continue;
    // Each facet counts the records that pass every other facet.
    if (okValidity && okType && okSplit) counts.status[e.status] = (counts.status[e.status] ?? 0) + 1;
    if (okStatus && okType && okSplit) counts.validity[e.validity] = (counts.validity[e.validity] ?? 0) + 1;
    if (okStatus && okValidity && okSplit) counts.queryType[qt] = (counts.queryType[qt] ?? 0) + 1;
    if (okStatus && okValidity && okType) counts.split[sp] = (counts.split[sp] ?? 0) + 1;
    if (failures === 0) view.push(e);
  }
  counts.matching = view.length;
  if (source === entries) sortView(view, sort);
  else if (sort.descending) reverseStable(view, sort.key);
  return { view, counts };
}

/** Descending order that keeps ties in file order, like the stable sort does. */
function reverseStable(view: Entry[], key: Sort['key']): void {
  const keyOf = sortKeyOf(key);
  view.reverse();
  // Runs of equal keys came out reversed; put each run back in file order.
  for (let i = 0; i < view.length; ) {
    let j = i + 1;
    while (j < view.length && keyOf(view[j]!) === keyOf(view[i]!)) j++;
    if (j - i > 1) {
      const run = view.slice(i, j).reverse();
      for (let k = 0; k < run.length; k++) view[i + k] = run[k]!;
    }
    i = j;
  }
}

function sortKeyOf(key: Sort['key']): (e: Entry) => string | number {
  switch (key) {
    case 'status':
      return (e) => STATUS_ORDER[e.status];
    case 'validity':
      return (e) => VALIDITY_ORDER[e.validity];
    case 'queryType':
      return (e) => e.queryType ?? '\uffff';
    case 'question':
      return (e) => e.record.question;
    case 'updated':
      return (e) => e.record.updatedAt ?? '';
    case 'file':
      return () => 0;
  }
}

/** Entries sorted ascending by `key` (stable: ties in file order). */
export function sortedEntries(entries: readonly Entry[], key: Sort['key']): Entry[] {
  const view = [...entries];
  sortView(view, { key, descending: false });
  return view;
}

function sortView(view: Entry[], sort: Sort): void {
  if (sort.key === 'file') {
    if (sort.descending) view.reverse();
    return;
  }
  // Array.prototype.sort is stable, so ties keep file order.
  const dir = sort.descending ? -1 : 1;
  let cmp: (a: Entry, b: Entry) => number;
  switch (sort.key) {
    case 'status':
      cmp = (a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status];
      break;
    case 'validity':
      cmp = (a, b) => VALIDITY_ORDER[a.validity] - VALIDITY_ORDER[b.validity];
      break;
    case 'queryType':
      cmp = (a, b) => compareText(a.queryType ?? '\uffff', b.queryType ?? '\uffff');
      break;
    case 'question':
      cmp = (a, b) => compareText(a.record.question, b.record.question);
      break;
    case 'updated':
      cmp = (a, b) => compareText(a.record.updatedAt ?? '', b.record.updatedAt ?? '');
      break;
  }
  view.sort((a, b) => dir * cmp(a, b));
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const ROW_QUESTION_CHARS = 300;

export function toRow(e: Entry): Row {
  const q = e.record.question.replace(/\s+/g, ' ');
  return {
    id: e.id,
    status: e.status,
    validity: e.validity,
    queryType: e.queryType,
    split: e.record.split ?? null,
    question: q.length > ROW_QUESTION_CHARS ? `${q.slice(0, ROW_QUESTION_CHARS - 1)}…` : q,
  };
}
