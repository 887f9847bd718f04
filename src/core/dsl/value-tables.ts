// Parameter tables for the structured values of a search body: scripts, sort, _source,
// highlight, inner_hits, rescore, knn, retrievers, runtime fields, collapse, score functions.
import type { ParamTable, ValueSpec } from './spec-types';
import { GEO_RELATION, SORT_MODE, SORT_ORDER, enumOf, obj, p, req } from './spec-helpers';

export const SCRIPT_PARAMS: ParamTable = {
  source: p({ oneOf: ['string', 'object'] }, 'Script source (Painless by default), or a search template object.'),
  id: p('string', 'Id of a stored script.'),
  lang: p('string', 'Script language: painless (default), expression, mustache, java.'),
  params: p('object', 'Named parameters, read as params.<name>.'),
  options: p({ map: 'string' }, 'Compiler options.'),
};

export const SOURCE_PARAMS: ParamTable = {
  includes: p('string-or-strings', 'Patterns of fields to include.'),
  excludes: p('string-or-strings', 'Patterns of fields to exclude.'),
  include: p('string-or-strings', 'Same as includes.'),
  exclude: p('string-or-strings', 'Same as excludes.'),
  exclude_vectors: p('boolean', 'Exclude vector fields (9.x).'),
};

const NESTED_SORT: ValueSpec = obj({
  path: req('field', 'Nested path to sort within.'),
  filter: p('query', 'Only nested objects matching this count.'),
  max_children: p('integer', 'Maximum children considered per document.'),
  nested: p('object', 'Deeper nested sort settings.'),
});

export const SORT_PARAMS: ParamTable = {
  order: p(SORT_ORDER, 'asc or desc (default asc for fields, desc for _score).'),
  mode: p(SORT_MODE, 'Which value of a multi-valued field sorts: min, max, sum, avg, median.'),
  missing: p('missing', '_last (default), _first, or a value used for documents without one.'),
  unmapped_type: p('string', 'Type to assume where the field is unmapped (avoids errors).'),
  numeric_type: p(enumOf('double', 'long', 'date', 'date_nanos'), 'Cast numeric values across indices.'),
  format: p('string', 'Date format of the sort values.'),
  nested: p(NESTED_SORT, 'Sort by fields inside nested objects.'),
  nested_path: p('field', 'Removed: use nested.path.', { deprecated: 'nested_path was removed; use "nested": {"path": …}' }),
  nested_filter: p('query', 'Removed: use nested.filter.', { deprecated: 'nested_filter was removed; use "nested": {"filter": …}' }),
};

const HIGHLIGHT_COMMON: ParamTable = {
  type: p('highlighter-type', 'Highlighter: unified (default), plain or fvh; others come from plugins.'),
  pre_tags: p('string-or-strings', 'Tags before each highlight (default <em>).'),
  post_tags: p('string-or-strings', 'Tags after each highlight (default </em>).'),
  fragment_size: p('integer', 'Fragment length in characters (default 100).'),
  number_of_fragments: p('integer', 'Maximum fragments (default 5; 0 = whole field).'),
  fragment_offset: p('integer', 'Margin to start highlighting (fvh).'),
  order: p(enumOf('score', 'none'), 'Sort fragments by score.'),
  require_field_match: p('boolean', 'Only highlight fields the query matched (default true).'),
  encoder: p(enumOf('default', 'html'), 'html escapes the snippet.'),
  tags_schema: p(enumOf('styled'), 'Built-in tag schema.'),
  boundary_scanner: p(enumOf('chars', 'sentence', 'word'), 'How fragments are bounded.'),
  boundary_chars: p('string', 'Boundary characters.'),
  boundary_max_scan: p('integer', 'How far to scan for a boundary.'),
  boundary_scanner_locale: p('string', 'Locale for sentence/word boundaries.'),
  fragmenter: p(enumOf('simple', 'span'), 'Fragmenter (plain highlighter).'),
  highlight_query: p('query', 'Highlight matches of this query instead.'),
  matched_fields: p('string-or-strings', 'Combine matches of several fields (fvh/unified).'),
  no_match_size: p('integer', 'Characters to return when nothing matches.'),
  phrase_limit: p('integer', 'Maximum phrases considered (fvh, default 256).'),
  max_analyzed_offset: p('integer', 'Maximum characters analyzed.'),
  max_fragment_length: p('integer', 'Maximum fragment length.'),
  force_source: p('boolean', 'Deprecated: highlight from _source.', { deprecated: 'force_source has no effect; remove it' }),
  options: p('object', 'Highlighter-specific options.'),
};
export const HIGHLIGHT_PARAMS: ParamTable = {
  ...HIGHLIGHT_COMMON,
  fields: p('any', 'Fields to highlight: {"<field>": {…}} or [{"<field>": {…}}].'),
};
export const HIGHLIGHT_FIELD_PARAMS: ParamTable = { ...HIGHLIGHT_COMMON };

