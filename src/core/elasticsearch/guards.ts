// Search guards (docs/elasticsearch.md): every search body Distillery sends carries a timeout, a
// size cap and terminate_after, lowered to the cluster's limits when the body asks for more.
import type { SearchGuards } from './cluster-config';

export type SearchBody = Record<string, unknown>;

function durationMs(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^(\d+(?:\.\d+)?)(nanos|micros|ms|s|m|h|d)$/.exec(value.trim());
  if (!m) return undefined;
  const scale: Record<string, number> = { nanos: 1e-6, micros: 1e-3, ms: 1, s: 1e3, m: 60e3, h: 3600e3, d: 86400e3 };
  return Number(m[1]) * scale[m[2]!]!;
}

/**
 * The body as sent: a copy with `timeout`, `size` and `terminate_after` no looser than the guards.
 * Keys the guards add go last so error positions in the user's own keys stay where they were.
 */
export function applySearchGuards(body: SearchBody, guards: SearchGuards): SearchBody {
  const out: SearchBody = { ...body };
  const limitMs = durationMs(guards.timeout)!;
  const asked = durationMs(out['timeout']);
  if (asked === undefined || asked > limitMs) {
    delete out['timeout'];
    out['timeout'] = guards.timeout;
  }
  const size = out['size'];
  if (typeof size === 'number' && size > guards.maxSize) out['size'] = guards.maxSize;
  else if (size === undefined && guards.maxSize < 10) out['size'] = guards.maxSize;
  const from = out['from'];
  if (typeof from === 'number' && from > 10_000) out['from'] = 10_000;
  const terminate = out['terminate_after'];
  if (typeof terminate !== 'number' || terminate > guards.terminateAfter || terminate <= 0) {
    delete out['terminate_after'];
    out['terminate_after'] = guards.terminateAfter;
  }
  return out;
}
