// The review panel's Run / Run all (src/webview/query-results/panel-cluster.ts asks, the panel
// session relays): record bodies on the active cluster, opened for the run and closed after it.
import type { ClusterOutcome } from '../../shared/query-results-protocol';
import type { Context } from '../ctx';
import { openActiveCluster } from './clusters';
import { runRecords, type RunRecordsOptions } from './run-records';
import { secretStorageSource } from './secrets';

/** The panel host's hook: the active cluster, opened for this run and closed after it. */
export async function runRecordsOnActiveCluster(ctx: Context, records: readonly { id: string; body: unknown }[], options: RunRecordsOptions = {}): Promise<{ cluster: string; outcomes: ClusterOutcome[] }> {
  const { cluster, index, resolved } = await openActiveCluster(ctx, secretStorageSource(ctx.extension.secrets, ctx.log));
  try {
    const outcomes = await runRecords(cluster, index, records, options);
    ctx.log.info(`panel: ran ${outcomes.length} of ${records.length} record(s) on ${resolved.name}/${index}${options.signal?.aborted ? ' (cancelled)' : ''}`);
    return { cluster: `${resolved.name}/${index}`, outcomes };
  } finally {
    await cluster.close();
  }
}
