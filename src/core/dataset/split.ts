// Train/val/test splits: deterministic for a seed, stratified by the top-level query type, and
// grouped so near-duplicate questions never straddle splits.
//
// 1. Records that already have a split keep it (unless `respectExisting: false`).
// 2. A record without a split whose near-duplicate cluster already has members in a split joins
//    the cluster's majority split.
// 3. The rest are shuffled (seeded) within their stratum and dealt out so each stratum reaches
//    the ratios as closely as whole records allow (largest remainder).
// 4. Clusters that still straddle splits are moved whole to their majority split (the split of
//    members that were assigned before, when there are any). The leakage report counts them.
import { findDuplicateClusters, type DuplicateCluster } from './dedup';
import { queryTypeOf } from './dsl';
import { prng, shuffle } from './random';
import { SPLITS, type DatasetRecord, type Split } from './record';

export interface SplitRatios {
  train: number;
  val: number;
  test: number;
}

export const DEFAULT_RATIOS: SplitRatios = { train: 0.8, val: 0.1, test: 0.1 };
export const DEFAULT_SEED = 42;

export interface SplitOptions {
  ratios?: SplitRatios;
  seed?: number | string;
  /** Keep splits already on records (default true). */
  respectExisting?: boolean;
  /** Near-duplicate clusters; computed from the questions when absent. */
  clusters?: readonly DuplicateCluster[];
  /** Threshold for computing clusters (default 0.7). */
  nearThreshold?: number;
}

export interface LeakageReport {
  /** Near-duplicate clusters (2+ records) among the split records. */
  clusters: number;
  /** Clusters that would have straddled splits and were moved whole into one. */
  clustersMoved: number;
  /** Records whose split changed to keep their cluster together. */
  recordsMoved: number;
  /** Of those, records that had a split before (a pre-existing leak that was fixed). */
  existingMoved: number;
  /** Records in the largest cluster: a cluster bigger than a split's share can empty that split. */
  largestCluster: number;
}

export interface SplitResult {
  assignments: Map<string, Split>;
  counts: Record<Split, number>;
  /** Counts per stratum (top-level query type). */
  strata: Record<string, Record<Split, number>>;
  leakage: LeakageReport;
}

export class SplitError extends Error {}

/** Parses "0.8,0.1,0.1" (or percentages "80,10,10"); the three parts are normalised to sum 1. */
export function parseRatios(text: string): SplitRatios {
  const parts = text.split(',').map((p) => p.trim());
  const nums = parts.map(Number);
  if (parts.length !== 3 || nums.some((n) => !Number.isFinite(n) || n < 0) || parts.some((p) => p === '')) {
    throw new SplitError(`expected three non-negative numbers "train,val,test" such as 0.8,0.1,0.1; got "${text}"`);
  }
  const sum = nums[0]! + nums[1]! + nums[2]!;
  if (sum <= 0) throw new SplitError(`the split ratios "${text}" add up to 0; give at least one positive part`);
  return { train: nums[0]! / sum, val: nums[1]! / sum, test: nums[2]! / sum };
}

/** Whole-record targets for `n` records by the largest-remainder method. */
export function targetCounts(n: number, ratios: SplitRatios): Record<Split, number> {
  const sum = ratios.train + ratios.val + ratios.test;
  const exact = SPLITS.map((s) => (ratios[s] / sum) * n);
  const floors = exact.map(Math.floor);
  let left = n - floors.reduce((a, b) => a + b, 0);
  const order = [0, 1, 2].sort((a, b) => exact[b]! - floors[b]! - (exact[a]! - floors[a]!) || a - b);
  for (const i of order) {
    if (left <= 0) break;
    floors[i]!++;
    left--;
  }
  return { train: floors[0]!, val: floors[1]!, test: floors[2]! };
}

function emptyCounts(): Record<Split, number> {
  return { train: 0, val: 0, test: 0 };
}

