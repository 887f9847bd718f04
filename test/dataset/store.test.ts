import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, appendFileSync, readdirSync } from 'node:fs';
import { describe, test } from 'node:test';
import { DatasetStore, StoreError, watch } from '../../src/core/dataset/store';
import { fixedNow, rec, tempDir, writeDataset } from './helpers';

const awkward = [
  '{"id":"a","question":"orders over $100","status":"accepted","dsl":{"query":{"match_all":{}}},"x-custom":{"n":1.0,"big":12345678901234567890},"zz":[1,  2]}',
  'this is not json {',
  '{ "id" : "b" , "question" : "spaced out" }',
  '',
  '{"question":"no id here"}',
  '{"id":"c","question":"crlf line","status":"pending"}\r',
  '{"id":"a","question":"duplicate of a"}',
  '{"id":"d","question":"unicode ✓ \\u00e9","status":"weird-status"}',
  '{"id":"e","question":"last","rationale":"because","dsl":null,"status":"rejected","split":"train"}',
];

describe('DatasetStore: parsing and byte-exact round trip', () => {
  test('reports broken lines, invalid records and duplicate ids with line numbers', async () => {
    const path = writeDataset(tempDir(), awkward);
    const store = await DatasetStore.open(path);
    assert.deepEqual(store.records().map((r) => r.id), ['a', 'b', 'c', 'e']);
    const broken = store.brokenLines();
    assert.deepEqual(broken.map((b) => b.line), [2, 5, 7, 8]);
    assert.match(broken[0]!.error, /not valid JSON/);
    assert.match(broken[1]!.error, /id/);
    assert.match(broken[3]!.error, /status/);
    assert.deepEqual(store.duplicateIds(), [{ id: 'a', lines: [1, 7] }]);
    assert.equal(store.get('b')?.status, 'pending', 'status defaults to pending');
    assert.equal(store.lineOf('e'), 9);
    assert.equal(store.isDirty(), false);
  });

  test('save without edits rewrites the file byte-for-byte', async () => {
    const path = writeDataset(tempDir(), awkward);
    const before = readFileSync(path);
    const store = await DatasetStore.open(path);
    await store.save();
    assert.deepEqual(readFileSync(path), before);
  });

  test('an edit re-serialises only that line; unknown keys survive; the rest stay byte-for-byte', async () => {
    const path = writeDataset(tempDir(), awkward);
    const store = await DatasetStore.open(path, { now: fixedNow });
    store.update('a', { status: 'needs_fix', notes: 'check the range' });
    assert.deepEqual(store.dirtyIds(), ['a']);
    await store.save();
    const lines = readFileSync(path, 'utf8').split('\n');
    assert.equal(lines.length, awkward.length + 1);
    for (let i = 1; i < awkward.length; i++) assert.equal(lines[i], awkward[i], `line ${i + 1} untouched`);
    const a = JSON.parse(lines[0]!) as Record<string, unknown>;
    assert.deepEqual(Object.keys(a), ['id', 'question', 'status', 'dsl', 'x-custom', 'zz', 'notes', 'updatedAt'], 'key order kept, new keys last');
    assert.deepEqual(a['x-custom'], { n: 1, big: 12345678901234567890 });
    assert.equal(a['status'], 'needs_fix');
    assert.equal(a['updatedAt'], fixedNow());
    const again = await DatasetStore.open(path);
    assert.equal(again.get('a')?.notes, 'check the range');
    assert.equal(again.isDirty(), false);
  });

  test('invalid edits and unknown ids are refused with a clear error and change nothing', async () => {
    const path = writeDataset(tempDir(), [rec('a')]);
    const store = await DatasetStore.open(path);
    assert.throws(() => store.update('a', { status: 'maybe' }), (e: unknown) => e instanceof StoreError && /status/.test(e.message));
    assert.throws(() => store.update('nope', { notes: '' }), /no record with id "nope"/);
    assert.throws(() => store.update('a', { id: 'b' }), /cannot be changed/);
    assert.throws(() => store.insert([{ id: 'a', question: 'again' }]), /already in use/);
    assert.equal(store.isDirty(), false);
    assert.equal(store.canUndo, false);
  });

  test('opening a missing file or a directory fails with a readable StoreError', async () => {
    const dir = tempDir();
    await assert.rejects(DatasetStore.open(`${dir}/missing.dss.jsonl`), (e: unknown) => e instanceof StoreError && e.code === 'ENOENT');
    await assert.rejects(DatasetStore.open(dir), (e: unknown) => e instanceof StoreError && e.code === 'EISDIR' && /directory/.test(e.message));
    const created = await DatasetStore.open(`${dir}/new.dss.jsonl`, { create: true });
    assert.equal(created.size, 0);
    await created.append([{ id: 'x', question: 'first' }]);
    assert.equal(readFileSync(`${dir}/new.dss.jsonl`, 'utf8'), '{"id":"x","question":"first"}\n');
  });
});

