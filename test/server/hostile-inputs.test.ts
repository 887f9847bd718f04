// The language server against input that used to exhaust it (issue 13): a dataset with thousands
// of problems (published capped, with a count of the rest), a body starting with a BOM (accepted
// as the CLI accepts it), a body too deep to format (refused with a message), and a mapping nested
// far past Elasticsearch's depth limit (refused with a message; the server stays up).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
