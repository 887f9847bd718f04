// The pure side of "Run on <cluster>": which body runs, where a cluster's error is underlined, and
// the result view's model. The cluster's responses here are shaped exactly as Elasticsearch sends them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clusterRejection, type SearchResponse } from '../../src/core/elasticsearch';
import { clusterProblemRange, datasetLineTarget, queryDslTarget, resultView, RunTargetError, runnableDatasetLines } from '../../src/extension/elasticsearch/run-target';
import { parseToQueryResultsView, ShowQueryResult } from '../../src/shared/query-results-protocol';

const querydsl = '{\n  "query": {\n    "term": {\n      "statuss": "shipped"\n    }\n  }\n}\n';

test('a .querydsl body is the whole document; bad JSON and non-objects are refused with the fix', () => {
  const t = queryDslTarget(querydsl, 'a.querydsl');
  assert.deepEqual(t.body, { query: { term: { statuss: 'shipped' } } });
  assert.throws(() => queryDslTarget('{"query": ', 'a.querydsl'), (e: Error) => e instanceof RunTargetError && /a\.querydsl is not valid JSON/.test(e.message));
  assert.throws(() => queryDslTarget('[1]', 'a.querydsl'), /holds an array; a search body is one JSON object/);
});

test('a dataset line runs its dsl; lines without one say why', () => {
  const text = ['{"id":"r1","question":"q","status":"accepted","dsl":{"query":{"match_all":{}}}}', '', '{"id":"r2","question":"q","status":"pending"}', 'not json'].join('\n');
  const t = datasetLineTarget(text, 0, 'd.dss.jsonl');
  assert.deepEqual(t.body, { query: { match_all: {} } });
  assert.equal(t.label, 'd.dss.jsonl: r1');
  assert.throws(() => datasetLineTarget(text, 1, 'd.dss.jsonl'), /line 2 of d\.dss\.jsonl is empty/);
  assert.throws(() => datasetLineTarget(text, 2, 'd.dss.jsonl'), /no "dsl" object to run \(it is still pending/);
  assert.throws(() => datasetLineTarget(text, 3, 'd.dss.jsonl'), /line 4 of d\.dss\.jsonl is not valid JSON/);
  assert.deepEqual(runnableDatasetLines(text), [0]);
});

// The error Elasticsearch 8.15 sends for a term query on a field name it does not parse as such is a
// shard failure naming the field; this one is the parser's "unknown field" shape with [line:col].
const sent = { query: { term: { status: { value: 'x', boostt: 2 } } } };
const col = JSON.stringify(sent).indexOf('"boostt"') + 1;
const unknownParam = {
  type: 'x_content_parse_exception',
  reason: `[1:${col}] [term] unknown field [boostt]`,
  line: 1,
  col,
  root_cause: [{ type: 'x_content_parse_exception', reason: `[1:${col}] [term] unknown field [boostt]`, line: 1, col }],
};

test('a cluster error lands on the key it names, in a .querydsl file and on a dataset line', () => {
  const body = sent;
  const problem = clusterRejection(body, unknownParam);
  assert.equal(problem.pointer, '/query/term/status/boostt');
  const file = JSON.stringify(body, null, 2);
  const range = clusterProblemRange(queryDslTarget(file, 'a.querydsl'), problem);
  const line = file.split('\n')[range.start.line]!;
  assert.equal(line.slice(range.start.character, range.end.character), '"boostt"');

  const dataset = `{"id":"a","question":"q","status":"accepted","dsl":{"query":{"match_all":{}}}}\n{"id":"b","question":"q","status":"accepted","dsl":${JSON.stringify(body)}}\n`;
  const onLine = clusterProblemRange(datasetLineTarget(dataset, 1, 'd'), problem);
  assert.equal(onLine.start.line, 1);
  assert.equal(dataset.split('\n')[1]!.slice(onLine.start.character, onLine.end.character), '"boostt"');
});

test('the result view: total, took, the touched fields of each hit, aggregation buckets; it passes the view protocol', () => {
  const body = { query: { term: { status: 'shipped' } }, aggs: { by_country: { terms: { field: 'customer.country' } } } };
  const response = {
    took: 7, timed_out: false, _shards: { total: 1, successful: 1, skipped: 0, failed: 0 },
    hits: { total: { value: 1234, relation: 'eq' }, max_score: 1, hits: [{ _index: 'orders', _id: 'o1', _score: 1, _source: { status: 'shipped', customer: { country: 'DE', name: 'Ada' }, total: 3 } }] },
    aggregations: { by_country: { doc_count_error_upper_bound: 0, sum_other_doc_count: 0, buckets: [{ key: 'DE', doc_count: 700 }, { key: 'FR', doc_count: 534 }] } },
  } as unknown as SearchResponse;
  const view = resultView({ cluster: 'local', index: 'orders', source: 'a.querydsl' }, body, response);
  assert.equal(view.kind, 'result');
  if (view.kind !== 'result') return;
  assert.equal(view.total, 1234);
  assert.equal(view.tookMs, 7);
  assert.deepEqual(view.tables[0]!.columns, ['_id', '_score', 'status', 'customer.country', '_source (other fields)']);
  assert.deepEqual(view.tables[0]!.rows[0], ['o1', 1, 'shipped', 'DE', '1 more']);
  assert.deepEqual(view.tables[1]!.rows, [['DE', 700], ['FR', 534]]);
  const parsed = parseToQueryResultsView(ShowQueryResult.make(view));
  assert.ok(parsed.ok);
  assert.equal(parseToQueryResultsView({ method: 'showQueryResult', params: { kind: 'result', cluster: 'x' } }).ok, false);
});
