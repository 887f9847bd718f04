// A 50,000-line dataset stays responsive: after a one-line edit the server re-validates that line
// only and reuses (and shifts) the diagnostics of every other line. Checked through the server's
// own counters (distillery/documentStats) and the diagnostics it publishes, never through timing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { documentStatsRequest, type DocumentStats } from '../../src/shared/lsp-protocol';
import { docUri, LspClient, type PublishDiagnosticsParams } from './lsp-client';
import { makeDataset } from './dataset-fixture';
import { MAX_PUBLISHED } from '../../src/server/validation';

const LINES = 50_000;

function summary(p: PublishDiagnosticsParams): string[] {
  return p.diagnostics.map((d) => `${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${String(d.code)}`);
}

function shifted(p: PublishDiagnosticsParams, by: number): string[] {
  return p.diagnostics.map((d) => `${d.range.start.line + by}:${d.range.start.character}-${d.range.end.line + by}:${d.range.end.character} ${String(d.code)}`);
}

describe('50,000-line dataset', () => {
  let client: LspClient;
  const uri = docUri(mkdtempSync(join(tmpdir(), 'distillery-big-')), 'big.dss.jsonl');
  const lines = makeDataset(LINES);
  const stats = (): Promise<DocumentStats | null> => client.connection.sendRequest(documentStatsRequest, { uri });
  let first: PublishDiagnosticsParams;
  let answeredDuringFirstPass = false;

  before(async () => {
    client = await LspClient.start({ settings: { mappingPath: '', esVersion: '8.15', validation: { unmappedFieldSeverity: 'warning' } } });
    await client.open(uri, 'distillery-dataset', lines.join('\n'));
    const at = (lines[LINES - 1] as string).indexOf('"status":"') + '"status":"'.length;
    const completion = await client.request<{ items: { label: string }[] }>('textDocument/completion', {
      textDocument: { uri },
      position: { line: LINES - 1, character: at },
    });
    answeredDuringFirstPass = completion.items.length > 0 && !client.latest.has(uri);
    first = await client.diagnosticsOf(uri, 1);
  });
  after(async () => {
    await client.stop();
  });

  test('the first pass validates every line and reports the broken ones', async () => {
    const s = await stats();
    assert.equal(s?.lines, LINES);
    assert.equal(s?.lastPassValidated, LINES);
    assert.ok(first.diagnostics.length >= LINES / 1000, `expected the seeded errors, got ${first.diagnostics.length}`);
  });

  test('completion is answered while the first pass is still running', () => {
    assert.equal(answeredDuringFirstPass, true, 'the long first pass yields to the event loop');
  });

  test('a one-line edit re-validates that line only and keeps every other diagnostic', async () => {
    const line = 25_000;
    const text = lines[line] as string;
    const at = text.indexOf('"question":"') + '"question":"'.length;
    await client.change(uri, 2, [{ range: { start: { line, character: at }, end: { line, character: at } }, text: 'edited ' }]);
    const second = await client.diagnosticsOf(uri, 2);
    const s = await stats();
    assert.equal(s?.lastPassValidated, 1);
    assert.equal(s?.lastPassReused, LINES - 1);
    assert.deepEqual(summary(second), summary(first));
  });

  test('a line inserted at the top shifts the reused diagnostics down; removing it shifts them back', async () => {
    await client.change(uri, 3, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '{"id": broken\n' }]);
    const third = await client.diagnosticsOf(uri, 3);
    const s3 = await stats();
    assert.equal(s3?.lastPassValidated, 1, 'only the new line is validated; the old first line is found by its text');
    assert.equal(third.diagnostics[0]?.range.start.line, 0);
    // Published lists are capped (MAX_PUBLISHED, then one "more-problems" line at line 0): the
    // new line's problem comes first and pushes the last shown one out.
    const shown = (list: string[]) => list.filter((d) => !d.endsWith(' more-problems'));
    const before = shown(shifted(first, 1));
    const now = shown(summary(third));
    if (first.diagnostics.length <= MAX_PUBLISHED) assert.deepEqual(now.slice(now.length - before.length), before);
    else assert.deepEqual(now.slice(1), before.slice(0, now.length - 1));

    await client.change(uri, 4, [{ range: { start: { line: 0, character: 0 }, end: { line: 1, character: 0 } }, text: '' }]);
    const fourth = await client.diagnosticsOf(uri, 4);
    assert.equal((await stats())?.lastPassValidated, 0);
    assert.deepEqual(summary(fourth), summary(first));
  });
});
