// The review panel's message protocol, declared once and imported by both sides: the webview app
// (src/webview) and its host in the extension (src/extension/panel). Every message is a typed
// descriptor with a direction, a zod schema for its params and an `is()` guard
// (GitLens `ipc.ts` style). Whatever arrives is parsed with `parseToHost` / `parseToWebview`; a
// malformed or unknown message comes back as `{ ok: false }` and is logged and ignored.
//
// Records stay in the extension host. The webview holds only what it shows: a window of compact
// rows it asks for by index range, the facet counts of the current view, and one record's detail.
import { z } from 'zod';
import { IpcDescriptor, messageParser, type Envelope } from './ipc';
import { clusterFilterSchema, clusterResultsParams, rowClusterSchema, runOnClusterParams } from './query-results-protocol';

export { IpcDescriptor, type Direction, type IpcMessage, type ParseResult } from './ipc';

// ---------------------------------------------------------------------------------------------
// Shared value types

export const REVIEW_STATUSES = ['pending', 'generated', 'accepted', 'rejected', 'needs_fix'] as const;
export const VALIDITIES = ['error', 'warning', 'clean', 'missing', 'unchecked'] as const;
export const SPLIT_FILTERS = ['train', 'val', 'test', 'none'] as const;
export const SORT_KEYS = ['file', 'status', 'validity', 'queryType', 'question', 'updated'] as const;
export const REVIEW_ACTIONS = ['accept', 'reject', 'needs_fix', 'reset', 'duplicate', 'delete'] as const;

export type ReviewStatus = (typeof REVIEW_STATUSES)[number];
/** `missing`: the record has no DSL yet; `unchecked`: not validated yet (validation runs in the background). */
export type Validity = (typeof VALIDITIES)[number];
export type SplitFilter = (typeof SPLIT_FILTERS)[number];
export type SortKey = (typeof SORT_KEYS)[number];
export type ReviewAction = (typeof REVIEW_ACTIONS)[number];

const id = z.string().min(1).max(512);
const shortText = z.string().max(10_000);
const count = z.number().int().nonnegative();

export const filterSchema = z
  .object({
    status: z.array(z.enum(REVIEW_STATUSES)).max(REVIEW_STATUSES.length),
    validity: z.array(z.enum(VALIDITIES)).max(VALIDITIES.length),
    queryType: z.array(z.string().max(100)).max(200),
    split: z.array(z.enum(SPLIT_FILTERS)).max(SPLIT_FILTERS.length),
    text: z.string().max(1000),
    cluster: clusterFilterSchema.optional(),
  })
  .strict();
export type Filter = z.infer<typeof filterSchema>;
export const EMPTY_FILTER: Filter = { status: [], validity: [], queryType: [], split: [], text: '' };

export const sortSchema = z.object({ key: z.enum(SORT_KEYS), descending: z.boolean() }).strict();
export type Sort = z.infer<typeof sortSchema>;
export const DEFAULT_SORT: Sort = { key: 'file', descending: false };

const positionSchema = z.object({ line: count, character: count }).strict();
export const diagnosticSchema = z
  .object({
    severity: z.enum(['error', 'warning', 'info']),
    code: z.string().max(200),
    message: z.string().max(4000),
    pointer: z.string().max(4000).optional(),
    range: z.object({ start: positionSchema, end: positionSchema }).strict(),
    /** The engine's "did you mean": replace the key or value at `range` (the editor offers it as a quick fix). */
    fix: z.object({ kind: z.enum(['renameKey', 'replaceValue']), replacement: z.string().max(400) }).strict().optional(),
  })
  .strict();
export type PanelDiagnostic = z.infer<typeof diagnosticSchema>;

/** One list row: just enough to draw it. */
export const rowSchema = z
  .object({
    id,
    status: z.enum(REVIEW_STATUSES),
    validity: z.enum(VALIDITIES),
    queryType: z.string().max(100).nullable(),
    split: z.enum(['train', 'val', 'test']).nullable(),
    /** Truncated to a line's worth; the detail view shows all of it. */
    question: z.string().max(400),
    cluster: rowClusterSchema.optional(),
  })
  .strict();
export type Row = z.infer<typeof rowSchema>;

const tally = z.record(z.string().max(100), count);
/** Facet counts: each facet counts the records that match every *other* active filter. */
export const countsSchema = z
  .object({
    total: count,
    matching: count,
    status: tally,
    validity: tally,
    queryType: tally,
    split: tally,
  })
  .strict();
export type Counts = z.infer<typeof countsSchema>;

export const detailSchema = z
  .object({
    id,
    /** Position in the current view, -1 when the record is filtered out. */
    position: z.number().int().min(-1),
    status: z.enum(REVIEW_STATUSES),
    split: z.enum(['train', 'val', 'test']).nullable(),
    question: z.string(),
    rationale: z.string(),
    /** Pretty-printed DSL (2 spaces), '' when the record has none. */
    dslText: z.string(),
    normalizedText: z.string().nullable(),
    diagnostics: z.array(diagnosticSchema).max(1000),
    queryType: z.string().max(100).nullable(),
    source: z
      .object({
        kind: z.string().max(100),
        model: z.string().max(400).nullable(),
        promptHash: z.string().max(400).nullable(),
        inputTokens: z.number().nullable(),
        outputTokens: z.number().nullable(),
        costUsd: z.number().nullable(),
      })
      .strict()
      .nullable(),
    notes: z.string(),
    updatedAt: z.string().max(100).nullable(),
    /** Keys on the record beyond the contract; kept on save, listed so nobody is surprised. */
    extraKeys: z.array(z.string().max(200)).max(200),
  })
  .strict();
