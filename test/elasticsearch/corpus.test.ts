// Cluster-side validation of the shared corpus (Elasticsearch's own example bodies) against the
// real node: every body gets an answer, every rejection lands on a place in its body, and the
// disagreement list comes out (written to test-artifacts/corpus-disagreements.txt for whoever
// corrects the validator's tables). Against the embedded node most cluster-only entries are what it
// lacks (module queries and aggregations, painless) or what the test index does not map.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../helpers/cli';
import { corpusPath } from '../helpers/corpus';
import { engineUnavailable, sharedEngine, type TestEngine } from '../helpers/es-engine';
import { cleanEnv, runCliAsync } from './cli-async';
import { writeShopSeed } from './shop-seed';

const skip = engineUnavailable();
let es: TestEngine;
let seedDir: string;
let dir: string;
before(async () => {
  if (skip) return;
  seedDir = writeShopSeed();
  es = await sharedEngine({ seed: seedDir });
  dir = mkdtempSync(join(tmpdir(), 'distillery-es-corpus-'));
});
after(async () => {
  await es?.stop();
  for (const d of [dir, seedDir]) if (d) rmSync(d, { recursive: true, force: true });
});

function resolvePointer(doc: unknown, pointer: string): unknown {
  if (pointer === '') return doc;
  let v: unknown = doc;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (v === null || typeof v !== 'object' || !(key in (v as object))) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

test('validate --cluster on the corpus: an answer per body, rejections placed, disagreements listed', { skip, timeout: 300_000 }, async () => {
  const rows = readFileSync(corpusPath(), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { api: string; kind: string; source: string; body: Record<string, unknown> })
    .filter((r) => r.api === 'search' && r.kind === 'search_body');
  const records = rows.map((r, i) => ({ id: `c${i}`, question: r.source, dsl: r.body, status: 'accepted' }));
  writeFileSync(join(dir, 'corpus.dss.jsonl'), records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const r = await runCliAsync(['validate', 'corpus.dss.jsonl', '--cluster', es.url, '--index', 'shop', '--format', 'json'], { cwd: dir, env: cleanEnv() });
  assert.equal(r.status, 1, r.stderr);
  assert.equal(r.stderr, '', 'no body stops the run');
  const out = JSON.parse(r.stdout) as { summary: { records: number }; diagnostics: { code: string; recordId: string; pointer: string; message: string }[]; disagreements: { kind: string; recordId: string; pointer: string; message: string }[] };
  assert.equal(out.summary.records, records.length);
  const byId = new Map(records.map((x) => [x.id, x]));
  const rejected = out.diagnostics.filter((d) => d.code === 'cluster-rejected');
  assert.ok(rejected.length > 0);
  for (const d of rejected) {
    assert.ok(resolvePointer(byId.get(d.recordId), d.pointer) !== undefined, `${d.recordId}: ${d.pointer} is in the body`);
    assert.match(d.message, /rejects this: \S/, `${d.recordId}: a reason, not an empty one`);
  }
  // Known gaps of the embedded node show up as cluster-only, at the right place.
  const semantic = out.disagreements.find((d) => d.kind === 'cluster-only' && /unknown query \[semantic\]/.test(d.message));
  assert.ok(semantic && semantic.pointer.endsWith('/semantic'), 'a query type from a module this node lacks');
  assert.ok(out.disagreements.some((d) => d.kind === 'cluster-only' && /script_lang not supported \[painless\]/.test(d.message)), 'painless is absent');
  assert.ok(out.disagreements.some((d) => d.kind === 'cluster-only' && /No mapping found for \[.+\] in order to sort on/.test(d.message)), 'sorts on fields the index lacks');
  const artifacts = join(repoRoot, 'test-artifacts');
  mkdirSync(artifacts, { recursive: true });
  writeFileSync(join(artifacts, 'corpus-disagreements.txt'), out.disagreements.map((d) => `${d.kind}\t${d.recordId}\t${d.pointer}\t${d.message}`).join('\n') + '\n');
});
