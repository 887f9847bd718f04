import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aggregate, clausesOf, parsePrediction, scoreOne } from '../../src/core/training/metrics';

const gold = { query: { bool: { filter: [{ term: { status: 'shipped' } }, { range: { price: { gt: 10 } } }] } }, size: 0 };

test('exact match survives key order and short forms; clause F1 gives partial credit', () => {
  const reordered = { size: 0, query: { bool: { filter: [{ range: { price: { gt: 10 } } }, { term: { status: { value: 'shipped' } } }] } } };
  const s = scoreOne('a', JSON.stringify(reordered), gold);
  assert.equal(s.parsed, true);
  assert.equal(s.valid, true);
  assert.equal(s.clauses.truePositive, 3, JSON.stringify(clausesOf(reordered)));

  const partial = scoreOne('b', { query: { bool: { filter: [{ term: { status: 'shipped' } }] } }, size: 0 }, gold);
  assert.equal(partial.exact, false);
  assert.deepEqual(partial.clauses, { truePositive: 2, predicted: 2, gold: 3 });

  const wrongRole = scoreOne('c', { query: { bool: { must_not: [{ term: { status: 'shipped' } }, { range: { price: { gt: 10 } } }] } }, size: 0 }, gold);
  assert.equal(wrongRole.clauses.truePositive, 1, 'a clause in must_not is not the same clause in filter');
});

test('unparsable and invalid predictions are counted, never dropped', () => {
  const scores = [
    scoreOne('ok', gold, gold),
    scoreOne('prose', 'Sure! Here is the query: not json', gold),
    scoreOne('invalid', '```json\n{"query": {"mtach": {"a": "b"}}}\n```', gold),
    scoreOne('missing', undefined, gold),
  ];
  assert.equal(scores[2]!.parsed, true, 'fenced JSON is read');
  assert.equal(scores[2]!.valid, false);
  assert.match(scores[2]!.errors[0]!, /unknown-query/);
  const m = aggregate(scores);
  assert.equal(m.count, 4);
  assert.equal(m.parseRate, 0.5);
  assert.equal(m.validDsl, 0.25);
  assert.equal(m.exactMatch, 0.25);
  assert.ok(m.clauseF1 > 0 && m.clauseF1 < 1);
  assert.equal(parsePrediction('[1,2]'), null);
});
