// Runs gold and predicted bodies on a cluster and gives each record its execution verdict.
// Bodies go out in `_msearch` batches with bounded concurrency; every answered batch is appended to
// a results cache at once, so when the cluster dies mid-run the answers so far are kept and the
// next run only sends what is missing (docs/elasticsearch.md, "Results cache").
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { ClusterError } from './errors';
import { bodySorts, compareExecution, reduceResponse, type ExecOutcome, type ExecVerdict } from './exec-compare';
import type { SearchBody } from './guards';
import type { ReadOnlyCluster } from './read-only-cluster';

export interface ExecPair {
  id: string;
  gold: SearchBody;
  /** Undefined when there is no prediction or it is not a JSON object. */
  prediction: SearchBody | undefined;
}

export interface ExecRecord {
  id: string;
  exec: ExecVerdict;
  reason?: string;
}

export interface ExecSummary {
  count: number;
  /** Share of records whose prediction returns what the gold returns (both-empty included, as Spider counts it). */
  execAccuracy: number;
  /** Share of records where both return no hits and no buckets. */
  bothEmpty: number;
  /** Share of records whose prediction the cluster rejected (or that was missing / not JSON). */
  execErrors: number;
  /** Number of gold bodies the cluster rejected: the dataset's problem, not the model's. */
  goldErrors: number;
}

export interface ExecOptions {
  /** Results cache (see ExecCache); none: every body is sent. */
  cache?: ExecCache;
  /** Bodies per `_msearch` (default 50). */
  batchSize?: number;
  /** `_msearch` requests in flight at once (default 4). */
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/** The cluster stopped answering mid-run; `done` bodies were answered and kept in the cache. */
export class ExecInterrupted extends Error {
  constructor(message: string, readonly done: number, readonly total: number, readonly clusterError: ClusterError) {
    super(message);
  }
}

/**
 * The results cache: JSON lines `{"key": <sha256>, "outcome": <ExecOutcome>}`, appended as batches
 * come back. The key hashes the cluster, the index, its document count at the start of the run, and
 * the body exactly as sent (guards included), so a changed index or body never reuses a stale answer.
 */
export class ExecCache {
  private readonly entries = new Map<string, ExecOutcome>();

  constructor(readonly path: string, fresh = false) {
    if (fresh || !existsSync(path)) {
      writeFileSync(path, '');
      return;
    }
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        const entry = JSON.parse(line) as { key?: unknown; outcome?: ExecOutcome };
        if (typeof entry.key === 'string' && entry.outcome) this.entries.set(entry.key, entry.outcome);
      } catch {
        // A line cut short by a crash: the answer is simply sent again.
      }
    }
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): ExecOutcome | undefined {
    return this.entries.get(key);
  }

  add(batch: { key: string; outcome: ExecOutcome }[]): void {
    if (batch.length === 0) return;
    appendFileSync(this.path, batch.map((e) => JSON.stringify(e)).join('\n') + '\n');
    for (const e of batch) this.entries.set(e.key, e.outcome);
  }
}

/** Runs every distinct body once (cache first) and returns its outcome by key. */
async function runBodies(cluster: ReadOnlyCluster, index: string, bodies: Map<string, SearchBody>, options: ExecOptions): Promise<Map<string, ExecOutcome>> {
  const outcomes = new Map<string, ExecOutcome>();
  const todo: [string, SearchBody][] = [];
  for (const [key, body] of bodies) {
    const cached = options.cache?.get(key);
    if (cached) outcomes.set(key, cached);
    else todo.push([key, body]);
  }
  const batchSize = options.batchSize ?? 50;
  const batches: [string, SearchBody][][] = [];
  for (let i = 0; i < todo.length; i += batchSize) batches.push(todo.slice(i, i + batchSize));
  let next = 0;
  let failure: ClusterError | undefined;
  let done = outcomes.size;
  const total = bodies.size;
  options.onProgress?.(done, total);
  const worker = async () => {
    while (failure === undefined && next < batches.length) {
      const batch = batches[next++]!;
      try {
        const items = await cluster.msearch(index, batch.map(([, b]) => b), options.signal ? { signal: options.signal } : {});
        const answered = batch.map(([key], i): { key: string; outcome: ExecOutcome } => {
          const item = items[i]!;
          return { key, outcome: item.ok ? { ok: true, result: reduceResponse(item.response) } : { ok: false, error: item.error.message } };
        });
        options.cache?.add(answered);
        for (const a of answered) outcomes.set(a.key, a.outcome);
        done += batch.length;
        options.onProgress?.(done, total);
      } catch (e) {
        if (!(e instanceof ClusterError)) throw e;
        failure ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 4, batches.length)) }, worker));
  if (failure) {
    const kept = options.cache ? `; the ${done} answers so far are kept in ${options.cache.path}: run the same command again to resume` : '';
    throw new ExecInterrupted(`execution stopped after ${done} of ${total} searches: ${failure.message}${kept}`, done, total, failure);
  }
  return outcomes;
}

