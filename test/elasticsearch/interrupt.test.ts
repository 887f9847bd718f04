// The engine dies in the middle of `distillery eval --cluster`: the run stops with a clear error,
// the answers received so far stay in the results cache, and the same command, run again once a
// node answers at the same address, sends only the bodies that are still missing.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engineUnavailable, startEngine, type TestEngine } from '../helpers/es-engine';
import { cleanEnv, runCliAsync } from './cli-async';
import { startRecordingProxy } from './recording-proxy';
import { writeShopSeed } from './shop-seed';

const skip = engineUnavailable();
const cleanup: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanup.reverse()) await c();
});

const msearchBodies = (body: string) => body.trim().split('\n').length / 2;

test('engine killed mid-eval: clear error, partial answers kept, the rerun resumes', { skip, timeout: 240_000 }, async () => {
  const seedDir = writeShopSeed();
  const dir = mkdtempSync(join(tmpdir(), 'distillery-es-interrupt-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }), () => rmSync(seedDir, { recursive: true, force: true }));
  let engine: TestEngine = await startEngine({ seed: seedDir });
  cleanup.push(() => engine.stop());
  const proxy = await startRecordingProxy(engine.url);
  cleanup.push(() => proxy.close());

  // 300 pairs, 600 distinct bodies, 12 _msearch batches of 50.
  const gold = [];
  const predictions = [];
  for (let i = 0; i < 300; i++) {
    gold.push({ id: `r${i}`, question: 'q', dsl: { query: { range: { price: { gte: i / 2 } } }, size: 20 } });
    predictions.push({ id: `r${i}`, prediction: JSON.stringify({ query: { bool: { filter: [{ range: { price: { gte: i / 2 } } }] } }, size: 20 }) });
  }
  writeFileSync(join(dir, 'gold.jsonl'), gold.map((g) => JSON.stringify(g)).join('\n') + '\n');
  writeFileSync(join(dir, 'pred.jsonl'), predictions.map((p) => JSON.stringify(p)).join('\n') + '\n');
  const args = ['eval', '--predictions', 'pred.jsonl', '--gold', 'gold.jsonl', '--cluster', proxy.url, '--index', 'shop', '--format', 'json'];

  // The sixth _msearch can only start after an earlier one was answered: stop the node then.
  let msearches = 0;
  let stopping: Promise<void> | undefined;
  proxy.beforeForward = async (r) => {
    if (r.path === '/_msearch' && ++msearches === 6) stopping = engine.stop();
    if (stopping) await stopping;
  };
  const first = await runCliAsync(args, { cwd: dir, env: cleanEnv() });
  assert.equal(first.status, 1, first.stdout);
  const m = /execution stopped after (\d+) of 600 searches: cluster "http:\/\/127\.0\.0\.1:\d+" does not answer \(.*\); start it .* or fix its url; the \1 answers so far are kept in (.*pred\.jsonl\.exec-cache\.jsonl): run the same command again to resume/.exec(first.stderr);
  assert.ok(m, first.stderr);
  assert.doesNotMatch(first.stderr, /\n\s+at .+:\d+:\d+/);
  const kept = Number(m[1]);
  assert.ok(kept >= 50 && kept < 600 && kept % 50 === 0, `kept ${kept}`);
  const cached = readFileSync(join(dir, 'pred.jsonl.exec-cache.jsonl'), 'utf8').trim().split('\n');
  assert.equal(cached.length, kept, 'every answered body is in the cache');

  // A node answers at the same address again (same seed): the rerun sends only what is missing.
  engine = await startEngine({ seed: seedDir });
  proxy.upstream = engine.url;
  proxy.beforeForward = undefined;
  const before = proxy.recorded.length;
  const second = await runCliAsync(args, { cwd: dir, env: cleanEnv() });
  assert.equal(second.status, 0, second.stderr);
  const sent = proxy.recorded.slice(before).filter((r) => r.path === '/_msearch').reduce((n, r) => n + msearchBodies(r.body), 0);
  assert.equal(sent, 600 - kept, 'only the missing bodies were sent');
  const out = JSON.parse(second.stdout);
  assert.equal(out.metrics.execAccuracy, 1);
  assert.equal(out.metrics.execErrors, 0);
  assert.equal(out.metrics.bothEmpty, gold.filter((g) => g.dsl.query.range.price.gte > 120).length / 300);
});
