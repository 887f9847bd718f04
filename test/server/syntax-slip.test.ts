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