/** Scores every pair by execution; see ExecSummary for the figures. */
export async function execEval(cluster: ReadOnlyCluster, index: string, pairs: readonly ExecPair[], options: ExecOptions = {}): Promise<{ summary: ExecSummary; records: ExecRecord[] }> {
  // The document count pins the index's state into every cache key, and fails fast on a dead cluster.
  const documents = await cluster.count(index, undefined, options.signal ? { signal: options.signal } : {});
  const identity = `${cluster.cluster.url ?? cluster.cluster.cloudId}\n${index}\n${documents}\n`;
  const keyOf = (body: SearchBody) => createHash('sha256').update(identity + JSON.stringify(cluster.guarded(body))).digest('hex');
  const bodies = new Map<string, SearchBody>();
  const keys = pairs.map((p) => {
    const gold = keyOf(p.gold);
    bodies.set(gold, p.gold);
    let prediction: string | undefined;
    if (p.prediction) {
      prediction = keyOf(p.prediction);
      bodies.set(prediction, p.prediction);
    }
    return { gold, prediction };
  });
  const outcomes = await runBodies(cluster, index, bodies, options);
  const comparisons = pairs.map((p, i) => {
    const k = keys[i]!;
    return compareExecution(outcomes.get(k.gold)!, k.prediction ? outcomes.get(k.prediction) : undefined, bodySorts(p.gold));
  });
  // Same total, different first page, no sort in the gold: compare the pages again in index order,
  // which does not depend on scoring, so equal document sets give equal pages.
  const recheck = new Map<string, SearchBody>();
  const recheckKeys = new Map<number, { gold: string; prediction: string }>();
  comparisons.forEach((c, i) => {
    const p = pairs[i]!;
    if (!c.pageOnly || !p.prediction) return;
    const gold = { ...p.gold, sort: ['_doc'] };
    const prediction = { ...p.prediction, sort: ['_doc'] };
    const k = { gold: keyOf(gold), prediction: keyOf(prediction) };
    recheck.set(k.gold, gold);
    recheck.set(k.prediction, prediction);
    recheckKeys.set(i, k);
  });
  if (recheck.size > 0) {
    const again = await runBodies(cluster, index, recheck, { ...options, onProgress: undefined });
    for (const [i, k] of recheckKeys) {
      const gold = again.get(k.gold);
      const prediction = again.get(k.prediction);
      // A body that cannot take a sort (collapse, search_after…) keeps its first verdict.
      if (gold?.ok && prediction?.ok) comparisons[i] = compareExecution(gold, prediction, false);
    }
  }
  const records = pairs.map((p, i): ExecRecord => {
    const c = comparisons[i]!;
    return { id: p.id, exec: c.verdict, ...(c.reason ? { reason: c.reason } : {}) };
  });
  return { summary: summarizeExec(records), records };
}

export function summarizeExec(records: readonly ExecRecord[]): ExecSummary {
  const n = records.length;
  const count = (v: ExecVerdict) => records.filter((r) => r.exec === v).length;
  const share = (k: number) => (n ? k / n : 0);
  return {
    count: n,
    execAccuracy: share(count('match') + count('bothEmpty')),
    bothEmpty: share(count('bothEmpty')),
    execErrors: share(count('predictionError')),
    goldErrors: count('goldError'),
  };
}
