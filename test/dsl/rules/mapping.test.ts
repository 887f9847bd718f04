// Rules that read several keys against the mapping (and metadata fields every index has).
import { parseMapping } from '../../../src/core/dsl';
import { ruleCases } from './cases';

const mapping = parseMapping({
  mappings: {
    properties: {
      status: { type: 'keyword' },
      price: { type: 'double' },
      day: { type: 'date' },
      body: { type: 'text' },
      pagerank: { type: 'rank_feature' },
      url_length: { type: 'rank_feature', positive_score_impact: false },
      suggest: { type: 'completion', contexts: [{ name: 'place_type', type: 'category' }] },
      title_suggest: { type: 'completion' },
    },
  },
});
const options = { mapping };

ruleCases('mapping rules', [
  {
    name: 'regex include on a numeric field',
    code: 'field-type-mismatch', pointer: '/aggs/a/terms/include', says: 'array of values',
    bad: { aggs: { a: { terms: { field: 'price', include: '1.*' } } } },
    good: { aggs: { a: { terms: { field: 'price', include: [10, 20] } } } },
    options,
  },
  {
    name: 'regex exclude on a date field, regex on a keyword is fine',
    code: 'field-type-mismatch', pointer: '/aggs/a/terms/exclude',
    bad: { aggs: { a: { terms: { field: 'day', exclude: '2024.*' } } } },
    good: { aggs: { a: { terms: { field: 'status', exclude: 'draft.*' } } } },
    options,
  },
  {
    name: 'rank_feature log on a field with negative score impact',
    code: 'field-type-mismatch', pointer: '/query/rank_feature/log', says: 'positive_score_impact',
    bad: { query: { rank_feature: { field: 'url_length', log: { scaling_factor: 4 } } } },
    good: { query: { rank_feature: { field: 'url_length', saturation: { pivot: 8 } } } },
    options,
  },
  {
    name: 'rank_feature query on a field that is not a rank feature',
    code: 'field-type-mismatch', pointer: '/query/rank_feature/field', says: 'rank_feature fields',
    bad: { query: { rank_feature: { field: 'price' } } },
    good: { query: { rank_feature: { field: 'pagerank', log: { scaling_factor: 4 } } } },
    options,
  },
  {
    name: 'completion suggester without the contexts the field requires',
    code: 'missing-param', pointer: '/suggest/place/completion', says: 'place_type',
    bad: { suggest: { place: { prefix: 'tim', completion: { field: 'suggest' } } } },
    good: { suggest: { place: { prefix: 'tim', completion: { field: 'suggest', contexts: { place_type: ['cafe'] } } }, plain: { prefix: 'ti', completion: { field: 'title_suggest' } } } },
    options,
  },
  {
    name: 'exists on _source',
    code: 'invalid-value', pointer: '/query/exists/field', says: 'not searchable',
    bad: { query: { exists: { field: '_source' } } },
    good: { query: { exists: { field: '_id' } } },
  },
  {
    name: 'random_score seeded from _id',
    code: 'invalid-value', pointer: '/query/function_score/functions/0/random_score/field', says: '_seq_no',
    bad: { query: { function_score: { functions: [{ random_score: { seed: 10, field: '_id' } }] } } },
    good: { query: { function_score: { functions: [{ random_score: { seed: 10, field: '_seq_no' } }] } } },
  },
  {
    name: 'search_after value that is not a number for a numeric sort field',
    code: 'field-type-mismatch', pointer: '/search_after/0', says: 'numeric',
    bad: { sort: [{ price: 'asc' }, { status: 'asc' }], search_after: ['cheap', 'paid'] },
    good: { sort: [{ price: 'asc' }, { status: 'asc' }], search_after: ['9.5', 'paid'] },
    options,
  },
  {
    name: 'search_after for _score must be a number even without a mapping',
    code: 'field-type-mismatch', pointer: '/search_after/0',
    bad: { query: { match_all: {} }, search_after: ['high'] },
    good: { query: { match_all: {} }, search_after: [1.25] },
  },
  {
    name: 'significant_text on a keyword field',
    code: 'field-type-mismatch', pointer: '/aggs/a/significant_text/field', says: 'significant_terms',
    bad: { aggs: { a: { significant_text: { field: 'status' } } } },
    good: { aggs: { a: { significant_text: { field: 'body' } } } },
    options,
  },
]);
