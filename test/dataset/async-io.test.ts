// The store's disk work is asynchronous: the event loop keeps turning during a big save, edits
// made while a save runs stay unsaved, concurrent appends are group-committed and never lost.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { DatasetStore } from '../../src/core/dataset/store';
import { rec, tempDir, writeDataset } from './helpers';

/** A dataset of roughly `mb` megabytes. */
function bigDataset(dir: string, mb: number): string {
  const pad = 'x'.repeat(900);
  const n = Math.ceil((mb * 1024 * 1024) / 1000);
  const lines: string[] = new Array<string>(n);
  for (let i = 0; i < n; i++) lines[i] = rec(`r${i}`, { notes: pad });
  const path = join(dir, 'big.dss.jsonl');
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

describe('DatasetStore: asynchronous disk work', () => {
  test('the event loop keeps turning while a 30 MB file is saved', async () => {
    const path = bigDataset(tempDir(), 30);
    const store = await DatasetStore.open(path);
    store.update('r0', { status: 'accepted' });
    let ticks = 0;
    let saving = true;
    const tick = () => {
      if (!saving) return;
      ticks++;
      setImmediate(tick);
    };
    setImmediate(tick);
    await store.save();
    saving = false;
    assert.ok(ticks > 0, `the event loop turned ${ticks} times during the save`);
    const again = await DatasetStore.open(path);
    assert.equal(again.get('r0')?.status, 'accepted');
    assert.equal(again.size, store.size);
    assert.equal(readFileSync(path, 'utf8'), store.entries().map((e) => e.raw + '\n').join(''));
  });

  test('a setInterval ticks while save() of a 30 MB file runs', async () => {
    const path = bigDataset(tempDir(), 30);
    const store = await DatasetStore.open(path);
    store.update('r1', { status: 'accepted' });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    try {
      // Several saves, so the assertion does not depend on one fsync being slow enough.
      for (let i = 0; i < 3; i++) {
        store.update('r1', { notes: `save ${i}` });
        await store.save();
      }
    } finally {
      clearInterval(timer);
    }
    assert.ok(ticks > 0, `interval ticks during the saves: ${ticks}`);
  });

  test('an edit made while a save is writing stays unsaved, and the next save writes it', async () => {
    const path = bigDataset(tempDir(), 5);
    const store = await DatasetStore.open(path);
    store.update('r0', { status: 'accepted' });
    const saving = store.save();
    store.update('r1', { status: 'rejected' }); // after the save took its snapshot? either way nothing is lost
    await saving;
    const onDisk = await DatasetStore.open(path);
    assert.equal(onDisk.get('r0')?.status, 'accepted');
    if (onDisk.get('r1')?.status !== 'rejected') assert.deepEqual(store.dirtyIds(), ['r1']);
    await store.save();
    assert.deepEqual(store.dirtyIds(), []);
    assert.equal((await DatasetStore.open(path)).get('r1')?.status, 'rejected');
  });

  test('an edit made while the write is in flight is not marked saved', async () => {
    const path = bigDataset(tempDir(), 5);
    const store = await DatasetStore.open(path);
    store.update('r0', { status: 'accepted' });
    let edited = false;
    const off = store.onDidChange(() => undefined);
    const saving = store.save();
    // Let the save reach its asynchronous write, then edit.
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    store.update('r2', { status: 'rejected' });
    edited = true;
    await saving;
    off();
    assert.ok(edited);
    const onDisk = await DatasetStore.open(path);
    assert.equal(onDisk.get('r0')?.status, 'accepted');
    if (onDisk.get('r2')?.status !== 'rejected') assert.ok(store.dirtyIds().includes('r2'), 'the edit made during the write is still dirty');
    assert.ok(!store.dirtyIds().includes('r0'));
    await store.save();
    assert.equal((await DatasetStore.open(path)).get('r2')?.status, 'rejected');
  });

  test('concurrent appends and saves keep every record; appends share writes', async () => {
    const path = writeDataset(tempDir(), [rec('a'), rec('b')]);
    const store = await DatasetStore.open(path);
    let appendEvents = 0;
    store.onDidChange((e) => {
      if (e.reason === 'append') appendEvents++;
    });
    const ops: Promise<unknown>[] = [];
    for (let i = 0; i < 200; i++) {
      ops.push(store.append([{ id: `g${i}`, question: `generated ${i}`, status: 'generated' }]));
      if (i % 25 === 0) {
        store.update('a', { notes: `edit ${i}` });
        ops.push(store.save());
      }
    }
    const results = await Promise.all(ops);
    assert.ok(results.length > 200);
    assert.ok(appendEvents < 200, `200 appends took ${appendEvents} writes (group commit)`);
    const onDisk = await DatasetStore.open(path);
    const ids = onDisk.records().map((r) => r.id);
    assert.equal(new Set(ids).size, ids.length, 'no id twice');
    for (let i = 0; i < 200; i++) assert.ok(onDisk.has(`g${i}`), `g${i} on disk`);
    assert.equal(onDisk.get('a')?.notes, 'edit 175');
    assert.equal(onDisk.brokenLines().length, 0);
    assert.deepEqual(store.dirtyIds(), []);
  });

  test('a bad append in a group fails alone; the others are written', async () => {
    const path = writeDataset(tempDir(), [rec('a')]);
    const store = await DatasetStore.open(path);
    const first = store.append([{ id: 'x1', question: 'one' }]);
    const dup = assert.rejects(store.append([{ id: 'a', question: 'reuses an id' }]), /already/);
    const second = store.append([{ id: 'x2', question: 'two' }]);
    await Promise.all([first, dup, second]);
    assert.deepEqual((await DatasetStore.open(path)).records().map((r) => r.id), ['a', 'x1', 'x2']);
  });

  test('another store appending to the same file concurrently: nothing lost', async () => {
    const path = writeDataset(tempDir(), [rec('a')]);
    const one = await DatasetStore.open(path);
    const two = await DatasetStore.open(path);
    const ops: Promise<unknown>[] = [];
    for (let i = 0; i < 50; i++) {
      ops.push(one.append([{ id: `one${i}`, question: `one ${i}` }]));
      ops.push(two.append([{ id: `two${i}`, question: `two ${i}` }]));
      if (i % 10 === 0) {
        one.update('a', { notes: `n${i}` });
        ops.push(one.save());
      }
    }
    await Promise.all(ops);
    const onDisk = await DatasetStore.open(path);
    assert.equal(onDisk.size, 101);
    assert.equal(onDisk.get('a')?.notes, 'n40');
  });
});
