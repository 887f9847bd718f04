// `distillery eval --cluster C`: execution accuracy with the results cache, and the clear error
// (partial answers kept, rerun resumes) when the cluster stops answering mid-run.
import { ExecCache, execEval, ExecInterrupted, type ExecPair, type ExecRecord, type ExecSummary } from '../core/elasticsearch';
import { openCluster, withClusterErrors } from './cluster';
import { UserError } from './usage';

export type { ExecPair };

export async function clusterExecution(spec: string, index: string | undefined, pairs: ExecPair[], cachePath: string, fresh: boolean, near: string): Promise<{ summary: ExecSummary; records: ExecRecord[] }> {
  const { cluster, index: chosen } = await openCluster(spec, index, near);
  try {
    const cache = new ExecCache(cachePath, fresh);
    return await withClusterErrors(() => execEval(cluster, chosen, pairs, { cache }));
  } catch (e) {
    if (e instanceof ExecInterrupted) throw new UserError(e.message);
    throw e;
  } finally {
    await cluster.close();
  }
}
