// The query results view's protocol (the webview beside a .querydsl body or dataset line that shows
// what the cluster returned): one message each way, validated on arrival like the panel's.
import { z } from 'zod';
import { IpcDescriptor, messageParser, type Envelope } from './ipc';

const cellSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export const resultTableSchema = z.object({ title: z.string(), columns: z.array(z.string()), rows: z.array(z.array(cellSchema)) }).strict();
export type ResultTable = z.infer<typeof resultTableSchema>;

/** What one run shows: where it ran, then either the answer's summary and tables or the cluster's error. */
export const queryResultSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('running'),
    cluster: z.string(),
    index: z.string(),
    source: z.string(),
  }).strict(),
  z.object({
    kind: z.literal('result'),
    cluster: z.string(),
    index: z.string(),
    source: z.string(),
    total: z.number(),
    totalRelation: z.enum(['eq', 'gte']),
    tookMs: z.number(),
    timedOut: z.boolean(),
    terminatedEarly: z.boolean(),
    tables: z.array(resultTableSchema),
  }).strict(),
  z.object({
    kind: z.literal('error'),
    cluster: z.string(),
    index: z.string(),
    source: z.string(),
    message: z.string(),
  }).strict(),
]);
export type QueryResult = z.infer<typeof queryResultSchema>;

/**
 * A mismatched prediction's gold and prediction run on one cluster, shown side by side with the
 * verdict and compareExecution's reason (which part differs: ids, total, buckets).
 */
export const resultComparisonSchema = z
  .object({
    id: z.string().min(1).max(512),
    cluster: z.string(),
    index: z.string(),
    verdict: z.enum(['match', 'mismatch', 'bothEmpty', 'predictionError', 'goldError']),
    reason: z.string().max(4000).nullable(),
    gold: queryResultSchema,
    prediction: queryResultSchema,
  })
  .strict();
export type ResultComparison = z.infer<typeof resultComparisonSchema>;

export const ShowQueryResult = new IpcDescriptor('showQueryResult', 'toWebview', queryResultSchema);
/** host → view: two results side by side (a mismatched record from the run view). */
export const ShowResultComparison = new IpcDescriptor('showResultComparison', 'toWebview', resultComparisonSchema);
export const QueryResultsReady = new IpcDescriptor('queryResultsReady', 'toHost', z.object({}).strict());
export const QueryResultsLog = new IpcDescriptor('queryResultsLog', 'toHost', z.object({ level: z.enum(['info', 'warn', 'error']), message: z.string().max(4000) }).strict());
/** view → host: open this gold record in the review panel. */
export const QueryResultsRevealGold = new IpcDescriptor('queryResultsRevealGold', 'toHost', z.object({ id: z.string().min(1).max(512) }).strict());

export type ToQueryResultsView = Envelope<typeof ShowQueryResult> | Envelope<typeof ShowResultComparison>;
export type ToQueryResultsHost = Envelope<typeof QueryResultsReady> | Envelope<typeof QueryResultsLog> | Envelope<typeof QueryResultsRevealGold>;

export const parseToQueryResultsView = messageParser<ToQueryResultsView>([ShowQueryResult, ShowResultComparison]);
export const parseToQueryResultsHost = messageParser<ToQueryResultsHost>([QueryResultsReady, QueryResultsLog, QueryResultsRevealGold]);

// ---- The review panel's Run / Run all (messages declared in webview-protocol.ts with these params)

/** One record's run on the active cluster: its hit count and time, or the cluster's error. */
export const clusterOutcomeSchema = z
  .object({ id: z.string().min(1).max(512), hits: z.number().int().nonnegative().nullable(), tookMs: z.number().nonnegative().nullable(), error: z.string().max(4000).nullable() })
  .strict();
export type ClusterOutcome = z.infer<typeof clusterOutcomeSchema>;

/** Panel filter on run results: "returns nothing" (the commonest silent teacher mistake) and "cluster error". */
export const CLUSTER_FILTERS = ['nothing', 'error'] as const;
export const clusterFilterSchema = z.array(z.enum(CLUSTER_FILTERS)).max(CLUSTER_FILTERS.length);

export const runOnClusterParams = z.object({ ids: z.array(z.string().min(1).max(512)).max(200_000).nullable() }).strict();
export const clusterResultsParams = z
  .object({
    /** Where the records ran; null when no cluster is configured. */
    cluster: z.string().max(400).nullable(),
    running: z.boolean(),
    outcomes: z.array(clusterOutcomeSchema).max(200_000),
    /** Why nothing ran (no cluster, unreachable…), for the status line. */
    message: z.string().max(4000).nullable(),
    /** While running: bodies answered so far of those sent (outcomes then hold the latest batch). */
    progress: z.object({ done: z.number().int().nonnegative(), total: z.number().int().nonnegative() }).strict().optional(),
    /** The run was cancelled: outcomes hold what had come back. */
    cancelled: z.boolean().optional(),
  })
  .strict();
/** The list row's short form of an outcome. */
export const rowClusterSchema = z.object({ hits: z.number().int().nonnegative().nullable(), error: z.boolean() }).strict();

/** Whether an outcome passes the panel's cluster filter (no filter: everything; never run: nothing). */
export function matchesClusterFilter(outcome: ClusterOutcome | undefined, filter: readonly (typeof CLUSTER_FILTERS)[number][] | undefined): boolean {
  if (!filter || filter.length === 0) return true;
  if (!outcome) return false;
  return (filter.includes('nothing') && outcome.error === null && outcome.hits === 0) || (filter.includes('error') && outcome.error !== null);
}
