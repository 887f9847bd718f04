// The panel model over the real dataset store: review actions (single and bulk) are one undo step
// each, undo/redo round-trip exactly, the index follows, and an external edit is merged.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DatasetStore } from '../../src/core/dataset/store';
import { createPanelEngine } from '../../src/extension/panel/engine';
import { PanelModel } from '../../src/extension/panel/model';
import { evaluateView } from '../../src/extension/panel/record-index';
import { StoreAdapter } from '../../src/extension/panel/store-adapter';
import { EMPTY_FILTER, DEFAULT_SORT } from '../../src/shared/webview-protocol';
import { recordLine } from './harness';

describe('panel model', () => {
  let dir: string;
  let path: string;
  let store: DatasetStore;
  let model: PanelModel;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'distillery-model-'));
    path = join(dir, 'd.dss.jsonl');
    const lines = Array.from({ length: 10 }, (_, i) => recordLine(`q-${i}`, i === 3 ? { dsl: { query: { mtach: {} } } } : i === 4 ? { status: 'accepted', custom: [1, 2] } : {}));
    writeFileSync(path, lines.join('\n') + '\n');
    store = await DatasetStore.open(path);
    const adapter = new StoreAdapter(store);
    model = new PanelModel({ store: adapter, engine: createPanelEngine(), saveDelayMs: 0, now: () => '2026-11-29T00:00:00Z' });
    adapter.onExternalChange(() => model.externalChange());
    model.validateAll();
  });

  after(() => {
    model.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  const statuses = () => store.records().map((r) => r.status);
  const ids = () => store.records().map((r) => r.id);

  it('classifies validity and query type, with facet counts', () => {
    const { view, counts } = evaluateView(model.all(), { ...EMPTY_FILTER, validity: ['error'] }, DEFAULT_SORT);
    assert.deepEqual(view.map((e) => e.id), ['q-3']);
    assert.equal(counts.validity['clean'], 9);
    assert.equal(counts.status['generated'], 1);
    const sorted = evaluateView(model.all(), EMPTY_FILTER, { key: 'status', descending: false }).view.map((e) => e.id);
    assert.equal(sorted.at(-1), 'q-4');
  });

  it('makes a bulk action one undo step, and redo reapplies it', () => {
    const original = statuses();
    model.review('accept', ['q-0', 'q-1', 'q-2']);
    assert.deepEqual(statuses().slice(0, 3), ['accepted', 'accepted', 'accepted']);
    assert.equal(model.historyLabels().undo, 'accept 3 records');
    model.undo();
    assert.deepEqual(statuses(), original);
    model.redo();
    assert.deepEqual(statuses().slice(0, 3), ['accepted', 'accepted', 'accepted']);
    model.undo();
  });

  it('duplicates and deletes with exact undo', () => {
    const before = ids();
    const focus = model.review('duplicate', ['q-5']);
    assert.equal(focus, 'q-5-copy');
    assert.equal(ids()[6], 'q-5-copy');
    assert.equal(model.all()[6]?.id, 'q-5-copy');
    model.review('delete', ['q-1', 'q-4', 'q-5-copy']);
    assert.deepEqual(ids(), before.filter((id) => id !== 'q-1' && id !== 'q-4'));
    model.undo();
    model.undo();
    assert.deepEqual(ids(), before);
    assert.deepEqual(model.all().map((e) => e.id), before);
    assert.deepEqual(store.get('q-4')?.['custom'], [1, 2]);
  });

  it('edits keep unknown keys, and save writes them back', async () => {
    assert.equal(model.edit('q-4', { dsl: { query: { term: { status: 'paid' } } } }), true);
    assert.equal(model.entry('q-4')?.queryType, 'term');
    await model.flush();
    const line = readFileSync(path, 'utf8').split('\n').find((l) => l.includes('"q-4"'))!;
    assert.match(line, /"custom":\[1,2\]/);
    assert.match(line, /"term":\{"status":"paid"\}/);
  });

  it('merges an external edit to the file', async () => {
    const text = readFileSync(path, 'utf8').replace('"id":"q-9","question":"question q-9"', '"id":"q-9","question":"edited outside"');
    writeFileSync(path, text + recordLine('q-new') + '\n');
    await store.reload();
    assert.equal(model.entry('q-9')?.record.question, 'edited outside');
    assert.ok(model.entry('q-new'));
    assert.equal(model.all().length, 11);
  });
  it('keeps the question order across review actions and re-sorts it after a question edit', () => {
    const byQuestion = () => model.sorted('question').map((e) => e.id);
    const order = model.sorted('question');
    model.review('accept', ['q-7']);
    // Accepting does not touch questions: the same order, not a fresh sort of every record.
    assert.equal(model.sorted('question'), order);
    assert.equal(model.entry('q-7')?.status, 'accepted');
    model.edit('q-8', { question: 'aaa first' });
    assert.equal(byQuestion()[0], 'q-8');
    // Sorting by status does follow the accept.
    assert.ok(model.sorted('status').findIndex((e) => e.id === 'q-7') > model.sorted('status').findIndex((e) => e.id === 'q-0'));
    model.undo();
    model.undo();
    assert.notEqual(byQuestion()[0], 'q-8');
  });
});

describe('panel model with an external edit to a record it changed', () => {
  it('keeps both versions until the person decides, and "keep both" keeps both', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'distillery-conflict-'));
    const path = join(dir, 'd.dss.jsonl');
    writeFileSync(path, [recordLine('q-1'), recordLine('q-2')].join('\n') + '\n');
    const store = await DatasetStore.open(path);
    const adapter = new StoreAdapter(store);
    const model = new PanelModel({ store: adapter, engine: createPanelEngine(), saveDelayMs: 60_000 });
    adapter.onExternalChange(() => model.externalChange());
    try {
      model.review('accept', ['q-1']);
      // Someone edits the same record on disk before the panel saved.
      writeFileSync(path, readFileSync(path, 'utf8').replace('"question":"question q-1"', '"question":"fixed on disk"'));
      await store.reload();
      const conflicts = store.conflicts();
      assert.deepEqual(conflicts.map((c) => [c.id, c.mine?.status, c.theirs?.question]), [['q-1', 'accepted', 'fixed on disk']]);
      // While it is open, panel actions leave the record alone instead of failing.
      assert.equal(model.review('reject', ['q-1']), null);
      store.resolveConflict('q-1', 'both');
      await model.flush();
      const lines = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string; question: string; status: string });
      assert.equal(lines.length, 3);
      assert.deepEqual(lines[0], { ...lines[0], id: 'q-1', question: 'fixed on disk' });
      assert.equal(lines[1]?.status, 'accepted');
      assert.equal(model.all().length, 3);
    } finally {
      model.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });

});
