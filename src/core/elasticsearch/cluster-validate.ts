// What the cluster itself says about a body: `_validate/query?explain` for the query, and a cheap
// search (size 0, terminate_after 1, a tight timeout) for everything else (aggregations, sort, …).
// Each rejection becomes a `cluster-rejected` problem at the pointer the cluster's reason names.
import type { DslProblem } from '../dsl';
import { clusterRejection, type ClusterProblem } from './error-pointer';
import { ClusterError, clusterReason } from './errors';
import type { SearchBody } from './guards';
import type { ReadOnlyCluster, RequestOptions } from './read-only-cluster';

/** Keys the query check covers or that need no check; anything else asks for the search. */
const QUERY_ONLY_KEYS = new Set(['query', 'size', 'from', 'timeout', 'terminate_after', 'track_total_hits', '_source']);

/** Cleans a validate-API error ("[idx/uuid] QueryShardException[failed to …]", "org.….ParsingException: …") to its reason. */
function cleanReason(error: string): string {
  return (error.split('; ')[0] ?? error)
    .replace(/^\[[^\]]+\/[^\]]+\]\s*/, '')
    .replace(/^(?:[a-z]+\.)+[A-Za-z]+(?:Exception|Error):\s*/, '')
    .replace(/^[A-Za-z]+Exception\[(.*)\]$/s, '$1')
    .replace(/^\[\d+:\d+\]\s*/, '')
    .trim();
}

/**
 * A failure this body caused (the cluster rejected it, or it names an index that does not exist,
 * e.g. a terms lookup or indices_boost), as opposed to one that stops every body (the target index
 * missing, the cluster down, auth).
 */
function isBodysOwnFailure(e: unknown, index: string): e is ClusterError & { clusterError: object } {
  if (!(e instanceof ClusterError) || !e.clusterError) return false;
  return e.kind === 'rejected' || (e.kind === 'index-missing' && e.clusterError['index'] !== index);
}

export async function validateOnCluster(cluster: ReadOnlyCluster, index: string, body: SearchBody, options: RequestOptions = {}): Promise<ClusterProblem[]> {
  const problems: ClusterProblem[] = [];
  let queryValid = true;
  if (body['query'] !== undefined) {
    let r;
    try {
      r = await cluster.validateQuery(index, body['query'], options);
    } catch (e) {
      if (!isBodysOwnFailure(e, index)) throw e;
      r = { valid: false, error: clusterReason(e.clusterError) ?? e.message };
    }
    if (!r.valid) {
      queryValid = false;
      const reason = cleanReason(r.error ?? 'the query is not valid');
      const p = clusterRejection(body['query'], { reason }, 'the cluster (_validate/query)');
      problems.push({ ...p, pointer: '/query' + p.pointer });
    }
  }
  if (Object.keys(body).some((k) => !QUERY_ONLY_KEYS.has(k))) {
    // The query was judged above; leaving a bad one in would only repeat its error here.
    const probe: SearchBody = { ...body, size: 0, timeout: '2s', terminate_after: 1 };
    if (!queryValid) delete probe['query'];
    delete probe['from'];
    try {
      await cluster.search(index, probe, options);
    } catch (e) {
      if (!isBodysOwnFailure(e, index)) throw e;
      problems.push(clusterRejection(cluster.guarded(probe), e.clusterError, 'the cluster (size-0 search)'));
    }
  }
  return problems;
}

export interface Disagreement {
  /** `static-only`: the static validator reports an error the cluster accepts; `cluster-only`: the reverse. */
  kind: 'static-only' | 'cluster-only';
  pointer: string;
  message: string;
}

/** Where the static validator and the cluster disagree on one body, both ways. */
export function disagreements(staticProblems: readonly DslProblem[], clusterProblems: readonly DslProblem[]): Disagreement[] {
  const staticErrors = staticProblems.filter((p) => p.severity === 'error');
  const out: Disagreement[] = [];
  if (staticErrors.length > 0 && clusterProblems.length === 0) {
    for (const p of staticErrors) out.push({ kind: 'static-only', pointer: p.pointer, message: `${p.code}: ${p.message}` });
  }
  if (clusterProblems.length > 0 && staticErrors.length === 0) {
    for (const p of clusterProblems) out.push({ kind: 'cluster-only', pointer: p.pointer, message: p.message });
  }
  return out;
}
