// Cluster credentials in VS Code's SecretStorage (the OS keychain): the SecretsSource the core asks,
// and the command that stores them. A secret is never written to a file, the log or a message.
import * as vscode from 'vscode';
import { z } from 'zod';
import type { ClusterCredentials, ResolvedCluster, SecretsSource } from '../../core/elasticsearch';

const storedSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('apiKey'), apiKey: z.string().min(1) }),
  z.object({ kind: z.literal('basic'), username: z.string().min(1), password: z.string().min(1) }),
]);

export const SET_CREDENTIALS_TITLE = 'Distillery: Set Elasticsearch Credentials';

/** One SecretStorage entry per cluster name. */
export function secretKey(clusterName: string): string {
  return `distillery.elasticsearch.${clusterName}`;
}

export function secretStorageSource(secrets: vscode.SecretStorage, log: vscode.LogOutputChannel): SecretsSource {
  return {
    async credentialsFor(cluster: ResolvedCluster): Promise<ClusterCredentials> {
      const raw = await secrets.get(secretKey(cluster.name));
      if (!raw) return { kind: 'none' };
      try {
        return storedSchema.parse(JSON.parse(raw));
      } catch {
        // Only the fact is logged, never the stored text.
        log.warn(`the stored credentials of cluster "${cluster.name}" are unreadable; run "${SET_CREDENTIALS_TITLE}" again`);
        return { kind: 'none' };
      }
    },
    howToSet(cluster: ResolvedCluster): string {
      return `run "${SET_CREDENTIALS_TITLE}" for cluster "${cluster.name}"`;
    },
  };
}

/** Asks for an API key or user + password (input boxes with password: true) and stores them; undefined when cancelled. */
export async function promptAndStoreCredentials(secrets: vscode.SecretStorage, cluster: { name: string; username?: string }): Promise<'stored' | 'removed' | undefined> {
  const choice = await vscode.window.showQuickPick(
    [
      { label: 'API key', auth: 'apiKey' as const, detail: 'An Elasticsearch API key (the encoded id:key form Kibana shows)' },
      { label: 'User and password', auth: 'basic' as const, detail: 'Basic authentication for a user with read access' },
      { label: 'Remove stored credentials', auth: 'remove' as const, detail: 'The cluster is then contacted without credentials' },
    ],
    { title: `Credentials for cluster "${cluster.name}"`, ignoreFocusOut: true },
  );
  if (!choice) return undefined;
  if (choice.auth === 'remove') {
    await secrets.delete(secretKey(cluster.name));
    return 'removed';
  }
  if (choice.auth === 'apiKey') {
    const apiKey = await vscode.window.showInputBox({ title: `API key for "${cluster.name}"`, password: true, ignoreFocusOut: true, validateInput: (v) => (v.trim() ? undefined : 'enter the key, or press Escape') });
    if (!apiKey) return undefined;
    await secrets.store(secretKey(cluster.name), JSON.stringify({ kind: 'apiKey', apiKey: apiKey.trim() }));
    return 'stored';
  }
  const username = await vscode.window.showInputBox({ title: `User for "${cluster.name}"`, value: cluster.username ?? '', ignoreFocusOut: true, validateInput: (v) => (v.trim() ? undefined : 'enter a user name') });
  if (!username) return undefined;
  const password = await vscode.window.showInputBox({ title: `Password of ${username.trim()} on "${cluster.name}"`, password: true, ignoreFocusOut: true, validateInput: (v) => (v ? undefined : 'enter the password, or press Escape') });
  if (!password) return undefined;
  await secrets.store(secretKey(cluster.name), JSON.stringify({ kind: 'basic', username: username.trim(), password }));
  return 'stored';
}
