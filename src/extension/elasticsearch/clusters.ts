// The active cluster of the workspace: one of distillery.json's `clusters` (the first unless the
// user picked another with "Distillery: Select Elasticsearch Cluster"; the pick is kept per workspace).
import * as vscode from 'vscode';
import { ReadOnlyCluster, resolveCluster, resolveIndex, type ClusterConfig, type ResolvedCluster, type SecretsSource } from '../../core/elasticsearch';
import type { Context } from '../ctx';
import { workspaceProject } from '../project';

const ACTIVE_KEY = 'distillery.activeCluster';

export class ClusterChoiceError extends Error {}

export function configuredClusters(ctx: Context): ClusterConfig[] {
  return workspaceProject(ctx)?.clusters ?? [];
}

/** The active cluster's config, or undefined when distillery.json configures none. */
export function activeClusterConfig(ctx: Context): ClusterConfig | undefined {
  const clusters = configuredClusters(ctx);
  const picked = ctx.extension.workspaceState.get<string>(ACTIVE_KEY);
  return clusters.find((c) => c.name === picked) ?? clusters[0];
}

export async function pickActiveCluster(ctx: Context): Promise<ClusterConfig | undefined> {
  const clusters = configuredClusters(ctx);
  if (clusters.length === 0) throw new ClusterChoiceError(noClustersMessage());
  const current = activeClusterConfig(ctx);
  const pick = await vscode.window.showQuickPick(
    clusters.map((c) => ({ label: c.name, description: c.url ?? `cloud ${c.cloudId}`, detail: c.index ? `index ${c.index}` : 'no default index', picked: c.name === current?.name })),
    { title: 'Run queries on which Elasticsearch cluster?' },
  );
  if (!pick) return undefined;
  await ctx.extension.workspaceState.update(ACTIVE_KEY, pick.label);
  return clusters.find((c) => c.name === pick.label);
}

export function noClustersMessage(): string {
  return 'distillery.json configures no Elasticsearch cluster; add "clusters": [{"name": "local", "url": "http://127.0.0.1:9200", "index": "orders"}] (or start the local engine with `distillery engine start --seed examples/seed`)';
}

export interface OpenCluster {
  cluster: ReadOnlyCluster;
  resolved: ResolvedCluster;
  index: string;
}

/** Connects to the active cluster (nothing is sent yet); the caller closes it. */
export async function openActiveCluster(ctx: Context, secrets: SecretsSource): Promise<OpenCluster> {
  const config = activeClusterConfig(ctx);
  if (!config) throw new ClusterChoiceError(noClustersMessage());
  const resolved = resolveCluster(config.name, configuredClusters(ctx), ctx.workspaceRoot?.fsPath);
  const index = resolveIndex(resolved, undefined);
  return { cluster: await ReadOnlyCluster.connect(resolved, secrets), resolved, index };
}
