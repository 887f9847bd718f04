// The dataset line table must follow incremental edits exactly as a full re-split would, and keep
// the results of untouched lines attached to their lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { CLEAN_LINE, DatasetDocument } from '../../src/server/documents';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

test('random incremental edits keep the line table equal to a full split', () => {
  const random = rng(42);
  const initial = Array.from({ length: 40 }, (_, i) => `{"id":"q-${i}","dsl":{"size":${i}}}`).join('\n');
  const dataset = new DatasetDocument('file:///x.dss.jsonl', 1, initial);
  let reference = TextDocument.create('file:///x.dss.jsonl', 'distillery-dataset', 1, initial);
  const pieces = ['', 'x', '\n', '\r\n', '{"a":1}\n{"b":2}', '\n\n', 'é😀'];
  for (let version = 2; version < 400; version++) {
    const text = reference.getText();
    const a = Math.floor(random() * (text.length + 1));
    const b = Math.min(text.length, a + Math.floor(random() * 30));
    const change = { range: { start: reference.positionAt(a), end: reference.positionAt(b) }, text: pieces[Math.floor(random() * pieces.length)] as string };
    reference = TextDocument.update(reference, [change], version);
    dataset.applyChanges([change], version);
    assert.deepEqual(dataset.lines, reference.getText().split(/\r\n|\r|\n/), `after edit ${version}`);
    assert.equal(dataset.results.length, dataset.lines.length);
  }
});

test('an edit leaves results of other lines in place and shifts them with inserted lines', () => {
  const doc = new DatasetDocument('file:///y.dss.jsonl', 1, 'a\nb\nc\nd');
  doc.results.fill(CLEAN_LINE);
  doc.applyChanges([{ range: { start: { line: 1, character: 1 }, end: { line: 1, character: 1 } }, text: '\nnew' }], 2);
  assert.deepEqual(doc.lines, ['a', 'b', 'new', 'c', 'd']);
  assert.deepEqual(doc.results.map((r) => r !== undefined), [true, false, false, true, true]);
  doc.applyChanges([{ range: { start: { line: 0, character: 0 }, end: { line: 2, character: 0 } }, text: '' }], 3);
  assert.deepEqual(doc.lines, ['new', 'c', 'd']);
  assert.deepEqual(doc.results.map((r) => r !== undefined), [false, true, true]);
});

test('a whole-text change keeps results reachable by line text', () => {
  const doc = new DatasetDocument('file:///z.dss.jsonl', 1, 'a\nb');
  doc.results.fill(CLEAN_LINE);
  doc.applyChanges([{ text: 'b\nc\na' }], 2);
  assert.equal(doc.byText.get('a'), CLEAN_LINE);
  assert.equal(doc.byText.get('b'), CLEAN_LINE);
  assert.equal(doc.byText.has('c'), false);
});
