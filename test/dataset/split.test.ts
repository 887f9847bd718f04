import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findDuplicateClusters } from '../../src/core/dataset/dedup';
import { queryTypeOf } from '../../src/core/dataset/dsl';
import type { DatasetRecord } from '../../src/core/dataset/record';
import { prng } from '../../src/core/dataset/random';
import { assignSplits, parseRatios, SplitError, targetCounts } from '../../src/core/dataset/split';

const TYPES = ['bool', 'match', 'term', 'range'];
const WORDS = 'orders customers products revenue shipped cancelled paid refunded europe asia london paris monday weekly monthly average total count maximum minimum price category brand discount premium returned pending express email phone mobile desktop coupon gift winter summer spring autumn new old cheap expensive vip first last top bottom'.split(' ');

/** 400 records with unrelated questions over 4 query types, plus 30 clusters of three near-duplicates. */
function dataset(): DatasetRecord[] {
  const random = prng('split-test');
  const out: DatasetRecord[] = [];
  for (let i = 0; i < 400; i++) {
    const type = TYPES[i % (i < 200 ? 2 : 4)]!; // bool and match are over-represented
    const words = Array.from({ length: 7 }, () => WORDS[Math.floor(random() * WORDS.length)]).join(' ');
    out.push({ id: `r${i}`, question: `${words} ${i}`, status: 'accepted', dsl: { query: { [type]: {} } } });
  }
  for (let i = 0; i < 30; i++) {
    const base = out[i * 13]!;
    out.push({ id: `dup${i}`, question: `${base.question.toUpperCase()}!`, status: 'accepted', dsl: base.dsl ?? null });
    out.push({ id: `near${i}`, question: `${base.question} now`, status: 'accepted', dsl: base.dsl ?? null });
  }
  return out;
}

describe('splits', () => {
  test('parseRatios accepts fractions or percentages and rejects anything else', () => {
    assert.deepEqual(parseRatios('0.8,0.1,0.1'), { train: 0.8, val: 0.1, test: 0.1 });
    assert.deepEqual(parseRatios('80, 10, 10'), { train: 0.8, val: 0.1, test: 0.1 });
    for (const bad of ['0.8,0.2', 'a,b,c', '1,-1,1', '0,0,0', '', '1,,1']) assert.throws(() => parseRatios(bad), SplitError, bad);
    assert.deepEqual(targetCounts(10, { train: 0.8, val: 0.1, test: 0.1 }), { train: 8, val: 1, test: 1 });
    assert.deepEqual(targetCounts(7, { train: 0.8, val: 0.1, test: 0.1 }), { train: 5, val: 1, test: 1 });
  });

  test('deterministic for a seed, different for another seed', () => {
    const records = dataset();
    const a = assignSplits(records, { seed: 7 });
    const b = assignSplits(records, { seed: 7 });
    const c = assignSplits(records, { seed: 8 });
    assert.deepEqual([...a.assignments], [...b.assignments]);
    assert.notDeepEqual([...a.assignments], [...c.assignments]);
    assert.equal(a.assignments.size, records.length);
  });

  test('stratified: every query type is split close to the ratios', () => {
    const records = dataset();
    const r = assignSplits(records, { seed: 1, ratios: { train: 0.6, val: 0.2, test: 0.2 } });
    for (const type of TYPES) {
      const c = r.strata[type]!;
      const n = c.train + c.val + c.test;
      assert.equal(n, records.filter((x) => queryTypeOf(x.dsl) === type).length);
      // Moving whole near-duplicate clusters may shift a few records.
      assert.ok(Math.abs(c.train / n - 0.6) < 0.05, `${type}: ${JSON.stringify(c)}`);
      assert.ok(Math.abs(c.val / n - 0.2) < 0.05, `${type}: ${JSON.stringify(c)}`);
    }
    assert.equal(r.counts.train + r.counts.val + r.counts.test, records.length);
  });

  test('near-duplicate clusters never straddle splits; the leakage report counts what moved', () => {
    const records = dataset();
    const clusters = findDuplicateClusters(records.map((x) => ({ id: x.id, text: x.question })));
    assert.equal(clusters.length, 30);
    for (const seed of [1, 2, 3, 4, 5]) {
      const r = assignSplits(records, { seed, clusters });
      for (const c of clusters) assert.equal(new Set(c.ids.map((id) => r.assignments.get(id))).size, 1, `seed ${seed}: cluster ${c.ids.join(',')} straddles`);
      assert.equal(r.leakage.clusters, 30);
      assert.ok(r.leakage.clustersMoved > 0 && r.leakage.clustersMoved <= 30);
      assert.ok(r.leakage.recordsMoved >= r.leakage.clustersMoved);
      assert.equal(r.leakage.existingMoved, 0);
    }
  });

  test('existing splits are respected; new members of a cluster join it; a pre-existing leak is fixed and reported', () => {
    const records = dataset().map((x) => ({ ...x }));
    records.find((x) => x.id === 'r0')!.split = 'test';
    records.find((x) => x.id === 'r13')!.split = 'val';
    records.find((x) => x.id === 'dup1')!.split = 'val';
    records.find((x) => x.id === 'near1')!.split = 'test'; // r13's cluster: val, val, test → leak
    records.find((x) => x.id === 'r5')!.split = 'test';
    const r = assignSplits(records, { seed: 3 });
    assert.equal(r.assignments.get('r0'), 'test');
    assert.equal(r.assignments.get('dup0'), 'test', 'joined its cluster');
    assert.equal(r.assignments.get('near0'), 'test');
    assert.equal(r.assignments.get('r5'), 'test');
    assert.deepEqual(['r13', 'dup1', 'near1'].map((id) => r.assignments.get(id)), ['val', 'val', 'val']);
    assert.ok(r.leakage.existingMoved >= 1);
    const fresh = assignSplits(records, { seed: 3, respectExisting: false });
    assert.deepEqual([...fresh.assignments], [...assignSplits(records.map((x) => ({ ...x, split: null })), { seed: 3 }).assignments]);
  });
});
