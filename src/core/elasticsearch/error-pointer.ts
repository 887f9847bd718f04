// Places what a cluster says about a body onto the body: a JSON pointer to the key or value the
// error names, so the CLI prints it and the editor underlines it (es-ui shows these as diagnostics).
import { getLocation } from 'jsonc-parser';
import type { DslProblem } from '../dsl';
import { clusterReason, type ElasticsearchErrorBody } from './errors';

/** Diagnostic code of everything the cluster rejects (its own code, apart from the static validator's). */
export const CLUSTER_REJECTED = 'cluster-rejected';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function escapeToken(segment: string | number): string {
  return String(segment).replace(/~/g, '~0').replace(/\//g, '~1');
}

export function toPointer(path: readonly (string | number)[]): string {
  return path.map((s) => '/' + escapeToken(s)).join('');
}

/** Every error object in the chain: the top one, its root causes, caused_by links and failed shards. */
function errorChain(error: ElasticsearchErrorBody): ElasticsearchErrorBody[] {
  const out: ElasticsearchErrorBody[] = [];
  const queue: ElasticsearchErrorBody[] = [error];
  while (queue.length > 0 && out.length < 32) {
    const e = queue.shift()!;
    out.push(e);
    if (e.caused_by) queue.push(e.caused_by);
    for (const r of e.root_cause ?? []) queue.push(r);
    for (const s of e.failed_shards ?? []) if (s.reason) queue.push(s.reason);
  }
  return out;
}

/** Names an error reason puts in [brackets] or "quotes", most specific (last) first. */
function namedTokens(reason: string): string[] {
  const tokens: string[] = [];
  for (const m of reason.matchAll(/\[([^\][]+)\]|"([^"]+)"/g)) {
    const t = m[1] ?? m[2]!;
    if (/^\d+:\d+$/.test(t)) continue; // a [line:col] prefix, not a name
    tokens.push(t);
  }
  return tokens.reverse();
}

interface Occurrence {
  path: (string | number)[];
  onKey: boolean;
}

/** Every key and scalar value in `body` equal to one of `tokens`. */
function occurrences(body: Json, tokens: ReadonlySet<string>): (Occurrence & { token: string })[] {
  const out: (Occurrence & { token: string })[] = [];
  const stack: { value: Json; path: (string | number)[] }[] = [{ value: body, path: [] }];
  while (stack.length > 0) {
    const { value, path } = stack.shift()!;
    if (Array.isArray(value)) value.forEach((v, i) => stack.push({ value: v, path: [...path, i] }));
    else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        if (tokens.has(k)) out.push({ path: [...path, k], onKey: true, token: k });
        stack.push({ value: v, path: [...path, k] });
      }
    } else if (tokens.has(String(value))) out.push({ path, onKey: false, token: String(value) });
  }
  return out;
}

/** Where an error points: a pointer, and whether it names a key (editors underline the key) or a value. */
export interface ClusterErrorLocation {
  pointer: string;
  onKey: boolean;
}

/**
 * Where in `sentBody` (the body exactly as sent, guards included) the cluster's error points: by
 * the line:col Elasticsearch's parser reports (the client sends compact one-line JSON, so col is an
 * offset into JSON.stringify(sentBody)), else by the names a reason puts in [brackets] found as keys
 * or values in the body (an occurrence whose path holds the reason's other names wins: "[size] must
 * be greater than 0. Found [-1] in [t]" is the size under aggregation t), else '' (the whole body).
 */
export function clusterErrorLocation(sentBody: unknown, error: ElasticsearchErrorBody): ClusterErrorLocation {
  const chain = errorChain(error);
  const text = JSON.stringify(sentBody);
  for (const e of chain) {
    if (typeof e.col === 'number' && (e.line === undefined || e.line === 1) && e.col >= 1 && e.col <= text.length + 1) {
      const location = getLocation(text, Math.min(e.col - 1, text.length - 1));
      if (location.path.length > 0) return { pointer: toPointer(location.path), onKey: location.isAtPropertyKey || typeof location.path[location.path.length - 1] === 'string' };
    }
  }
  // Deepest reasons name the most specific thing ("unknown field [fieldd]" under "[terms] failed to parse").
  for (const e of [...chain].reverse()) {
    const tokens = namedTokens(e.reason ?? '');
    if (tokens.length === 0) continue;
    const found = occurrences(sentBody as Json, new Set(tokens));
    if (found.length === 0) continue;
    const score = (o: Occurrence & { token: string }) => o.path.filter((seg) => typeof seg === 'string' && tokens.includes(seg)).length;
    let best = found[0]!;
    for (const o of found) if (score(o) > score(best) || (score(o) === score(best) && o.path.length > best.path.length)) best = o;
    return { pointer: toPointer(best.path), onKey: best.onKey };
  }
  return { pointer: '', onKey: false };
}

export function clusterErrorPointer(sentBody: unknown, error: ElasticsearchErrorBody): string {
  return clusterErrorLocation(sentBody, error).pointer;
}

/** A cluster-rejected problem; `onKey` says the pointer names a key rather than a value. */
export interface ClusterProblem extends DslProblem {
  onKey: boolean;
}

/** A `cluster-rejected` problem for a body the cluster refused; its message is the cluster's own reason. */
export function clusterRejection(sentBody: unknown, error: ElasticsearchErrorBody, what = 'the cluster'): ClusterProblem {
  const reason = clusterReason(error) ?? 'rejected';
  const type = error.root_cause?.[0]?.type ?? error.type;
  const location = clusterErrorLocation(sentBody, error);
  return { pointer: location.pointer, onKey: location.onKey, code: CLUSTER_REJECTED, severity: 'error', message: `${what} rejects this: ${reason}${type ? ` (${type})` : ''}` };
}
