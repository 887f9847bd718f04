// Against a real Elasticsearch node (test/helpers/es-engine.ts) seeded with the twelve "shop"
// documents: query, mapping pull and drift, validate --cluster, execution accuracy on pairs whose
// verdicts are known, and the read-only proxy test.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAllowedRequest, ReadOnlyCluster, ReadOnlyViolation, renderFieldSamples, resolveCluster, noSecrets, sampleFieldValues } from '../../src/core/elasticsearch';
import { mappedFields, parseMapping } from '../../src/core/dsl';
import { loadMappingFile } from '../../src/core/project/files';
import { engineUnavailable, sharedEngine, type TestEngine } from '../helpers/es-engine';
import { cleanEnv, runCliAsync } from './cli-async';
import { startRecordingProxy, type RecordingProxy } from './recording-proxy';
import { SHOP_MAPPING, writeShopSeed } from './shop-seed';

const skip = engineUnavailable();
let es: TestEngine;
let seedDir: string;
let dir: string;
const cli = (args: string[], cwd = dir) => runCliAsync(args, { cwd, env: cleanEnv() });
const jsonl = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
const noStack = (s: string) => assert.doesNotMatch(s, /\n\s+at .+:\d+:\d+/, `no stack trace in: ${s}`);

before(async () => {
  if (skip) return;
  seedDir = writeShopSeed();
  es = await sharedEngine({ seed: seedDir });
  dir = mkdtempSync(join(tmpdir(), 'distillery-es-'));
});
after(async () => {
  await es?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (seedDir) rmSync(seedDir, { recursive: true, force: true });
});

test('query prints total, took, the touched fields of the top hits and the buckets; json is the response as is', { skip }, async () => {
  writeFileSync(join(dir, 'shipped.querydsl'), JSON.stringify({ query: { bool: { filter: [{ term: { status: 'shipped' } }] } }, sort: [{ price: 'asc' }], aggs: { by_seller: { terms: { field: 'seller.name' } } } }, null, 2));
  const text = await cli(['query', 'shipped.querydsl', '--cluster', es.url, '--index', 'shop']);
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /^total 5, took \d+ ms/);
  assert.match(text.stdout, /_id\s+_score\s+status\s+price\s+seller\.name\s+_source \(other fields\)/);
  assert.match(text.stdout, /\n1\s+shipped\s+10\s+acme\s+\d+ more/);
  assert.match(text.stdout, /aggregation by_seller\nkey\s+doc_count\n-+\s+-+\nacme\s+5/);
  const json = await cli(['query', 'shipped.querydsl', '--cluster', es.url, '--index', 'shop', '--format', 'json']);
  const response = JSON.parse(json.stdout);
  assert.equal(response.hits.total.value, 5);
  assert.deepEqual(response.hits.hits.map((h: { _id: string }) => h._id), ['1', '2', '3', '4', '5']);
});

test('a named cluster from distillery.json brings its index and its guards (size cap)', { skip }, async () => {
  const project = mkdtempSync(join(dir, 'proj-'));
  writeFileSync(join(project, 'distillery.json'), JSON.stringify({ clusters: [{ name: 'test', url: es.url, index: 'shop', guards: { maxSize: 2 } }] }));
  writeFileSync(join(project, 'all.json'), JSON.stringify({ query: { match_all: {} }, size: 50 }));
  const r = await cli(['query', 'all.json', '--cluster', 'test', '--format', 'json'], project);
  assert.equal(r.status, 0, r.stderr);
  const response = JSON.parse(r.stdout);
  assert.equal(response.hits.total.value, 12);
  assert.equal(response.hits.hits.length, 2, 'size 50 was capped at the cluster\'s maxSize 2');
  const unknown = await cli(['query', 'all.json', '--cluster', 'nope'], project);
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /no cluster named "nope" \(distillery\.json has: test\)/);
});

test('a body the cluster rejects is reported at the key it names, without a stack trace', { skip }, async () => {
  writeFileSync(join(dir, 'typo.querydsl'), '{\n  "query": {\n    "bool": {\n      "must": [\n        { "mtach": { "title": "shoe" } }\n      ]\n    }\n  }\n}\n');
  const r = await cli(['query', 'typo.querydsl', '--cluster', es.url, '--index', 'shop']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^typo\.querydsl:5:11: error cluster-rejected: the cluster rejects this: unknown query \[mtach\] did you mean \[match\]\? \(parsing_exception\) \(at \/query\/bool\/must\/0\/mtach\)\n$/);
  noStack(r.stderr);
  writeFileSync(join(dir, 'ok.querydsl'), '{"query": {"match_all": {}}}');
  const missing = await cli(['query', 'ok.querydsl', '--cluster', es.url, '--index', 'no-such-index']);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /has no index no-such-index: check --index/);
});

