// `distillery query FILE --cluster C [--index I] [--format text|json]` (docs/ARCHITECTURE.md,
// "Elasticsearch contract"): runs one search body on a cluster, read-only and guarded.
import { problemRange } from '../../core/dsl';
import { aggregationTables, clusterRejection, ClusterError, fieldsTouched, hitsTable, renderTable, responseSummary, type SearchBody } from '../../core/elasticsearch';
import { readTextFile } from '../../core/project/files';
import { openCluster } from '../cluster';
import { EXIT, parse, UsageError, UserError } from '../usage';

const HELP = `usage: distillery query FILE --cluster C [--index I] [--format text|json]

Runs the search body in FILE (.json / .querydsl) on cluster C: a URL (http(s)://host:port) or a
cluster name from distillery.json ("clusters"), against index I (default: the cluster's "index").
Credentials: ES_API_KEY, or ES_USERNAME + ES_PASSWORD. Every search carries the cluster's guards
(timeout, size cap, terminate_after). text: total, took, the top hits with the fields the query
touches, aggregation buckets as tables. json: the cluster's response as is.
A body the cluster rejects is reported at its place in FILE (code cluster-rejected), exit 1.`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse('query', argv, {
    cluster: { type: 'string' },
    index: { type: 'string' },
    format: { type: 'string', default: 'text' },
    help: { type: 'boolean', short: 'h' },
  }, true);
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return EXIT.ok;
  }
  if (positionals.length !== 1) throw new UsageError('distillery query needs exactly one FILE holding a search body; see --help');
  if (!values.cluster) throw new UsageError('distillery query needs --cluster C (a URL or a cluster name from distillery.json); see --help');
  if (values.format !== 'text' && values.format !== 'json') throw new UsageError(`--format must be text or json, got "${values.format}"`);
  const file = positionals[0]!;
  let text: string;
  try {
    text = readTextFile(file, 'query');
  } catch (e) {
    throw new UserError((e as Error).message);
  }
  const body = parseBody(text, file);
  const { cluster, index } = await openCluster(values.cluster, values.index, file);
  try {
    const response = await cluster.search(index, body);
    if (values.format === 'json') {
      process.stdout.write(JSON.stringify(response) + '\n');
      return EXIT.ok;
    }
    const s = responseSummary(response);
    const out = [`total ${s.totalRelation === 'gte' ? '≥ ' : ''}${s.total}, took ${s.tookMs} ms${s.timedOut ? ' (timed out: partial results)' : ''}${s.terminatedEarly ? ' (terminate_after reached: partial results)' : ''}`];
    const hits = hitsTable(response, fieldsTouched(body));
    if (hits.rows.length) out.push('', `hits (top ${hits.rows.length})`, renderTable(hits));
    for (const t of aggregationTables(response)) out.push('', `aggregation ${t.title}`, renderTable(t));
    process.stdout.write(out.join('\n') + '\n');
    return EXIT.ok;
  } catch (e) {
    if (e instanceof ClusterError && e.kind === 'rejected' && e.clusterError) {
      const problem = clusterRejection(cluster.guarded(body), e.clusterError);
      const range = problemRange(text, problem.pointer, problem.onKey);
      process.stderr.write(`${file}:${range.start.line + 1}:${range.start.character + 1}: error ${problem.code}: ${problem.message}${problem.pointer ? ` (at ${problem.pointer})` : ''}\n`);
      return EXIT.failed;
    }
    if (e instanceof ClusterError) throw new UserError(e.message);
    throw e;
  } finally {
    await cluster.close();
  }
}

export function parseBody(text: string, file: string): SearchBody {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    throw new UserError(`${file} is not valid JSON (${(e as Error).message}); \`distillery validate ${file}\` shows where`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new UserError(`${file} holds no search body (expected a JSON object such as {"query": {…}})`);
  return body as SearchBody;
}
