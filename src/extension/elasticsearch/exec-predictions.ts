// Scores a fetched run's predictions by execution on the workspace's active cluster, when
// distillery.json configures one (the runner's own eval stays execution-free: the GPU box may not
// reach the cluster). A cluster that cannot be reached leaves the other metrics as they are and says why.
// Also: where scoring happens (activeExecPlace, for the stored summary's staleness) and the
// side-by-side run of one mismatched record's gold and prediction.
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { execEval } from '../../core/elasticsearch';
import type { ResultComparison } from '../../shared/query-results-protocol';
import type { Context } from '../ctx';
import { execPairsFrom, withExecution } from '../runs/exec-scoring';
import { mappingHash, type ExecPlace, type StoredExecSummary } from '../runs/exec-summary-store';
import type { PredictionsResult } from '../runs/predictions';
import { workspaceProject } from '../project';
import { activeClusterConfig, openActiveCluster } from './clusters';
import { compareBodies } from './result-comparison';
import { secretStorageSource } from './secrets';

/** The active cluster, its endpoint, index and mapping file hash; undefined when no cluster is configured. */
export function activeExecPlace(ctx: Context): ExecPlace | undefined {
  const config = activeClusterConfig(ctx);
  if (!config) return undefined;
  const mapping = workspaceProject(ctx)?.mapping;
  const root = ctx.workspaceRoot?.fsPath;
  let mappingSha256: string | undefined;
  if (mapping && root) {
    try {
      mappingSha256 = mappingHash(readFileSync(isAbsolute(mapping) ? mapping : join(root, mapping), 'utf8'));
    } catch {
      // No readable mapping file: the identity is the cluster and index alone.
    }
  }
  return { cluster: config.name, endpoint: config.url ?? `cloud ${config.cloudId ?? ''}`, index: config.index ?? '', ...(mappingSha256 ? { mappingSha256 } : {}) };
}

export async function scoreByExecution(ctx: Context, jsonl: string, result: PredictionsResult): Promise<{ result: PredictionsResult; note: string; stored?: StoredExecSummary }> {
  const config = activeClusterConfig(ctx);
  if (!config) return { result, note: '' };
  const { pairs, rowOf } = execPairsFrom(jsonl);
  if (pairs.length === 0) return { result, note: '' };
  try {
    const { cluster, index } = await openActiveCluster(ctx, secretStorageSource(ctx.extension.secrets, ctx.log));
    try {
      const exec = await execEval(cluster, index, pairs);
      const s = exec.summary;
      ctx.log.info(`execution accuracy on ${config.name}/${index}: ${(s.execAccuracy * 100).toFixed(1)}% of ${s.count} (both empty ${(s.bothEmpty * 100).toFixed(1)}%, ${s.goldErrors} gold bodies refused)`);
      const place = { ...activeExecPlace(ctx)!, index };
      const stored: StoredExecSummary = { version: 1, count: s.count, execAccuracy: s.execAccuracy, bothEmpty: s.bothEmpty, execErrors: s.execErrors, goldErrors: s.goldErrors, place, scoredAt: new Date().toISOString() };
      return { result: { ...withExecution(result, exec, rowOf), execCluster: config.name }, note: ` Execution accuracy on ${config.name}: ${(s.execAccuracy * 100).toFixed(1)}%.`, stored };
    } finally {
      await cluster.close();
    }
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    ctx.log.warn(`execution accuracy not scored: ${message}`);
    return { result, note: ` Execution accuracy not scored (${message}).` };
  }
}

/**
 * Runs one record's gold and prediction on the active cluster and gives both result views and the
 * verdict with compareExecution's reason (the differing part), for the side-by-side view.
 */
export async function compareOnCluster(ctx: Context, id: string, goldText: string, predictedText: string): Promise<ResultComparison> {
  const { cluster, index } = await openActiveCluster(ctx, secretStorageSource(ctx.extension.secrets, ctx.log));
  try {
    return await compareBodies(cluster, index, id, goldText, predictedText);
  } finally {
    await cluster.close();
  }
}
