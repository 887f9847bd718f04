// While a person types, a Query DSL body is briefly invalid JSON. The server keeps reporting what
// it can still read (tolerant tree), not only "invalid JSON"; and a key accepted from completion
// between other members comes with the comma it needs, so the body stays valid.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, type ParseError } from 'jsonc-parser';
import { docUri, LspClient, type TextEdit } from './lsp-client';

const SETTINGS = { mappingPath: '', esVersion: '8.15', validation: { unmappedFieldSeverity: 'warning' } };

function offsetOf(text: string, p: { line: number; character: number }): number {
  const lines = text.split('\n');
  let o = 0;
  for (let i = 0; i < p.line; i++) o += (lines[i]?.length ?? 0) + 1;
  return o + p.character;
}

function positionAfter(text: string, marker: string): { line: number; character: number } {
  const i = text.indexOf(marker);
  assert.ok(i >= 0, marker);
  const lines = text.slice(0, i + marker.length).split('\n');
  return { line: lines.length - 1, character: lines.at(-1)!.length };
}

/** Accepts a completion: its snippet placeholders are dropped, as after Tab past them. */
function accept(text: string, edit: TextEdit): string {
  const plain = edit.newText.replace(/\$\{\d+\|([^,|]*)[^}]*\}/g, '$1').replace(/\$\{\d+:([^}]*)\}/g, '$1').replace(/\$\d+/g, '');
  return text.slice(0, offsetOf(text, edit.range.start)) + plain + text.slice(offsetOf(text, edit.range.end));
}

function isValidJson(text: string): boolean {
  const errors: ParseError[] = [];
  parse(text, errors, { allowTrailingComma: false, disallowComments: true });
  return errors.length === 0;
}

describe('syntax slips in the language server', () => {
  let client: LspClient;
  let workspace: string;

  before(async () => {
    workspace = mkdtempSync(join(tmpdir(), 'distillery-slip-'));
    client = await LspClient.start({ workspace, settings: structuredClone(SETTINGS) });
  });
  after(async () => {
    await client.stop();
  });

  test('a missing comma keeps the diagnostics of the parts that parse', async () => {
    const uri = docUri(workspace, 'slip.querydsl');
    const clean = '{\n  "query": { "mtach": { "notes": "x" } },\n  "size": 10,\n  "sort": [ { "order_date": { "order": "upward" } } ]\n}\n';
    await client.open(uri, 'querydsl', clean);
    const before_ = (await client.diagnosticsOf(uri, 1)).diagnostics.map((d) => String(d.code)).sort();
    assert.deepEqual(before_, ['invalid-enum', 'unknown-query']);
    const slipped = clean.replace('"size": 10,', '"size": 10');
    await client.change(uri, 2, [{ text: slipped }]);
    const after_ = (await client.diagnosticsOf(uri, 2)).diagnostics;
    assert.deepEqual(after_.map((d) => String(d.code)).sort(), ['invalid-enum', 'json-syntax', 'unknown-query']);
    const enumDiag = after_.find((d) => d.code === 'invalid-enum')!;
    assert.equal(slipped.slice(offsetOf(slipped, enumDiag.range.start), offsetOf(slipped, enumDiag.range.end)), '"upward"');
    const mtach = after_.find((d) => d.code === 'unknown-query')!;
    assert.equal(slipped.slice(offsetOf(slipped, mtach.range.start), offsetOf(slipped, mtach.range.end)), '"mtach"');
  });

  test('a dataset line with a syntax slip keeps the diagnostics of its dsl parts that parse', async () => {
    const uri = docUri(workspace, 'slip.dss.jsonl');
    // Line 0: a missing comma between record fields, outside the dsl. Line 1: a missing comma
    // inside the dsl. Line 2: a clean line whose problem must stay on its own line.
    const lines = [
      '{"id":"q-1","question":"a","dsl":{"query":{"mtach":{"notes":"x"}}},"status":"pending" "split":null}',
      '{"id":"q-2","question":"b","dsl":{"query":{"mtach":{"notes":"x"}},"size":10 "sort":[{"order_date":{"order":"upward"}}]},"status":"pending","split":null}',
      '{"id":"q-3","question":"c","dsl":{"query":{"rnage":{"price":{"gt":1}}}},"status":"pending","split":null}',
    ];
    await client.open(uri, 'distillery-dataset', lines.join('\n'));
    const published = (await client.diagnosticsOf(uri, 1)).diagnostics;
    const on = (line: number) => published.filter((d) => d.range.start.line === line);
    const textOf = (d: { range: { start: { line: number; character: number }; end: { character: number } } }) =>
      (lines[d.range.start.line] as string).slice(d.range.start.character, d.range.end.character);
    assert.deepEqual(on(0).map((d) => String(d.code)).sort(), ['json-syntax', 'unknown-query']);
    assert.equal(textOf(on(0).find((d) => d.code === 'unknown-query')!), '"mtach"');
    // Inside the broken dsl, the members on both sides of the slip are still read.
    assert.deepEqual(on(1).map((d) => String(d.code)).sort(), ['invalid-enum', 'json-syntax', 'unknown-query']);
    assert.equal(textOf(on(1).find((d) => d.code === 'unknown-query')!), '"mtach"');
    assert.equal(textOf(on(1).find((d) => d.code === 'invalid-enum')!), '"upward"');
    assert.deepEqual(on(2).map((d) => String(d.code)), ['unknown-query']);
    assert.equal(on(0)[0]?.code, 'json-syntax', 'the syntax error comes first on its line');
  });

  test('nothing is reported about an object still being typed', async () => {
    const uri = docUri(workspace, 'typing.querydsl');
    const text = '{ "query": { "mtach": { "notes": "x" } }, "aggs": { "by_status": { "terms": { "field": ';
    await client.open(uri, 'querydsl', text);
    const codes = (await client.diagnosticsOf(uri, 1)).diagnostics.map((d) => String(d.code)).sort();
    assert.deepEqual(codes, ['json-syntax', 'unknown-query'], 'the unfinished terms aggregation is not reported as missing its field');
  });

  test('a key accepted between members brings its comma', async () => {
    const uri = docUri(workspace, 'comma.querydsl');
    const text = '{\n  "query": {\n    \n    "match_all": {}\n  }\n}\n';
    await client.open(uri, 'querydsl', text);
    await client.diagnosticsOf(uri, 1);
    const position = positionAfter(text, '"query": {\n    ');
    const result = await client.request<{ items: { label: string; textEdit?: TextEdit }[] }>('textDocument/completion', { textDocument: { uri }, position });
    const match = result.items.find((i) => i.label === 'match');
    assert.ok(match?.textEdit, 'match is offered');
    const accepted = accept(text, match.textEdit);
    assert.ok(isValidJson(accepted), `valid JSON after accepting:\n${accepted}`);

    const after = '{\n  "query": { "match_all": {} }\n  \n}\n';
    await client.open(docUri(workspace, 'comma2.querydsl'), 'querydsl', after);
    const pos2 = positionAfter(after, '{} }\n  ');
    const result2 = await client.request<{ items: { label: string; textEdit?: TextEdit }[] }>('textDocument/completion', { textDocument: { uri: docUri(workspace, 'comma2.querydsl') }, position: pos2 });
    const size = result2.items.find((i) => i.label === 'size');
    assert.ok(size?.textEdit, 'size is offered');
    assert.ok(isValidJson(accept(after, size.textEdit).replace(/: (,|\n)/, ': 1$1')), `valid JSON after accepting size:\n${accept(after, size.textEdit)}`);
  });
});
