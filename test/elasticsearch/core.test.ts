// The Elasticsearch core without a cluster: the allow-list, the guards, --cluster resolution, the
// clusters schema, env secrets, error pointers, result tables and the execution comparison.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  applySearchGuards, bodySorts, clusterErrorPointer, clusterSchema, compareExecution, DEFAULT_SEARCH_GUARDS, environmentSecrets, fieldsTouched,
  aggregationTables, hitsTable, isAllowedRequest, reduceResponse, renderTable, resolveCluster, resolveIndex, type ExecOutcome, type SearchResponse,
} from '../../src/core/elasticsearch';
import { parseProjectConfig } from '../../src/core/project/config';
import { projectJsonSchema } from '../../src/core/project/json-schema';

test('the allow-list admits only the read endpoints', () => {
  for (const [m, p] of [['POST', '/orders/_search'], ['GET', '/_search'], ['POST', '/_msearch'], ['POST', '/orders/_count'], ['GET', '/orders/_mapping'], ['POST', '/logs-*%2Corders/_field_caps'], ['POST', '/orders/_validate/query'], ['GET', '/']]) {
    assert.ok(isAllowedRequest(m!, p!), `${m} ${p} allowed`);
  }
  for (const [m, p] of [['DELETE', '/orders'], ['PUT', '/orders'], ['POST', '/orders/_doc'], ['POST', '/orders/_delete_by_query'], ['POST', '/orders/_update_by_query'], ['PUT', '/orders/_mapping'], ['POST', '/_bulk'], ['PUT', '/_cluster/settings'], ['POST', '/orders/_close'], ['DELETE', '/_search/scroll'], ['GET', '/_cat/indices'], ['POST', '/_search/../orders/_doc']]) {
    assert.ok(!isAllowedRequest(m!, p!), `${m} ${p} refused`);
  }
  assert.ok(!isAllowedRequest('POST', '/orders/_search', 'scroll=1m'), 'scroll contexts are refused');
});

test('guards lower what a body asks for and add what it lacks, after the user\'s own keys', () => {
  const g = { timeout: '10s', maxSize: 100, terminateAfter: 1000 };
  assert.deepEqual(applySearchGuards({ query: { match_all: {} } }, g), { query: { match_all: {} }, timeout: '10s', terminate_after: 1000 });
  assert.deepEqual(applySearchGuards({ size: 5000, timeout: '1m', terminate_after: 5 }, g), { size: 100, timeout: '10s', terminate_after: 5 });
  assert.deepEqual(applySearchGuards({ size: 3, timeout: '500ms' }, g), { size: 3, timeout: '500ms', terminate_after: 1000 });
  assert.deepEqual(Object.keys(applySearchGuards({ timeout: 'nonsense', query: {} }, g)), ['query', 'timeout', 'terminate_after']);
  assert.deepEqual(DEFAULT_SEARCH_GUARDS, { timeout: '10s', maxSize: 100, terminateAfter: 1_000_000 });
});

test('clusters in distillery.json: defaults, one of url/cloudId, a fingerprint that looks like one, and the JSON schema', () => {
  const config = parseProjectConfig(JSON.stringify({ clusters: [{ name: 'local', url: 'http://127.0.0.1:9200', index: 'orders', guards: { maxSize: 20 } }] }));
  assert.deepEqual(config.clusters[0], { name: 'local', url: 'http://127.0.0.1:9200', index: 'orders', timeoutMs: 30000, guards: { timeout: '10s', maxSize: 20, terminateAfter: 1_000_000 } });
  assert.throws(() => parseProjectConfig(JSON.stringify({ clusters: [{ name: 'x' }] })), /clusters\.0: a cluster needs exactly one of "url" or "cloudId"/);
  assert.throws(() => parseProjectConfig(JSON.stringify({ clusters: [{ name: 'x', url: 'https://h:9200', caFingerprint: 'abc' }] })), /caFingerprint is the SHA-256 fingerprint/);
  assert.throws(() => parseProjectConfig(JSON.stringify({ clusters: [{ name: 'x', url: 'http://h:9200', apiKey: 'k' }] })), /Unrecognized key\(s\) in object: 'apiKey'/, 'secrets never in the file');
  assert.ok(clusterSchema.safeParse({ name: 'x', url: 'https://h:9200', caFingerprint: 'AA:'.repeat(31) + 'AA' }).success);
  const schema = projectJsonSchema() as { definitions: { DistilleryProject: { properties: Record<string, { items?: { properties?: Record<string, unknown> } }> } } };
  const items = schema.definitions.DistilleryProject.properties['clusters']?.items?.properties ?? {};
  for (const key of ['name', 'url', 'cloudId', 'index', 'caFile', 'caFingerprint', 'timeoutMs', 'guards']) assert.ok(key in items, `JSON schema has clusters[].${key}`);
});

