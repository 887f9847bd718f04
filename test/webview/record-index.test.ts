// The panel index's background sort: built in small steps (sorted runs, then merges of neighbours)
// it must give exactly the stable sort's order, ties in file order, for any number of runs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DatasetRecord } from '../../src/core/dataset/record';
import { makeEntry, sortedEntries, sortedEntriesInSteps, type Entry } from '../../src/extension/panel/record-index';

function entries(n: number): Entry[] {
  return Array.from({ length: n }, (_, i) =>
    makeEntry({
      id: `r${i}`,
      // Few distinct values: plenty of ties, whose order the stable sort fixes.
      question: `q${(i * 7919) % 37}`,
      status: (['pending', 'accepted', 'rejected'] as const)[i % 3]!,
      dsl: null,
      split: null,
      updatedAt: `2026-11-${10 + (i % 5)}T00:00:00Z`,
    } as DatasetRecord),
  );
}

describe('sorting in steps', () => {
  it('matches the stable sort for 0 to 21 runs, and takes one step per run and merge', () => {
    for (const n of [0, 1, 5, 1000, 1001, 10_000, 20_481]) {
      const list = entries(n);
      for (const key of ['question', 'status', 'updated'] as const) {
        let result: Entry[] | null = null;
        const queue: (() => void)[] = [];
        let steps = 0;
        sortedEntriesInSteps(list, key, (next) => queue.push(next), (order) => (result = order), () => false, 1000);
        while (queue.length) {
          steps++;
          queue.shift()!();
        }
        assert.deepEqual(result!.map((e) => e.id), sortedEntries(list, key).map((e) => e.id), `${n} records by ${key}`);
        const runs = Math.ceil(n / 1000);
        assert.ok(steps <= 2 * runs + Math.ceil(Math.log2(Math.max(1, runs))) + 1, `${steps} steps for ${runs} runs`);
      }
    }
  });

  it('stops when cancelled', () => {
    const queue: (() => void)[] = [];
    let finished = false;
    let cancel = false;
    sortedEntriesInSteps(entries(5000), 'question', (next) => queue.push(next), () => (finished = true), () => cancel, 1000);
    queue.shift()!();
    cancel = true;
    while (queue.length) queue.shift()!();
    assert.equal(finished, false);
  });
});
