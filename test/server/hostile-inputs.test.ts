// The language server against input that used to exhaust it (issue 13): a dataset with thousands
// of problems (published capped, with a count of the rest), a body starting with a BOM (accepted
// as the CLI accepts it), a body too deep to format (refused with a message), and a mapping nested
// far past Elasticsearch's depth limit (refused with a message; the server stays up).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { documentStatsRequest } from '../../src/shared/lsp-protocol';
import { docUri, LspClient, type TextEdit } from './lsp-client';

describe('language server: hostile inputs', () => {
  let client: LspClient;
  let workspace: string;

  before(async () => {
    workspace = mkdtempSync(join(tmpdir(), 'distillery-ls-hostile-'));
    // 100,000 levels of object fields: Elasticsearch stops at 20 (index.mapping.depth.limit).
    const depth = 100_000;
    writeFileSync(join(workspace, 'deep-mapping.json'), '{"properties":{"a":'.repeat(depth) + '{"type":"keyword"}' + '}}'.repeat(depth));
    writeFileSync(join(workspace, 'distillery.json'), JSON.stringify({ mapping: 'deep-mapping.json' }));
    client = await LspClient.start({ workspace, settings: { mappingPath: '', esVersion: '8.15', validation: { unmappedFieldSeverity: 'warning' } } });
  });
  after(async () => {
    await client.stop();
    rmSync(workspace, { recursive: true, force: true });
  });

  test('a mapping nested past the depth limit is refused with a message; validation goes on without it', async () => {
    const uri = docUri(workspace, 'm.querydsl');
    await client.open(uri, 'querydsl', '{"query": {"mtach": {"a": "x"}}}');
    const published = await client.diagnosticsOf(uri, 1);
    assert.ok(published.diagnostics.some((d) => d.code === 'unknown-query'));
    assert.ok(client.messages.some((m) => /deep-mapping\.json is not usable: its fields nest deeper than 20 levels/.test(m.message)), JSON.stringify(client.messages));
  });

  test('a dataset with 5,000 problems publishes the first 1,000 and says how many more there are', async () => {
    const uri = docUri(workspace, 'many.dss.jsonl');
    const lines = Array.from({ length: 5000 }, (_, i) => `{"id":"q-${i}","question":"q","dsl":{"query":{"mtach":{"a":"x"}}}}`);
    await client.open(uri, 'distillery-dataset', lines.join('\n'));
    const published = await client.diagnosticsOf(uri, 1);
    assert.equal(published.diagnostics.length, 1001);
    const last = published.diagnostics.at(-1)!;
    assert.equal(last.code, 'more-problems');
    assert.match(last.message, /^4,000 more problem\(s\) in this file are not shown/);
  });

  test('lines far past the published window keep only a count; an edit that brings them into it shows their diagnostics', async () => {
    const uri = docUri(workspace, 'window.dss.jsonl');
    // Each line's problem names its line, so a diagnostic shown on the wrong line would not match.
    const line = (i: number) => `{"id":"q-${i}","question":"q","dsl":{"query":{"mtach${i}":{"a":"x"}}}}`;
    const lines = Array.from({ length: 6000 }, (_, i) => line(i));
    await client.open(uri, 'distillery-dataset', lines.join('\n'));
    assert.equal((await client.diagnosticsOf(uri, 1)).diagnostics.length, 1001);
    // Deleting the first 4,000 lines moves lines 4,000–4,999 (validated far past the window) into it.
    await client.change(uri, 2, [{ range: { start: { line: 0, character: 0 }, end: { line: 4000, character: 0 } }, text: '' }]);
    const published = (await client.diagnosticsOf(uri, 2)).diagnostics;
    assert.equal(published.length, 1001);
    assert.match(published.at(-1)!.message, /^1,000 more problem\(s\)/);
    for (const d of published.slice(0, 1000)) {
      const text = lines[4000 + d.range.start.line] as string;
      assert.equal(text.slice(d.range.start.character, d.range.end.character), `"mtach${4000 + d.range.start.line}"`);
    }
    assert.deepEqual(new Set(published.slice(0, 1000).map((d) => d.range.start.line)).size, 1000);
    const stats = await client.connection.sendRequest(documentStatsRequest, { uri });
    assert.equal(stats?.lastPassValidated, 1000, 'the lines brought into the window are validated again, no others');
  });

  test('a body starting with a byte-order mark is validated like the CLI does, positions unchanged', async () => {
    const uri = docUri(workspace, 'bom.querydsl');
    await client.open(uri, 'querydsl', '\ufeff{"query": {"mtach": {"a": "x"}}}');
    const published = await client.diagnosticsOf(uri, 1);
    assert.deepEqual(published.diagnostics.map((d) => d.code), ['unknown-query']);
    assert.deepEqual(published.diagnostics[0]!.range.start, { line: 0, character: 12 });
  });

  test('formatting a body nested 10,000 deep is refused with a message; the server keeps answering', async () => {
    const uri = docUri(workspace, 'deep.querydsl');
    await client.open(uri, 'querydsl', '{"query":'.repeat(10_000) + '{}' + '}'.repeat(10_000));
    const edits = await client.request<TextEdit[]>('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } });
    assert.deepEqual(edits, []);
    assert.ok(client.messages.some((m) => /Not formatted: the document nests deeper than 100 levels/.test(m.message)));
    const shallow = docUri(workspace, 'shallow.querydsl');
    await client.open(shallow, 'querydsl', '{"size":1}');
    const ok = await client.request<TextEdit[]>('textDocument/formatting', { textDocument: { uri: shallow }, options: { tabSize: 2, insertSpaces: true } });
    assert.ok(ok.length > 0);
  });
});
