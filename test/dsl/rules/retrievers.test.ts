// rrf and linear retrievers: their two input forms, weights, normalizers, rank window.
import { ruleCases } from './cases';

const std = (q: string) => ({ standard: { query: { match: { title: q } } } });

ruleCases('retrievers', [
  {
    name: 'rrf with both retrievers and query',
    code: 'conflicting-params', pointer: '/retriever/rrf/query', says: 'not both',
    bad: { retriever: { rrf: { retrievers: [std('a'), std('b')], query: 'a' } } },
    good: { retriever: { rrf: { retrievers: [std('a'), std('b')] } } },
  },
  {
    name: 'linear with neither retrievers nor query',
    code: 'missing-param', pointer: '/retriever/linear',
    bad: { retriever: { linear: { rank_window_size: 50 } } },
    good: { retriever: { linear: { query: 'shoes', rank_window_size: 50 } } },
  },
  {
    name: 'rrf simplified form with an empty query',
    code: 'invalid-value', pointer: '/retriever/rrf/query',
    bad: { retriever: { rrf: { query: ' ', fields: ['title'] } } },
    good: { retriever: { rrf: { query: 'shoes', fields: ['title'] } } },
  },
  {
    name: 'linear simplified form with an empty field list',
    code: 'invalid-value', pointer: '/retriever/linear/fields',
    bad: { retriever: { linear: { query: 'shoes', fields: [] } } },
    good: { retriever: { linear: { query: 'shoes', fields: ['title^2', 'body'] } } },
  },
  {
    name: 'negative per-field weight',
    code: 'invalid-value', pointer: '/retriever/linear/fields/0', says: 'negative',
    bad: { retriever: { linear: { query: 'shoes', fields: ['title^-1'] } } },
    good: { retriever: { linear: { query: 'shoes', fields: ['title^0.5'] } } },
  },
  {
    name: 'unknown linear normalizer',
    code: 'invalid-enum', pointer: '/retriever/linear/retrievers/0/normalizer', says: 'minmax',
    bad: { retriever: { linear: { retrievers: [{ retriever: std('a'), weight: 2, normalizer: 'zscore' }, { retriever: std('b') }] } } },
    good: { retriever: { linear: { retrievers: [{ retriever: std('a'), weight: 2, normalizer: 'minmax' }, { retriever: std('b') }] } } },
  },
  {
    name: 'negative linear weight',
    code: 'invalid-value', pointer: '/retriever/linear/retrievers/1/weight',
    bad: { retriever: { linear: { retrievers: [{ retriever: std('a') }, { retriever: std('b'), weight: -1 }] } } },
    good: { retriever: { linear: { retrievers: [{ retriever: std('a') }, { retriever: std('b'), weight: 0 }] } } },
  },
  {
    name: 'rrf rank_constant of 0',
    code: 'invalid-value', pointer: '/retriever/rrf/rank_constant',
    bad: { retriever: { rrf: { retrievers: [std('a'), std('b')], rank_constant: 0 } } },
    good: { retriever: { rrf: { retrievers: [std('a'), std('b')], rank_constant: 1 } } },
  },
  {
    name: 'rank_window_size smaller than size',
    code: 'invalid-value', pointer: '/retriever/rrf/rank_window_size', says: 'at least [size] (20)',
    bad: { size: 20, retriever: { rrf: { retrievers: [std('a'), std('b')], rank_window_size: 10 } } },
    good: { size: 10, retriever: { rrf: { retrievers: [std('a'), std('b')], rank_window_size: 10 } } },
  },
]);
