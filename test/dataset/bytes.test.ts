// The store's promise "nothing lost, bytes kept" for the bytes an attack found changed (issue 13):
// invalid UTF-8 in a broken line, a leading byte-order mark, CRLF line endings on edited lines,
// and a save that crashed between moving the old file aside and linking the new one in.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, existsSync, readdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { DatasetStore } from '../../src/core/dataset/store';
import { fixedNow, rec, tempDir } from './helpers';

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

test('a broken line holding invalid UTF-8 is written back byte for byte after an edit elsewhere', async () => {
  const dir = tempDir();
  const path = join(dir, 'data.dss.jsonl');
  const broken = Buffer.concat([Buffer.from('{"id":"bad","question":"caf'), Buffer.from([0xe9, 0xff]), Buffer.from('"')]);
  writeFileSync(path, Buffer.concat([Buffer.from(rec('q-1') + '\n'), broken, Buffer.from('\n' + rec('q-2') + '\n')]));
  const store = await DatasetStore.open(path, { now: fixedNow });
  assert.equal(store.brokenLines().length, 1);
  assert.match(store.brokenLines()[0]!.error, /not valid UTF-8/);
  store.update('q-2', { notes: 'edited' });
  await store.save();
  const after = readFileSync(path);
  assert.ok(after.includes(broken), 'the invalid bytes are still there');
  assert.ok(!after.includes(Buffer.from('\ufffd')), 'no replacement character was written');
  // And it still round-trips through a merge (another store appends, ours saves again).
  const other = await DatasetStore.open(path);
  await other.append([{ id: 'q-3', question: 'three' }]);
  store.update('q-1', { notes: 'again' });
  await store.save();
  assert.ok(readFileSync(path).includes(broken));
});

test('a leading byte-order mark is kept when the first record is edited or a record is inserted before it', async () => {
  const dir = tempDir();
  const path = join(dir, 'data.dss.jsonl');
  writeFileSync(path, Buffer.concat([BOM, Buffer.from(`${rec('q-1')}\n${rec('q-2')}\n`)]));
  const store = await DatasetStore.open(path, { now: fixedNow });
  assert.equal(store.size, 2);
  store.update('q-1', { notes: 'first edited' });
  store.insert([{ id: 'q-0', question: 'zero' }], null);
  await store.save();
  const after = readFileSync(path);
  assert.ok(after.subarray(0, 3).equals(BOM), 'the file still starts with the BOM');
  assert.equal(after.indexOf(BOM, 1), -1, 'exactly one BOM, at the start');
  const lines = after.subarray(3).toString('utf8').trimEnd().split('\n');
  assert.deepEqual(lines.map((l) => (JSON.parse(l) as { id: string }).id), ['q-0', 'q-1', 'q-2']);
});

test('a CRLF file keeps CRLF on edited, inserted and appended lines', async () => {
  const dir = tempDir();
  const path = join(dir, 'data.dss.jsonl');
  writeFileSync(path, `${rec('q-1')}\r\n${rec('q-2')}\r\n`);
  const store = await DatasetStore.open(path, { now: fixedNow });
  store.update('q-1', { notes: 'edited' });
  store.insert([{ id: 'q-3', question: 'three' }]);
  await store.save();
  await store.append([{ id: 'q-4', question: 'four' }]);
  const text = readFileSync(path, 'utf8');
  assert.equal(text.split('\r\n').length - 1, 4, JSON.stringify(text));
  assert.doesNotMatch(text.replace(/\r\n/g, ''), /\n/, 'no bare LF line');
  const reopened = await DatasetStore.open(path);
  assert.equal(reopened.get('q-1')!.notes, 'edited');
  assert.equal(reopened.size, 4);
});

test('a save that died with the old file moved aside is undone on the next open', async () => {
  const dir = tempDir();
  const path = join(dir, 'data.dss.jsonl');
  writeFileSync(path, `${rec('q-1')}\n`);
  // What a SIGKILL between the two steps of the swap leaves: no file, the old one aside (of a dead pid).
  const aside = join(dir, `.data.dss.jsonl.999999999.x.aside`);
  renameSync(path, aside);
  const store = await DatasetStore.open(path);
  assert.equal(store.size, 1);
  assert.ok(existsSync(path));
  assert.deepEqual(readdirSync(dir).filter((n) => n.endsWith('.aside')), []);
});
