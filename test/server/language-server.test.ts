// Drives the real language server (dist/server.js --stdio) as VS Code would: initialize,
// didOpen/didChange, publishDiagnostics, completion, hover, formatting and quick fixes, with the
// settings answered by this client over workspace/configuration.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { QUERY_SPECS } from '../../src/core/dsl';
import { documentStatsRequest, normalizeRequest, type DocumentStats, type NormalizeResult } from '../../src/shared/lsp-protocol';
import { docUri, LspClient, ROOT, SHIPPED_SERVER, type Diagnostic, type PublishDiagnosticsParams, type TextEdit } from './lsp-client';

interface CompletionItem {
  label: string;
  detail?: string;
  textEdit?: TextEdit;
}
interface CodeAction {
  title: string;
  kind?: string;
  edit?: { changes?: Record<string, TextEdit[]> };
}

const DEFAULT_SETTINGS = { mappingPath: '', esVersion: '8.15', validation: { unmappedFieldSeverity: 'warning' } };

/** Applies LSP text edits (non-overlapping) to a text. */
function applyEdits(text: string, edits: TextEdit[]): string {
  const lines = text.split('\n');
  const offset = (p: { line: number; character: number }): number => {
    let o = 0;
    for (let i = 0; i < p.line; i++) o += (lines[i]?.length ?? 0) + 1;
    return o + p.character;
  };
  const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, offset(e.range.start)) + e.newText + out.slice(offset(e.range.end));
  return out;
}

/** The position just after the first occurrence of `marker` in `text`. */
function after_(text: string, marker: string): { line: number; character: number } {
  const i = text.indexOf(marker);
  assert.ok(i >= 0, `marker ${marker} not in text`);
  const before = text.slice(0, i + marker.length).split('\n');
  return { line: before.length - 1, character: (before.at(-1) as string).length };
}

function codes(p: PublishDiagnosticsParams): string[] {
  return p.diagnostics.map((d) => String(d.code));
}

