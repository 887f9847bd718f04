// Benchmark: `distillery validate --format json` on 200,000 dataset records against a Node script
// that only reads the same file and JSON.parses each line. Both run as fresh child processes, side
// by side in this one script, alternating, best of N. Target: ratio ≤ 1.5 (issue 2).
// `ratio` compares wall-clock times; `cpuRatio` compares the CPU time each child reports for itself
// (a preloaded hook writes process.cpuUsage() at exit), which a machine shared with other work
// disturbs far less than wall-clock time.
// Run: npm run build && node --import tsx bench/validate.ts [records] [repeats]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSearchRecord, searchBodyOf, type CorpusRecord } from '../test/dsl/corpus-bodies';
import { corpusPath as corpusFile } from '../test/helpers/corpus';

const root = join(import.meta.dirname, '..');
const records = Number(process.argv[2] ?? 200_000);
const repeats = Number(process.argv[3] ?? 3);
const corpusPath = corpusFile();

// The same bodies the corpus test validates (transform pivots placed under their composite).
const bodies = readFileSync(corpusPath, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as CorpusRecord)
  .filter(isSearchRecord)
  .map(searchBodyOf);
const dir = mkdtempSync(join(tmpdir(), 'distillery-bench-'));
const dataset = join(dir, 'bench.dss.jsonl');
const lines: string[] = [];
for (let i = 0; i < records; i++) {
  lines.push(JSON.stringify({ id: `q-${i}`, question: `question number ${i} about orders`, rationale: 'step one; step two; step three', dsl: bodies[i % bodies.length], status: 'generated', split: null }));
}
writeFileSync(dataset, lines.join('\n') + '\n');
const baselineScript = join(dir, 'parse-only.js');
writeFileSync(baselineScript, `const t=require('fs').readFileSync(process.argv[2],'utf8');let n=0;for(const l of t.split('\\n')){if(l)JSON.parse(l),n++}process.stdout.write(JSON.stringify({n})+'\\n');`);
const cpuHook = join(dir, 'cpu-hook.js');
const cpuFile = join(dir, 'cpu.json');
writeFileSync(cpuHook, `process.on('exit',()=>{const u=process.cpuUsage();require('fs').writeFileSync(process.env.BENCH_CPU_FILE,JSON.stringify((u.user+u.system)/1000))});`);

function time(args: string[]): { ms: number; cpuMs: number; stdout: string } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--require', cpuHook, ...args], { encoding: 'utf8', maxBuffer: 1 << 30, env: { ...process.env, BENCH_CPU_FILE: cpuFile } });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0 && r.status !== 1) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { ms, cpuMs: JSON.parse(readFileSync(cpuFile, 'utf8')) as number, stdout: r.stdout };
}

let best = { validate: Infinity, baseline: Infinity, validateCpu: Infinity, baselineCpu: Infinity };
let summary: unknown;
for (let i = 0; i < repeats; i++) {
  const b = time([baselineScript, dataset]);
  const v = time([join(root, 'dist/cli.js'), 'validate', '--format', 'json', dataset]);
  summary = (JSON.parse(v.stdout) as { summary: unknown }).summary;
  best = {
    validate: Math.min(best.validate, v.ms), baseline: Math.min(best.baseline, b.ms),
    validateCpu: Math.min(best.validateCpu, v.cpuMs), baselineCpu: Math.min(best.baselineCpu, b.cpuMs),
  };
}
rmSync(dir, { recursive: true, force: true });
const result = {
  bench: 'validate', records, corpusBodies: bodies.length,
  validateMs: Math.round(best.validate), parseOnlyMs: Math.round(best.baseline), ratio: +(best.validate / best.baseline).toFixed(2),
  validateCpuMs: Math.round(best.validateCpu), parseOnlyCpuMs: Math.round(best.baselineCpu), cpuRatio: +(best.validateCpu / best.baselineCpu).toFixed(2),
  target: 1.5, summary,
};
console.log(JSON.stringify(result));
