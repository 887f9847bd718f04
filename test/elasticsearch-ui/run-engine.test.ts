// "Run on <cluster>" against a real Elasticsearch node seeded with the examples' orders: the result
// view shows the cluster's count and the touched fields of real hits, and a body the cluster refuses
// is underlined where the cluster's reason points (the same path the editor command takes).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ClusterError, clusterRejection, execEval, noSecrets, ReadOnlyCluster, resolveCluster } from '../../src/core/elasticsearch';
import { execPairsFrom, withExecution } from '../../src/extension/runs/exec-scoring';
import { predictionRows } from '../../src/extension/runs/predictions';
import { clusterProblemRange, datasetLineTarget, queryDslTarget, resultView } from '../../src/extension/elasticsearch/run-target';
import { engineUnavailable, examplesSeed, sharedEngine, type TestEngine } from '../helpers/es-engine';

const unavailable = engineUnavailable();

describe('run a body on the local engine', { skip: unavailable ? `no local Elasticsearch: ${unavailable}` : false, timeout: 240_000 }, () => {
  let engine: TestEngine;
  let cluster: ReadOnlyCluster;
  before(async () => {
    engine = await sharedEngine({ seed: examplesSeed() });
    cluster = await ReadOnlyCluster.connect(resolveCluster(engine.url, []), noSecrets);
  });
  after(async () => {
    await cluster?.close();
    await engine?.stop();
  });

  it('shows the total the cluster counts and the status of each hit', async () => {
    const text = '{\n  "query": { "term": { "status": "shipped" } },\n  "size": 3\n}\n';
    const target = queryDslTarget(text, 'shipped.querydsl');
    const view = resultView({ cluster: 'local', index: 'orders', source: target.label }, target.body, await cluster.search('orders', target.body));
    assert.equal(view.kind, 'result');
    if (view.kind !== 'result') return;
    assert.equal(view.total, await cluster.count('orders', { term: { status: 'shipped' } }));
    assert.ok(view.total > 0, 'the seed has shipped orders');
    const hits = view.tables[0]!;
    assert.equal(hits.rows.length, 3);
    const statusColumn = hits.columns.indexOf('status');
    assert.ok(statusColumn > 0, `columns: ${hits.columns.join(', ')}`);
    for (const row of hits.rows) assert.equal(row[statusColumn], 'shipped');
  });

  it('underlines the field a refused aggregation names, on a dataset line', async () => {
    const dsl = { size: 0, aggs: { by_note: { terms: { field: 'notes' } } } };
    const dataset = `{"id":"ok","question":"q","status":"accepted","dsl":{"query":{"match_all":{}}}}\n{"id":"bad","question":"notes?","status":"accepted","dsl":${JSON.stringify(dsl)}}\n`;
    const target = datasetLineTarget(dataset, 1, 'dataset.dss.jsonl');
    const error = await cluster.search('orders', target.body).then(
      () => assert.fail('a terms aggregation on a text field must be refused'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof ClusterError && error.clusterError, String(error));
    const problem = clusterRejection(cluster.guarded(target.body), error.clusterError);
    assert.match(problem.message, /notes/);
    const range = clusterProblemRange(target, problem);
    assert.equal(range.start.line, 1);
    assert.equal(dataset.split('\n')[1]!.slice(range.start.character, range.end.character), '"notes"');
  });

  it('scores fetched predictions by execution: the same orders by other DSL match, a wrong status does not', async () => {
    const line = (id: string, prediction: unknown, gold: unknown) => JSON.stringify({ id, question: id, prediction: JSON.stringify(prediction), gold: JSON.stringify(gold) });
    const shipped = { query: { term: { status: 'shipped' } } };
    const jsonl = [
      line('same-by-match', { query: { match: { status: 'shipped' } } }, shipped),
      line('wrong-status', { query: { term: { status: 'returned' } } }, shipped),
      line('both-empty', { query: { term: { status: 'lost' } } }, { query: { term: { status: 'teleported' } } }),
    ].join('\n');
    const rows = predictionRows(jsonl);
    const { pairs, rowOf } = execPairsFrom(jsonl);
    const merged = withExecution(rows, await execEval(cluster, 'orders', pairs), rowOf);
    assert.deepEqual(merged.rows.map((r) => [r.id, r.exec, r.exact]), [['same-by-match', 'match', false], ['wrong-status', 'mismatch', false], ['both-empty', 'bothEmpty', false]]);
    assert.equal(merged.summary.execAccuracy, 2 / 3);
  });
});
