// In-place updates of the teacher's dataset are batched: N updates that arrive close together are
// one reload → updateMany → save, flush() writes at once, a bad update fails alone, and a whole
// run over pending records rewrites the file far fewer times than it has records.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { StoreTeacherDataset } from '../../src/core/teacher/dataset';
import { DatasetStore } from '../../src/core/dataset/store';
import { planQuestions } from '../../src/core/teacher/generator';
import { FakeTeacher } from './fake-server';
import { makeGenerator, readRecords, tempDir, writeRecords } from './helpers';

function pendingDataset(dir: string, n: number): string {
  const path = join(dir, 'data.dss.jsonl');
  writeRecords(
    path,
    Array.from({ length: n }, (_, i) => ({ id: `q-${i}`, question: `pending question ${i}`, status: 'pending' as const })),
  );
  return path;
}

function countSaves(ds: StoreTeacherDataset): { saves: number } {
  const counter = { saves: 0 };
  ds.store.onDidChange((e) => {
    if (e.reason === 'save') counter.saves++;
  });
  return counter;
}

test('N updates that arrive together are written by one save', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const path = pendingDataset(dir, 50);
    const ds = await StoreTeacherDataset.open(path, { updateDelayMs: 20 });
    const counter = countSaves(ds);
    await Promise.all(Array.from({ length: 50 }, (_, i) => ds.update(`q-${i}`, { status: 'generated', rationale: `answer ${i}` })));
    assert.equal(counter.saves, 1);
    const records = readRecords(path);
    assert.equal(records.length, 50);
    assert.ok(records.every((r, i) => r.id === `q-${i}` && r.status === 'generated' && r.rationale === `answer ${i}`));
  } finally {
    cleanup();
  }
});

test('updates arriving while a batch is saved go into the next one; flush writes at once', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const path = pendingDataset(dir, 30);
    const ds = await StoreTeacherDataset.open(path, { updateDelayMs: 60_000 });
    const counter = countSaves(ds);
    const first = Array.from({ length: 10 }, (_, i) => ds.update(`q-${i}`, { status: 'generated' }));
    const flushed = ds.flush();
    const second = Array.from({ length: 20 }, (_, i) => ds.update(`q-${10 + i}`, { status: 'generated' }));
    await flushed; // waits for everything queued before it finished, despite the minute-long delay
    await Promise.all([...first, ...second]);
    assert.ok(counter.saves <= 2, `saves: ${counter.saves}`);
    assert.ok(readRecords(path).every((r) => r.status === 'generated'));
  } finally {
    cleanup();
  }
});

test('an update of a missing record fails alone; the rest of its batch is written', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const path = pendingDataset(dir, 3);
    const ds = await StoreTeacherDataset.open(path, { updateDelayMs: 10 });
    const results = await Promise.allSettled([
      ds.update('q-0', { status: 'generated' }),
      ds.update('nope', { status: 'generated' }),
      ds.update('q-2', { status: 'generated' }),
    ]);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
    assert.deepEqual(readRecords(path).map((r) => r.status), ['generated', 'pending', 'generated']);
  } finally {
    cleanup();
  }
});

test('a panel edit made between batches is kept (reload before each batch)', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const path = pendingDataset(dir, 3);
    const ds = await StoreTeacherDataset.open(path, { updateDelayMs: 10 });
    const panel = await DatasetStore.open(path);
    panel.update('q-1', { notes: 'from the panel' });
    await panel.save();
    await ds.update('q-0', { status: 'generated' });
    const records = readRecords(path);
    assert.equal(records[0]!.status, 'generated');
    assert.equal(records[1]!.notes, 'from the panel');
  } finally {
    cleanup();
  }
});

test('a generator run over 40 pending records rewrites the file far fewer than 40 times', async () => {
  const fake = await FakeTeacher.start();
  fake.latencyMs = 5;
  const { dir, cleanup } = tempDir();
  try {
    pendingDataset(dir, 40);
    const { session, generator } = await makeGenerator(fake, dir, { concurrency: 8 });
    const ds = session.dataset as StoreTeacherDataset;
    const counter = countSaves(ds);
    const plan = planQuestions(session.dataset.records(), [], session.promptHash);
    assert.equal(plan.todo.length, 40);
    const summary = await generator.run(plan.todo);
    assert.equal(summary.generated, 40);
    assert.ok(counter.saves >= 1 && counter.saves < 20, `saves: ${counter.saves}`);
    const records = readRecords(session.datasetPath);
    assert.equal(records.length, 40);
    assert.ok(records.every((r) => r.status === 'generated'));
  } finally {
    await fake.close();
    cleanup();
  }
});
