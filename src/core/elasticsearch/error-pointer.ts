// Places what a cluster says about a body onto the body: a JSON pointer to the key or value the
// error names, so the CLI prints it and the editor underlines it (es-ui shows these as diagnostics).
import { getLocation } from 'jsonc-parser';
import type { DslProblem } from '../dsl';
import { deepestReason, type ElasticsearchErrorBody } from './errors';

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

/** The pointer of the first key (else string value) in document order that equals `token`. */
function findToken(body: Json, token: string): string | undefined {
  let valueHit: string | undefined;
  const stack: { value: Json; path: (string | number)[] }[] = [{ value: body, path: [] }];
  while (stack.length > 0) {
    const { value, path } = stack.shift()!;
    if (Array.isArray(value)) value.forEach((v, i) => stack.push({ value: v, path: [...path, i] }));
    else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        if (k === token) return toPointer([...path, k]);
        stack.push({ value: v, path: [...path, k] });
      }
    } else if (valueHit === undefined && String(value) === token) valueHit = toPointer(path);
  }
  return valueHit;
}

/**
 * Where in `sentBody` (the body exactly as sent, guards included) the cluster's error points: by
 * the line:col Elasticsearch's parser reports (the client sends compact one-line JSON, so col is an
 * offset into JSON.stringify(sentBody)), else by the first name in a reason ([field], [param]) found
 * as a key or value in the body, else '' (the whole body).
 */
export function clusterErrorPointer(sentBody: unknown, error: ElasticsearchErrorBody): string {
  const chain = errorChain(error);
  const text = JSON.stringify(sentBody);
  for (const e of chain) {
    if (typeof e.col === 'number' && (e.line === undefined || e.line === 1) && e.col >= 1 && e.col <= text.length + 1) {
      const location = getLocation(text, Math.min(e.col - 1, text.length - 1));
      if (location.path.length > 0) return toPointer(location.path);
    }
  }
  // Deepest reasons name the most specific thing ("unknown field [fieldd]" under "[terms] failed to parse").
  for (const e of [...chain].reverse()) {
    for (const token of namedTokens(e.reason ?? '')) {
      const hit = findToken(sentBody as Json, token);
      if (hit !== undefined) return hit;
    }
  }
  return '';
}

/** A `cluster-rejected` problem for a body the cluster refused; its message is the cluster's own reason. */
export function clusterRejection(sentBody: unknown, error: ElasticsearchErrorBody, what = 'the cluster'): DslProblem {
  const reason = deepestReason(error) ?? 'rejected';
  const type = [...errorChain(error)].reverse().find((e) => e.type)?.type;
  return { pointer: clusterErrorPointer(sentBody, error), code: CLUSTER_REJECTED, severity: 'error', message: `${what} rejects this: ${reason}${type ? ` (${type})` : ''}` };
}
