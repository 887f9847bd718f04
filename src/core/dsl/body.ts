// Keys of a search request body (POST _search). Values are checked by the named kinds in
// validate-values.ts; `query`, `aggs` and the like recurse into the query and aggregation tables.
import type { BodyKeySpec } from './spec-types';
import { p } from './spec-helpers';

export const BODY_KEY_SPECS: Readonly<Record<string, BodyKeySpec>> = {
  query: p('query', 'The query that selects and scores documents.'),
  aggs: p('aggs', 'Aggregations computed over the matching documents.'),
  aggregations: { ...p('aggs', 'Same as aggs.'), aliasOf: 'aggs' },
  size: p('integer', 'Number of hits to return (default 10).'),
  from: p('integer', 'Offset of the first hit (default 0); from + size ≤ index.max_result_window.'),
  sort: p('sort', 'Hit order: "field", {"field": "desc"}, {"field": {"order", "mode", "missing", "unmapped_type", "nested"}}, _score, _doc, _geo_distance, _script.'),
  _source: p('source-config', 'Which parts of _source to return: true/false, a pattern, a list, or {includes, excludes}.'),
  fields: p('field-and-format-list', 'Fields to return from the mapping: "name" or {"field", "format"}.'),
  highlight: p('highlight', 'Highlighted snippets for matching fields.'),
  post_filter: p('query', 'Filter applied to hits after aggregations are computed.'),
  rescore: p('rescore', 'Re-scores the top hits with a second query.'),
  knn: p('knn', 'Approximate k-nearest-neighbour vector search (one object or an array).'),
  retriever: p('retriever', 'A retriever tree (standard, knn, rrf, text_similarity_reranker, linear, rule, …).', { since: '8.14' }),
  rank: p('object', 'Rank fusion settings (rrf) for hybrid search.'),
  collapse: p('collapse', 'Collapses hits to one per value of a field.'),
  search_after: p({ array: 'any' }, 'Sort values of the last hit of the previous page.'),
  pit: p({ object: { id: { value: 'string', doc: 'Point-in-time id.', required: true }, keep_alive: { value: 'time', doc: 'How long to keep the PIT, e.g. "1m".' } }, required: ['id'] }, 'Point in time to search.'),
  track_total_hits: p({ oneOf: ['boolean', 'integer'] }, 'Count hits accurately: true, false, or up to N (default 10000).'),
  track_scores: p('boolean', 'Compute scores even when sorting on a field.'),
  min_score: p('number', 'Exclude hits with a lower score.'),
  timeout: p('time', 'Per-shard time limit, e.g. "2s".'),
  terminate_after: p('integer', 'Maximum documents to collect per shard.'),
  runtime_mappings: p('runtime-mappings', 'Fields defined at search time: {"name": {"type", "script"}}.'),
  script_fields: p({ map: { object: { script: { value: 'script', doc: 'Script computing the field.', required: true }, ignore_failure: { value: 'boolean', doc: 'Ignore script errors.' } }, required: ['script'] } }, 'Fields computed by scripts per hit.'),
  suggest: p('suggest', 'Term, phrase or completion suggesters.'),
  stored_fields: p('string-or-strings', 'Stored fields to return; "_none_" disables stored fields.'),
  docvalue_fields: p('field-and-format-list', 'Doc value fields to return: "name" or {"field", "format"}.'),
  explain: p('boolean', 'Return how each hit\'s score was computed.'),
  version: p('boolean', 'Return each hit\'s version.'),
  seq_no_primary_term: p('boolean', 'Return each hit\'s sequence number and primary term.'),
  indices_boost: p({ oneOf: [{ array: { map: 'number' } }, { map: 'number' }] }, 'Per-index score boosts: [{"index": 1.5}].'),
  stats: p('strings', 'Statistics groups to tag the request with.'),
  profile: p('boolean', 'Return query execution profiling.'),
  slice: p({ object: { id: { value: 'integer', doc: 'Slice id.', required: true }, max: { value: 'integer', doc: 'Number of slices.', required: true }, field: { value: 'field', doc: 'Field to slice on.' } }, required: ['id', 'max'] }, 'Split a scroll or PIT search into slices.'),
  ext: p('object', 'Plugin-specific sections.'),
  // Query-string parameters Elasticsearch also accepts in the body of some requests.
  max_docs: p('integer', 'Maximum documents to process (delete/update by query).'),
};
