// Benchmark: the dataset core over a 100,000-record dataset (bodies cycled from the shared Elasticsearch
// examples corpus). Prints one JSON line. Run: node --expose-gc --import tsx bench/dataset.ts [N]
//   baselineParseMs     read the file + JSON.parse of every line (the floor any loader pays)
//   openMs              DatasetStore.open: read, parse, zod-validate, index every line
//   openVsBaseline      openMs / baselineParseMs
//   heapMiB             live heap after open (GC'd), minus the heap before
//   peakRssMiB          process peak RSS (process.resourceUsage().maxRSS)
//   firstSearchMs       first text search: derives facts (query type, search text) for every record
//   filterMs            each filter/search/sort once facts exist (target ≤ 100 ms)
//   editSaveMs          one update + atomic save of the whole file; appendMs: one durable append
//   dedupMs             MinHash near-duplicate clusters over every question
//   splitMs / exportPlanMs   seeded stratified split and the export plan (dss) over accepted records
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findDuplicateClusters } from '../src/core/dataset/dedup';
import { planExport } from '../src/core/dataset/export';
import { filterRecords, RecordIndex, type RecordFilter } from '../src/core/dataset/query';
import { prng } from '../src/core/dataset/random';
import { assignSplits } from '../src/core/dataset/split';
import { computeStats } from '../src/core/dataset/stats';
import { DatasetStore } from '../src/core/dataset/store';
import { corpusPath } from '../test/helpers/corpus';

const N = Number(process.argv[2] ?? 100_000);
const CORPUS = process.env['DISTILLERY_CORPUS'] ?? corpusPath();
const gc = (globalThis as { gc?: () => void }).gc;

function bodies(): Record<string, unknown>[] {
  if (!existsSync(CORPUS)) return [{ query: { match_all: {} } }, { query: { term: { status: 'x' } } }, { size: 0, aggs: { a: { terms: { field: 'f' } } } }];
  return readFileSync(CORPUS, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { body?: unknown }).body)
    .filter((b): b is Record<string, unknown> => !!b && typeof b === 'object' && !Array.isArray(b));
}

function makeDataset(path: string, n: number): void {
  const pool = bodies();
  const random = prng('bench');
  const words = 'orders customers products revenue shipped cancelled paid refunded europe asia london paris monday weekly monthly average total count price category brand discount premium returned express mobile coupon winter summer'.split(' ');
  const w = () => words[Math.floor(random() * words.length)]!;
  const statuses = ['pending', 'generated', 'generated', 'accepted', 'accepted', 'rejected', 'needs_fix'];
  const lines: string[] = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const dsl = pool[i % pool.length]!;
    lines[i] = JSON.stringify({
      id: `q-${String(i).padStart(6, '0')}`,
      question: `${w()} ${w()} ${w()} from ${w()} over ${Math.floor(random() * 500)} #${i}`,
      rationale: `1. "${w()}" is a keyword field, so a term query. 2. The window is a range with date math. 3. Filters do not score. (${i})`,
      dsl,
      status: statuses[i % statuses.length],
      split: i % 5 === 0 ? null : ['train', 'train', 'val', 'test'][i % 4],
      source: { kind: 'teacher', model: 'gpt-4o-mini', usage: { input: 1800, output: 160 }, costUsd: 0.0004 },
      updatedAt: `2026-11-${String(1 + (i % 28)).padStart(2, '0')}T10:00:00Z`,
      'x-review': { by: 'bench' },
    });
  }
  writeFileSync(path, lines.join('\n') + '\n');
}

const ms = (t: number) => Math.round((performance.now() - t) * 10) / 10;
const mib = (b: number) => Math.round((b / 1048576) * 10) / 10;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'distillery-bench-dataset-'));
  try {
    const path = join(dir, 'bench.dss.jsonl');
    makeDataset(path, N);
    gc?.();

    // Baseline: the least any loader does.
    let t = performance.now();
    const parsed = readFileSync(path, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as unknown);
    const baselineParseMs = ms(t);
    if (parsed.length !== N) throw new Error('baseline parse lost lines');
    parsed.length = 0;
    gc?.();
    const heapBefore = process.memoryUsage().heapUsed;

    t = performance.now();
    const store = await DatasetStore.open(path);
    const openMs = ms(t);
    if (store.size !== N) throw new Error(`store has ${store.size} records, expected ${N}`);
    gc?.();
    const heapMiB = mib(process.memoryUsage().heapUsed - heapBefore);

    const records = store.records();
    const index = new RecordIndex();
    t = performance.now();
    filterRecords(records, { text: 'london' }, index);
    const firstSearchMs = ms(t);
    t = performance.now();
    for (const r of records) index.validity(r);
    const validateAllMs = ms(t);

    const cases: [string, RecordFilter][] = [
      ['none', {}],
      ['status=accepted', { status: 'accepted' }],
      ['status=accepted+needs_fix', { status: ['accepted', 'needs_fix'] }],
      ['split=train', { split: 'train' }],
      ['queryType=bool', { queryType: 'bool' }],
      ['validity=error', { validity: 'error' }],
      ['text "london"', { text: 'london' }],
      ['text "match_phrase" (DSL)', { text: 'match_phrase' }],
      ['text "paris weekly" + status', { text: 'paris weekly', status: 'generated' }],
      ['sort question', { sort: { key: 'question' } }],
      ['sort updatedAt desc', { sort: { key: 'updatedAt', descending: true } }],
      ['sort queryType', { sort: { key: 'queryType' } }],
    ];
    const filterMs: Record<string, number> = {};
    const matches: Record<string, number> = {};
    for (const [name, f] of cases) {
      t = performance.now();
      matches[name] = filterRecords(records, f, index).length;
      filterMs[name] = ms(t);
    }

    t = performance.now();
    const stats = computeStats(records, { index });
    const statsMs = ms(t);

    t = performance.now();
    store.update('q-000010', { status: 'accepted', notes: 'bench' });
    await store.save();
    const editSaveMs = ms(t);
    t = performance.now();
    await store.append([{ question: 'appended by the bench', status: 'generated' }]);
    const appendMs = ms(t);
    t = performance.now();
    const r = await store.reload();
    const noopReloadMs = ms(t);

    const accepted = records.filter((x) => x.status === 'accepted');
    t = performance.now();
    const clusters = findDuplicateClusters(records.map((x) => ({ id: x.id, text: x.question })));
    const dedupMs = ms(t);
    t = performance.now();
    assignSplits(accepted, { seed: 1, clusters });
    const splitMs = ms(t);
    t = performance.now();
    planExport(accepted, { seed: 1, resplit: true });
    const exportPlanMs = ms(t);

    const result = {
      records: N,
      datasetMiB: mib(statSync(path).size),
      baselineParseMs,
      openMs,
      openVsBaseline: Math.round((openMs / baselineParseMs) * 100) / 100,
      heapMiB,
      peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
      firstSearchMs,
      validateAllMs,
      filterMs,
      maxFilterMs: Math.max(...Object.values(filterMs)),
      matches,
      statsMs,
      queryTypes: Object.keys(stats.queryTypes).length,
      editSaveMs,
      appendMs,
      noopReloadMs,
      reloadChanged: r.changed,
      dedupMs,
      duplicateClusters: clusters.length,
      acceptedRecords: accepted.length,
      splitMs,
      exportPlanMs,
      gcExposed: gc !== undefined,
    };
    console.log(JSON.stringify(result));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