test('mapping pull writes a file the validator reads, equal to the one the index was created from', { skip }, async () => {
  const out = join(dir, 'pulled.json');
  const r = await cli(['mapping', 'pull', '--cluster', es.url, '--index', 'shop', '--out', out]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /wrote .*pulled\.json: \d+ fields from shop/);
  const pulled = loadMappingFile(out);
  assert.deepEqual(mappedFields(pulled), mappedFields(parseMapping(SHOP_MAPPING)));
  assert.equal(pulled.fields.get('seller_name')?.aliasOf, 'seller.name');
  assert.equal(pulled.fields.get('colour')?.runtime, true);
  const file = JSON.parse(readFileSync(out, 'utf8'));
  assert.deepEqual(file._distillery.fieldCaps['seller_name'], { type: 'keyword', searchable: true, aggregatable: true }, 'field caps resolve the alias');
  assert.equal(file._distillery.fieldCaps['colour'].type, 'keyword');
  const again = await cli(['mapping', 'pull', '--cluster', es.url, '--index', 'shop', '--out', out]);
  assert.match(again.stdout, /no drift/);
});

test('drift: a changed mapping lists exactly the accepted records it broke', { skip }, async () => {
  const project = mkdtempSync(join(dir, 'drift-'));
  const old = structuredClone(SHOP_MAPPING) as { mappings: { properties: Record<string, unknown> } };
  old.mappings.properties['legacy_code'] = { type: 'keyword' };
  old.mappings.properties['qty'] = { type: 'keyword' };
  writeFileSync(join(project, 'mapping.json'), JSON.stringify(old));
  writeFileSync(join(project, 'distillery.json'), JSON.stringify({ dataset: 'data.dss.jsonl', mapping: 'mapping.json', clusters: [{ name: 'shop', url: es.url, index: 'shop' }] }));
  writeFileSync(join(project, 'data.dss.jsonl'), jsonl([
    { id: 'uses-legacy', question: 'q', dsl: { query: { term: { legacy_code: 'A1' } } }, status: 'accepted' },
    { id: 'uses-status', question: 'q', dsl: { query: { term: { status: 'shipped' } } }, status: 'accepted' },
    { id: 'draft-legacy', question: 'q', dsl: { query: { term: { legacy_code: 'B2' } } }, status: 'generated' },
    { id: 'qty-prefix', question: 'q', dsl: { query: { prefix: { qty: '1' } } }, status: 'accepted' },
  ]));
  const r = await cli(['mapping', 'pull', '--cluster', 'shop', '--out', 'mapping.json', '--format', 'json'], project);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.drift, true);
  assert.deepEqual(out.diff.removed, [{ path: 'legacy_code', type: 'keyword' }]);
  assert.deepEqual(out.diff.changed, [{ path: 'qty', from: 'keyword', to: 'integer' }]);
  assert.deepEqual(out.brokenRecords.map((b: { id: string }) => b.id), ['uses-legacy', 'qty-prefix']);
  assert.match(out.brokenRecords[0].problems[0], /^unknown-field at \/dsl\/query\/term\/legacy_code/);
  assert.ok(existsSync(join(project, 'mapping.previous.json')), 'the old file is kept');
  const text = await cli(['mapping', 'pull', '--cluster', 'shop', '--out', 'mapping.json'], project);
  assert.match(text.stdout, /no drift/);
});