test('--cluster takes a configured name or a URL, and says what exists when it is neither', () => {
  const clusters = [clusterSchema.parse({ name: 'prod', url: 'https://es.example:9200', index: 'orders', caFile: 'certs/ca.crt' })];
  const byName = resolveCluster('prod', clusters, '/proj');
  assert.equal(byName.caFilePath, '/proj/certs/ca.crt');
  assert.equal(byName.adHoc, false);
  assert.equal(resolveCluster('https://es.example:9200/', clusters).name, 'prod', 'a configured URL keeps its settings');
  const adHoc = resolveCluster('http://127.0.0.1:9201', clusters);
  assert.equal(adHoc.adHoc, true);
  assert.equal(adHoc.guards.maxSize, 100);
  assert.throws(() => resolveCluster('staging', clusters), /no cluster named "staging" \(distillery\.json has: prod\); give a URL/);
  assert.throws(() => resolveIndex(adHoc, undefined), /pass --index I or set "index"/);
  assert.equal(resolveIndex(byName, undefined), 'orders');
});

test('env secrets: the cluster\'s own variable, then ES_API_KEY, then user + password', async () => {
  const c = resolveCluster('http://h:9200', []);
  assert.deepEqual(await environmentSecrets({ ES_API_KEY: 'k1' }).credentialsFor(c), { kind: 'apiKey', apiKey: 'k1' });
  assert.deepEqual(await environmentSecrets({ ES_USERNAME: 'u', ES_PASSWORD: 'p' }).credentialsFor(c), { kind: 'basic', username: 'u', password: 'p' });
  assert.deepEqual(await environmentSecrets({}).credentialsFor(c), { kind: 'none' });
  const own = { ...c, apiKeyEnv: 'PROD_KEY' };
  assert.deepEqual(await environmentSecrets({ PROD_KEY: 'k2', ES_API_KEY: 'k1' }).credentialsFor(own), { kind: 'apiKey', apiKey: 'k2' });
  assert.match(environmentSecrets({}).howToSet(own), /PROD_KEY/);
});

test('cluster errors land on the key or value they name', () => {
  const body = { query: { bool: { must: [{ mtach: { title: 'x' } }] } }, aggs: { by: { terms: { fieldd: 'status' } } }, sort: [{ price: 'asc' }] };
  const text = JSON.stringify(body);
  // The parser's [line:col] is an offset into the compact JSON the client sent.
  const col = text.indexOf('"mtach"') + 2;
  assert.equal(clusterErrorPointer(body, { type: 'x_content_parse_exception', reason: '[1:45] [bool] failed to parse field [must]', caused_by: { type: 'parsing_exception', reason: 'unknown query [mtach] did you mean [match]?', line: 1, col } }), '/query/bool/must/0/mtach');
  assert.equal(clusterErrorPointer(body, { type: 'x_content_parse_exception', reason: '[terms] unknown field [fieldd]' }), '/aggs/by/terms/fieldd');
  assert.equal(clusterErrorPointer(body, { type: 'search_phase_execution_exception', reason: 'all shards failed', failed_shards: [{ reason: { type: 'query_shard_exception', reason: 'No mapping found for [price] in order to sort on' } }] }), '/sort/0/price');
  assert.equal(clusterErrorPointer(body, { reason: 'something else entirely' }), '');
});

const response = (ids: string[], total: number, aggregations?: unknown): ExecOutcome => ({
  ok: true,
  result: reduceResponse({ took: 1, timed_out: false, _shards: { total: 1, successful: 1, failed: 0 }, hits: { total: { value: total, relation: 'eq' }, hits: ids.map((id) => ({ _index: 'o', _id: id })) }, ...(aggregations ? { aggregations } : {}) } as unknown as SearchResponse),
});

