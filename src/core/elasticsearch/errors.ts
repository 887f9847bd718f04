// Turns what the client throws into messages a user can act on: they name the cluster and the fix,
// and never the secret (ClusterError.message is also scrubbed of the credentials in use).
import { errors } from '@elastic/transport';
import { ReadOnlyViolation } from './allow-list';
import type { ClusterCredentials, ResolvedCluster, SecretsSource } from './secrets';

export type ClusterErrorKind = 'unreachable' | 'tls' | 'auth' | 'forbidden' | 'timeout' | 'index-missing' | 'rejected' | 'read-only' | 'config';

/** The error body Elasticsearch sends with a 4xx/5xx: `{error: {type, reason, root_cause, caused_by, line?, col?}, status}`. */
export interface ElasticsearchErrorBody {
  type?: string;
  reason?: string;
  line?: number;
  col?: number;
  root_cause?: ElasticsearchErrorBody[];
  caused_by?: ElasticsearchErrorBody;
  failed_shards?: { reason?: ElasticsearchErrorBody }[];
  [key: string]: unknown;
}

export class ClusterError extends Error {
  constructor(
    readonly kind: ClusterErrorKind,
    message: string,
    /** The cluster's own error object, when it answered with one (for mapping onto the body). */
    readonly clusterError?: ElasticsearchErrorBody,
    readonly statusCode?: number,
  ) {
    super(message);
  }
}

const TLS_PATTERNS = /self[- ]signed|unable to verify|certificate|fingerprint|UNABLE_TO_GET_ISSUER|ERR_TLS|SSL|wrong version number|DEPTH_ZERO|CERT_/i;

/**
 * The reason a person should read: the first root cause (Elasticsearch's own pick), unless it only
 * says "failed to parse field [x]", then the first cause below it that says why; without the
 * parser's "[line:col] " prefix.
 */
export function clusterReason(error: ElasticsearchErrorBody | undefined): string | undefined {
  if (!error) return undefined;
  const vague = /failed to parse field|all shards failed/;
  let reason = error.root_cause?.[0]?.reason ?? error.reason;
  if (!reason || vague.test(reason)) {
    let e: ElasticsearchErrorBody | undefined = error;
    while (e) {
      if (e.reason && !vague.test(e.reason)) {
        reason = e.reason;
        break;
      }
      e = e.caused_by ?? e.failed_shards?.[0]?.reason;
    }
  }
  return (reason || error.type)?.replace(/^\[\d+:\d+\]\s*/, '');
}

/** Maps anything the client threw into a ClusterError with a message naming the cluster and the fix. */
export function toClusterError(e: unknown, cluster: ResolvedCluster, secrets: SecretsSource, credentials: ClusterCredentials): ClusterError {
  const where = `cluster "${cluster.name}"${cluster.adHoc ? '' : ` (${cluster.url ?? 'cloud id'})`}`;
  const mapped = mapError(e, cluster, where, secrets, credentials);
  return new ClusterError(mapped.kind, scrub(mapped.message, credentials), mapped.body, mapped.status);
}

function mapError(e: unknown, cluster: ResolvedCluster, where: string, secrets: SecretsSource, credentials: ClusterCredentials): { kind: ClusterErrorKind; message: string; body?: ElasticsearchErrorBody; status?: number } {
  if (e instanceof ClusterError) return { kind: e.kind, message: e.message, ...(e.clusterError ? { body: e.clusterError } : {}), ...(e.statusCode ? { status: e.statusCode } : {}) };
  if (e instanceof ReadOnlyViolation) return { kind: 'read-only', message: e.message };
  if (e instanceof errors.ResponseError) {
    const status = e.meta.statusCode ?? 0;
    const raw = e.meta.body as { error?: ElasticsearchErrorBody | string } | string | undefined;
    const body: ElasticsearchErrorBody | undefined = typeof raw === 'object' && raw !== null && typeof raw.error === 'object' ? raw.error : typeof raw === 'object' && raw !== null && typeof raw.error === 'string' ? { reason: raw.error } : undefined;
    const reason = clusterReason(body) ?? (typeof raw === 'string' ? raw.slice(0, 200) : `HTTP ${status}`);
    if (status === 401) {
      const fix = credentials.kind === 'none' ? `it needs credentials: ${secrets.howToSet(cluster)}` : `the ${credentials.kind === 'apiKey' ? 'API key' : `password of user "${credentials.username}"`} was refused; check it (${secrets.howToSet(cluster)})`;
      return { kind: 'auth', message: `${where} refused the request as unauthenticated (401): ${fix}`, status, ...(body ? { body } : {}) };
    }
    if (status === 403) {
      return { kind: 'forbidden', message: `${where} denied the request (403: ${reason}); give the ${credentials.kind === 'apiKey' ? 'API key' : 'user'} the "read" and "view_index_metadata" privileges on the index`, status, ...(body ? { body } : {}) };
    }
    if (status === 404 && body?.type === 'index_not_found_exception') {
      return { kind: 'index-missing', message: `${where} has no index ${String(body['index'] ?? '')}: check --index or the cluster's "index" in distillery.json`, status, body };
    }
    return { kind: 'rejected', message: `${where} rejected the request (${status}${body?.type ? ` ${body.type}` : ''}): ${reason}`, status, ...(body ? { body } : {}) };
  }
  if (e instanceof errors.TimeoutError) {
    return { kind: 'timeout', message: `${where} did not answer within ${cluster.timeoutMs} ms; raise "timeoutMs" for the cluster in distillery.json or check its load` };
  }
  if (e instanceof errors.ConnectionError || e instanceof errors.NoLivingConnectionsError) {
    const text = `${e.message} ${String((e as { cause?: { code?: string } }).cause?.code ?? '')}`;
    if (TLS_PATTERNS.test(text)) {
      const fix = /fingerprint/i.test(text)
        ? 'the server certificate\'s CA does not have the "caFingerprint" configured for the cluster; copy the SHA-256 fingerprint Elasticsearch printed at first start (or `openssl x509 -fingerprint -sha256 -in http_ca.crt`)'
        : /wrong version number|EPROTO/i.test(text)
          ? 'the server does not speak TLS on that port; use an http:// url'
          : 'set "caFile" to the CA certificate (e.g. config/certs/http_ca.crt) or "caFingerprint" to its SHA-256 fingerprint for the cluster in distillery.json';
      return { kind: 'tls', message: `${where}: TLS certificate check failed (${e.message}); ${fix}` };
    }
    return { kind: 'unreachable', message: `${where} does not answer (${e.message}); start it (a local one: \`distillery engine start\`) or fix its url` };
  }
  if (e instanceof errors.ProductNotSupportedError) {
    return { kind: 'unreachable', message: `${where} is not an Elasticsearch cluster (the answer lacked the x-elastic-product header); check the url` };
  }
  if (e instanceof errors.ConfigurationError) return { kind: 'config', message: `${where}: ${e.message}` };
  if (e instanceof errors.ElasticsearchClientError) return { kind: 'unreachable', message: `${where}: ${e.message}` };
  throw e;
}

function scrub(message: string, credentials: ClusterCredentials): string {
  const secrets = credentials.kind === 'apiKey' ? [credentials.apiKey] : credentials.kind === 'basic' ? [credentials.password] : [];
  let out = message;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('***');
  return out;
}