describe('DatasetStore: edits, undo and redo', () => {
  test('insert, remove and bulk update are one undo step each and restore positions', async () => {
    const path = writeDataset(tempDir(), [rec('a'), 'broken', rec('b'), rec('c'), rec('d')]);
    const store = await DatasetStore.open(path, { now: fixedNow });
    const original = readFileSync(path, 'utf8');
    const order = () => store.entries().map((e) => (e.kind === 'record' ? e.id : '#'));
    let events = 0;
    const off = store.onDidChange(() => events++);

    store.insert([{ id: 'n1', question: 'new one' }, { question: 'new two' }], 'a');
    const n2 = order()[2]!;
    assert.match(n2, /^q-[0-9a-f]{8}$/);
    assert.deepEqual(order(), ['a', 'n1', n2, '#', 'b', 'c', 'd']);
    store.insert([{ id: 'first', question: 'at the start' }], null);
    assert.equal(order()[0], 'first');

    assert.equal(store.remove(['b', 'c', 'a', 'missing']), 3);
    assert.deepEqual(order(), ['first', 'n1', n2, '#', 'd']);
    store.updateMany([
      { id: 'd', patch: { status: 'accepted' } },
      { id: 'n1', patch: { status: 'accepted', notes: 'ok' } },
    ]);
    assert.equal(store.get('d')?.status, 'accepted');

    const v = store.version;
    assert.ok(store.undo()); // bulk update
    assert.ok(store.version > v, 'version increases on undo too');
    assert.equal(store.get('d')?.status, 'pending');
    assert.equal(store.get('n1')?.notes, undefined);
    assert.ok(store.undo()); // bulk remove
    assert.deepEqual(order(), ['first', 'a', 'n1', n2, '#', 'b', 'c', 'd']);
    assert.ok(store.redo());
    assert.deepEqual(order(), ['first', 'n1', n2, '#', 'd']);
    assert.ok(store.undo());
    assert.ok(store.undo()); // insert at start
    assert.ok(store.undo()); // first insert
    assert.equal(store.undo(), false);
    assert.deepEqual(order(), ['a', '#', 'b', 'c', 'd']);
    assert.equal(store.isDirty(), false);
    await store.save();
    assert.equal(readFileSync(path, 'utf8'), original, 'undoing everything gives the original bytes back');

    store.update('a', { notes: 'x' });
    assert.ok(store.undo());
    assert.ok(store.canRedo);
    store.update('b', { notes: 'y' });
    assert.equal(store.canRedo, false, 'a new edit clears redo');
    off();
    assert.ok(events >= 10);
  });
});

describe('DatasetStore: appends', () => {
  test('append is durable and keeps unsaved in-memory edits out of the file', async () => {
    const path = writeDataset(tempDir(), [rec('a')]);
    const store = await DatasetStore.open(path);
    store.update('a', { notes: 'unsaved' });
    await store.append([{ id: 'g1', question: 'generated', status: 'generated' }]);
    const onDisk = await DatasetStore.open(path);
    assert.deepEqual(onDisk.records().map((r) => r.id), ['a', 'g1']);
    assert.equal(onDisk.get('a')?.notes, undefined);
    await store.save();
    const saved = await DatasetStore.open(path);
    assert.equal(saved.get('a')?.notes, 'unsaved');
    assert.deepEqual(saved.records().map((r) => r.id), ['a', 'g1']);
    await assert.rejects(store.append([{ id: 'g1', question: 'dup' }]), /already in use/);
  });

  test('a torn last line (crashed writer) stays a broken line and never swallows the next record', async () => {
    const dir = tempDir();
    const path = writeDataset(dir, [rec('a')]);
    appendFileSync(path, '{"id":"torn","quest');
    const store = await DatasetStore.open(path);
    assert.equal(store.brokenLines().length, 1);
    await store.append([{ id: 'b', question: 'after the tear' }]);
    const again = await DatasetStore.open(path);
    assert.deepEqual(again.records().map((r) => r.id), ['a', 'b']);
    assert.deepEqual(again.brokenLines().map((b) => [b.line, b.raw]), [[2, '{"id":"torn","quest']]);
  });

  test('two stores on one file: an append from one survives a save from the other', async () => {
    const path = writeDataset(tempDir(), [rec('a'), rec('b')]);
    const panel = await DatasetStore.open(path);
    const generator = await DatasetStore.open(path);
    panel.update('a', { status: 'accepted' });
    await generator.append([{ id: 'g1', question: 'from the generator' }]);
    await panel.save();
    const final = await DatasetStore.open(path);
    assert.deepEqual(final.records().map((r) => [r.id, r.status]), [
      ['a', 'accepted'],
      ['b', 'pending'],
      ['g1', 'pending'],
    ]);
    assert.ok(panel.has('g1'), 'the panel merged the append before writing');
  });
});

