// The one list of requests Distillery may send to a cluster. It is checked in the client's transport
// (read-only-cluster.ts), below every feature, so no code path can write, delete or change settings:
// anything else throws before a byte is sent. The read-only proxy test drives every feature and
// asserts only these pairs reached the wire.

/** An index expression in a path: names, aliases, patterns, comma lists (URL-encoded); never `_`-prefixed endpoints. */
const INDEX = '(?!_)[^/]+';

export const READ_ONLY_ENDPOINTS: readonly { method: readonly string[]; path: RegExp; what: string }[] = [
  { method: ['GET'], path: /^\/$/, what: 'cluster info' },
  { method: ['GET', 'POST'], path: new RegExp(`^(/${INDEX})?/_search$`), what: 'search' },
  { method: ['GET', 'POST'], path: new RegExp(`^(/${INDEX})?/_msearch$`), what: 'multi search' },
  { method: ['GET', 'POST'], path: new RegExp(`^(/${INDEX})?/_count$`), what: 'count' },
  { method: ['GET'], path: new RegExp(`^(/${INDEX})?/_mapping$`), what: 'mapping' },
  { method: ['GET', 'POST'], path: new RegExp(`^(/${INDEX})?/_field_caps$`), what: 'field capabilities' },
  { method: ['GET', 'POST'], path: new RegExp(`^(/${INDEX})?/_validate/query$`), what: 'query validation' },
];

/** Query-string parameters that would open server-side state (scroll contexts) even on a read endpoint. */
const FORBIDDEN_PARAMETERS = ['scroll'];

export class ReadOnlyViolation extends Error {
  constructor(readonly method: string, readonly path: string) {
    super(`Distillery only reads from Elasticsearch; refused to send ${method} ${path} (not in the read-only allow-list in src/core/elasticsearch/allow-list.ts)`);
  }
}

export function isAllowedRequest(method: string, path: string, querystring?: string | Record<string, unknown>): boolean {
  const m = method.toUpperCase();
  if (!READ_ONLY_ENDPOINTS.some((e) => e.method.includes(m) && e.path.test(path))) return false;
  if (querystring === undefined || querystring === '') return true;
  const keys = typeof querystring === 'string' ? [...new URLSearchParams(querystring).keys()] : Object.keys(querystring);
  return !keys.some((k) => FORBIDDEN_PARAMETERS.includes(k));
}

export function assertAllowedRequest(method: string, path: string, querystring?: string | Record<string, unknown>): void {
  if (!isAllowedRequest(method, path, querystring)) throw new ReadOnlyViolation(method, path);
}
