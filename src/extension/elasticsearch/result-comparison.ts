// One mismatched record's gold and prediction run side by side on a cluster: both result views
// (the results webview's model) and the verdict with compareExecution's reason, which names the
// differing part (ids, total, buckets). Pure of VS Code so the Chromium test drives it on the real engine.
import { bodySorts, compareExecution, reduceResponse, type ExecOutcome, type MsearchItem, type ReadOnlyCluster, type SearchBody } from '../../core/elasticsearch';
import type { QueryResult, ResultComparison } from '../../shared/query-results-protocol';
import { resultView } from './run-target';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Both bodies in one `_msearch`, guarded and judged as execEval does; a text that is not a JSON object is not sent. */
export async function compareBodies(cluster: Pick<ReadOnlyCluster, 'name' | 'msearch'>, index: string, id: string, goldText: string, predictedText: string): Promise<ResultComparison> {
  const parse = (t: string): SearchBody | undefined => {
    try {
      const v = JSON.parse(t) as unknown;
      return isObject(v) ? (v as SearchBody) : undefined;
    } catch {
      return undefined;
    }
  };
  const goldBody = parse(goldText);
  const predictedBody = parse(predictedText);
  const bodies = [goldBody, predictedBody].filter((b): b is SearchBody => b !== undefined);
  const items = bodies.length ? await cluster.msearch(index, bodies) : [];
  const answers = [goldBody, predictedBody].map((b) => (b ? items.shift() : undefined));
  const side = (body: SearchBody | undefined, item: MsearchItem | undefined, source: string): { view: QueryResult; outcome: ExecOutcome | undefined } => {
    const place = { cluster: cluster.name, index, source };
    if (!body || !item) return { view: { kind: 'error', ...place, message: 'not a JSON object: nothing was sent to the cluster' }, outcome: undefined };
    if (!item.ok) return { view: { kind: 'error', ...place, message: item.error.message }, outcome: { ok: false, error: item.error.message } };
    return { view: resultView(place, body, item.response), outcome: { ok: true, result: reduceResponse(item.response) } };
  };
  const gold = side(goldBody, answers[0], `gold of ${id}`);
  const prediction = side(predictedBody, answers[1], `prediction for ${id}`);
  const verdict = gold.outcome ? compareExecution(gold.outcome, prediction.outcome, bodySorts(goldBody)) : { verdict: 'goldError' as const, reason: 'the gold is not a JSON object' };
  return { id, cluster: cluster.name, index, verdict: verdict.verdict, reason: verdict.reason ?? null, gold: gold.view, prediction: prediction.view };
}