export type Detail = z.infer<typeof detailSchema>;

const bar = z.object({ label: z.string().max(200), value: z.number() }).strict();
export const statsSchema = z
  .object({
    total: count,
    byStatus: z.array(bar).max(20),
    bySplit: z.array(bar).max(20),
    byQueryType: z.array(bar).max(100),
    byAggregation: z.array(bar).max(100),
    avgRationaleChars: z.number().nonnegative(),
    duplicateClusters: z
      .array(z.object({ size: count, questions: z.array(z.string().max(400)).max(5), ids: z.array(id).max(50) }).strict())
      .max(50),
    duplicateClusterCount: count,
    /** 'near': exact and near duplicates (MinHash); 'exact': same normalised text only (large datasets). */
    duplicateKind: z.enum(['near', 'exact']),
    /** Validity by day of `updatedAt` (YYYY-MM-DD), oldest first. */
    validityOverTime: z
      .array(z.object({ day: z.string().max(20), error: count, warning: count, clean: count }).strict())
      .max(400),
  })
  .strict();
export type Stats = z.infer<typeof statsSchema>;

export const reviewTargetSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('ids'), ids: z.array(id).min(1).max(200_000) }).strict(),
  /** Every record in the current view (filter), whatever is scrolled into sight. */
  z.object({ kind: z.literal('view') }).strict(),
]);
export type ReviewTarget = z.infer<typeof reviewTargetSchema>;

// ---------------------------------------------------------------------------------------------
// Descriptors

// The descriptor machinery is shared with the run view's protocol (src/shared/ipc.ts).

const toHost = <M extends string, S extends z.ZodTypeAny>(method: M, params: S) => new IpcDescriptor(method, 'toHost', params);
const toWebview = <M extends string, S extends z.ZodTypeAny>(method: M, params: S) => new IpcDescriptor(method, 'toWebview', params);
const empty = z.object({}).strict();

// webview → host: the app has loaded; the host answers with `init`, `view` and `history`.
export const Ready = toHost('ready', empty);
// webview → host: change filter/sort. `anchorId` asks the host for that record's new position.
export const SetView = toHost('setView', z.object({ filter: filterSchema, sort: sortSchema, anchorId: id.nullable() }).strict());
// webview → host: rows [start, start+count) of view `version`; answered by `rows`.
export const GetRows = toHost('getRows', z.object({ version: count, start: count, count: z.number().int().min(1).max(500) }).strict());
// webview → host: show this record; answered by `detail`. `restore`: the app is re-selecting what
// it showed before a reload, which yields to a record the host was asked to reveal meanwhile.
export const Select = toHost('select', z.object({ id, restore: z.boolean().optional() }).strict());
// webview → host: a review action on records; one undo step however many records it touches.
// Delete only ever names records (an explicit selection), never "everything in the view"; the host
// asks for confirmation in a modal that names the count before deleting more than one.
export const Review = toHost(
  'review',
  z
    .object({ action: z.enum(REVIEW_ACTIONS), target: reviewTargetSchema })
    .strict()
    .refine((p) => !(p.action === 'delete' && p.target.kind === 'view'), { message: 'delete needs an explicit selection of records', path: ['target'] }),
);
// webview → host: save edits to one record. `dslText` must parse as a JSON object ('' clears the DSL).
export const Edit = toHost(
  'edit',
  z
    .object({ id, question: shortText.optional(), rationale: z.string().max(200_000).optional(), dslText: z.string().max(1_000_000).optional() })
    .strict(),
);
// webview → host: validate DSL text being edited; answered by `diagnostics` with the same requestId.
export const Validate = toHost('validate', z.object({ requestId: count, text: z.string().max(1_000_000) }).strict());
// webview → host: undo / redo the last review action.
export const Undo = toHost('undo', empty);
export const Redo = toHost('redo', empty);
// webview → host: open the record's DSL in a real editor tab (language querydsl).
export const OpenInEditor = toHost('openInEditor', z.object({ id }).strict());
// webview → host: completion at `offset` in DSL text being edited; answered by `completions` with the same requestId.
export const Complete = toHost('complete', z.object({ requestId: count, text: z.string().max(1_000_000), offset: count }).strict());
// webview → host: the stats view is shown (or hidden). While it is shown the host sends `stats`
// now and again after every change, so the charts never need a manual refresh.
export const WatchStats = toHost('watchStats', z.object({ visible: z.boolean() }).strict());
// webview → host: an error inside the webview, for the extension's log.
// webview → host: run these records' DSL on the active cluster (ids null: the current view); answered by `clusterResults`.
export const RunOnCluster = toHost('runOnCluster', runOnClusterParams);
// webview → host: stop the cluster run in progress after the batch in flight; answered by `clusterResults` (cancelled).
export const CancelClusterRun = toHost('cancelClusterRun', empty);
export const Log = toHost('log', z.object({ level: z.enum(['info', 'warn', 'error']), message: z.string().max(4000) }).strict());

