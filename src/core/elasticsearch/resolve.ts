// `--cluster C`: a URL (http(s)://host:port) or the name of a cluster in distillery.json.
import { isAbsolute, join } from 'node:path';
import { clusterSchema, type ClusterConfig } from './cluster-config';
import type { ResolvedCluster } from './secrets';

export class ClusterConfigError extends Error {}

/**
 * Resolves `spec` against the project's clusters. A URL not configured by name becomes an ad-hoc
 * cluster with default guards; a configured cluster whose url equals `spec` is taken with its settings.
 */
export function resolveCluster(spec: string, clusters: readonly ClusterConfig[], projectRoot?: string): ResolvedCluster {
  const withPaths = (c: ClusterConfig, adHoc: boolean): ResolvedCluster => {
    const out: ResolvedCluster = { ...c, adHoc };
    if (c.caFile) out.caFilePath = isAbsolute(c.caFile) || !projectRoot ? c.caFile : join(projectRoot, c.caFile);
    return out;
  };
  const byName = clusters.find((c) => c.name === spec);
  if (byName) return withPaths(byName, false);
  if (/^https?:\/\//i.test(spec)) {
    const byUrl = clusters.find((c) => c.url !== undefined && stripSlash(c.url) === stripSlash(spec));
    if (byUrl) return withPaths(byUrl, false);
    const parsed = clusterSchema.safeParse({ name: stripSlash(spec), url: spec });
    if (!parsed.success) throw new ClusterConfigError(`--cluster ${spec} is not a usable URL (${parsed.error.issues[0]?.message}); give http(s)://host:port or a cluster name from distillery.json`);
    return withPaths(parsed.data, true);
  }
  const known = clusters.map((c) => c.name);
  throw new ClusterConfigError(
    `no cluster named "${spec}"${known.length ? ` (distillery.json has: ${known.join(', ')})` : ' (distillery.json has no "clusters")'}; give a URL such as http://127.0.0.1:9200 or add {"name": "${spec}", "url": "…"} to "clusters" in distillery.json`,
  );
}

/** The index to use: --index, else the cluster's default; the error says how to give one. */
export function resolveIndex(cluster: ResolvedCluster, index: string | undefined): string {
  const chosen = index ?? cluster.index;
  if (!chosen) throw new ClusterConfigError(`no index for cluster "${cluster.name}": pass --index I or set "index" on the cluster in distillery.json`);
  return chosen;
}

function stripSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
