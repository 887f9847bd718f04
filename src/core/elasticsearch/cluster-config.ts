// A named Elasticsearch cluster in distillery.json (`clusters: [...]`, docs/ARCHITECTURE.md,
// "Elasticsearch contract"). Secrets never live here: the API key or password comes from
// SecretStorage in VS Code or the environment in the CLI (see secrets.ts).
import { z } from 'zod';

/** Limits put on every search Distillery sends, so a curated query can never load a production cluster. */
export const searchGuardsSchema = z
  .object({
    timeout: z.string().regex(/^\d+(ms|s|m)$/, 'timeout looks like "500ms", "10s" or "1m"').default('10s')
      .describe('Search timeout sent with every search; a body that asks for longer is lowered to this.'),
    maxSize: z.number().int().min(0).max(10_000).default(100).describe('Cap on "size" (hits returned) of every search.'),
    terminateAfter: z.number().int().positive().default(1_000_000)
      .describe('"terminate_after" of every search: each shard stops collecting after this many documents.'),
  })
  .strict();

export const clusterSchema = z
  .object({
    name: z.string().min(1).describe('Name used with --cluster and in the VS Code cluster picker.'),
    url: z.string().url().regex(/^https?:\/\//, 'url starts with http:// or https://').optional().describe('e.g. https://localhost:9200'),
    cloudId: z.string().min(1).optional().describe('Elastic Cloud deployment id (instead of url).'),
    index: z.string().min(1).optional().describe('Default index (or alias, or pattern) when --index is not given.'),
    caFile: z.string().min(1).optional().describe('PEM file of the CA that signed the cluster certificate (relative to distillery.json).'),
    caFingerprint: z.string().regex(/^([0-9A-Fa-f]{2}:?){31}[0-9A-Fa-f]{2}$/, 'caFingerprint is the SHA-256 fingerprint Elasticsearch 8 prints at first start (64 hex digits, colons allowed)').optional()
      .describe('SHA-256 fingerprint of the CA certificate (the one Elasticsearch 8 prints at first start).'),
    timeoutMs: z.number().int().positive().default(30_000).describe('Request timeout in milliseconds.'),
    username: z.string().min(1).optional().describe('User for basic auth; the password comes from SecretStorage or ES_PASSWORD.'),
    apiKeyEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).optional().describe('CLI: environment variable holding this cluster\'s API key (default ES_API_KEY).'),
    passwordEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).optional().describe('CLI: environment variable holding this cluster\'s password (default ES_PASSWORD).'),
    guards: searchGuardsSchema.default({}),
  })
  .strict()
  .refine((c) => (c.url === undefined) !== (c.cloudId === undefined), { message: 'a cluster needs exactly one of "url" or "cloudId"' })
  .refine((c) => !(c.caFile && c.caFingerprint), { message: 'give "caFile" or "caFingerprint", not both' });

export type ClusterConfig = z.infer<typeof clusterSchema>;
export type SearchGuards = z.infer<typeof searchGuardsSchema>;
export const DEFAULT_SEARCH_GUARDS: SearchGuards = searchGuardsSchema.parse({});
