// A search response as small tables: the top hits with the fields the query touches (the rest of
// _source folded), and the aggregation buckets. Shared by `distillery query` and the editor's result view.
import type { SearchResponse } from './read-only-cluster';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
const isObject = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface Table {
  title: string;
  columns: string[];
  rows: (string | number | boolean | null)[][];
}

/** Queries whose parameter object is keyed by the field name (an object with `field` is an aggregation's, e.g. terms). */
const FIELD_KEYED = new Set(['term', 'terms', 'match', 'match_phrase', 'match_phrase_prefix', 'match_bool_prefix', 'range', 'prefix', 'wildcard', 'regexp', 'fuzzy', 'term_set', 'intervals', 'span_term', 'geo_distance', 'geo_bounding_box', 'geo_shape', 'geo_polygon', 'shape']);
const NOT_FIELDS = new Set(['boost', '_name', 'distance', 'distance_type', 'validation_method', 'ignore_unmapped', 'type', 'relation']);

/** The document fields a body reads: query leaves, `field`/`fields` parameters, sort keys and _source includes, in first-seen order. */
export function fieldsTouched(body: unknown): string[] {
  const seen = new Set<string>();
  const add = (f: unknown) => {
    if (typeof f !== 'string' || f === '' || f.startsWith('_') || f.includes('*')) return;
    seen.add(f.replace(/\^[\d.]+$/, ''));
  };
  const walk = (v: Json): void => {
    if (Array.isArray(v)) {
      for (const x of v) walk(x);
      return;
    }
    if (!isObject(v)) return;
    for (const [k, child] of Object.entries(v)) {
      if (FIELD_KEYED.has(k) && isObject(child) && !('field' in child)) for (const f of Object.keys(child)) if (!NOT_FIELDS.has(f)) add(f);
      if (k === 'field') add(child);
      if ((k === 'fields' || k === 'includes') && Array.isArray(child)) for (const f of child) add(isObject(f) ? f['field'] : f);
      if (k === 'sort') for (const s of Array.isArray(child) ? child : [child]) isObject(s) ? Object.keys(s).forEach(add) : add(s);
      if (k === '_source' && (Array.isArray(child) || typeof child === 'string')) for (const f of Array.isArray(child) ? child : [child]) add(f);
      walk(child);
    }
  };
  walk(body as Json);
  return [...seen];
}

/** A field's value in _source, following dots through objects and arrays; a multi-field (x.keyword) reads x. */
export function sourceValue(source: unknown, field: string): Json | undefined {
  const lookup = (obj: Json | undefined, parts: string[]): Json | undefined => {
    if (parts.length === 0) return obj;
    if (Array.isArray(obj)) {
      const values = obj.map((o) => lookup(o, parts)).filter((x) => x !== undefined) as Json[];
      return values.length ? values.flat() as Json : undefined;
    }
    if (!isObject(obj)) return undefined;
    // Keys may themselves hold dots ("customer.name": …): try the longest prefix first.
    for (let i = parts.length; i >= 1; i--) {
      const key = parts.slice(0, i).join('.');
      if (key in obj) return lookup(obj[key], parts.slice(i));
    }
    return undefined;
  };
  const parts = field.split('.');
  const direct = lookup(source as Json, parts);
  if (direct !== undefined || parts.length < 2) return direct;
  return lookup(source as Json, parts.slice(0, -1));
}

