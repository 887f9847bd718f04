// Execution verdicts land on the run view's rows they belong to, whatever lines predictionRows skips.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { summarizeExec } from '../../src/core/elasticsearch';
import { execPairsFrom, withExecution } from '../../src/extension/runs/exec-scoring';
import { predictionRows } from '../../src/extension/runs/predictions';
import { parseToRunView, Predictions } from '../../src/shared/run-view-protocol';

const jsonl = [
  JSON.stringify({ id: 'a', question: 'q', prediction: '{"query":{"term":{"status":"shipped"}}}', gold: '{"query":{"term":{"status":"shipped"}}}' }),
  'not json',
  JSON.stringify({ id: 'no-gold', prediction: '{}' }),
  JSON.stringify({ id: 'b', question: 'q', prediction: 'the model rambled', gold: { query: { match_all: {} } } }),
  JSON.stringify({ id: 'c', question: 'q', prediction: '{"query":{"match_all":{}}}', gold: 'not a body' }),
  JSON.stringify({ id: 'd', question: 'q', prediction: '{"size":0}', gold: { size: 0 } }),
].join('\n');

test('pairs follow predictionRows: skipped lines skipped, a gold that cannot run left out but its row kept in place', () => {
  const { pairs, rowOf } = execPairsFrom(jsonl);
  assert.deepEqual(pairs.map((p) => p.id), ['a', 'b', 'd']);
  assert.deepEqual(rowOf, [0, 1, 3]);
  assert.equal(pairs[1]!.prediction, undefined, 'text that is not JSON has no prediction to run');
  const rows = predictionRows(jsonl);
  assert.deepEqual(rows.rows.map((r) => r.id), ['a', 'b', 'c', 'd']);

  const records = [
    { id: 'a', exec: 'match' as const },
    { id: 'b', exec: 'predictionError' as const, reason: 'prediction is not a JSON object' },
    { id: 'd', exec: 'bothEmpty' as const },
  ];
  const merged = withExecution(rows, { summary: summarizeExec(records), records }, rowOf);
  assert.deepEqual(merged.rows.map((r) => r.exec), ['match', 'predictionError', undefined, 'bothEmpty']);
  assert.equal(merged.rows[1]!.execReason, 'prediction is not a JSON object');
  assert.equal(merged.summary.execAccuracy, 2 / 3);
  assert.equal(merged.summary.bothEmpty, 1 / 3);
  assert.equal(rows.rows[0]!.exec, undefined, 'the input result is not changed');
  // What the run view receives passes its protocol.
  assert.ok(parseToRunView(Predictions.make({ source: 'p.jsonl', summary: merged.summary, rows: merged.rows, truncated: 0 })).ok);
});
