// Search options that exclude or constrain each other.
import { ruleCases } from './cases';

const match = { match: { title: 'shoes' } };

ruleCases('search options', [
  {
    name: 'collapse with search_after not sorted on the collapse field',
    code: 'conflicting-params', pointer: '/search_after', says: 'sorted on the collapse field',
    bad: { query: match, collapse: { field: 'user' }, sort: ['day'], search_after: ['2024-01-01'] },
    good: { query: match, collapse: { field: 'user' }, sort: ['user'], search_after: ['ann'] },
  },
  {
    name: 'query next to a retriever',
    code: 'conflicting-params', pointer: '/query', says: 'retriever',
    bad: { query: match, retriever: { standard: { query: match } } },
    good: { retriever: { standard: { query: match } }, size: 5 },
  },
  {
    name: 'sort next to a retriever',
    code: 'conflicting-params', pointer: '/sort',
    bad: { retriever: { standard: { query: match } }, sort: ['day'] },
    good: { retriever: { standard: { query: match, sort: ['day'] } } },
  },
  {
    name: '_shard_doc sort without a point in time',
    code: 'invalid-value', pointer: '/sort/1', says: 'point in time',
    bad: { query: match, sort: [{ day: 'asc' }, { _shard_doc: 'desc' }] },
    good: { query: match, sort: [{ day: 'asc' }, { _shard_doc: 'desc' }], pit: { id: 'abc', keep_alive: '1m' } },
  },
  {
    name: 'track_total_hits below -1',
    code: 'invalid-value', pointer: '/track_total_hits',
    bad: { query: match, track_total_hits: -2 },
    good: { query: match, track_total_hits: -1 },
  },
  {
    name: 'search_after with fewer values than sort fields',
    code: 'invalid-value', pointer: '/search_after', says: 'has 1 value(s) but [sort] has 2',
    bad: { query: match, sort: [{ day: 'asc' }, { id: 'asc' }], search_after: [1] },
    good: { query: match, sort: [{ day: 'asc' }, { id: 'asc' }], search_after: [1, 'a'] },
  },
  {
    name: 'search_after without sort has one _score value',
    code: 'invalid-value', pointer: '/search_after', says: 'no sort means _score',
    bad: { query: match, search_after: [1.5, 'x'] },
    good: { query: match, search_after: [1.5] },
  },
  {
    name: 'search_after with a point in time may carry the implicit _shard_doc tiebreaker',
    code: 'invalid-value', pointer: '/search_after',
    bad: { sort: [{ day: 'asc' }], pit: { id: 'abc' }, search_after: [1, 2, 3] },
    good: { sort: [{ day: 'asc' }], pit: { id: 'abc' }, search_after: [1, 2] },
  },
  {
    name: 'from + size past the result window',
    code: 'result-window-exceeded', pointer: '/size', says: 'search_after',
    bad: { from: 9_000, size: 1_001 },
    good: { from: 9_000, size: 1_000 },
  },
]);
