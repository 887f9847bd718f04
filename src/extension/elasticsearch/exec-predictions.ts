// Scores a fetched run's predictions by execution on the workspace's active cluster, when
// distillery.json configures one (the runner's own eval stays execution-free: the GPU box may not
// reach the cluster). A cluster that cannot be reached leaves the other metrics as they are and says why.
import { execEval } from '../../core/elasticsearch';
import type { Context } from '../ctx';
import { execPairsFrom, withExecution } from '../runs/exec-scoring';
import type { PredictionsResult } from '../runs/predictions';
import { activeClusterConfig, openActiveCluster } from './clusters';
import { secretStorageSource } from './secrets';

export async function scoreByExecution(ctx: Context, jsonl: string, result: PredictionsResult): Promise<{ result: PredictionsResult; note: string }> {
  const config = activeClusterConfig(ctx);
  if (!config) return { result, note: '' };
  const { pairs, rowOf } = execPairsFrom(jsonl);
  if (pairs.length === 0) return { result, note: '' };
  try {
    const { cluster, index } = await openActiveCluster(ctx, secretStorageSource(ctx.extension.secrets, ctx.log));
    try {
      const exec = await execEval(cluster, index, pairs);
      ctx.log.info(`execution accuracy on ${config.name}/${index}: ${(exec.summary.execAccuracy * 100).toFixed(1)}% of ${exec.summary.count} (both empty ${(exec.summary.bothEmpty * 100).toFixed(1)}%, ${exec.summary.goldErrors} gold bodies refused)`);
      return { result: withExecution(result, exec, rowOf), note: ` Execution accuracy on ${config.name}: ${(exec.summary.execAccuracy * 100).toFixed(1)}%.` };
    } finally {
      await cluster.close();
    }
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    ctx.log.warn(`execution accuracy not scored: ${message}`);
    return { result, note: ` Execution accuracy not scored (${message}).` };
  }
}
