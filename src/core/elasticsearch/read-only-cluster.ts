// The only way Distillery talks to Elasticsearch: the official client behind a transport that
// refuses anything outside the read-only allow-list (allow-list.ts), with the search guards applied
// to every search body and every error turned into a ClusterError that names the cluster and the fix.
import { readFileSync } from 'node:fs';
import { Client, SniffingTransport, type estypes } from '@elastic/elasticsearch';
import type { TransportRequestOptions, TransportRequestParams } from '@elastic/transport';
import { assertAllowedRequest } from './allow-list';
import type { SearchGuards } from './cluster-config';
import { ClusterError, clusterReason, toClusterError, type ElasticsearchErrorBody } from './errors';
import { applySearchGuards, type SearchBody } from './guards';
import type { ClusterCredentials, ResolvedCluster, SecretsSource } from './secrets';

/** Checks every request against the allow-list before the client's own transport sends it. */
class ReadOnlyTransport extends SniffingTransport {
  // One signature for both overloads of Transport.request; the check is the whole point.
  override request(params: TransportRequestParams, options?: TransportRequestOptions): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
    assertAllowedRequest(params.method, params.path, params.querystring);
    return super.request(params, options);
  }
}

export type SearchResponse = estypes.SearchResponse<Record<string, unknown>>;

/** One answer of a multi search: the response, or the error the cluster gave for that body. */
export type MsearchItem = { ok: true; response: SearchResponse } | { ok: false; error: ClusterError };

export interface ValidateQueryResult {
  valid: boolean;
  /** The cluster's reason when invalid (from the explanation of the first shard that failed). */
  error?: string;
}

export interface RequestOptions {
  signal?: AbortSignal;
}

export class ReadOnlyCluster {
  private constructor(
    readonly cluster: ResolvedCluster,
    private readonly client: Client,
    private readonly secrets: SecretsSource,
    private readonly credentials: ClusterCredentials,
  ) {}

  /** Builds the client (nothing is sent until the first request). Errors name the cluster and the fix. */
  static async connect(cluster: ResolvedCluster, secrets: SecretsSource): Promise<ReadOnlyCluster> {
    const credentials = await secrets.credentialsFor(cluster);
    const tls: Record<string, unknown> = {};
    if (cluster.caFilePath) {
      try {
        tls['ca'] = readFileSync(cluster.caFilePath);
      } catch (e) {
        throw new ClusterError('config', `cluster "${cluster.name}": caFile ${cluster.caFilePath} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); fix the path in distillery.json`);
      }
    }
    // The fingerprint pins the CA; Node's own chain check would refuse the self-signed CA first.
    if (cluster.caFingerprint) tls['rejectUnauthorized'] = false;
    if (cluster.caFingerprint && cluster.url?.startsWith('http://')) {
      throw new ClusterError('config', `cluster "${cluster.name}": "caFingerprint" needs an https:// url; change the url or drop the fingerprint`);
    }
    const auth = credentials.kind === 'apiKey' ? { apiKey: credentials.apiKey } : credentials.kind === 'basic' ? { username: credentials.username, password: credentials.password } : undefined;
    const client = new Client({
      ...(cluster.cloudId ? { cloud: { id: cluster.cloudId } } : { node: cluster.url! }),
      ...(auth ? { auth } : {}),
      ...(cluster.caFingerprint ? { caFingerprint: cluster.caFingerprint } : {}),
      ...(Object.keys(tls).length ? { tls } : {}),
      Transport: ReadOnlyTransport,
      requestTimeout: cluster.timeoutMs,
      maxRetries: 2,
      compression: false,
    });
    return new ReadOnlyCluster(cluster, client, secrets, credentials);
  }

  get name(): string {
    return this.cluster.name;
  }

  get guards(): SearchGuards {
    return this.cluster.guards;
  }

  /** The body exactly as search/msearch send it (guards applied). */
  guarded(body: SearchBody): SearchBody {
    return applySearchGuards(body, this.cluster.guards);
  }

  private async call<T>(send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (e) {
      throw toClusterError(e, this.cluster, this.secrets, this.credentials);
    }
  }

