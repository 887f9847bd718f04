import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DslProblem } from '../../src/core/dsl';
import { filterRecords, facetCounts, RecordIndex } from '../../src/core/dataset/query';
import type { DatasetRecord } from '../../src/core/dataset/record';
import { computeStats } from '../../src/core/dataset/stats';

const validate = (dsl: unknown): DslProblem[] => {
  const t = JSON.stringify(dsl);
  if (t.includes('mtach')) return [{ pointer: '', code: 'unknown-query', severity: 'error', message: 'x' }];
  if (t.includes('"term":{"title"')) return [{ pointer: '', code: 'term-on-text', severity: 'warning', message: 'y' }];
  return [];
};

const records: DatasetRecord[] = [
  { id: 'a', question: 'Orders over $100', rationale: 'range on total', dsl: { query: { range: { total: { gt: 100 } } } }, status: 'accepted', split: 'train', updatedAt: '2026-11-20T10:00:00Z' },
  { id: 'b', question: 'cancelled orders', rationale: 'a term query', dsl: { query: { term: { title: 'x' } } }, status: 'generated', updatedAt: '2026-11-21T10:00:00Z' },
  { id: 'c', question: 'typo query', rationale: null, dsl: { query: { mtach: { title: 'x' } } }, status: 'needs_fix', split: 'val', updatedAt: '2026-11-21T11:00:00Z' },
  { id: 'd', question: 'sales per brand', rationale: 'terms aggregation then average', dsl: { size: 0, aggs: { b: { terms: { field: 'brand' } } } }, status: 'accepted', split: 'train' },
  { id: 'e', question: 'not generated yet', dsl: null, status: 'pending' },
];

describe('filter, search and sort', () => {
  const index = new RecordIndex({ validate });
  const ids = (rows: number[]) => rows.map((i) => records[i]!.id);

  test('filters by status, split, validity and query type, and combines them', () => {
    assert.deepEqual(ids(filterRecords(records, { status: 'accepted' }, index)), ['a', 'd']);
    assert.deepEqual(ids(filterRecords(records, { split: 'none' }, index)), ['b', 'e']);
    assert.deepEqual(ids(filterRecords(records, { validity: ['error', 'warning'] }, index)), ['b', 'c']);
    assert.deepEqual(ids(filterRecords(records, { validity: 'none' }, index)), ['e']);
    assert.deepEqual(ids(filterRecords(records, { queryType: 'range' }, index)), ['a']);
    assert.deepEqual(ids(filterRecords(records, { queryType: '(no query)' }, index)), ['d']);
    assert.deepEqual(ids(filterRecords(records, { status: ['accepted', 'generated'], validity: 'clean' }, index)), ['a', 'd']);
  });

  test('text search covers question, rationale and DSL; every word must match; case-insensitive', () => {
    assert.deepEqual(ids(filterRecords(records, { text: 'ORDERS' }, index)), ['a', 'b']);
    assert.deepEqual(ids(filterRecords(records, { text: 'orders term' }, index)), ['b']);
    assert.deepEqual(ids(filterRecords(records, { text: 'brand' }, index)), ['d']);
    assert.deepEqual(ids(filterRecords(records, { text: '"gt":100' }, index)), ['a']);
  });

  test('sorts stably by a key, either direction', () => {
    assert.deepEqual(ids(filterRecords(records, { sort: { key: 'validity' } }, index)), ['c', 'b', 'e', 'a', 'd']);
    assert.deepEqual(ids(filterRecords(records, { sort: { key: 'updatedAt', descending: true } }, index)), ['c', 'b', 'a', 'd', 'e']);
    assert.deepEqual(ids(filterRecords(records, { sort: { key: 'file', descending: true } }, index)), ['e', 'd', 'c', 'b', 'a']);
  });

  test('an edited record (new object) is re-derived; facet counts follow a filter', () => {
    const edited = [...records];
    edited[0] = { ...records[0]!, dsl: { query: { match: { title: 'x' } } } };
    assert.equal(index.facts(edited[0]).queryType, 'match');
    assert.equal(index.facts(records[0]!).queryType, 'range');
    const counts = facetCounts(records, index, filterRecords(records, { status: 'accepted' }, index));
    assert.deepEqual(counts, { total: 2, status: { accepted: 2 }, validity: { clean: 2 }, queryType: { range: 1, '(no query)': 1 }, split: { train: 2 } });
  });
});

describe('stats', () => {
  test('counts, distributions, validity over time, rationale length, duplicates', () => {
    const s = computeStats([...records, { id: 'f', question: 'Orders over $100!', status: 'pending' }], { index: new RecordIndex({ validate }), brokenLines: 2, duplicates: true });
    assert.equal(s.records, 6);
    assert.equal(s.brokenLines, 2);
    assert.deepEqual(s.byStatus, { pending: 2, generated: 1, accepted: 2, rejected: 0, needs_fix: 1 });
    assert.deepEqual(s.bySplit, { train: 2, val: 1, test: 0, none: 3 });
    assert.deepEqual(Object.keys(s.queryTypes)[0], '(no dsl)');
    assert.equal(s.queryTypes['range'], 1);
    assert.deepEqual(s.validity, { error: 1, warning: 1, clean: 2, none: 2 });
    assert.deepEqual(s.validityOverTime, [
      { date: '2026-11-20', error: 0, warning: 0, clean: 1, none: 0 },
      { date: '2026-11-21', error: 1, warning: 1, clean: 0, none: 0 },
    ]);
    assert.equal(s.rationale.count, 3);
    assert.equal(s.rationale.avgWords, 3.3);
    assert.deepEqual(s.duplicateClusters?.map((c) => c.ids), [['a', 'f']]);
  });
});