export const INNER_HITS_PARAMS: ParamTable = {
  name: p('string', 'Name of the inner hits in the response.'),
  size: p('integer', 'Inner hits per hit (default 3).'),
  from: p('integer', 'Offset.'),
  sort: p('sort', 'Inner hit order.'),
  _source: p('source-config', 'Source filtering.'),
  fields: p('field-and-format-list', 'Fields to return.'),
  docvalue_fields: p('field-and-format-list', 'Doc value fields.'),
  stored_fields: p('string-or-strings', 'Stored fields.'),
  script_fields: p({ map: 'object' }, 'Script fields.'),
  highlight: p('highlight', 'Highlighting.'),
  explain: p('boolean', 'Explain scores.'),
  version: p('boolean', 'Return versions.'),
  seq_no_primary_term: p('boolean', 'Return seq_no and primary term.'),
  track_scores: p('boolean', 'Compute scores.'),
  ignore_unmapped: p('boolean', 'Ignore unmapped.'),
  collapse: p('collapse', 'Collapse inner hits.'),
};

export const RESCORE_PARAMS: ParamTable = {
  window_size: p('integer', 'Top hits per shard to rescore (default 10).'),
  query: p(obj({
    rescore_query: req('query', 'Query that rescores the top hits.'),
    query_weight: p('number', 'Weight of the original score (default 1).'),
    rescore_query_weight: p('number', 'Weight of the rescore score (default 1).'),
    score_mode: p(enumOf('total', 'multiply', 'avg', 'max', 'min'), 'How scores combine (default total).'),
  }, ['rescore_query']), 'Query rescorer.'),
  learning_to_rank: p(obj({ model_id: req('string', 'LTR model id.'), params: p('object', 'Model params.') }, ['model_id']), 'Learning-to-rank rescorer.'),
  script: p(obj({ script: req('script', 'Scoring script.') }, ['script']), 'Script rescorer.'),
};

export const KNN_SEARCH_PARAMS: ParamTable = {
  field: req('field', 'dense_vector field.'),
  query_vector: p({ oneOf: ['numbers', 'string'] }, 'Query vector (or a hex string for byte vectors).'),
  query_vector_builder: p('object', 'Builds the vector from a model: {text_embedding: {model_id, model_text}}.'),
  k: p('integer', 'Number of nearest neighbours to return.'),
  num_candidates: p('integer', 'Candidates considered per shard.'),
  filter: p('queries', 'Filter applied during the vector search.'),
  similarity: p('number', 'Minimum similarity.'),
  boost: p('number', 'Weight of the knn score in hybrid search.'),
  _name: p('string', 'Name for matched_queries.'),
  inner_hits: p('inner-hits', 'Inner hits for nested vectors.'),
  rescore_vector: p(obj({ oversample: req('number', 'Oversampling factor.') }, ['oversample']), 'Rescores quantized results.'),
  visit_percentage: p('number', 'Percentage of vectors to visit (9.x).'),
};

