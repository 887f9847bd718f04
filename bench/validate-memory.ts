// Benchmark: peak memory of `distillery validate --format json` on a dataset with N problems and
// on one with 4N problems (same record size), as fresh child processes. Streaming the output keeps
// memory bounded by the largest record, not by the number of problems: target ratio ≤ 1.3
// (issue 13: 1.66 M problems took 2.6 GB and died with "Invalid string length").
// The peak is the child's own getrusage maxRSS, printed by a preloaded hook when it exits.
// Run: npm run build && node --import tsx bench/validate-memory.ts [records]
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const records = Number(process.argv[2] ?? 100_000);
const dir = mkdtempSync(join(tmpdir(), 'distillery-bench-mem-'));
const hook = join(dir, 'peak.cjs');
writeFileSync(hook, `process.on('exit', () => process.stderr.write('PEAK_RSS_KB ' + process.resourceUsage().maxRSS + '\\n'));`);

// Three misspelt queries per record: three errors (with "did you mean") per line.
function dataset(name: string, n: number): string {
  const path = join(dir, name);
  writeFileSync(path, '');
  for (let i = 0; i < n; i += 10_000) {
    const lines: string[] = [];
    for (let j = i; j < Math.min(n, i + 10_000); j++) {
      lines.push(JSON.stringify({ id: `q-${j}`, question: `question ${j}`, status: 'generated', dsl: { query: { bool: { must: [{ trem: { status: 'x' } }, { mtach: { title: 'y' } }, { rnage: { price: { gt: j } } }] } } } }));
    }
    appendFileSync(path, lines.join('\n') + '\n');
  }
  return path;
}

function peak(file: string): { peakMiB: number; errors: number } {
  const r = spawnSync(process.execPath, ['-r', hook, join(root, 'dist/cli.js'), 'validate', '--format', 'json', file], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 1) throw new Error(`validate exited ${r.status}: ${r.stderr}`);
  const kb = Number(/PEAK_RSS_KB (\d+)/.exec(r.stderr)?.[1]);
  const summary = (JSON.parse(r.stdout) as { summary: { errors: number } }).summary;
  return { peakMiB: Math.round(kb / 1024), errors: summary.errors };
}

const small = peak(dataset('small.dss.jsonl', records));
const large = peak(dataset('large.dss.jsonl', records * 4));
rmSync(dir, { recursive: true, force: true });
const ratio = +(large.peakMiB / small.peakMiB).toFixed(2);
console.log(JSON.stringify({ bench: 'validate-memory', problems: [small.errors, large.errors], peakMiB: [small.peakMiB, large.peakMiB], ratio, target: 1.3, pass: ratio <= 1.3 }));
if (ratio > 1.3) process.exitCode = 1;