describe('DatasetStore: external edits', () => {
  test('reload takes disk-only changes, keeps memory-only ones and reports conflicts without losing either', async () => {
    const dir = tempDir();
    const path = writeDataset(dir, [rec('a'), rec('b'), rec('c'), rec('d'), rec('e'), rec('f')]);
    const store = await DatasetStore.open(path, { now: fixedNow });
    assert.deepEqual(await store.reload(), { changed: false, taken: [], added: [], removed: [], conflicts: [] });

    store.update('b', { notes: 'mine only' });
    store.update('c', { notes: 'mine' });
    store.update('e', { notes: 'mine, deleted on disk' });
    store.remove(['f']);
    store.insert([{ id: 'm1', question: 'inserted in memory' }], 'b');
    const undoable = store.canUndo;

    // Someone edits the file in a text editor.
    writeFileSync(
      path,
      [
        rec('a', { notes: 'theirs only' }),
        rec('b'),
        rec('c', { notes: 'theirs' }),
        rec('d'),
        rec('f', { status: 'accepted' }),
        rec('z', { question: 'added on disk' }),
        'broken added on disk',
      ].join('\n') + '\n',
    );
    const r = await store.reload();
    assert.equal(r.changed, true);
    assert.deepEqual(r.taken, ['a']);
    assert.deepEqual(r.added, ['z']);
    assert.deepEqual(r.removed, []);
    assert.deepEqual(r.conflicts.map((c) => c.id).sort(), ['c', 'e', 'f']);
    assert.ok(undoable);

    assert.equal(store.get('a')?.notes, 'theirs only');
    assert.equal(store.get('b')?.notes, 'mine only');
    assert.ok(store.has('m1'));
    const conflicts = new Map(store.conflicts().map((c) => [c.id, c]));
    assert.equal(conflicts.get('c')?.mine?.notes, 'mine');
    assert.equal(conflicts.get('c')?.theirs?.notes, 'theirs');
    assert.equal(conflicts.get('e')?.theirs, null);
    assert.equal(conflicts.get('e')?.mine?.notes, 'mine, deleted on disk');
    assert.equal(conflicts.get('f')?.mine, null);
    assert.equal(conflicts.get('f')?.theirs?.status, 'accepted');
    assert.throws(() => store.update('c', { notes: 'again' }), /resolve the conflict/);

    // Saving with open conflicts keeps the disk version of conflicted records.
    await store.save();
    let disk = await DatasetStore.open(path);
    assert.equal(disk.get('c')?.notes, 'theirs');
    assert.equal(disk.get('b')?.notes, 'mine only');
    assert.equal(disk.has('e'), false);
    assert.equal(store.conflicts().length, 3, 'saving does not close conflicts');

    store.resolveConflict('c', 'both');
    store.resolveConflict('e', 'mine');
    store.resolveConflict('f', 'theirs');
    assert.deepEqual(store.conflicts(), []);
    await store.save();
    disk = await DatasetStore.open(path);
    const ids = disk.records().map((r) => r.id);
    const copy = ids.find((id) => id.startsWith('c-mine-'))!;
    assert.deepEqual(ids, ['a', 'b', 'm1', 'c', copy, 'd', 'e', 'f', 'z']);
    assert.equal(disk.get('c')?.notes, 'theirs');
    assert.equal(disk.get(copy)?.notes, 'mine');
    assert.equal(disk.get('e')?.notes, 'mine, deleted on disk');
    assert.equal(disk.get('f')?.status, 'accepted');
    assert.equal(disk.brokenLines().length, 1);
  });

  test('resolving with "mine" overwrites theirs; an identical change on both sides is no conflict', async () => {
    const path = writeDataset(tempDir(), [rec('a'), rec('b')]);
    const store = await DatasetStore.open(path, { touch: false });
    store.update('a', { notes: 'same' });
    store.update('b', { notes: 'mine' });
    writeFileSync(path, [JSON.stringify({ notes: 'same', id: 'a', question: 'question a', status: 'pending' }), rec('b', { notes: 'theirs' })].join('\n') + '\n');
    const r = await store.reload();
    assert.deepEqual(r.conflicts.map((c) => c.id), ['b']);
    store.resolveConflict('b', 'mine');
    await store.save();
    const disk = await DatasetStore.open(path);
    assert.equal(disk.get('a')?.notes, 'same');
    assert.equal(disk.get('b')?.notes, 'mine');
  });

  test('undo steps that touch records changed on disk are dropped', async () => {
    const path = writeDataset(tempDir(), [rec('a'), rec('b')]);
    const store = await DatasetStore.open(path);
    store.update('a', { notes: '1' });
    await store.save();
    store.update('b', { notes: '2' });
    await store.save();
    writeFileSync(path, [rec('a', { notes: 'theirs' }), readFileSync(path, 'utf8').split('\n')[1]].join('\n') + '\n');
    await store.reload();
    assert.equal(store.get('a')?.notes, 'theirs');
    assert.ok(store.undo(), 'the step on b survives');
    assert.equal(store.get('b')?.notes, undefined);
    assert.equal(store.undo(), false, 'the step on a was dropped');
    assert.equal(store.get('a')?.notes, 'theirs');
  });

  test('another process appending is read incrementally; our own append is not re-read', async () => {
    const path = writeDataset(tempDir(), [rec('a'), rec('b')]);
    const panel = await DatasetStore.open(path);
    const generator = await DatasetStore.open(path);
    panel.update('b', { notes: 'unsaved' });
    await generator.append([{ id: 'g1', question: 'one' }, { id: 'g2', question: 'two' }]);
    assert.deepEqual(await generator.reload(), { changed: false, taken: [], added: [], removed: [], conflicts: [] });
    const r = await panel.reload();
    assert.deepEqual(r, { changed: true, taken: [], added: ['g1', 'g2'], removed: [], conflicts: [] });
    assert.equal(panel.get('b')?.notes, 'unsaved');
    // A writer that dies mid-line: the torn tail becomes a broken line, and is kept by the next save.
    appendFileSync(path, '{"id":"g3","quest');
    const torn = await panel.reload();
    assert.deepEqual(torn.added, []);
    assert.equal(panel.brokenLines().at(-1)?.raw, '{"id":"g3","quest');
    await generator.append([{ id: 'g4', question: 'after the tear' }]);
    await panel.save();
    const disk = await DatasetStore.open(path);
    assert.deepEqual(disk.records().map((x) => x.id), ['a', 'b', 'g1', 'g2', 'g4']);
    assert.equal(disk.get('b')?.notes, 'unsaved');
    assert.deepEqual(disk.brokenLines().map((x) => [x.line, x.raw]), [[5, '{"id":"g3","quest']]);
  });

  test('a same-size rewrite right after a save is still seen (coarse timestamps)', async () => {
    const path = writeDataset(tempDir(), [rec('a', { status: 'pending' })]);
    const store = await DatasetStore.open(path);
    await store.save();
    writeFileSync(path, rec('a', { status: 'pendinG' }) + '\n');
    writeFileSync(path, rec('b', { status: 'pending' }) + '\n');
    const r = await store.reload();
    assert.deepEqual([r.added, r.removed], [['b'], ['a']]);
  });

  test('watch reports a change made by another writer (atomic rename included)', async () => {
    const dir = tempDir();
    const path = writeDataset(dir, [rec('a')]);
    const store = await DatasetStore.open(path);
    const other = await DatasetStore.open(path);
    let notify!: () => void;
    const changed = new Promise<void>((resolve) => (notify = resolve));
    const w = watch(path, () => notify(), { debounceMs: 20, pollMs: 50 });
    try {
      other.update('a', { status: 'accepted' });
      await other.save();
      await changed;
    } finally {
      w.close();
    }
    const r = await store.reload();
    assert.deepEqual(r.taken, ['a']);
    assert.equal(store.get('a')?.status, 'accepted');
    assert.deepEqual(readdirSync(dir).filter((n) => n.endsWith('.tmp') || n.endsWith('.lock')), []);
  });
});
