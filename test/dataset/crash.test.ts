// Crash safety: a child process appends and atomically rewrites the dataset in a loop and is
// SIGKILLed at a random point; the file must still parse and hold every committed record.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { DatasetStore } from '../../src/core/dataset/store';
import { tempDir } from './helpers';

const child = join(import.meta.dirname, 'fixtures', 'crash-writer.ts');

interface Committed {
  appended: Set<string>;
  /** id → the latest `notes` a committed save wrote. */
  edited: Map<string, string>;
  inserted: Set<string>;
}

/** Runs the writer until it has committed `killAfter` operations (+ a random extra delay), then SIGKILLs it. */
function runAndKill(path: string, prefix: string, killAfter: number, extraTicks: number): Promise<Committed> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', child, path, prefix], { stdio: ['ignore', 'pipe', 'pipe'] });
    const committed: Committed = { appended: new Set(), edited: new Map(), inserted: new Set() };
    let buffer = '';
    let stderr = '';
    let ops = 0;
    let killing = false;
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    proc.stdout.on('data', (d: Buffer) => {
      buffer += d.toString();
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        const [kind, id, ...rest] = line.split(' ');
        if (kind === 'appended') committed.appended.add(id!);
        if (kind === 'saved') {
          committed.edited.set(id!, rest.slice(0, 3).join(' '));
          committed.inserted.add(rest[3]!);
        }
        ops++;
      }
      if (!killing && ops >= killAfter) {
        killing = true;
        // Let the writer run on for a random number of event-loop turns so the kill lands
        // anywhere: mid-append, mid-temp-write, between rename and fsync…
        let ticks = extraTicks;
        const spin = () => (ticks-- > 0 ? setImmediate(spin) : proc.kill('SIGKILL'));
        spin();
      }
    });
    proc.on('exit', (_code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`writer exited on its own (${String(_code)}): ${stderr}`));
      else resolve(committed);
    });
  });
}

describe('crash safety', () => {
  test('a writer SIGKILLed at random points never loses a committed record', async () => {
    const dir = tempDir();
    const path = join(dir, 'crash.dss.jsonl');
    const all: Committed = { appended: new Set(), edited: new Map(), inserted: new Set() };
    let seed = 12345;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let round = 0; round < 5; round++) {
      const c = await runAndKill(path, `r${round}`, 5 + Math.floor(random() * 40), Math.floor(random() * 200));
      for (const id of c.appended) all.appended.add(id);
      for (const [id, v] of c.edited) all.edited.set(id, v);
      for (const id of c.inserted) all.inserted.add(id);

      const store = await DatasetStore.open(path);
      for (const id of all.appended) assert.ok(store.has(id), `round ${round}: committed append ${id} survived`);
      for (const id of all.inserted) assert.ok(store.has(id), `round ${round}: committed insert ${id} survived`);
      for (const [id, notes] of all.edited) {
        const got = store.get(id)?.notes ?? '';
        // A later, uncommitted save may have landed too; it only ever writes a later "edited at".
        assert.ok(got === notes || Number(got.split(' ').pop()) >= Number(notes.split(' ').pop()), `round ${round}: ${id} keeps its committed edit (${notes}), got ${got}`);
      }
      // Only the very last line may be torn (killed mid-append); it is kept as a broken line.
      const broken = store.brokenLines();
      assert.ok(broken.every((b) => b.line === store.entries().length || /^\{"id":"r\d/.test(b.raw)), `round ${round}: only torn appends are broken: ${JSON.stringify(broken)}`);
      assert.deepEqual(readdirSync(dir).filter((n) => n.endsWith('.tmp')), [], 'open removes temp files of dead writers');
    }
    assert.ok(all.appended.size > 20);
    assert.ok(all.edited.size > 3);
  });
});