// host → webview: the dataset the panel shows (null: none found) and any message to show instead.
export const Init = toWebview(
  'init',
  z.object({ dataset: z.object({ name: z.string().max(400), path: z.string().max(4000) }).strict().nullable(), message: z.string().max(2000).nullable() }).strict(),
);
// host → webview: the current view changed (filter, sort or data); rows of older versions are stale.
export const ViewChanged = toWebview(
  'view',
  z
    .object({
      version: count,
      counts: countsSchema,
      queryTypes: z.array(z.string().max(100)).max(200),
      /** The record the view was anchored on (setView's anchorId, or the selection) and its position, -1 if filtered out. */
      anchorId: id.nullable(),
      anchorPosition: z.number().int().min(-1).nullable(),
      validated: count,
      /** The dataset is still opening: the view covers the head of the file only, and actions wait. */
      loading: z.boolean(),
    })
    .strict(),
);
// host → webview: rows for a `getRows`.
export const Rows = toWebview('rows', z.object({ version: count, start: count, rows: z.array(rowSchema).max(500) }).strict());
// host → webview: one record's detail; null when it no longer exists.
export const DetailMsg = toWebview('detail', z.object({ detail: detailSchema.nullable() }).strict());
// host → webview: validation of edited DSL text.
export const Diagnostics = toWebview(
  'diagnostics',
  z.object({ requestId: count, diagnostics: z.array(diagnosticSchema).max(1000), normalizedText: z.string().nullable(), queryType: z.string().max(100).nullable() }).strict(),
);
// host → webview: completion items for a `complete` request. `from`/`to` is the span the chosen
// item replaces; `apply` is its text, a snippet in CodeMirror's `${}` syntax when `snippet` is true.
export const Completions = toWebview(
  'completions',
  z
    .object({
      requestId: count,
      from: count,
      to: count,
      items: z
        .array(
          z
            .object({
              label: z.string().max(400),
              detail: z.string().max(400).nullable(),
              info: z.string().max(4000).nullable(),
              kind: z.enum(['query', 'aggregation', 'keyword', 'property', 'field', 'value']),
              apply: z.string().max(4000),
              snippet: z.boolean(),
              deprecated: z.boolean(),
            })
            .strict(),
        )
        .max(2000),
    })
    .strict(),
);
/** A completion answer without its requestId (what the engine computes). */
export type PanelCompletionList = Omit<z.infer<typeof Completions.params>, 'requestId'>;
// host → webview: the stats view.
export const StatsMsg = toWebview('stats', z.object({ stats: statsSchema }).strict());
// host → webview: what undo/redo would do.
export const History = toWebview('history', z.object({ undo: z.string().max(200).nullable(), redo: z.string().max(200).nullable() }).strict());
// host → webview: move the cursor to a record (after duplicate, undo, or "Open in editor" save).
export const Focus = toWebview('focus', z.object({ id }).strict());
// host → webview: the records of the webview's selection are gone (a confirmed delete): clear it.
export const ClearSelection = toWebview('clearSelection', empty);
// host → webview: a short message for the status line.
export const Notice = toWebview('notice', z.object({ level: z.enum(['info', 'warn', 'error']), message: z.string().max(2000) }).strict());

// host → webview: hits / took / error of records run on the cluster.
export const ClusterResults = toWebview('clusterResults', clusterResultsParams);

const hostDescriptors = [Ready, SetView, GetRows, Select, Review, Edit, Validate, Complete, Undo, Redo, OpenInEditor, WatchStats, Log, RunOnCluster, CancelClusterRun] as const;
const webviewDescriptors = [Init, ViewChanged, Rows, DetailMsg, Diagnostics, Completions, StatsMsg, History, Focus, ClearSelection, Notice, ClusterResults] as const;

export type ToHostMessage = Envelope<(typeof hostDescriptors)[number]>;
export type ToWebviewMessage = Envelope<(typeof webviewDescriptors)[number]>;

/** Validates a message the host received from the webview. */
export const parseToHost = messageParser<ToHostMessage>(hostDescriptors);
/** Validates a message the webview received from the host. */
export const parseToWebview = messageParser<ToWebviewMessage>(webviewDescriptors);

/** What the webview keeps across reloads with `vscode.setState`. */
export const webviewStateSchema = z
  .object({
    filter: filterSchema,
    sort: sortSchema,
    selectedId: id.nullable(),
    tab: z.enum(['review', 'stats']),
    /** The narrow sidebar folds the detail away so the list gets the height; absent in older saved state. */
    detailOpen: z.boolean().optional(),
    drafts: z.record(id, z.object({ question: z.string(), rationale: z.string(), dslText: z.string() }).strict()),
  })
  .strict();
export type WebviewState = z.infer<typeof webviewStateSchema>;
