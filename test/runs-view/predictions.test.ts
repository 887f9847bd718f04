// Predictions next to gold: each line of a fetched predictions.jsonl is re-scored with the full
// engine (scoreOne/aggregate), whatever the runner's light check said.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clauseF1Of, predictionRows } from '../../src/extension/runs/predictions';
import { predictionRowSchema, predictionSummarySchema } from '../../src/shared/run-view-protocol';

const gold = { query: { bool: { filter: [{ term: { status: 'paid' } }, { range: { total: { gte: 100 } } }] } } };
const line = (o: Record<string, unknown>) => JSON.stringify(o);

const jsonl = [
  // What evaluate.py writes: gold as canonical JSON text, the model's raw text, its own verdict.
  line({ id: 'q1', question: 'paid orders over 100', prediction: JSON.stringify(gold), gold: JSON.stringify(gold), exact: true }),
  line({ id: 'q2', question: 'paid orders', prediction: '```json\n{"query":{"bool":{"filter":[{"term":{"status":"paid"}}]}}}\n```', gold: JSON.stringify(gold) }),
  // The runner's light check would pass this; the engine knows `mtach` is no query.
  line({ id: 'q3', question: '<script>alert(1)</script>', prediction: '{"query":{"mtach":{"status":"paid"}}}', gold }),
  line({ id: 'q4', question: 'garbage', prediction: 'I think the query is', gold }),
  '',
  '{"not json',
  line({ id: 'q5', question: 'no gold' }),
].join('\n');

describe('predictionRows', () => {
  const result = predictionRows(jsonl);

  it('scores every prediction with the full engine', () => {
    const byId = new Map(result.rows.map((r) => [r.id, r]));
    assert.deepEqual([...byId.keys()], ['q1', 'q2', 'q3', 'q4']);
    assert.equal(byId.get('q1')!.exact, true);
    assert.equal(byId.get('q1')!.valid, true);
    assert.equal(byId.get('q2')!.exact, false);
    assert.equal(byId.get('q2')!.valid, true);
    assert.deepEqual(byId.get('q2')!.clauses, { truePositive: 1, predicted: 1, gold: 2 });
    assert.equal(byId.get('q3')!.valid, false);
    assert.ok(byId.get('q3')!.errors.some((e) => /mtach/.test(e)), byId.get('q3')!.errors.join('\n'));
    assert.equal(byId.get('q4')!.parsed, false);
    assert.equal(byId.get('q4')!.predictedText, 'I think the query is');
  });

  it('shows gold and parsed predictions pretty-printed', () => {
    assert.equal(result.rows[0]!.goldText, JSON.stringify(gold, null, 2));
    assert.equal(result.rows[1]!.predictedText, JSON.stringify({ query: { bool: { filter: [{ term: { status: 'paid' } }] } } }, null, 2));
  });

  it('summarises all of them and names the lines it skipped', () => {
    assert.equal(result.summary.count, 4);
    assert.equal(result.summary.exactMatch, 0.25);
    assert.equal(result.summary.validDsl, 0.5);
    assert.equal(result.summary.parseRate, 0.75);
    assert.deepEqual(result.skipped.map((s) => s.line), [6, 7]);
  });

  it('produces rows the protocol accepts, and caps the rows but not the summary', () => {
    for (const r of result.rows) predictionRowSchema.parse(r);
    predictionSummarySchema.parse(result.summary);
    const capped = predictionRows(jsonl, {}, 2);
    assert.equal(capped.rows.length, 2);
    assert.equal(capped.truncated, 2);
    assert.equal(capped.summary.count, 4);
  });
});

describe('clauseF1Of', () => {
  it('uses clauseF1, else computes it from precision and recall, else nothing', () => {
    assert.equal(clauseF1Of({ clauseF1: 0.5 }), 0.5);
    assert.equal(clauseF1Of({ 'test/clausePrecision': 0.5, 'test/clauseRecall': 1 }), 2 / 3);
    assert.equal(clauseF1Of({ exactMatch: 0.3 }), undefined);
    assert.equal(clauseF1Of(null), undefined);
  });
});
