// Search options that exclude or constrain each other (SearchSourceBuilder.parseXContent,
// SearchRequest.validate(), SearchAfterBuilder).
import { asNumber, isObject } from '../walk/json';
import type { BodyRule } from './types';

/** Elasticsearch's default index.max_result_window. */
export const MAX_RESULT_WINDOW = 10_000;

/** Keys that SearchSourceBuilder refuses next to a retriever ("cannot specify [retriever] and [query]"). */
const NOT_WITH_RETRIEVER = ['query', 'knn', 'search_after', 'terminate_after', 'sort', 'rescore', 'min_score', 'rank'] as const;

/** The sort of a body as a list of items (a single item or string counts as one). */
export function sortItems(body: Record<string, unknown>): unknown[] | undefined {
  const sort = body['sort'];
  if (sort === undefined) return undefined;
  return Array.isArray(sort) ? sort : [sort];
}

/** The field a sort item names ("price", {"price": …}); undefined for a malformed item. */
export function sortField(item: unknown): string | undefined {
  if (typeof item === 'string') return item;
  if (isObject(item)) for (const k in item) return k;
  return undefined;
}

function present(body: Record<string, unknown>, key: string): boolean {
  return body[key] !== undefined && body[key] !== null;
}

export const SEARCH_OPTION_RULES: readonly BodyRule[] = [
  {
    code: 'conflicting-params',
    when: ['aggregations'],
    why: 'aggs and aggregations are one field under two names; the parser rejects a body with both',
    check(w, body) {
      if (body['aggs'] !== undefined && body['aggregations'] !== undefined) {
        w.report('conflicting-params', 'use either [aggs] or [aggregations], not both: Elasticsearch rejects the body', 'aggregations');
      }
    },
  },
  {
    code: 'result-window-exceeded',
    when: ['size'],
    why: 'from + size above index.max_result_window (default 10,000) is rejected by the shard',
    check(w, body) {
      const from = body['from'];
      const size = body['size'];
      if (typeof size === 'number' && (typeof from === 'number' ? from : 0) + size > MAX_RESULT_WINDOW) {
        w.report('result-window-exceeded', `from + size = ${(typeof from === 'number' ? from : 0) + size} exceeds index.max_result_window (10000); use search_after with a point in time to page deeper`, 'size');
      }
    },
  },
  {
    code: 'conflicting-params',
    when: ['collapse'],
    why: 'SearchAfterBuilder: "Cannot use [collapse] in conjunction with [search_after] unless the search is sorted on the same field. Multiple sort fields are not allowed." (collapse with rescore is allowed since 8.x)',
    check(w, body) {
      const collapse = body['collapse'];
      if (!isObject(collapse) || typeof collapse['field'] !== 'string' || !Array.isArray(body['search_after'])) return;
      const items = sortItems(body);
      if (items !== undefined && items.length === 1 && sortField(items[0]) === collapse['field']) return;
      w.report('conflicting-params', `[collapse] with [search_after] needs the search sorted on the collapse field [${collapse['field']}] alone: "sort": ["${collapse['field']}"]`, 'search_after');
    },
  },
  {
    code: 'conflicting-params',
    when: ['retriever'],
    why: 'SearchSourceBuilder: "cannot specify [retriever] and [query, sort, …]"; a retriever carries its own query, sort and kNN',
    check(w, body) {
      if (!present(body, 'retriever')) return;
      for (const key of NOT_WITH_RETRIEVER) {
        if (present(body, key)) w.report('conflicting-params', `[${key}] cannot be used next to [retriever]; move it into the retriever (e.g. a standard retriever's query/sort) or drop the retriever`, key);
      }
    },
  },
  {
    code: 'invalid-value',
    when: ['sort'],
    why: 'sorting on _shard_doc needs a point in time: "[_shard_doc] sort field cannot be used without [point in time]"',
    check(w, body) {
      if (present(body, 'pit')) return;
      const items = sortItems(body);
      if (items === undefined) return;
      for (let i = 0; i < items.length; i++) {
        if (sortField(items[i]) !== '_shard_doc') continue;
        const at: (string | number)[] = Array.isArray(body['sort']) ? ['sort', i] : ['sort'];
        w.reportAt(at, 'invalid-value', '[_shard_doc] sort needs a point in time: add "pit": {"id": …} or sort on a field');
      }
    },
  },
  {
    code: 'invalid-value',
    when: ['track_total_hits'],
    why: 'track_total_hits is a boolean or an integer ≥ -1 ("[track_total_hits] parameter must be positive or equals to -1")',
    check(w, body) {
      const t = body['track_total_hits'];
      const n = typeof t === 'boolean' || t === 'true' || t === 'false' ? undefined : asNumber(t);
      if (n !== undefined && Number.isInteger(n) && n < -1) {
        w.reportAt(['track_total_hits'], 'invalid-value', `[track_total_hits] must be true, false, -1 or a positive count, found ${n}`);
      }
    },
  },
  {
    code: 'invalid-value',
    when: ['search_after'],
    why: 'SearchAfterBuilder: "search_after has N value(s) but sort has M." (a point in time adds an implicit _shard_doc tiebreaker)',
    check(w, body) {
      const after = body['search_after'];
      if (!Array.isArray(after) || present(body, 'retriever')) return;
      const items = sortItems(body);
      const sortLength = items?.length ?? 1; // no sort: _score
      const implicitTiebreaker = present(body, 'pit') && !(items ?? []).some((i) => sortField(i) === '_shard_doc');
      if (after.length === sortLength || (implicitTiebreaker && after.length === sortLength + 1)) return;
      w.reportAt(['search_after'], 'invalid-value', `[search_after] has ${after.length} value(s) but [sort] has ${sortLength}${items === undefined ? ' (no sort means _score)' : ''}; give one value per sort field, taken from the last hit's "sort" array`);
    },
  },
];