test('validate --cluster adds cluster-rejected diagnostics and lists the disagreements both ways', { skip }, async () => {
  writeFileSync(join(dir, 'v.dss.jsonl'), jsonl([
    { id: 'fine', question: 'q', dsl: { query: { term: { status: 'shipped' } } }, status: 'accepted' },
    // The cluster refuses to sort on a field the index lacks; without a mapping the validator cannot know.
    { id: 'sort-unmapped', question: 'q', dsl: { query: { match_all: {} }, sort: [{ no_such_field: 'asc' }] }, status: 'accepted' },
    { id: 'typo', question: 'q', dsl: { query: { mtach: { title: 'shoe' } } }, status: 'accepted' },
    // Both reject a negative terms size: an agreement, not listed.
    { id: 'bad-agg', question: 'q', dsl: { size: 0, aggs: { t: { terms: { field: 'status', size: -1 } } } }, status: 'accepted' },
  ]));
  const r = await cli(['validate', 'v.dss.jsonl', '--cluster', es.url, '--index', 'shop', '--format', 'json']);
  assert.equal(r.status, 1, r.stderr);
  const out = JSON.parse(r.stdout);
  const cluster = out.diagnostics.filter((d: { code: string }) => d.code === 'cluster-rejected');
  const byRecord = (id: string) => cluster.filter((d: { recordId: string }) => d.recordId === id);
  assert.equal(byRecord('fine').length, 0);
  assert.equal(byRecord('typo')[0].pointer, '/dsl/query/mtach');
  assert.equal(byRecord('sort-unmapped')[0].pointer, '/dsl/sort/0/no_such_field');
  assert.match(byRecord('sort-unmapped')[0].message, /No mapping found for \[no_such_field\] in order to sort on/);
  assert.equal(byRecord('sort-unmapped')[0].line, 2);
  assert.equal(byRecord('bad-agg')[0].pointer, '/dsl/aggs/t/terms/size');
  assert.deepEqual(out.disagreements.map((d: { recordId: string; kind: string }) => `${d.recordId} ${d.kind}`), ['sort-unmapped cluster-only']);
  const text = await cli(['validate', 'v.dss.jsonl', '--cluster', es.url, '--index', 'shop']);
  assert.match(text.stdout, /the cluster rejects, the static validator finds no error \(1\):\n  v\.dss\.jsonl:2 \[sort-unmapped\] \/dsl\/sort\/0\/no_such_field: /);
});

const GOLD = [
  // Same results by different DSL: term vs match on the keyword sub-field.
  { id: 'term-vs-match', dsl: { query: { term: { 'title.keyword': 'Red Shoe' } } }, prediction: { query: { match: { 'title.keyword': 'Red Shoe' } } }, exec: 'match' },
  // Same DSL, clauses in another order.
  { id: 'clause-order', dsl: { query: { bool: { filter: [{ term: { status: 'shipped' } }, { range: { price: { gte: 20 } } }] } } }, prediction: { query: { bool: { filter: [{ range: { price: { gte: 20 } } }, { term: { status: 'shipped' } }] } } }, exec: 'match' },
  { id: 'empty-vs-empty', dsl: { query: { term: { status: 'lost' } } }, prediction: { query: { term: { status: 'stolen' } } }, exec: 'bothEmpty' },
  // Aggregations: names are free labels.
  { id: 'agg-renamed', dsl: { size: 0, aggs: { by_status: { terms: { field: 'status' }, aggs: { avg_price: { avg: { field: 'price' } } } } } }, prediction: { size: 0, aggs: { statuses: { terms: { field: 'status' }, aggs: { mean: { avg: { field: 'price' } } } } } }, exec: 'match' },
  { id: 'agg-other-field', dsl: { size: 0, aggs: { by_status: { terms: { field: 'status' } } } }, prediction: { size: 0, aggs: { by_status: { terms: { field: 'seller.name' } } } }, exec: 'mismatch' },
  { id: 'agg-other-metric', dsl: { size: 0, aggs: { m: { avg: { field: 'price' } } } }, prediction: { size: 0, aggs: { m: { max: { field: 'price' } } } }, exec: 'mismatch' },
  { id: 'other-hits', dsl: { query: { term: { status: 'shipped' } } }, prediction: { query: { term: { status: 'pending' } } }, exec: 'mismatch' },
  // The gold sorts: order is part of the answer.
  { id: 'sorted-reversed', dsl: { query: { term: { status: 'pending' } }, sort: [{ price: 'asc' }] }, prediction: { query: { term: { status: 'pending' } }, sort: [{ price: 'desc' }] }, exec: 'mismatch' },
  { id: 'unsorted-any-order', dsl: { query: { term: { status: 'pending' } } }, prediction: { query: { term: { status: 'pending' } }, sort: [{ price: 'desc' }] }, exec: 'match' },
  // The same nine documents scored differently: the first pages differ, the answers do not.
  { id: 'same-set-other-scores', dsl: { query: { terms: { status: ['shipped', 'pending'] } }, size: 3 }, prediction: { query: { bool: { should: [{ term: { status: { value: 'pending', boost: 5 } } }, { term: { status: 'shipped' } }] } }, size: 3 }, exec: 'match' },
  // Equal totals, other documents.
  { id: 'same-total-other-set', dsl: { query: { terms: { qty: [1, 2] } }, size: 2 }, prediction: { query: { terms: { qty: [3, 4] } }, size: 2 }, exec: 'mismatch' },
  { id: 'prediction-rejected', dsl: { query: { term: { status: 'pending' } } }, prediction: { query: { range: { sold_at: { gte: 'not a date' } } } }, exec: 'predictionError' },
  // Elasticsearch fails a whole _msearch on a body it cannot parse; the others in the batch still count.
  { id: 'prediction-unknown-agg', dsl: { query: { term: { status: 'pending' } } }, prediction: { size: 0, aggs: { x: { terrms: { field: 'status' } } } }, exec: 'predictionError' },
  { id: 'prediction-not-json', dsl: { query: { term: { status: 'pending' } } }, prediction: 'SELECT * FROM shop', exec: 'predictionError' },
  { id: 'gold-rejected', dsl: { query: { range: { price: { gte: 'cheap' } } } }, prediction: { query: { match_all: {} } }, exec: 'goldError' },
];

