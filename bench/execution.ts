// Benchmark: execution-accuracy scoring (`execEval`: _msearch batches, reduce, compare) of 2,000
// gold/prediction pairs against the local engine, as a fraction of the engine's own limit: a bare
// `_msearch` loop over the same 4,000 bodies (same batches, same concurrency, same guards) that
// only receives the responses. Both run side by side in this script, alternating, best of N.
// Target: ratio (bare loop time / scoring time) ≥ 0.8 (issue 11). Needs the engine built
// (bash scripts/setup-es-engine.sh); without it, prints a JSON line with "skipped" and the reason.
// Run: node --import tsx bench/execution.ts [pairs] [repeats]   (default 2000 pairs, 4 repeats)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@elastic/elasticsearch';
import { execEval, noSecrets, ReadOnlyCluster, resolveCluster, type ExecPair, type SearchBody } from '../src/core/elasticsearch';
import { engineUnavailable, examplesSeed, startEngine } from '../test/helpers/es-engine';

const root = join(import.meta.dirname, '..');
const pairsWanted = Number(process.argv[2] ?? 2000);
const repeats = Number(process.argv[3] ?? 4);
const BATCH = 50;
const CONCURRENCY = 4;

async function main(): Promise<void> {
  const unavailable = engineUnavailable();
  if (unavailable) {
    console.log(JSON.stringify({ bench: 'execution', skipped: unavailable }));
    return;
  }
  // The examples' accepted pairs as templates; a price floor per pair makes every body distinct.
  const templates = readFileSync(join(root, 'examples/dataset.dss.jsonl'), 'utf8').split('\n').filter(Boolean)
    .map((l) => JSON.parse(l) as { dsl?: SearchBody | null })
    .map((r) => r.dsl)
    .filter((d): d is SearchBody => typeof d === 'object' && d !== null);
  const engine = await startEngine({ seed: examplesSeed(), heap: '512m' });
  const cluster = await ReadOnlyCluster.connect(resolveCluster(engine.url, []), noSecrets);
  // Only bodies the embedded node runs (it lacks the module-only aggregations), so the bare loop,
  // which cannot split a failing _msearch, times the same work.
  const runnable: SearchBody[] = [];
  for (const t of templates) if ((await cluster.msearch('orders', [t]))[0]!.ok) runnable.push(t);
  templates.splice(0, templates.length, ...runnable);
  const pairs: ExecPair[] = [];
  for (let i = 0; i < pairsWanted; i++) {
    const t = templates[i % templates.length]!;
    const floor = { range: { taxful_total_price: { gte: i / 10 } } };
    const query = t['query'] ?? { match_all: {} };
    const gold = { ...t, query: { bool: { must: [query], filter: [floor] } } };
    // Half the predictions say the same thing another way, half drift (a higher floor).
    const prediction = i % 2 === 0 ? { ...t, query: { bool: { filter: [floor], must: [query] } } } : { ...t, query: { bool: { must: [query], filter: [{ range: { taxful_total_price: { gte: i / 10 + 25 } } }] } } };
    pairs.push({ id: `p${i}`, gold, prediction });
  }
  try {
    const bodies = pairs.flatMap((p) => [cluster.guarded(p.gold), cluster.guarded(p.prediction!)]);
    const bare = new Client({ node: engine.url, compression: false });

    const bareLoop = async () => {
      const batches: SearchBody[][] = [];
      for (let i = 0; i < bodies.length; i += BATCH) batches.push(bodies.slice(i, i + BATCH));
      let next = 0;
      const worker = async () => {
        while (next < batches.length) {
          const batch = batches[next++]!;
          await bare.transport.request({ method: 'POST', path: '/_msearch', bulkBody: batch.flatMap((b) => [{ index: 'orders' }, b]) });
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    };
    const scored = () => execEval(cluster, 'orders', pairs, { batchSize: BATCH, concurrency: CONCURRENCY });

    // Warm both paths (JIT, the node's caches) before timing.
    await bareLoop();
    let summary = (await scored()).summary;
    const best = { exec: Infinity, bare: Infinity };
    const timeBare = async () => {
      const t0 = performance.now();
      await bareLoop();
      best.bare = Math.min(best.bare, performance.now() - t0);
    };
    const timeScored = async () => {
      const t0 = performance.now();
      summary = (await scored()).summary;
      best.exec = Math.min(best.exec, performance.now() - t0);
    };
    // Alternate which goes first, so neither always runs on the other's warm caches.
    for (let r = 0; r < repeats; r++) {
      if (r % 2 === 0) {
        await timeBare();
        await timeScored();
      } else {
        await timeScored();
        await timeBare();
      }
    }
    await cluster.close();
    await bare.close();
    console.log(JSON.stringify({
      bench: 'execution', pairs: pairs.length, templates: templates.length, bodies: bodies.length, batch: BATCH, concurrency: CONCURRENCY,
      execMs: Math.round(best.exec), msearchOnlyMs: Math.round(best.bare), ratio: +(best.bare / best.exec).toFixed(2), target: 0.8,
      execAccuracy: +summary.execAccuracy.toFixed(3), bothEmpty: +summary.bothEmpty.toFixed(3), execErrors: summary.execErrors,
    }));
  } finally {
    await engine.stop();
  }
}

void main();