const RETRIEVER_COMMON: ParamTable = {
  filter: p('queries', 'Filter applied to the retriever.'),
  min_score: p('number', 'Minimum score.'),
  _name: p('string', 'Name of the retriever.'),
};
const RANK_WINDOW = p('integer', 'Documents considered per retriever (default size).');
export const RETRIEVERS: Readonly<Record<string, ValueSpec>> = {
  standard: obj({
    ...RETRIEVER_COMMON, query: p('query', 'Query.'), search_after: p({ array: 'any' }, 'Search after.'),
    terminate_after: p('integer', 'Terminate after.'), sort: p('sort', 'Sort.'), collapse: p('collapse', 'Collapse.'),
  }),
  knn: obj({ ...RETRIEVER_COMMON, ...KNN_SEARCH_PARAMS }, ['field']),
  rrf: obj({
    ...RETRIEVER_COMMON, retrievers: p({ array: 'retriever' }, 'Child retrievers.'), rank_constant: p('integer', 'RRF rank constant (default 60).'),
    rank_window_size: RANK_WINDOW, query: p('string', 'Query text for the simplified form.'), fields: p('strings', 'Fields for the simplified form.'),
  }),
  linear: obj({
    ...RETRIEVER_COMMON,
    retrievers: p({ array: obj({ retriever: req('retriever', 'Child retriever.'), weight: p('number', 'Weight.'), normalizer: p('string', 'Normalizer.') }, ['retriever']) }, 'Weighted child retrievers.'),
    rank_window_size: RANK_WINDOW, query: p('string', 'Query text.'), fields: p('strings', 'Fields.'), normalizer: p('string', 'Normalizer.'),
  }),
  text_similarity_reranker: obj({
    ...RETRIEVER_COMMON, retriever: req('retriever', 'Child retriever.'), field: p('field', 'Text field.'),
    inference_id: p('string', 'Reranking inference endpoint.'), inference_text: p('string', 'Text to rank against.'), rank_window_size: RANK_WINDOW,
    chunk_rescorer: p('object', 'Chunk rescoring (9.x).'),
  }),
  rule: obj({
    ...RETRIEVER_COMMON, retriever: req('retriever', 'Child retriever.'), ruleset_ids: p('string-or-strings', 'Rulesets.'),
    match_criteria: p('object', 'Match criteria.'), rank_window_size: RANK_WINDOW,
  }),
  pinned: obj({
    ...RETRIEVER_COMMON, retriever: req('retriever', 'Child retriever.'), ids: p('strings', 'Ids to pin.'),
    docs: p({ array: 'object' }, 'Docs to pin.'), rank_window_size: RANK_WINDOW,
  }),
  rescorer: obj({ ...RETRIEVER_COMMON, retriever: req('retriever', 'Child retriever.'), rescore: req('rescore', 'Rescore.') }),
};

export const RUNTIME_FIELD_PARAMS: ParamTable = {
  type: req(enumOf('boolean', 'composite', 'date', 'double', 'geo_point', 'geo_shape', 'ip', 'keyword', 'long', 'lookup'), 'Runtime field type.'),
  script: p('script', 'Script that emits the value(s).'),
  format: p('string', 'Date format.'),
  fields: p({ map: 'object' }, 'Sub-fields of a composite runtime field.'),
  fetch_fields: p({ array: 'any' }, 'Lookup: fields to fetch.'),
  input_field: p('field', 'Lookup: input field.'),
  target_field: p('string', 'Lookup: target field.'),
  target_index: p('string', 'Lookup: target index.'),
};

export const COLLAPSE_PARAMS: ParamTable = {
  field: req('field', 'keyword or numeric field with doc values to collapse on.'),
  inner_hits: p('inner-hits', 'Expand each group with inner hits (object or array).'),
  max_concurrent_group_searches: p('integer', 'Concurrent inner-hit searches.'),
  collapse: p('object', 'Second-level collapse.'),
};

export const FUNCTION_PARAMS: Readonly<Record<string, ParamTable>> = {
  field_value_factor: {
    field: req('field', 'Numeric field.'),
    factor: p('number', 'Multiplier (default 1).'),
    modifier: p(enumOf('none', 'log', 'log1p', 'log2p', 'ln', 'ln1p', 'ln2p', 'square', 'sqrt', 'reciprocal'), 'Function applied to the value.'),
    missing: p('number', 'Value for documents without one.'),
  },
  random_score: { seed: p('number-or-string', 'Seed.'), field: p('field', 'Field for the seed (default _seq_no).') },
  script_score: { script: req('script', 'Scoring script.') },
};

export { GEO_RELATION };
