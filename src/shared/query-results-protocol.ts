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

export const ShowQueryResult = new IpcDescriptor('showQueryResult', 'toWebview', queryResultSchema);
export const QueryResultsReady = new IpcDescriptor('queryResultsReady', 'toHost', z.object({}).strict());
export const QueryResultsLog = new IpcDescriptor('queryResultsLog', 'toHost', z.object({ level: z.enum(['info', 'warn', 'error']), message: z.string().max(4000) }).strict());

export type ToQueryResultsView = Envelope<typeof ShowQueryResult>;
export type ToQueryResultsHost = Envelope<typeof QueryResultsReady> | Envelope<typeof QueryResultsLog>;

export const parseToQueryResultsView = messageParser<ToQueryResultsView>([ShowQueryResult]);
export const parseToQueryResultsHost = messageParser<ToQueryResultsHost>([QueryResultsReady, QueryResultsLog]);
