// Language-server extension messages: declared once here, imported by the server (src/server) and
// the client (src/extension). Each descriptor names its direction; each payload has an is() guard
// so a side that receives it from the other process checks it instead of trusting a cast.
import { RequestType } from 'vscode-jsonrpc';

/** The `initializationOptions` the client may send; every field optional. */
export interface ServerInitializationOptions {
  /**
   * Milliseconds the server waits after a burst of edits before re-validating a document that was
   * validated less than this long ago. The first edit after a quiet period is validated at once.
   */
  readonly validationThrottleMs?: number;
}

export function isServerInitializationOptions(value: unknown): value is ServerInitializationOptions {
  if (value === null || typeof value !== 'object') return false;
  const ms = (value as Record<string, unknown>)['validationThrottleMs'];
  return ms === undefined || (typeof ms === 'number' && Number.isFinite(ms) && ms >= 0);
}

// ---------------------------------------------------------------------------------------------
// distillery/documentStats — client → server request.
// How much work the last validation pass of an open document did. Tests and the benchmark use it
// to check that a one-line edit re-validates one line, without timing anything.

export interface DocumentStatsParams {
  readonly uri: string;
}

export interface DocumentStats {
  readonly uri: string;
  /** Version of the document the last finished pass validated; null before the first pass. */
  readonly version: number | null;
  readonly languageId: string;
  /** Lines in the document (1 for a querydsl body). */
  readonly lines: number;
  /** Finished validation passes. */
  readonly passes: number;
  /** Lines (or whole bodies) the last pass handed to the validator. */
  readonly lastPassValidated: number;
  /** Lines the last pass took from the per-line cache instead. */
  readonly lastPassReused: number;
  /** Lines (or bodies) handed to the validator since the document was opened. */
  readonly totalValidated: number;
  /** Diagnostics published by the last pass. */
  readonly diagnostics: number;
  /** Wall time of the last pass inside the server, from its start to handing the diagnostics to the transport. */
  readonly lastPassMs: number;
}

export const documentStatsRequest = new RequestType<DocumentStatsParams, DocumentStats | null, void>('distillery/documentStats');

export function isDocumentStatsParams(value: unknown): value is DocumentStatsParams {
  return value !== null && typeof value === 'object' && typeof (value as Record<string, unknown>)['uri'] === 'string';
}

export function isDocumentStats(value: unknown): value is DocumentStats {
  if (value === null || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  const numbers = ['lines', 'passes', 'lastPassValidated', 'lastPassReused', 'totalValidated', 'diagnostics', 'lastPassMs'];
  return (
    typeof v['uri'] === 'string' &&
    typeof v['languageId'] === 'string' &&
    (v['version'] === null || typeof v['version'] === 'number') &&
    numbers.every((k) => typeof v[k] === 'number')
  );
}

// ---------------------------------------------------------------------------------------------
// distillery/normalize — client → server request.
// The canonical form of a Query DSL body (key order, short forms expanded, single clauses
// unified), as the evaluator and de-duplication see it. `text` is one request body.

export interface NormalizeParams {
  readonly text: string;
}

export type NormalizeResult =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly message: string };

export const normalizeRequest = new RequestType<NormalizeParams, NormalizeResult, void>('distillery/normalize');

export function isNormalizeParams(value: unknown): value is NormalizeParams {
  return value !== null && typeof value === 'object' && typeof (value as Record<string, unknown>)['text'] === 'string';
}

export function isNormalizeResult(value: unknown): value is NormalizeResult {
  if (value === null || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return (v['ok'] === true && typeof v['text'] === 'string') || (v['ok'] === false && typeof v['message'] === 'string');
}
