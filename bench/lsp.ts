// Language-server benchmark (issue 2): in a 50,000-line dataset, the time from a one-line
// didChange to its publishDiagnostics against the time of the first full validation (didOpen to
// publishDiagnostics). Target: ratio ≤ 0.05. Drives the real bundle over stdio, like an editor.
//
//   node --import tsx bench/lsp.ts [--lines 50000] [--edits 20]
//
// Prints one JSON line: {"bench":"lsp", lines, fullMs, editMs (median of the edits), editP95Ms,
// ratio, validatedPerEdit, …}. The edits are spaced by waiting for each one's diagnostics, and the
// server's throttle is left at its default, so the figure is what a user typing would see.
import { performance } from 'node:perf_hooks';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { documentStatsRequest } from '../src/shared/lsp-protocol';
import { makeDataset } from '../test/server/dataset-fixture';
import { docUri, LspClient } from '../test/server/lsp-client';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number;
}

async function main(): Promise<void> {
  const count = flag('lines', 50_000);
  const edits = flag('edits', 20);
  const lines = makeDataset(count);
  const text = lines.join('\n');
  const uri = docUri(mkdtempSync(join(tmpdir(), 'distillery-bench-')), 'bench.dss.jsonl');
  const client = await LspClient.start({ settings: { mappingPath: '', esVersion: '8.15', validation: { unmappedFieldSeverity: 'warning' } } });
  try {
    const t0 = performance.now();
    await client.open(uri, 'distillery-dataset', text);
    const first = await client.diagnosticsOf(uri, 1);
    const fullMs = performance.now() - t0;
    const fullPassMs = (await client.connection.sendRequest(documentStatsRequest, { uri }))?.lastPassMs ?? -1;

    const editTimes: number[] = [];
    const validated: number[] = [];
    const passMs: number[] = [];
    for (let k = 0; k < edits; k++) {
      const line = Math.floor(((k + 0.5) / edits) * count);
      const lineText = lines[line] as string;
      const at = Math.max(0, lineText.indexOf('"question":"') + '"question":"'.length);
      // The previous pass must be older than the throttle window, as between a user's edits.
      await new Promise((r) => setTimeout(r, 200));
      const start = performance.now();
      await client.change(uri, k + 2, [{ range: { start: { line, character: at }, end: { line, character: at } }, text: 'x' }]);
      await client.diagnosticsOf(uri, k + 2);
      editTimes.push(performance.now() - start);
      const stats = await client.connection.sendRequest(documentStatsRequest, { uri });
      validated.push(stats?.lastPassValidated ?? -1);
      passMs.push(stats?.lastPassMs ?? -1);
    }
    const sorted = [...editTimes].sort((a, b) => a - b);
    const editMs = percentile(sorted, 0.5);
    const result = {
      bench: 'lsp',
      lines: count,
      bytes: Buffer.byteLength(text),
      diagnostics: first.diagnostics.length,
      fullMs: Math.round(fullMs * 10) / 10,
      editMs: Math.round(editMs * 100) / 100,
      editP95Ms: Math.round(percentile(sorted, 0.95) * 100) / 100,
      edits,
      validatedPerEdit: Math.max(...validated),
      serverFullPassMs: fullPassMs,
      serverEditPassMs: percentile([...passMs].sort((a, b) => a - b), 0.5),
      ratio: Math.round((editMs / fullMs) * 10_000) / 10_000,
      target: 0.05,
      node: process.version,
    };
    console.log(JSON.stringify(result));
    if (result.ratio > result.target) process.exitCode = 1;
  } finally {
    await client.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
