// Where a cluster's credentials come from. The core never reads them itself: the CLI injects
// `environmentSecrets()` (ES_API_KEY, or ES_USERNAME + ES_PASSWORD), VS Code injects a source backed
// by SecretStorage. Credentials never go into distillery.json, logs or error messages.
import type { ClusterConfig } from './cluster-config';

export type ClusterCredentials =
  | { kind: 'apiKey'; apiKey: string }
  | { kind: 'basic'; username: string; password: string }
  | { kind: 'none' };

export interface SecretsSource {
  /** Credentials for one cluster; `{kind: 'none'}` when it needs none (e.g. a local engine). */
  credentialsFor(cluster: ResolvedCluster): Promise<ClusterCredentials>;
  /** Says where the user puts the secret, for error messages ("set ES_API_KEY", "run Distillery: Set Cluster Credentials"). */
  howToSet(cluster: ResolvedCluster): string;
}

/** A cluster ready to connect: from distillery.json, or an ad-hoc URL given to --cluster. */
export interface ResolvedCluster extends ClusterConfig {
  /** True when --cluster named a URL rather than a configured cluster. */
  adHoc: boolean;
  /** caFile resolved against the project root. */
  caFilePath?: string;
}

/** CLI secrets: the cluster's `apiKeyEnv`/`passwordEnv` when set, else ES_API_KEY, else ES_USERNAME + ES_PASSWORD. */
export function environmentSecrets(env: NodeJS.ProcessEnv = process.env): SecretsSource {
  return {
    async credentialsFor(cluster) {
      const apiKey = env[cluster.apiKeyEnv ?? 'ES_API_KEY'];
      if (apiKey) return { kind: 'apiKey', apiKey };
      const password = env[cluster.passwordEnv ?? 'ES_PASSWORD'];
      const username = cluster.username ?? env['ES_USERNAME'];
      if (password && username) return { kind: 'basic', username, password };
      return { kind: 'none' };
    },
    howToSet(cluster) {
      return `set ${cluster.apiKeyEnv ?? 'ES_API_KEY'} to an API key, or ${cluster.username ? '' : 'ES_USERNAME and '}${cluster.passwordEnv ?? 'ES_PASSWORD'} for a user with read access`;
    },
  };
}

/** No credentials at all (a local engine without security). */
export const noSecrets: SecretsSource = {
  async credentialsFor() {
    return { kind: 'none' };
  },
  howToSet() {
    return 'configure credentials for this cluster';
  },
};
