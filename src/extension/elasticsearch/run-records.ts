// Record bodies on a cluster through `_msearch` batches (ReadOnlyCluster, so guarded and
// read-only), each answered with hits and took or the cluster's reason. A record without a DSL
// object (pending, or cleared) is not sent and gets no outcome: it neither returns nothing nor fails. No VS Code: the engine tests drive it directly.
import { clusterReason, responseSummary, type ReadOnlyCluster, type SearchBody } from '../../core/elasticsearch';
import type { ClusterOutcome } from '../../shared/query-results-protocol';

const BATCH = 50;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface RunRecordsOptions {
  /** Checked before each batch: a cancelled run returns the outcomes it has. */
  signal?: AbortSignal;
  /** After each batch: bodies answered so far, of how many will be sent, and the batch's outcomes. */
  onBatch?(done: number, total: number, outcomes: readonly ClusterOutcome[]): void;
}

/** Runs `records` on an open cluster; pure apart from the cluster (the engine test drives it directly). */
export async function runRecords(cluster: ReadOnlyCluster, index: string, records: readonly { id: string; body: unknown }[], options: RunRecordsOptions = {}): Promise<ClusterOutcome[]> {
  const outcomes = new Map<string, ClusterOutcome>();
  const runnable: { id: string; body: SearchBody }[] = [];
  for (const r of records) {
    if (isObject(r.body)) runnable.push({ id: r.id, body: r.body as SearchBody });
  }
  for (let i = 0; i < runnable.length && options.signal?.aborted !== true; i += BATCH) {
    const batch = runnable.slice(i, i + BATCH);
    const items = await cluster.msearch(index, batch.map((b) => b.body));
    const answered = items.map((item, j): ClusterOutcome => {
      const id = batch[j]!.id;
      if (item.ok) {
        const s = responseSummary(item.response);
        return { id, hits: s.total, tookMs: s.tookMs, error: null };
      }
      return { id, hits: null, tookMs: null, error: (clusterReason(item.error.clusterError) ?? item.error.message).slice(0, 4000) };
    });
    for (const o of answered) outcomes.set(o.id, o);
    options.onBatch?.(i + batch.length, runnable.length, answered);
  }
  return records.flatMap((r) => outcomes.get(r.id) ?? []);
}