test('execution comparison: sets unless the gold sorts, totals, aggregations by structure not name, errors, empties', () => {
  assert.equal(compareExecution(response(['a', 'b'], 2), response(['b', 'a'], 2), false).verdict, 'match');
  assert.equal(compareExecution(response(['a', 'b'], 2), response(['b', 'a'], 2), true).verdict, 'mismatch');
  assert.equal(compareExecution(response(['a', 'b'], 2), response(['a', 'b'], 3), false).verdict, 'mismatch');
  assert.equal(compareExecution(response([], 0), response([], 0), false).verdict, 'bothEmpty');
  assert.equal(compareExecution({ ok: false, error: 'bad gold' }, response([], 0), false).verdict, 'goldError');
  assert.equal(compareExecution(response([], 0), { ok: false, error: 'bad' }, false).verdict, 'predictionError');
  assert.equal(compareExecution(response([], 0), undefined, false).verdict, 'predictionError');
  const aggs = (name: string, sub: string, counts: number[], avg: number) => ({ [name]: { doc_count_error_upper_bound: 0, sum_other_doc_count: 0, buckets: counts.map((c, i) => ({ key: `k${i}`, doc_count: c, [sub]: { value: avg * (i + 1) } })) } });
  assert.equal(compareExecution(response([], 10, aggs('by_status', 'avg_price', [6, 4], 1.5)), response([], 10, aggs('statuses', 'mean', [6, 4], 1.5 * (1 + 1e-9))), false).verdict, 'match', 'names are labels; 1e-9 relative is within tolerance');
  assert.equal(compareExecution(response([], 10, aggs('a', 'b', [6, 4], 1.5)), response([], 10, aggs('a', 'b', [6, 4], 1.5001)), false).verdict, 'mismatch');
  assert.equal(compareExecution(response([], 10, aggs('a', 'b', [6, 4], 1.5)), response([], 10, aggs('a', 'b', [5, 5], 1.5)), false).verdict, 'mismatch');
  // Sibling aggregations may come in any order.
  const two = (x: string, y: string) => ({ [x]: { value: 1 }, [y]: { value: 2 } });
  assert.equal(compareExecution(response([], 1, two('p', 'q')), response([], 1, { q: { value: 2 }, p: { value: 1 } }), false).verdict, 'match');
  assert.ok(bodySorts({ sort: [{ order_date: 'desc' }] }));
  assert.ok(!bodySorts({ sort: ['_score'] }));
  assert.ok(!bodySorts({ query: {} }));
});

test('result tables: touched fields, folded _source, buckets', () => {
  const body = { query: { bool: { filter: [{ term: { status: 'shipped' } }, { range: { taxful_total_price: { gte: 10, boost: 2 } } }] } }, aggs: { c: { terms: { field: 'geoip.city_name' }, aggs: { avg: { avg: { field: 'taxful_total_price' } } } } }, sort: [{ order_date: 'desc' }] };
  assert.deepEqual(fieldsTouched(body), ['status', 'taxful_total_price', 'geoip.city_name', 'order_date']);
  const r = { took: 2, timed_out: false, hits: { total: { value: 1, relation: 'eq' }, hits: [{ _index: 'o', _id: '1', _score: null, _source: { status: 'shipped', taxful_total_price: 12, geoip: { city_name: 'Paris' }, order_date: '2024-01-01', notes: 'x', tags: ['a'] } }] }, aggregations: { c: { buckets: [{ key: 'Paris', doc_count: 1, avg: { value: 12 } }] } } } as unknown as SearchResponse;
  const hits = hitsTable(r, fieldsTouched(body));
  assert.deepEqual(hits.rows[0], ['1', null, 'shipped', 12, 'Paris', '2024-01-01', '2 more']);
  const [bucket] = aggregationTables(r);
  assert.deepEqual(bucket, { title: 'c', columns: ['key', 'doc_count', 'avg'], rows: [['Paris', 1, 12]] });
  assert.match(renderTable(bucket!), /^key\s+doc_count\s+avg\n-+\s+-+\s+-+\nParis\s+1\s+12$/);
});
