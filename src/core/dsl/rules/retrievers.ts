// Retriever rules (RRFRetrieverBuilder, LinearRetrieverBuilder, CompoundRetrieverBuilder): the two
// ways to give rrf/linear their inputs, the simplified form's query and fields, weights,
// normalizers and the rank window.
import { asNumber } from '../walk/json';
import type { RetrieverRule } from './types';

const NORMALIZERS = ['none', 'minmax', 'l2_norm'];

export const RETRIEVER_RULE_LIST: readonly RetrieverRule[] = [
  {
    code: 'conflicting-params',
    retrievers: ['rrf', 'linear'],
    why: 'RRF/Linear retrievers take either [retrievers] or the simplified [query] (+ [fields]) form, not both and not neither',
    check(w, params, kind) {
      const hasRetrievers = params['retrievers'] !== undefined;
      const hasQuery = params['query'] !== undefined;
      if (hasRetrievers && (hasQuery || params['fields'] !== undefined)) {
        w.report('conflicting-params', `[${kind}] takes either [retrievers] or the simplified [query]/[fields] form, not both`, hasQuery ? 'query' : 'fields');
      } else if (!hasRetrievers && !hasQuery) {
        w.report('missing-param', `[${kind}] needs [retrievers] (a list of child retrievers) or [query] with optional [fields]`);
      } else if (!hasRetrievers && params['fields'] !== undefined && !hasQuery) {
        w.report('missing-param', `[${kind}] [fields] needs a [query] to search them with`);
      }
    },
  },
  {
    code: 'invalid-value',
    retrievers: ['rrf', 'linear'],
    why: 'the simplified form rejects an empty query or field list and negative per-field weights',
    check(w, params, kind) {
      const query = params['query'];
      if (typeof query === 'string' && query.trim() === '') w.reportAt(['query'], 'invalid-value', `[${kind}] [query] must not be empty`);
      const fields = params['fields'];
      if (Array.isArray(fields)) {
        if (fields.length === 0) w.reportAt(['fields'], 'invalid-value', `[${kind}] [fields] must not be empty; list fields or leave it out to search the default fields`);
        for (let i = 0; i < fields.length; i++) {
          const f: unknown = fields[i];
          if (typeof f !== 'string') continue;
          const caret = f.indexOf('^');
          const weight = caret >= 0 ? Number(f.slice(caret + 1)) : undefined;
          if (weight !== undefined && weight < 0) w.reportAt(['fields', i], 'invalid-value', `[${f}]: a per-field weight must not be negative`);
        }
      }
    },
  },
  {
    code: 'invalid-value',
    retrievers: ['rrf'],
    why: 'RRFRetrieverBuilder: "[rank_constant] must be greater or equal to [1] for [rrf]"',
    check(w, params) {
      const c = asNumber(params['rank_constant']);
      if (c !== undefined && c < 1) w.reportAt(['rank_constant'], 'invalid-value', `[rank_constant] must be at least 1 for [rrf], found ${c}`);
    },
  },
  {
    code: 'invalid-enum',
    retrievers: ['linear'],
    why: 'LinearRetrieverBuilder normalizers: none, minmax, l2_norm',
    check(w, params) {
      const check = (v: unknown, at: (string | number)[]): void => {
        if (typeof v === 'string' && !NORMALIZERS.includes(v.toLowerCase())) w.reportAt(at, 'invalid-enum', `[normalizer] must be one of [${NORMALIZERS.join(', ')}], found [${v}]`);
      };
      check(params['normalizer'], ['normalizer']);
      const children = params['retrievers'];
      if (Array.isArray(children)) {
        for (let i = 0; i < children.length; i++) {
          const c: unknown = children[i];
          if (typeof c === 'object' && c !== null) check((c as Record<string, unknown>)['normalizer'], ['retrievers', i, 'normalizer']);
        }
      }
    },
  },
  {
    code: 'invalid-value',
    retrievers: ['linear'],
    why: 'LinearRetrieverBuilder: "[weight] must be non-negative"',
    check(w, params) {
      const children = params['retrievers'];
      if (!Array.isArray(children)) return;
      for (let i = 0; i < children.length; i++) {
        const c: unknown = children[i];
        const weight = typeof c === 'object' && c !== null ? asNumber((c as Record<string, unknown>)['weight']) : undefined;
        if (weight !== undefined && weight < 0) w.reportAt(['retrievers', i, 'weight'], 'invalid-value', `[weight] of a linear retriever input must not be negative, found ${weight}`);
      }
    },
  },
  {
    code: 'invalid-value',
    retrievers: ['rrf', 'linear', 'text_similarity_reranker', 'rule', 'pinned'],
    why: 'CompoundRetrieverBuilder.validate: "[x] requires [rank_window_size: n] be greater than or equal to [size: m]" (only a size the request sets)',
    check(w, params, kind) {
      const window = asNumber(params['rank_window_size']);
      const size = asNumber(w.body?.['size']);
      if (window === undefined || size === undefined) return;
      if (window < size) w.reportAt(['rank_window_size'], 'invalid-value', `[${kind}] requires [rank_window_size] (${window}) to be at least [size] (${size}); raise it or lower size`);
    },
  },
];
