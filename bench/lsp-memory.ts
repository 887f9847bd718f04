// Language-server memory benchmark (issue 13): the server process's peak resident memory
// (VmHWM in /proc/<pid>/status) after it validated, published and re-validated after an edit
// a dataset with N problems, against the same for a dataset with 4N problems. Both datasets
// have the same lines and the same bytes (every clause is a 4- or 5-letter query name; in the
// first, 1 in 4 is misspelt, in the second every one is), so the difference is the problems
// alone. The server publishes at most MAX_PUBLISHED of them and keeps only counts past a
// window, so memory should not grow with the problems: target ratio ≤ 1.3 (before: 4.1 GB for
// 1.66 M problems). Drives a fresh server bundle of the current sources per dataset, over stdio.
//
//   node --import tsx bench/lsp-memory.ts [--lines 50000]
//
// Prints one JSON line: {"bench":"lsp-memory", lines, bytes, problems:[N,4N], peakMiB:[…], ratio, …}.
// Linux only (/proc).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { docUri, LspClient } from '../test/server/lsp-client';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

const CLAUSES_PER_LINE = 12;
const RIGHT = ['term', 'match', 'range'];
const MISSPELT = ['trem', 'mtach', 'rnage'];

/** One record with 12 query clauses, `misspelt` of them with a misspelt (same-length) query name. */
function line(i: number, misspelt: number): string {
  const must = Array.from({ length: CLAUSES_PER_LINE }, (_, k) => {
    const name = (k < misspelt ? MISSPELT : RIGHT)[k % 3] as string;
    return k % 3 === 2 ? { [name]: { price: { gt: k } } } : { [name]: { title: 'y' } };
  });
  return JSON.stringify({ id: `q-${String(i).padStart(7, '0')}`, question: `question ${i}`, status: 'generated', dsl: { query: { bool: { must } } } });
}

function peakKiB(pid: number): number {
  const kib = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  if (kib === undefined) throw new Error(`no VmHWM in /proc/${pid}/status`);
  return Number(kib);
}

async function measure(lines: number, misspelt: number): Promise<{ bytes: number; problems: number; peakMiB: number; published: number }> {
  const text = Array.from({ length: lines }, (_, i) => line(i, misspelt)).join('\n');
  const workspace = mkdtempSync(join(tmpdir(), 'distillery-bench-lsp-mem-'));
  const uri = docUri(workspace, 'bench.dss.jsonl');
  const client = await LspClient.start({ settings: { mappingPath: '', esVersion: '8.15', validation: { unmappedFieldSeverity: 'warning' } } });
  try {
    await client.open(uri, 'distillery-dataset', text);
    const first = await client.diagnosticsOf(uri, 1);
    // An edit at the top: the pass that follows reuses every other line and publishes again.
    await client.change(uri, 2, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: ' ' }]);
    await client.diagnosticsOf(uri, 2);
    const more = first.diagnostics.find((d) => d.code === 'more-problems');
    const hidden = Number(/^([\d,]+) more/.exec(more?.message ?? '')?.[1]?.replace(/,/g, '') ?? 0);
    return {
      bytes: Buffer.byteLength(text),
      problems: first.diagnostics.length - (more ? 1 : 0) + hidden,
      published: first.diagnostics.length,
      peakMiB: Math.round(peakKiB(client.pid as number) / 1024),
    };
  } finally {
    await client.stop();
    rmSync(workspace, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const lines = flag('lines', 50_000);
  const small = await measure(lines, CLAUSES_PER_LINE / 4);
  const large = await measure(lines, CLAUSES_PER_LINE);
  if (small.bytes !== large.bytes) throw new Error(`datasets differ in size: ${small.bytes} vs ${large.bytes} bytes`);
  const ratio = +(large.peakMiB / small.peakMiB).toFixed(2);
  const result = {
    bench: 'lsp-memory',
    lines,
    bytes: small.bytes,
    problems: [small.problems, large.problems],
    published: [small.published, large.published],
    peakMiB: [small.peakMiB, large.peakMiB],
    ratio,
    target: 1.3,
    pass: ratio <= 1.3,
    node: process.version,
  };
  console.log(JSON.stringify(result));
  if (!result.pass) process.exitCode = 1;
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