test('eval --cluster gives each crafted pair its known verdict and the contract summary', { skip }, async () => {
  const evalDir = mkdtempSync(join(dir, 'eval-'));
  writeFileSync(join(evalDir, 'gold.jsonl'), jsonl(GOLD.map((g) => ({ id: g.id, question: 'q', dsl: g.dsl }))));
  writeFileSync(join(evalDir, 'pred.jsonl'), jsonl(GOLD.map((g) => ({ id: g.id, prediction: typeof g.prediction === 'string' ? g.prediction : JSON.stringify(g.prediction) }))));
  const r = await cli(['eval', '--predictions', 'pred.jsonl', '--gold', 'gold.jsonl', '--cluster', es.url, '--index', 'shop', '--format', 'json', '--details'], evalDir);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  const verdicts = Object.fromEntries(out.records.map((x: { id: string; exec: string }) => [x.id, x.exec]));
  assert.deepEqual(verdicts, Object.fromEntries(GOLD.map((g) => [g.id, g.exec])));
  const n = GOLD.length;
  assert.equal(out.metrics.execAccuracy, GOLD.filter((g) => g.exec === 'match' || g.exec === 'bothEmpty').length / n);
  assert.equal(out.metrics.bothEmpty, 1 / n);
  assert.equal(out.metrics.execErrors, 3 / n);
  assert.equal(out.metrics.goldErrors, 1);
  assert.ok(existsSync(join(evalDir, 'pred.jsonl.exec-cache.jsonl')), 'answers are cached beside the predictions');
  const text = await cli(['eval', '--predictions', 'pred.jsonl', '--gold', 'gold.jsonl', '--cluster', es.url, '--index', 'shop', '--details'], evalDir);
  assert.match(text.stdout, /exec accuracy\s+40\.0% \(both empty 6\.7%, prediction errors 20\.0%, 1 gold bodies rejected by the cluster\)/);
  assert.match(text.stdout, /sorted-reversed: exec mismatch \(the hits differ or come in another order \(the gold sorts\)\)/);
});