function cell(v: Json | undefined): string | number | boolean | null {
  if (v === undefined) return null;
  if (v === null || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string') return v;
  return JSON.stringify(v);
}

/** The top hits: _id, _score, each touched field, and how many other _source fields were folded away. */
export function hitsTable(response: SearchResponse, fields: readonly string[]): Table {
  const columns = ['_id', '_score', ...fields, '_source (other fields)'];
  const rows = (response.hits?.hits ?? []).map((h) => {
    const source = (h._source ?? {}) as Record<string, Json>;
    const shown = new Set(fields.map((f) => f.split('.')[0]!));
    const folded = Object.keys(source).filter((k) => !shown.has(k.split('.')[0]!)).length;
    return [h._id ?? null, h._score ?? null, ...fields.map((f) => cell(sourceValue(source, f))), folded ? `${folded} more` : ''];
  });
  return { title: 'hits', columns, rows };
}

const BUCKET_OWN_KEYS = new Set(['key', 'key_as_string', 'doc_count', 'from', 'to', 'from_as_string', 'to_as_string', 'bg_count', 'score']);

/** The value a metric aggregation shows in one cell (value, or its stats as JSON). */
function metricCell(agg: Record<string, Json>): string | number | null {
  if ('value' in agg) return (agg['value_as_string'] as string | undefined) ?? (agg['value'] as number | null);
  if ('values' in agg) return JSON.stringify(agg['values']);
  if ('doc_count' in agg) return agg['doc_count'] as number;
  const rest = Object.fromEntries(Object.entries(agg).filter(([k]) => k !== 'meta'));
  return JSON.stringify(rest);
}

/** One table per bucket aggregation (nested ones titled by their path), plus one for top-level metrics. */
export function aggregationTables(response: SearchResponse): Table[] {
  const tables: Table[] = [];
  const metrics: Table = { title: 'metrics', columns: ['aggregation', 'value'], rows: [] };
  const visit = (aggs: Record<string, Json>, path: string) => {
    for (const [name, agg] of Object.entries(aggs)) {
      if (!isObject(agg)) continue;
      const title = path ? `${path} > ${name}` : name;
      const buckets = agg['buckets'];
      if (buckets !== undefined) {
        const list: Record<string, Json>[] = Array.isArray(buckets) ? buckets.filter(isObject) : isObject(buckets) ? Object.entries(buckets).filter(([, b]) => isObject(b)).map(([k, b]) => ({ key: k, ...(b as Record<string, Json>) }) as Record<string, Json>) : [];
        const subNames = [...new Set(list.flatMap((b) => Object.keys(b).filter((k) => !BUCKET_OWN_KEYS.has(k) && isObject(b[k]))))];
        const metricSubs = subNames.filter((s) => list.every((b) => !isObject(b[s]) || !('buckets' in (b[s] as object))));
        tables.push({
          title,
          columns: ['key', 'doc_count', ...metricSubs],
          rows: list.map((b) => [cell(b['key_as_string'] ?? b['key']), (b['doc_count'] as number) ?? null, ...metricSubs.map((s) => (isObject(b[s]) ? metricCell(b[s] as Record<string, Json>) : null))]),
        });
        for (const b of list) {
          const bucketAggs = Object.fromEntries(subNames.filter((s) => !metricSubs.includes(s)).map((s) => [s, b[s]!]));
          if (Object.keys(bucketAggs).length) visit(bucketAggs as Record<string, Json>, `${title} [${String(b['key_as_string'] ?? b['key'])}]`);
        }
      } else if ('doc_count' in agg && Object.values(agg).some(isObject)) {
        // Single-bucket aggregations (filter, nested, global…): their sub-aggregations go on.
        metrics.rows.push([title, agg['doc_count'] as number]);
        visit(Object.fromEntries(Object.entries(agg).filter(([k, v]) => k !== 'meta' && isObject(v))), title);
      } else {
        metrics.rows.push([title, metricCell(agg)]);
      }
    }
  };
  if (isObject(response.aggregations)) visit(response.aggregations as Record<string, Json>, '');
  if (metrics.rows.length) tables.unshift(metrics);
  return tables;
}

/** Plain-text rendering of a table, cells cut to `maxCell` characters. */
export function renderTable(table: Table, maxCell = 40): string {
  const text = (v: unknown) => {
    const s = v === null || v === undefined ? '' : String(v);
    return s.length > maxCell ? s.slice(0, maxCell - 1) + '…' : s;
  };
  const cells = [table.columns.map(text), ...table.rows.map((r) => r.map(text))];
  const widths = table.columns.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(cells[0]!), line(widths.map((w) => '-'.repeat(w))), ...cells.slice(1).map(line)].join('\n');
}

/** total ("≥ N" when the cluster stopped counting), took and whether a guard cut the search short. */
export function responseSummary(response: SearchResponse): { total: number; totalRelation: 'eq' | 'gte'; tookMs: number; timedOut: boolean; terminatedEarly: boolean } {
  const total = response.hits?.total;
  const value = typeof total === 'number' ? total : total?.value ?? 0;
  const relation = typeof total === 'object' && total?.relation === 'gte' ? 'gte' : 'eq';
  return { total: value, totalRelation: relation, tookMs: response.took ?? 0, timedOut: response.timed_out === true, terminatedEarly: response.terminated_early === true };
}
