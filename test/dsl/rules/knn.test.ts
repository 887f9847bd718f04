// kNN: k and num_candidates, with k defaulting to size; the limit of 10,000; dims vs the mapping.
import { parseMapping } from '../../../src/core/dsl';
import { ruleCases } from './cases';

const mapping = parseMapping({ properties: { v: { type: 'dense_vector', dims: 3 }, title: { type: 'text' } } });
const knn = (extra: Record<string, unknown>) => ({ field: 'v', query_vector: [0.1, 0.2, 0.3], ...extra });

ruleCases('knn', [
  {
    name: 'num_candidates below k',
    code: 'invalid-value', pointer: '/knn/num_candidates', says: 'cannot be less than [k]',
    bad: { knn: knn({ k: 10, num_candidates: 5 }) },
    good: { knn: knn({ k: 5, num_candidates: 5 }) },
  },
  {
    name: 'num_candidates below the k that size implies',
    code: 'invalid-value', pointer: '/knn/0/num_candidates', says: 'k defaults to size',
    bad: { size: 20, knn: [knn({ num_candidates: 15 })] },
    good: { size: 10, knn: [knn({ num_candidates: 15 })] },
  },
  {
    name: 'num_candidates over 10,000',
    code: 'invalid-value', pointer: '/knn/num_candidates', says: '10000',
    bad: { knn: knn({ k: 10, num_candidates: 10_001 }) },
    good: { knn: knn({ k: 10, num_candidates: 10_000 }) },
  },
  {
    name: 'k of 0',
    code: 'invalid-value', pointer: '/knn/k', says: 'greater than 0',
    bad: { knn: knn({ k: 0, num_candidates: 10 }) },
    good: { knn: knn({ k: 1, num_candidates: 10 }) },
  },
  {
    name: 'knn query with num_candidates below k',
    code: 'invalid-value', pointer: '/query/knn/num_candidates',
    bad: { query: { knn: knn({ k: 20, num_candidates: 10 }) } },
    good: { query: { knn: knn({ k: 10, num_candidates: 20 }) } },
  },
  {
    name: 'knn retriever without num_candidates',
    code: 'missing-param', pointer: '/retriever/knn', says: 'num_candidates',
    bad: { retriever: { knn: knn({ k: 10 }) } },
    good: { retriever: { knn: knn({ k: 10, num_candidates: 50 }) } },
  },
  {
    name: 'query vector with the wrong number of dimensions',
    code: 'field-type-mismatch', pointer: '/knn/query_vector', says: 'dims 3',
    bad: { knn: knn({ k: 2, num_candidates: 10, query_vector: [1, 2] }) },
    good: { knn: knn({ k: 2, num_candidates: 10 }) },
    options: { mapping },
  },
  {
    name: 'kNN on a field that is not a dense_vector',
    code: 'field-type-mismatch', pointer: '/knn/field', says: 'dense_vector',
    bad: { knn: knn({ field: 'title', k: 2, num_candidates: 10 }) },
    good: { knn: knn({ k: 2, num_candidates: 10 }) },
    options: { mapping },
  },
]);
