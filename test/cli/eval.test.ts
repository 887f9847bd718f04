import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'distillery-eval-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));
const jsonl = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

test('eval scores predictions against gold by id and counts gold without a prediction as a miss', () => {
  writeFileSync(join(dir, 'gold.jsonl'), jsonl([
    { id: 'a', question: 'q', dsl: { query: { term: { status: 'shipped' } } } },
    { id: 'b', question: 'q', dsl: { query: { match: { notes: 'fragile' } } } },
    { id: 'c', question: 'q', dsl: { size: 0, aggs: { t: { terms: { field: 'status' } } } } },
  ]));
  writeFileSync(join(dir, 'pred.jsonl'), jsonl([
    { id: 'b', prediction: '{"query": {"match": {"notes": {"query": "fragile"}}}}' },
    { id: 'a', prediction: '{"query": {"trem": {"status": "shipped"}}}' },
  ]));
  const r = runCli(['eval', '--predictions', 'pred.jsonl', '--gold', 'gold.jsonl', '--format', 'json', '--details'], { cwd: dir });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.missing, 1);
  assert.equal(out.metrics.count, 3);
  assert.equal(out.metrics.exactMatch, 1 / 3);
  assert.equal(out.metrics.validDsl, 1 / 3);
  assert.equal(out.metrics.parseRate, 2 / 3);
  const a = out.records.find((x: { id: string }) => x.id === 'a');
  assert.match(a.errors[0], /unknown-query/);
});

test('eval refuses predictions whose ids are not in the gold file, and bad lines by number', () => {
  writeFileSync(join(dir, 'g2.jsonl'), jsonl([{ id: 'a', dsl: { query: { match_all: {} } } }]));
  writeFileSync(join(dir, 'p2.jsonl'), jsonl([{ id: 'zzz', prediction: '{}' }]));
  const r = runCli(['eval', '--predictions', 'p2.jsonl', '--gold', 'g2.jsonl'], { cwd: dir });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /no gold record with the same id \(first: zzz\)/);
  writeFileSync(join(dir, 'p3.jsonl'), '{"id":"a","prediction":"{}"}\nnot json\n');
  const bad = runCli(['eval', '--predictions', 'p3.jsonl', '--gold', 'g2.jsonl'], { cwd: dir });
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /p3\.jsonl line 2 is not JSON/);
  const usage = runCli(['eval', '--gold', 'g2.jsonl'], { cwd: dir });
  assert.equal(usage.status, 2);
});

test('eval keeps prototype-named keys: "toString" is scored invalid, "__proto__" is no false exact match', () => {
  writeFileSync(join(dir, 'g3.jsonl'), jsonl([
    { id: 'a', dsl: { query: { bool: { filter: [{ term: { status: 'x' } }] } } } },
    { id: 'b', dsl: { query: { match_all: {} } } },
  ]));
  writeFileSync(join(dir, 'p3.jsonl'), [
    '{"id":"a","prediction":{"query":{"bool":{"filter":[{"term":{"status":"x"}}],"__proto__":{"must":[]}}}}}',
    '{"id":"b","prediction":"{\\"query\\":{\\"toString\\":{}}}"}',
  ].join('\n') + '\n');
  const r = runCli(['eval', '--predictions', 'p3.jsonl', '--gold', 'g3.jsonl', '--format', 'json', '--details'], { cwd: dir });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.metrics.exactMatch, 0, 'the __proto__ key makes prediction a differ from its gold');
  const b = out.records.find((x: { id: string }) => x.id === 'b');
  assert.equal(b.valid, false);
  assert.match(b.errors[0], /unknown query \[toString\]/);
});