function majority(splits: readonly Split[], random: () => number): Split {
  const c = emptyCounts();
  for (const s of splits) c[s]++;
  const best = Math.max(c.train, c.val, c.test);
  const tied = SPLITS.filter((s) => c[s] === best);
  return tied.length === 1 ? tied[0]! : tied[Math.floor(random() * tied.length)]!;
}

export function assignSplits(records: readonly DatasetRecord[], opts: SplitOptions = {}): SplitResult {
  const ratios = opts.ratios ?? DEFAULT_RATIOS;
  const random = prng(opts.seed ?? DEFAULT_SEED);
  const respect = opts.respectExisting ?? true;
  const clusters =
    opts.clusters ??
    findDuplicateClusters(
      records.map((r) => ({ id: r.id, text: r.question })),
      opts.nearThreshold === undefined ? {} : { threshold: opts.nearThreshold },
    );
  const known = new Set(records.map((r) => r.id));
  const groups = clusters.map((c) => c.ids.filter((id) => known.has(id))).filter((ids) => ids.length > 1);

  const assigned = new Map<string, Split>();
  const before = new Set<string>();
  if (respect) {
    for (const r of records) {
      if (r.split) {
        assigned.set(r.id, r.split);
        before.add(r.id);
      }
    }
  }
  // 2. Unassigned members of a cluster that already has a split join it.
  for (const ids of groups) {
    const placed = ids.filter((id) => before.has(id)).map((id) => assigned.get(id)!);
    if (placed.length === 0) continue;
    const target = majority(placed, random);
    for (const id of ids) if (!assigned.has(id)) assigned.set(id, target);
  }

  // 3. Stratified deal of the rest.
  const strata = new Map<string, DatasetRecord[]>();
  for (const r of records) {
    const key = queryTypeOf(r.dsl);
    const list = strata.get(key);
    if (list) list.push(r);
    else strata.set(key, [r]);
  }
  for (const key of [...strata.keys()].sort()) {
    const list = strata.get(key)!;
    const have = emptyCounts();
    const open: DatasetRecord[] = [];
    for (const r of list) {
      const s = assigned.get(r.id);
      if (s) have[s]++;
      else open.push(r);
    }
    if (open.length === 0) continue;
    const target = targetCounts(list.length, ratios);
    const need = SPLITS.map((s) => Math.max(0, target[s] - have[s]));
    let needSum = need[0]! + need[1]! + need[2]!;
    if (needSum < open.length) {
      // Existing splits over-filled some part: share the remainder by the ratios.
      const extra = targetCounts(open.length - needSum, ratios);
      SPLITS.forEach((s, i) => (need[i]! += extra[s]));
      needSum = open.length;
    }
    shuffle(open, random);
    let k = 0;
    SPLITS.forEach((s, i) => {
      for (let j = 0; j < need[i]! && k < open.length; j++) assigned.set(open[k++]!.id, s);
    });
  }

  // 4. Keep clusters together.
  let clustersMoved = 0;
  let recordsMoved = 0;
  let existingMoved = 0;
  for (const ids of groups) {
    const splits = ids.map((id) => assigned.get(id)!);
    if (splits.every((s) => s === splits[0])) continue;
    const placedBefore = ids.filter((id) => before.has(id)).map((id) => assigned.get(id)!);
    const target = majority(placedBefore.length ? placedBefore : splits, random);
    clustersMoved++;
    for (const id of ids) {
      if (assigned.get(id) === target) continue;
      assigned.set(id, target);
      recordsMoved++;
      if (before.has(id)) existingMoved++;
    }
  }

  const counts = emptyCounts();
  const byStratum: Record<string, Record<Split, number>> = {};
  for (const [key, list] of strata) {
    const c = (byStratum[key] = emptyCounts());
    for (const r of list) {
      const s = assigned.get(r.id)!;
      c[s]++;
      counts[s]++;
    }
  }
  return { assignments: assigned, counts, strata: byStratum, leakage: { clusters: groups.length, clustersMoved, recordsMoved, existingMoved, largestCluster: groups.reduce((n, g) => Math.max(n, g.length), 0) } };
}