  /** One search with the guards applied; the response as the cluster sent it. */
  search(index: string, body: SearchBody, options: RequestOptions = {}): Promise<SearchResponse> {
    const guarded = this.guarded(body);
    return this.call(() => this.client.transport.request<SearchResponse>({ method: 'POST', path: `/${encodeURIComponent(index)}/_search`, body: guarded }, { ...signal(options) }));
  }

  /**
   * Many searches in one `_msearch`, each guarded; per-body errors come back as items, not throws.
   * A body Elasticsearch cannot even parse (an unknown aggregation type) fails the whole request
   * with a 400, so such a batch is split in halves until the culprit answers alone with its error.
   */
  async msearch(index: string, bodies: readonly SearchBody[], options: RequestOptions = {}): Promise<MsearchItem[]> {
    if (bodies.length === 0) return [];
    try {
      return await this.msearchOnce(index, bodies, options);
    } catch (e) {
      if (!(e instanceof ClusterError) || e.kind !== 'rejected' || e.statusCode !== 400) throw e;
      if (bodies.length === 1) return [{ ok: false, error: e }];
      const half = Math.ceil(bodies.length / 2);
      return [...(await this.msearch(index, bodies.slice(0, half), options)), ...(await this.msearch(index, bodies.slice(half), options))];
    }
  }

  private async msearchOnce(index: string, bodies: readonly SearchBody[], options: RequestOptions): Promise<MsearchItem[]> {
    const lines: Record<string, unknown>[] = [];
    for (const b of bodies) lines.push({ index }, this.guarded(b));
    const result = await this.call(() =>
      this.client.transport.request<{ responses: (SearchResponse | { error: ElasticsearchErrorBody; status: number })[] }>({ method: 'POST', path: '/_msearch', bulkBody: lines }, { ...signal(options) }),
    );
    return result.responses.map((r) => {
      if ('error' in r && r.error) {
        const status = (r as { status?: number }).status;
        const mapped = toClusterError(new ClusterError('rejected', `cluster "${this.name}" rejected the search (${status ?? '?'} ${r.error.type ?? ''}): ${clusterReason(r.error) ?? ''}`.trim(), r.error, status), this.cluster, this.secrets, this.credentials);
        return { ok: false, error: mapped };
      }
      return { ok: true, response: r as SearchResponse };
    });
  }

  async count(index: string, query?: unknown, options: RequestOptions = {}): Promise<number> {
    const r = await this.call(() => this.client.count({ index, ...(query !== undefined ? { query: query as estypes.QueryDslQueryContainer } : {}) }, { ...signal(options) }));
    return r.count;
  }

  /** GET <index>/_mapping: `{"<index>": {"mappings": {…}}}` for every index the expression names. */
  mapping(index: string, options: RequestOptions = {}): Promise<Record<string, { mappings: Record<string, unknown> }>> {
    return this.call(() => this.client.indices.getMapping({ index }, { ...signal(options) })) as Promise<Record<string, { mappings: Record<string, unknown> }>>;
  }

  /** Field capabilities: types as searches see them, across indices, including runtime fields and aliases. */
  fieldCaps(index: string, fields = '*', options: RequestOptions = {}): Promise<estypes.FieldCapsResponse> {
    return this.call(() => this.client.fieldCaps({ index, fields }, { ...signal(options) }));
  }

  /** `_validate/query?explain` on the query part of a body. */
  async validateQuery(index: string, query: unknown, options: RequestOptions = {}): Promise<ValidateQueryResult> {
    const r = await this.call(() => this.client.indices.validateQuery({ index, explain: true, query: query as estypes.QueryDslQueryContainer }, { ...signal(options) }));
    if (r.valid) return { valid: true };
    const error = r.error ?? r.explanations?.find((x) => !x.valid && x.error)?.error;
    return { valid: false, ...(error ? { error } : {}) };
  }

  info(options: RequestOptions = {}): Promise<estypes.InfoResponse> {
    return this.call(() => this.client.info({}, { ...signal(options) }));
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

function signal(options: RequestOptions): { signal?: AbortSignal } {
  return options.signal ? { signal: options.signal } : {};
}
