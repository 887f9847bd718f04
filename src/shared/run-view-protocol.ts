// The run view's message protocol (the live chart of a followed run, the comparison table of
// finished runs, and a fetched run's predictions next to gold), declared once and imported by the
// webview app (src/webview/run-view*) and its host (src/extension/runs/run-view*). Same shape as
// the review panel's protocol: typed descriptors with a direction, a zod schema for the params and
// an `is()` guard; whatever arrives is parsed with `parseToRunHost` / `parseToRunView` and a
// malformed or unknown message comes back as `{ ok: false }`, is logged and ignored.
import { z } from 'zod';
import { IpcDescriptor, messageParser, type Envelope } from './ipc';

// ---------------------------------------------------------------------------------------------
// Shared value types

const text = (max: number) => z.string().max(max);
const finite = z.number().finite();
const step = z.number().int().nonnegative();
/** A rate in [0, 1] (exact match, valid-DSL rate, clause F1). */
const rate = z.number().min(0).max(1);

/** The chart's series: training-step values, then evaluation points. */
export const STEP_SERIES = ['loss', 'lossLabel', 'lossRationale', 'lr', 'gpuMemGiB'] as const;
export const EVAL_SERIES = ['valLoss', 'exactMatch', 'validDsl'] as const;
export const SERIES = [...STEP_SERIES, ...EVAL_SERIES] as const;
export type SeriesName = (typeof SERIES)[number];

/** One chart point: a step and the values that event carried (a missing or null field is left out). */
export const chartPointSchema = z
  .object({
    kind: z.enum(['step', 'eval']),
    step,
    values: z.record(z.enum(SERIES), finite),
  })
  .strict();
export type ChartPoint = z.infer<typeof chartPointSchema>;

export const RUN_STATES = ['queued', 'running', 'done', 'failed', 'cancelled', 'unknown'] as const;
export type RunState = (typeof RUN_STATES)[number];

/** One line of the comparison table (src/core/remote/compare.ts's CompareRow plus clause F1). */
export const compareRowSchema = z
  .object({
    host: text(400),
    runId: text(400),
    status: text(40),
    modality: text(40),
    supervision: text(40),
    rank: text(40),
    lr: text(40),
    exactMatch: rate.optional(),
    validDsl: rate.optional(),
    clauseF1: rate.optional(),
    /** From the run's exec-summary.json next to its fetched results, or this session's scoring (docs/elasticsearch-ui.md). */
    execAccuracy: rate.optional(),
    /** Why execAccuracy does not describe the active cluster/index/mapping (scored elsewhere); absent when it does. */
    execStale: text(1000).optional(),
    peakMemGiB: finite.nonnegative().optional(),
    wallSec: finite.nonnegative().optional(),
  })
  .strict();
export type CompareTableRow = z.infer<typeof compareRowSchema>;

/** One prediction re-scored by the full Query DSL engine, next to its gold DSL. */
export const predictionRowSchema = z
  .object({
    id: text(512),
    question: text(10_000),
    /** Pretty-printed (2 spaces). */
    goldText: text(200_000),
    /** Pretty-printed when it parsed, else the raw model output. */
    predictedText: text(200_000),
    parsed: z.boolean(),
    valid: z.boolean(),
    exact: z.boolean(),
    clauses: z.object({ truePositive: step, predicted: step, gold: step }).strict(),
    errors: z.array(text(4000)).max(200),
    /** Execution verdict on the active cluster (docs/elasticsearch.md); absent when no cluster scored it. */
    exec: z.enum(['match', 'mismatch', 'bothEmpty', 'predictionError', 'goldError']).optional(),
    execReason: text(4000).optional(),
  })
  .strict();
export type PredictionRow = z.infer<typeof predictionRowSchema>;

export const predictionSummarySchema = z
  .object({ count: step, parseRate: rate, validDsl: rate, exactMatch: rate, clausePrecision: rate, clauseRecall: rate, clauseF1: rate, execAccuracy: rate.optional(), bothEmpty: rate.optional(), execErrors: rate.optional() })
  .strict();
export type PredictionSummary = z.infer<typeof predictionSummarySchema>;

// ---------------------------------------------------------------------------------------------
// Messages

const toHost = <M extends string, S extends z.ZodTypeAny>(method: M, params: S) => new IpcDescriptor(method, 'toHost', params);
const toView = <M extends string, S extends z.ZodTypeAny>(method: M, params: S) => new IpcDescriptor(method, 'toWebview', params);
const empty = z.object({}).strict();

/** webview → host: the app is listening; the host answers with `init` and the current data. */
export const RunViewReady = toHost('ready', empty);
/** webview → host: show the gold record with this id in the review panel. */
export const RevealGold = toHost('revealGold', z.object({ id: text(512).min(1) }).strict());
/** webview → host: run this record's gold and prediction on the cluster and show both result tables side by side. */
export const CompareResults = toHost('compareResults', z.object({ id: text(512).min(1) }).strict());
/** webview → host: something the host should write to its log. */
export const RunViewLog = toHost('log', z.object({ level: z.enum(['info', 'warn', 'error']), message: text(4000) }).strict());

/** host → webview: what this view shows. `run` views are per run; `compare` lists many. */
export const RunViewInit = toView(
  'init',
  z
    .object({
      mode: z.enum(['run', 'compare']),
      title: text(800),
      host: text(400).nullable(),
      runId: text(400).nullable(),
    })
    .strict(),
);
/** host → webview: chart points in arrival order; `reset` drops what the view had (a re-attach from 0). */
export const RunEvents = toView('events', z.object({ reset: z.boolean(), points: z.array(chartPointSchema).max(20_000) }).strict());
/** host → webview: the run's state (from `start`/`done`/`error` events or the host's listing). */
export const RunStatusMsg = toView('status', z.object({ status: z.enum(RUN_STATES), message: text(2000).nullable() }).strict());
/** host → webview: the comparison table's rows. */
export const CompareTable = toView('compare', z.object({ rows: z.array(compareRowSchema).max(5000) }).strict());
/** host → webview: a fetched run's predictions, re-scored. */
export const Predictions = toView(
  'predictions',
  z
    .object({
      source: text(4000),
      summary: predictionSummarySchema,
      rows: z.array(predictionRowSchema).max(20_000),
      truncated: step,
      /** The cluster that scored execution; names the "Compare results on <cluster>" action. */
      execCluster: text(400).optional(),
    })
    .strict(),
);

const hostDescriptors = [RunViewReady, RevealGold, CompareResults, RunViewLog] as const;
const viewDescriptors = [RunViewInit, RunEvents, RunStatusMsg, CompareTable, Predictions] as const;

export type ToRunHostMessage = Envelope<(typeof hostDescriptors)[number]>;
export type ToRunViewMessage = Envelope<(typeof viewDescriptors)[number]>;

/** Validates a message the host received from the run view. */
export const parseToRunHost = messageParser<ToRunHostMessage>(hostDescriptors);
/** Validates a message the run view received from the host. */
export const parseToRunView = messageParser<ToRunViewMessage>(viewDescriptors);

/** What the run view keeps across reloads with `vscode.setState`. */
export const runViewStateSchema = z
  .object({
    compareSort: z.object({ key: text(40), descending: z.boolean() }).strict(),
    predictionFilter: z.enum(['all', 'wrong', 'invalid', 'execMismatch']),
  })
  .strict();
export type RunViewState = z.infer<typeof runViewStateSchema>;