test('read-only by construction: every feature through a recording proxy sends only allow-listed requests', { skip }, async () => {
  const proxy: RecordingProxy = await startRecordingProxy(es.url);
  try {
    const work = mkdtempSync(join(dir, 'proxy-'));
    writeFileSync(join(work, 'body.json'), JSON.stringify({ query: { term: { status: 'shipped' } }, aggs: { s: { terms: { field: 'tags' } } } }));
    writeFileSync(join(work, 'gold.jsonl'), jsonl(GOLD.map((g) => ({ id: g.id, question: 'q', dsl: g.dsl }))));
    writeFileSync(join(work, 'pred.jsonl'), jsonl(GOLD.map((g) => ({ id: g.id, prediction: g.prediction }))));
    const runs = [
      ['query', 'body.json', '--cluster', proxy.url, '--index', 'shop'],
      ['query', 'body.json', '--cluster', proxy.url, '--index', 'shop', '--format', 'json'],
      ['mapping', 'pull', '--cluster', proxy.url, '--index', 'shop', '--out', 'm.json'],
      ['validate', 'body.json', 'gold.jsonl', '--cluster', proxy.url, '--index', 'shop'],
      ['eval', '--predictions', 'pred.jsonl', '--gold', 'gold.jsonl', '--cluster', proxy.url, '--index', 'shop'],
    ];
    for (const args of runs) {
      const r = await cli(args, work);
      assert.ok(r.status === 0 || r.status === 1, `${args.join(' ')}: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /internal error/);
    }
    // And a write attempted below the features, through the client itself, never leaves the process.
    const cluster = await ReadOnlyCluster.connect(resolveCluster(proxy.url, []), noSecrets);
    const before = proxy.recorded.length;
    const client = (cluster as unknown as { client: { indices: { delete(p: unknown): Promise<unknown> }; index(p: unknown): Promise<unknown> } }).client;
    await assert.rejects(client.indices.delete({ index: 'shop' }), ReadOnlyViolation);
    await assert.rejects(client.index({ index: 'shop', document: { status: 'x' } }), ReadOnlyViolation);
    await cluster.close();
    assert.equal(proxy.recorded.length, before, 'refused requests were never sent');

    const pairs = new Set(proxy.recorded.map((r) => `${r.method} ${r.path.replace(/^\/shop\//, '/{index}/')}`));
    for (const r of proxy.recorded) assert.ok(isAllowedRequest(r.method, r.path, r.query), `sent ${r.method} ${r.path}?${r.query}`);
    assert.deepEqual([...pairs].sort(), ['GET /{index}/_count', 'GET /{index}/_mapping', 'POST /_msearch', 'POST /{index}/_field_caps', 'POST /{index}/_search', 'POST /{index}/_validate/query'].sort());
    // Every search carried the guards.
    for (const r of proxy.recorded.filter((x) => x.path.endsWith('/_search'))) {
      const body = JSON.parse(r.body);
      assert.ok(typeof body.timeout === 'string' && typeof body.terminate_after === 'number', `guards on ${r.body}`);
    }
    for (const r of proxy.recorded.filter((x) => x.path === '/_msearch')) {
      const lines = r.body.trim().split('\n').map((l) => JSON.parse(l));
      for (let i = 1; i < lines.length; i += 2) assert.ok(lines[i].timeout && lines[i].terminate_after, 'guards on every msearch body');
    }
    const count = await fetch(`${es.url}/shop/_count`).then((x) => x.json() as Promise<{ count: number }>);
    assert.equal(count.count, 12, 'the index is untouched');
  } finally {
    await proxy.close();
  }
});

test('grounding samples top terms and ranges from the cluster, once, then from its cache', { skip }, async () => {
  const proxy = await startRecordingProxy(es.url);
  try {
    const cluster = await ReadOnlyCluster.connect(resolveCluster(proxy.url, []), noSecrets);
    const cacheFile = join(dir, 'grounding.json');
    const samples = await sampleFieldValues(cluster, 'shop', parseMapping(SHOP_MAPPING), { terms: 3, cacheFile });
    const by = Object.fromEntries(samples.map((s) => [s.field, s]));
    assert.deepEqual(by['status']?.topTerms, [{ value: 'shipped', count: 5 }, { value: 'pending', count: 4 }, { value: 'cancelled', count: 3 }]);
    assert.deepEqual([by['price']?.min, by['price']?.max], [10, 120]);
    assert.deepEqual([by['sold_at']?.min, by['sold_at']?.max], ['2026-01-15T12:00:00.000Z', '2026-09-15T12:00:00.000Z']);
    assert.equal(by['items.sku'], undefined, 'nested fields need a nested aggregation: left out');
    assert.match(renderFieldSamples(samples), /^- title\.keyword \(keyword\): "Red Shoe" \(4\), .*\n- status \(keyword\): "shipped" \(5\), "pending" \(4\), "cancelled" \(3\)/m);
    const searches = () => proxy.recorded.filter((r) => r.path.endsWith('/_search')).length;
    const before = searches();
    assert.deepEqual(await sampleFieldValues(cluster, 'shop', parseMapping(SHOP_MAPPING), { terms: 3, cacheFile }), samples);
    assert.equal(searches(), before, 'the second call is served from the cache');
    await cluster.close();
  } finally {
    await proxy.close();
  }
});
