// Dataset statistics for the panel's charts: counts by status and split, query-type and
// aggregation distributions, validity (now and per day of `updatedAt`), rationale length and
// duplicate clusters.
import { findDuplicateClusters, type DedupOptions, type DuplicateCluster } from './dedup';
import type { Validity } from './dsl';
import { RecordIndex } from './query';
import { RECORD_STATUSES, type DatasetRecord, type RecordStatus, type Split } from './record';

export interface DatasetStats {
  records: number;
  brokenLines: number;
  byStatus: Record<RecordStatus, number>;
  bySplit: Record<Split | 'none', number>;
  /** Top-level query type → count, most frequent first. */
  queryTypes: Record<string, number>;
  /** Aggregation type → number of records using it, most frequent first. */
  aggregationTypes: Record<string, number>;
  validity: Record<Validity, number>;
  /** Per day of `updatedAt` (UTC, YYYY-MM-DD), oldest first; records without updatedAt are left out. */
  validityOverTime: ({ date: string } & Record<Validity, number>)[];
  rationale: { count: number; avgChars: number; avgWords: number };
  /** Only when asked for (opts.duplicates): it costs a MinHash pass over the questions. */
  duplicateClusters?: DuplicateCluster[];
}

export interface StatsOptions {
  index?: RecordIndex;
  brokenLines?: number;
  /** Compute duplicate clusters (true or dedup options). */
  duplicates?: boolean | DedupOptions;
}

function sortedDesc(m: Map<string, number>): Record<string, number> {
  return Object.fromEntries([...m].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)));
}

export function computeStats(records: readonly DatasetRecord[], opts: StatsOptions = {}): DatasetStats {
  const index = opts.index ?? new RecordIndex();
  const byStatus = Object.fromEntries(RECORD_STATUSES.map((s) => [s, 0])) as Record<RecordStatus, number>;
  const bySplit: Record<Split | 'none', number> = { train: 0, val: 0, test: 0, none: 0 };
  const validity: Record<Validity, number> = { error: 0, warning: 0, clean: 0, none: 0 };
  const queryTypes = new Map<string, number>();
  const aggs = new Map<string, number>();
  const days = new Map<string, Record<Validity, number>>();
  let ratCount = 0;
  let ratChars = 0;
  let ratWords = 0;
  for (const r of records) {
    byStatus[r.status]++;
    bySplit[r.split ?? 'none']++;
    const f = index.facts(r);
    queryTypes.set(f.queryType, (queryTypes.get(f.queryType) ?? 0) + 1);
    for (const a of new Set(f.aggregations)) aggs.set(a, (aggs.get(a) ?? 0) + 1);
    const v = index.validity(r).validity;
    validity[v]++;
    if (r.updatedAt && /^\d{4}-\d{2}-\d{2}/.test(r.updatedAt)) {
      const day = r.updatedAt.slice(0, 10);
      const d = days.get(day) ?? { error: 0, warning: 0, clean: 0, none: 0 };
      d[v]++;
      days.set(day, d);
    }
    const rationale = r.rationale?.trim();
    if (rationale) {
      ratCount++;
      ratChars += rationale.length;
      ratWords += rationale.split(/\s+/).length;
    }
  }
  const stats: DatasetStats = {
    records: records.length,
    brokenLines: opts.brokenLines ?? 0,
    byStatus,
    bySplit,
    queryTypes: sortedDesc(queryTypes),
    aggregationTypes: sortedDesc(aggs),
    validity,
    validityOverTime: [...days].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([date, c]) => ({ date, ...c })),
    rationale: { count: ratCount, avgChars: ratCount ? Math.round((ratChars / ratCount) * 10) / 10 : 0, avgWords: ratCount ? Math.round((ratWords / ratCount) * 10) / 10 : 0 },
  };
  if (opts.duplicates) {
    stats.duplicateClusters = findDuplicateClusters(
      records.map((r) => ({ id: r.id, text: r.question })),
      typeof opts.duplicates === 'object' ? opts.duplicates : {},
    );
  }
  return stats;
}
