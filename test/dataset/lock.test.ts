// The file lock after a crash: a lock whose pid now belongs to another process is stale (the lock
// records the owner's start time), a lock a live owner holds times out with a user-facing error.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { LockTimeoutError, processStartTime, withFileLock } from '../../src/core/dataset/durable';
import { DatasetStore } from '../../src/core/dataset/store';
import { rec, tempDir, writeDataset } from './helpers';

const linux = existsSync('/proc/self/stat');

test('a stale lock whose pid was reused by another process is taken over', { skip: linux ? false : 'needs /proc for process start times' }, async () => {
  const dir = tempDir();
  const path = writeDataset(dir, [rec('q-1')]);
  // A live process that is not the lock's owner: the pid matches, the start time does not.
  const other = spawn(process.execPath, ['-e', 'process.stdin.resume()'], { stdio: ['pipe', 'ignore', 'ignore'] });
  try {
    const start = processStartTime(other.pid!);
    assert.ok(start, 'the start time of a live process is readable');
    writeFileSync(`${path}.lock`, `${other.pid} ${Number(start) - 1000}`);
    const store = await DatasetStore.open(path);
    store.update('q-1', { notes: 'after a crash' });
    // A short wait: the old reading of the lock (pid alive → held) times out here.
    await withFileLock(path, () => undefined, 500);
    await store.save();
    assert.equal(existsSync(`${path}.lock`), false);
  } finally {
    other.kill();
  }
});

test('a lock held by a live process times out with a message and no stack, as a StoreError from the store', async () => {
  const dir = tempDir();
  const path = writeDataset(dir, [rec('q-1')]);
  // Our parent is alive and is not us: its pid and start time make a held lock.
  writeFileSync(`${path}.lock`, `${process.ppid} ${processStartTime(process.ppid) ?? '-'}`);
  await assert.rejects(withFileLock(path, () => undefined, 200), (e: unknown) => e instanceof LockTimeoutError && /is locked by another process/.test(e.message));
});

test('response-cache temp files of killed writers are removed on the next put', async () => {
  const { ResponseCache } = await import('../../src/core/teacher/cache');
  const dir = tempDir();
  const cache = new ResponseCache(join(dir, 'cache'));
  await cache.put('a'.repeat(64), { content: 'x', finishReason: 'stop', usage: { input: 1, output: 1 } });
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
  const stale = [join(dir, 'cache', `${'b'.repeat(64)}.json.${dead}.0a0b0c0d.tmp`), join(dir, 'cache', `${'c'.repeat(64)}.json.0a0b0c0d.tmp`)];
  for (const f of stale) writeFileSync(f, '{"half');
  const fresh = new ResponseCache(join(dir, 'cache'));
  await fresh.put('d'.repeat(64), { content: 'y', finishReason: 'stop', usage: { input: 1, output: 1 } });
  for (const f of stale) assert.equal(existsSync(f), false, f);
  assert.equal(fresh.get('a'.repeat(64))?.content, 'x');
});