describe('language server', () => {
  let client: LspClient;
  let workspace: string;

  before(async () => {
    workspace = mkdtempSync(join(tmpdir(), 'distillery-ls-'));
    copyFileSync(join(ROOT, 'examples/mapping.json'), join(workspace, 'mapping.json'));
    writeFileSync(join(workspace, 'distillery.json'), JSON.stringify({ dataset: 'data.dss.jsonl', mapping: 'mapping.json' }));
    client = await LspClient.start({ workspace, settings: structuredClone(DEFAULT_SETTINGS) });
  });
  after(async () => {
    await client.stop();
  });

  test('publishes diagnostics for a querydsl body, with a did-you-mean fix, after pulling settings', async () => {
    const uri = docUri(workspace, 'a.querydsl');
    await client.open(uri, 'querydsl', '{"query": {"mtach": {"notes": "fast delivery"}}}');
    const published = await client.diagnosticsOf(uri, 1);
    const unknown = published.diagnostics.find((d) => d.code === 'unknown-query');
    assert.ok(unknown, `expected unknown-query in ${JSON.stringify(published.diagnostics)}`);
    assert.equal(unknown.source, 'distillery');
    assert.deepEqual(unknown.range, { start: { line: 0, character: 11 }, end: { line: 0, character: 18 } });
    assert.match(unknown.message, /match/);
    assert.ok(client.configurationRequests.includes(uri), 'settings are pulled with the document URI as scope');
  });

  test('publishes diagnostics for a dataset on the right lines', async () => {
    const uri = docUri(workspace, 'b.dss.jsonl');
    const lines = [
      '{"id":"q-1","question":"all orders","rationale":"r","dsl":{"query":{"match_all":{}}},"status":"accepted","split":"train"}',
      '{"id":"q-2","question":"x","rationale":"r","dsl":{"query":{"mtach":{"notes":"x"}}},"status":"pending","split":null}',
      '{"id":"q-3", not json',
    ];
    await client.open(uri, 'distillery-dataset', lines.join('\n'));
    const published = await client.diagnosticsOf(uri, 1);
    const byLine = new Map<number, string[]>();
    for (const d of published.diagnostics) byLine.set(d.range.start.line, [...(byLine.get(d.range.start.line) ?? []), String(d.code)]);
    assert.equal(byLine.has(0), false, `line 1 is clean: ${JSON.stringify(published.diagnostics)}`);
    assert.ok(byLine.get(1)?.includes('unknown-query'));
    assert.ok(byLine.get(2)?.includes('json-syntax'));
    const mtach = published.diagnostics.find((d) => d.code === 'unknown-query') as Diagnostic;
    assert.equal(lines[1]?.slice(mtach.range.start.character, mtach.range.end.character), '"mtach"');
  });

  test('an incremental didChange re-validates the document', async () => {
    const uri = docUri(workspace, 'c.querydsl');
    const text = '{\n  "query": {\n    "mtach": { "notes": "x" }\n  }\n}\n';
    await client.open(uri, 'querydsl', text);
    assert.ok(codes(await client.diagnosticsOf(uri, 1)).includes('unknown-query'));
    const start = after_(text, '"m');
    await client.change(uri, 2, [{ range: { start, end: { line: start.line, character: start.character + 3 } }, text: 'atc' }]);
    const fixed = await client.diagnosticsOf(uri, 2);
    assert.deepEqual(fixed.diagnostics, []);
  });

  test('a quick fix applies the did-you-mean suggestion', async () => {
    const uri = docUri(workspace, 'd.querydsl');
    const text = '{"query": {"mtach": {"notes": "x"}}, "sort": [{"order_date": {"order": "desc"}}]}';
    await client.open(uri, 'querydsl', text);
    const published = await client.diagnosticsOf(uri, 1);
    const diagnostic = published.diagnostics.find((d) => d.code === 'unknown-query') as Diagnostic;
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: diagnostic.range,
      context: { diagnostics: [diagnostic] },
    });
    const fix = actions.find((a) => a.kind === 'quickfix');
    assert.ok(fix?.edit?.changes?.[uri], `expected a quick fix, got ${JSON.stringify(actions)}`);
    const fixed = applyEdits(text, fix.edit.changes[uri]);
    assert.equal(fixed, text.replace('"mtach"', '"match"'));
    await client.change(uri, 2, [{ text: fixed }]);
    assert.deepEqual(codes(await client.diagnosticsOf(uri, 2)), []);
  });

  test('source.fixAll.distillery applies every did-you-mean fix in a dataset', async () => {
    const uri = docUri(workspace, 'd2.dss.jsonl');
    const text = ['{"id":"q-1","dsl":{"query":{"mtach":{"notes":"x"}}}}', '{"id":"q-2","dsl":{"query":{"match_al":{}}}}'].join('\n');
    await client.open(uri, 'distillery-dataset', text);
    const published = await client.diagnosticsOf(uri, 1);
    assert.equal(published.diagnostics.filter((d) => d.code === 'unknown-query').length, 2);
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics: [], only: ['source.fixAll'] },
    });
    const fixAll = actions.find((a) => a.kind === 'source.fixAll.distillery');
    assert.ok(fixAll?.edit?.changes?.[uri], JSON.stringify(actions));
    assert.equal(applyEdits(text, fixAll.edit.changes[uri]), text.replace('mtach', 'match').replace('match_al"', 'match_all"'));
  });

  test('completes record keys and closed values outside the dsl of a dataset line', async () => {
    const uri = docUri(workspace, 'd3.dss.jsonl');
    const text = '{"id":"q-1","status":"","dsl":null}';
    await client.open(uri, 'distillery-dataset', text);
    const result = await client.request<{ items: CompletionItem[] }>('textDocument/completion', { textDocument: { uri }, position: after_(text, '"status":"') });
    assert.deepEqual(result.items.map((i) => i.label).sort(), ['accepted', 'generated', 'needs_fix', 'pending', 'rejected']);

    const inDsl = '{"id":"q-2","dsl":{"query":{"bo":{}}}}';
    await client.change(uri, 2, [{ text: inDsl }]);
    const queries = await client.request<{ items: CompletionItem[] }>('textDocument/completion', { textDocument: { uri }, position: after_(inDsl, '"bo') });
    assert.ok(queries.items.some((i) => i.label === 'bool'), 'the dsl value of a record completes like a querydsl body');
  });

  test('completes query names, parameters, enum values and mapped fields (mapping from distillery.json)', async () => {
    const uri = docUri(workspace, 'e.querydsl');
    const text = '{"query": {"bool": {"must": [{"ma": {}}, {"match": {"notes": {"op": "x", "operator": ""}}}, {"term": {"": "x"}}]}}}';
    await client.open(uri, 'querydsl', text);
    await client.diagnosticsOf(uri, 1);
    const complete = async (marker: string): Promise<CompletionItem[]> => {
      const result = await client.request<{ items: CompletionItem[] } | CompletionItem[]>('textDocument/completion', { textDocument: { uri }, position: after_(text, marker) });
      return Array.isArray(result) ? result : result.items;
    };
    const queries = (await complete('[{"ma')).map((i) => i.label);
    for (const name of ['match', 'match_phrase', 'bool', 'range']) assert.ok(queries.includes(name), `query name ${name} in ${queries.join(',')}`);
    const matchItem = (await complete('[{"ma')).find((i) => i.label === 'match') as CompletionItem;
    assert.ok(applyEdits(text, [matchItem.textEdit as TextEdit]).includes('[{"match": {}}, '), 'the typed key is replaced, quotes and all');

    const params = (await complete('"notes": {"op')).map((i) => i.label);
    for (const name of ['fuzziness', 'minimum_should_match']) assert.ok(params.includes(name), `param ${name} in ${params.join(',')}`);
    assert.ok(!params.includes('operator'), 'a key the object already has is not offered again');

    const values = (await complete('"operator": "')).map((i) => i.label);
    assert.deepEqual([...values].sort(), ['and', 'or']);

    const fields = await complete('"term": {"');
    const labels = fields.map((i) => i.label);
    for (const f of ['status', 'customer.full_name', 'customer.full_name.keyword', 'order_date']) assert.ok(labels.includes(f), `field ${f} in ${labels.join(',')}`);
    assert.equal(fields.find((i) => i.label === 'order_date')?.detail, 'date');
  });

  test('hover shows the docs of queries and parameters and the mapped type of fields', async () => {
    const uri = docUri(workspace, 'f.querydsl');
    const text = '{"query": {"match": {"notes": {"query": "x", "operator": "and"}}}}';
    await client.open(uri, 'querydsl', text);
    await client.diagnosticsOf(uri, 1);
    const hoverAt = async (marker: string): Promise<string> => {
      const h = await client.request<{ contents: { value: string } } | null>('textDocument/hover', { textDocument: { uri }, position: after_(text, marker) });
      return h?.contents.value ?? '';
    };
    const matchDoc = await hoverAt('{"query": {"mat');
    assert.ok(matchDoc.includes((QUERY_SPECS['match'] as { doc: string }).doc), matchDoc);
    assert.match(await hoverAt('"oper'), /operator/);
    assert.match(await hoverAt('"not'), /text/);
  });

  test('semantic tokens tell an aggregation from a query and a user aggregation name from a field', async () => {
    const uri = docUri(workspace, 'k.dss.jsonl');
    const line = '{"id":"q-1","dsl":{"query":{"terms":{"status":["a"]}},"aggs":{"by_status":{"terms":{"field":"status","order":{"_count":"desc"}}}}}}';
    await client.open(uri, 'distillery-dataset', ['{"id":"q-0","dsl":null}', line].join('\n'));
    const result = await client.request<{ data: number[] }>('textDocument/semanticTokens/range', {
      textDocument: { uri },
      range: { start: { line: 1, character: 0 }, end: { line: 1, character: line.length } },
    });
    const types = client.initializeResult.capabilities.semanticTokensProvider?.legend.tokenTypes ?? [];
    const decoded: string[] = [];
    let character = 0;
    for (let i = 0; i < result.data.length; i += 5) {
      const [deltaLine, deltaStart, length, type] = result.data.slice(i, i + 4) as [number, number, number, number];
      character = deltaLine === 0 && i > 0 ? character + deltaStart : deltaStart;
      decoded.push(`${line.slice(character, character + length)}:${types[type] ?? type}`);
    }
    assert.ok(decoded.includes('query:keyword'), decoded.join(' '));
    assert.ok(decoded.includes('terms:function'), decoded.join(' '));
    assert.ok(decoded.includes('terms:class'), decoded.join(' '));
    assert.ok(decoded.includes('status:property'), decoded.join(' '));
    assert.ok(decoded.includes('field:parameter'), decoded.join(' '));
    assert.ok(!decoded.some((d) => d.startsWith('by_status:')), 'a user aggregation name is not classified');
  });

  test('formats a querydsl body and joins a multi-line dataset record into one line', async () => {
    const uri = docUri(workspace, 'g.querydsl');
    const text = '{"query":{"term":{"status":"x"}}}';
    await client.open(uri, 'querydsl', text);
    const edits = await client.request<TextEdit[]>('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } });
    assert.equal(applyEdits(text, edits), '{\n  "query": {\n    "term": {\n      "status": "x"\n    }\n  }\n}');

    const dataset = docUri(workspace, 'h.dss.jsonl');
    const keep = '{"id":"q-1", "question":"kept as is","dsl":null}   ';
    const pasted = ['{', '  "id": "q-2",', '  "dsl": {"query": {"match_all": {}}}', '}'];
    const datasetText = [keep, ...pasted, '{"id":"q-3","dsl":null}'].join('\n');
    await client.open(dataset, 'distillery-dataset', datasetText);
    const datasetEdits = await client.request<TextEdit[]>('textDocument/formatting', { textDocument: { uri: dataset }, options: { tabSize: 2, insertSpaces: true } });
    assert.equal(
      applyEdits(datasetText, datasetEdits),
      ['{"id":"q-1", "question":"kept as is","dsl":null}', '{"id":"q-2","dsl":{"query":{"match_all":{}}}}', '{"id":"q-3","dsl":null}'].join('\n'),
    );
  });

  test('documents of the distillery-record scheme are validated as querydsl', async () => {
    const uri = 'distillery-record:/dataset.dss.jsonl/q-000007.querydsl';
    await client.open(uri, 'querydsl', '{"query": {"mtach": {}}}');
    assert.ok(codes(await client.diagnosticsOf(uri, 1)).includes('unknown-query'));
  });

  test('distillery/normalize returns the canonical body; distillery/documentStats reports the work done', async () => {
    const result: NormalizeResult = await client.connection.sendRequest(normalizeRequest, { text: '{"size": 1, "query": {"match": {"notes": "x"}}}' });
    assert.equal(result.ok, true);
    const bad: NormalizeResult = await client.connection.sendRequest(normalizeRequest, { text: '{' });
    assert.equal(bad.ok, false);
    const stats: DocumentStats | null = await client.connection.sendRequest(documentStatsRequest, { uri: docUri(workspace, 'a.querydsl') });
    assert.equal(stats?.languageId, 'querydsl');
    assert.ok((stats?.passes ?? 0) >= 1);
  });

  test('a changed setting or mapping file is pulled again and re-validates open documents', async () => {
    const other = join(workspace, 'other-mapping.json');
    writeFileSync(other, JSON.stringify({ mappings: { properties: { alpha: { type: 'keyword' } } } }));
    const uri = docUri(workspace, 'i.querydsl');
    await client.open(uri, 'querydsl', '{"query": {"term": {"alpha": "x"}}}');
    const withDefault = await client.diagnosticsOf(uri, 1);
    assert.ok(codes(withDefault).includes('unknown-field'), `alpha is not in the orders mapping: ${JSON.stringify(withDefault.diagnostics)}`);

    client.settings = { ...DEFAULT_SETTINGS, mappingPath: 'other-mapping.json' };
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    await client.waitForDiagnostics(uri, (p) => !codes(p).includes('unknown-field'));
    const watchers = client.registrations.filter((r) => r.method === 'workspace/didChangeWatchedFiles').map((r) => JSON.stringify(r.registerOptions));
    assert.ok(watchers.some((w) => w.includes('other-mapping.json')), `the server watches the mapping it reads: ${watchers.join(' ')}`);

    writeFileSync(other, JSON.stringify({ mappings: { properties: { beta: { type: 'keyword' } } } }));
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(other).href, type: 2 }] });
    await client.waitForDiagnostics(uri, (p) => codes(p).includes('unknown-field'));
    client.settings = structuredClone(DEFAULT_SETTINGS);
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
  });

  test('the shipped bundle dist/server.js starts and validates', { skip: existsSync(SHIPPED_SERVER) ? false : 'run npm run build first' }, async () => {
    const shipped = await LspClient.start({ workspace, settings: structuredClone(DEFAULT_SETTINGS), bundle: SHIPPED_SERVER });
    try {
      const uri = docUri(workspace, 'shipped.querydsl');
      await shipped.open(uri, 'querydsl', '{"query": {"mtach": {}}}');
      assert.ok(codes(await shipped.diagnosticsOf(uri, 1)).includes('unknown-query'));
    } finally {
      await shipped.stop();
    }
  });

  test('a mapping path that does not exist is reported once and validation goes on without it', async () => {
    const second = await LspClient.start({ workspace, settings: { ...DEFAULT_SETTINGS, mappingPath: 'missing.json' } });
    try {
      const uri = docUri(workspace, 'j.querydsl');
      await second.open(uri, 'querydsl', '{"query": {"term": {"anything": "x"}}}');
      const published = await second.diagnosticsOf(uri, 1);
      assert.deepEqual(codes(published), []);
      assert.ok(second.messages.some((m) => m.message.includes('missing.json')), JSON.stringify(second.messages));
    } finally {
      await second.stop();
    }
  });
});
