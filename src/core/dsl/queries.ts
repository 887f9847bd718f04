// The 61 query types of Elasticsearch's QueryContainer (8.x/9.x), with parameters, value types,
// enums, required keys and shape (see QueryShape in spec-types.ts). Where Elasticsearch's server
// parser is looser than its published spec (legacy range from/to, one inline function_score
// function, bool clauses as one query or an array), the table follows the server.
import type { ParamTable, QuerySpec, ValueSpec } from './spec-types';
import {
  FIELD_LOOKUP, GEO_DISTANCE_TYPE, GEO_RELATION, GEO_VALIDATION, OPERATOR, PRUNING_CONFIG, QUERY_BASE,
  REWRITE, TEXT_QUERY_TYPE, ZERO_TERMS, enumOf, obj, p, req,
} from './spec-helpers';

const B = QUERY_BASE;

const MATCH_COMMON: ParamTable = {
  analyzer: p('string', 'Analyzer that turns the query text into tokens (default: the field\'s search analyzer).'),
  auto_generate_synonyms_phrase_query: p('boolean', 'Build match_phrase queries for multi-term synonyms (default true).'),
  fuzziness: p('fuzziness', 'Maximum edit distance for fuzzy matching: AUTO, 0, 1 or 2.'),
  fuzzy_rewrite: p(REWRITE, 'Rewrite method for fuzzy expansion.'),
  fuzzy_transpositions: p('boolean', 'Count ab → ba as one edit (default true).'),
  lenient: p('boolean', 'Ignore format errors such as text on a numeric field (default false).'),
  max_expansions: p('integer', 'Maximum number of terms a fuzzy/prefix term expands to (default 50).'),
  minimum_should_match: p('msm', 'Minimum number of query terms that must match: 2, "75%", "3<90%".'),
  operator: p(OPERATOR, 'Whether all terms (and) or any term (or, default) must match.'),
  prefix_length: p('integer', 'Number of leading characters left unchanged by fuzzy matching (default 0).'),
  zero_terms_query: p(ZERO_TERMS, 'What to return when the analyzer removes every token: none (default) or all.'),
  cutoff_frequency: p('number', 'Removed in 8.0: use the common-terms-free default scoring.', { deprecated: 'cutoff_frequency was removed in 8.0; drop it' }),
};

const SPAN_DOC = 'A span query clause.';
const INTERVAL_DOC = 'An interval rule: one of match, prefix, wildcard, regexp, fuzzy, range, all_of, any_of.';

const DECAY_DOC = 'Decay function on a numeric, date or geo field: {"<field>": {origin, scale, offset, decay}, multi_value_mode}.';

/** Rules of the intervals query, keyed by rule name. */
export const INTERVAL_RULES: Readonly<Record<string, ValueSpec>> = {
  match: obj({
    query: req('string', 'Text to match.'), max_gaps: p('integer', 'Maximum positions between terms (-1: any).'),
    ordered: p('boolean', 'Terms must appear in order.'), analyzer: p('string', 'Analyzer.'),
    filter: p('object', 'Interval filter.'), use_field: p('field', 'Match on this field instead.'),
  }, ['query']),
  prefix: obj({ prefix: req('string', 'Prefix.'), analyzer: p('string', 'Analyzer.'), use_field: p('field', 'Other field.') }, ['prefix']),
  wildcard: obj({ pattern: req('string', 'Pattern.'), analyzer: p('string', 'Analyzer.'), use_field: p('field', 'Other field.') }, ['pattern']),
  regexp: obj({ pattern: req('string', 'Regular expression.'), analyzer: p('string', 'Analyzer.'), use_field: p('field', 'Other field.') }, ['pattern']),
  fuzzy: obj({
    term: req('string', 'Term.'), prefix_length: p('integer', 'Unchanged prefix.'), transpositions: p('boolean', 'Transpositions.'),
    fuzziness: p('fuzziness', 'Edit distance.'), analyzer: p('string', 'Analyzer.'), use_field: p('field', 'Other field.'),
  }, ['term']),
  range: obj({
    gt: p('string', 'Greater than.'), gte: p('string', 'At least.'), lt: p('string', 'Less than.'), lte: p('string', 'At most.'),
    analyzer: p('string', 'Analyzer.'), use_field: p('field', 'Other field.'),
  }),
  all_of: obj({
    intervals: req({ array: 'interval-rule' }, 'Rules that must all match.'), max_gaps: p('integer', 'Maximum gaps.'),
    ordered: p('boolean', 'In order.'), filter: p('object', 'Interval filter.'),
  }, ['intervals']),
  any_of: obj({ intervals: req({ array: 'interval-rule' }, 'Rules of which one must match.'), filter: p('object', 'Interval filter.') }, ['intervals']),
};

export const QUERY_SPECS: Readonly<Record<string, QuerySpec>> = {
  // ── compound ────────────────────────────────────────────────────────────────────────────────
  bool: {
    doc: 'Matches documents that match boolean combinations of other queries (must, filter, should, must_not).',
    category: 'compound', shape: 'no-field',
    params: {
      must: p('queries', 'Clauses that must match and contribute to the score.'),
      filter: p('queries', 'Clauses that must match, in filter context (no scoring, cached).'),
      should: p('queries', 'Clauses that should match; with no must/filter at least one must match.'),
      must_not: p('queries', 'Clauses that must not match (filter context).'),
      minimum_should_match: p('msm', 'How many should clauses must match: 1, "50%", "2<75%".'),
      adjust_pure_negative: p('boolean', 'Add a match_all when only must_not clauses exist (default true).'),
      ...B,
    },
  },
  boosting: {
    doc: 'Returns documents matching `positive` while demoting those that also match `negative`.',
    category: 'compound', shape: 'no-field',
    params: {
      positive: req('query', 'Query every returned document must match.'),
      negative: req('query', 'Query whose matches get their score multiplied by negative_boost.'),
      negative_boost: req('number', 'Factor between 0 and 1.0 applied to documents matching negative.'),
      ...B,
    },
  },
  constant_score: {
    doc: 'Wraps a filter query and gives every match the same score (boost).',
    category: 'compound', shape: 'no-field',
    params: { filter: req('query', 'Filter query whose matches all get score = boost.'), ...B },
  },
  dis_max: {
    doc: 'Scores by the best matching sub-query plus tie_breaker × the others.',
    category: 'compound', shape: 'no-field',
    params: {
      queries: req('query-array', 'Sub-queries; a document must match at least one.'),
      tie_breaker: p('number', 'Weight (0–1.0) of the non-best matching clauses (default 0).'),
      ...B,
    },
  },
  function_score: {
    doc: 'Modifies the score of documents matched by a query with functions (decay, field_value_factor, script_score, random_score, weight).',
    category: 'compound', shape: 'no-field',
    params: {
      query: p('query', 'Query whose scores are modified (default match_all).'),
      functions: p('function-score-functions', 'Functions, each optionally with a filter and weight.'),
      boost_mode: p(enumOf('multiply', 'replace', 'sum', 'avg', 'max', 'min'), 'How the function score combines with the query score (default multiply).'),
      score_mode: p(enumOf('multiply', 'sum', 'avg', 'first', 'max', 'min'), 'How function scores combine (default multiply).'),
      max_boost: p('number', 'Upper limit of the function score.'),
      min_score: p('number', 'Exclude documents scoring below this.'),
      // Elasticsearch also accepts exactly one function inline, without `functions`.
      exp: p('object', DECAY_DOC), gauss: p('object', DECAY_DOC), linear: p('object', DECAY_DOC),
      field_value_factor: p('object', 'Score from a numeric field: {field, factor, modifier, missing}.'),
      random_score: p('object', 'Uniformly random scores: {seed, field}.'),
      script_score: p('object', 'Score from a script: {script}.'),
      weight: p('number', 'Multiplies the score by this constant.'),
      ...B,
    },
  },
  // ── full text ───────────────────────────────────────────────────────────────────────────────
  match: {
    doc: 'Standard full-text query: analyzes the text and matches any (or all) of its terms.',
    category: 'full-text', shape: 'field', shortParam: 'query',
    params: { query: req('scalar', 'Text, number, boolean or date to match.'), ...MATCH_COMMON, ...B },
  },
  match_phrase: {
    doc: 'Matches the analyzed text as a phrase (terms in order, within slop).',
    category: 'full-text', shape: 'field', shortParam: 'query',
    params: {
      query: req('scalar', 'Phrase to match.'),
      analyzer: MATCH_COMMON.analyzer!,
      slop: p('integer', 'Number of positions terms may move apart (default 0).'),
      zero_terms_query: MATCH_COMMON.zero_terms_query!,
      ...B,
    },
  },
  match_phrase_prefix: {
    doc: 'Like match_phrase, but the last term is a prefix (search-as-you-type).',
    category: 'full-text', shape: 'field', shortParam: 'query',
    params: {
      query: req('scalar', 'Phrase whose last term is a prefix.'),
      analyzer: MATCH_COMMON.analyzer!,
      max_expansions: p('integer', 'Maximum number of terms the last term expands to (default 50).'),
      slop: p('integer', 'Number of positions terms may move apart (default 0).'),
      zero_terms_query: MATCH_COMMON.zero_terms_query!,
      ...B,
    },
  },
  match_bool_prefix: {
    doc: 'Analyzes the text into a bool of term queries, the last one a prefix query.',
    category: 'full-text', shape: 'field', shortParam: 'query',
    params: {
      query: req('scalar', 'Text to match; the last term is a prefix.'),
      analyzer: MATCH_COMMON.analyzer!, fuzziness: MATCH_COMMON.fuzziness!, fuzzy_rewrite: MATCH_COMMON.fuzzy_rewrite!,
      fuzzy_transpositions: MATCH_COMMON.fuzzy_transpositions!, max_expansions: MATCH_COMMON.max_expansions!,
      minimum_should_match: MATCH_COMMON.minimum_should_match!, operator: MATCH_COMMON.operator!,
      prefix_length: MATCH_COMMON.prefix_length!,
      ...B,
    },
  },
  multi_match: {
    doc: 'Runs a match query over several fields.',
    category: 'full-text', shape: 'no-field',
    params: {
      query: req('scalar', 'Text to match.'),
      fields: p('fields', 'Fields to query, with optional ^boost and * wildcards (default index.query.default_field).'),
      type: p(TEXT_QUERY_TYPE, 'How fields are combined: best_fields (default), most_fields, cross_fields, phrase, phrase_prefix, bool_prefix.'),
      tie_breaker: p('number', 'Weight of non-best fields (0–1.0).'),
      slop: p('integer', 'Phrase slop for phrase types.'),
      ...MATCH_COMMON,
      ...B,
    },
  },
  combined_fields: {
    strictText: true,
    doc: 'Searches several text fields as if they were one combined field (BM25F).',
    category: 'full-text', shape: 'no-field',
    params: {
      query: req('string', 'Text to search.'),
      fields: req('fields', 'Text fields to combine, with optional ^boost.'),
      auto_generate_synonyms_phrase_query: MATCH_COMMON.auto_generate_synonyms_phrase_query!,
      operator: MATCH_COMMON.operator!, minimum_should_match: MATCH_COMMON.minimum_should_match!,
      zero_terms_query: MATCH_COMMON.zero_terms_query!,
      ...B,
    },
  },
  query_string: {
    doc: 'Parses a Lucene query string with operators (AND, OR, NOT, field:value, wildcards, ranges).',
    category: 'full-text', shape: 'no-field',
    params: {
      query: req('string', 'The query string, e.g. "status:active AND (title:elastic OR title:search)".'),
      default_field: p('field', 'Field searched when the query names none (default index.query.default_field, "*").'),
      fields: p('fields', 'Fields to search, with optional ^boost.'),
      default_operator: p(OPERATOR, 'Operator between terms without one: OR (default) or AND.'),
      allow_leading_wildcard: p('boolean', 'Allow * or ? as the first character (default true).'),
      analyzer: p('string', 'Analyzer for the query text.'),
      analyze_wildcard: p('boolean', 'Analyze wildcard terms (default false).'),
      auto_generate_synonyms_phrase_query: MATCH_COMMON.auto_generate_synonyms_phrase_query!,
      enable_position_increments: p('boolean', 'Enable position increments (default true).'),
      escape: p('boolean', 'Escape reserved characters.'),
      fuzziness: MATCH_COMMON.fuzziness!,
      fuzzy_max_expansions: p('integer', 'Maximum terms for fuzzy expansion (default 50).'),
      fuzzy_prefix_length: p('integer', 'Unchanged leading characters for fuzzy terms (default 0).'),
      fuzzy_rewrite: MATCH_COMMON.fuzzy_rewrite!, fuzzy_transpositions: MATCH_COMMON.fuzzy_transpositions!,
      lenient: MATCH_COMMON.lenient!,
      max_determinized_states: p('integer', 'Maximum automaton states for regexps (default 10000).'),
      minimum_should_match: MATCH_COMMON.minimum_should_match!,
      phrase_slop: p('number', 'Default slop for phrases (default 0).'),
      quote_analyzer: p('string', 'Analyzer for quoted text.'),
      quote_field_suffix: p('string', 'Suffix appended to fields for quoted text (e.g. ".exact").'),
      rewrite: p(REWRITE, 'Rewrite method for multi-term queries.'),
      tie_breaker: p('number', 'Weight of non-best fields.'),
      time_zone: p('string', 'Time zone for date values, e.g. "+01:00" or "Europe/Paris".'),
      type: p(TEXT_QUERY_TYPE, 'How multiple fields are combined (default best_fields).'),
      ...B,
    },
  },
  simple_query_string: {
    doc: 'A forgiving query string syntax (+, |, -, "", *, ~) that never throws on bad syntax.',
    category: 'full-text', shape: 'no-field',
    params: {
      query: req('string', 'The query string.'),
      fields: p('fields', 'Fields to search, with optional ^boost.'),
      default_operator: p(OPERATOR, 'Operator between terms: OR (default) or AND.'),
      analyzer: p('string', 'Analyzer for the query text.'),
      analyze_wildcard: p('boolean', 'Analyze prefix terms (default false).'),
      auto_generate_synonyms_phrase_query: MATCH_COMMON.auto_generate_synonyms_phrase_query!,
      flags: p('string', 'Enabled operators, pipe separated: ALL, NONE, AND, OR, NOT, PREFIX, PHRASE, PRECEDENCE, ESCAPE, WHITESPACE, FUZZY, NEAR, SLOP.'),
      fuzzy_max_expansions: p('integer', 'Maximum terms for fuzzy expansion (default 50).'),
      fuzzy_prefix_length: p('integer', 'Unchanged leading characters (default 0).'),
      fuzzy_transpositions: MATCH_COMMON.fuzzy_transpositions!,
      lenient: MATCH_COMMON.lenient!,
      minimum_should_match: MATCH_COMMON.minimum_should_match!,
      quote_field_suffix: p('string', 'Suffix appended to fields for quoted text.'),
      ...B,
    },
  },
  intervals: {
    strictText: true,
    doc: 'Matches by the ordering and proximity of terms, built from interval rules.',
    category: 'full-text', shape: 'field',
    params: {
      match: p(INTERVAL_RULES['match']!, INTERVAL_DOC), prefix: p(INTERVAL_RULES['prefix']!, INTERVAL_DOC),
      wildcard: p(INTERVAL_RULES['wildcard']!, INTERVAL_DOC), regexp: p(INTERVAL_RULES['regexp']!, INTERVAL_DOC),
      fuzzy: p(INTERVAL_RULES['fuzzy']!, INTERVAL_DOC), range: p(INTERVAL_RULES['range']!, INTERVAL_DOC),
      all_of: p(INTERVAL_RULES['all_of']!, INTERVAL_DOC), any_of: p(INTERVAL_RULES['any_of']!, INTERVAL_DOC),
      ...B,
    },
    requireOneOf: ['match', 'prefix', 'wildcard', 'regexp', 'fuzzy', 'range', 'all_of', 'any_of'],
  },
  common: {
    doc: 'Removed in 8.0.',
    category: 'full-text', shape: 'field', shortParam: 'query', params: { query: p('string', 'Text.'), ...B },
    removed: 'the common terms query was removed in 8.0; use match (its scoring already handles frequent terms)',
  },
  // ── term level ──────────────────────────────────────────────────────────────────────────────
  term: {
    doc: 'Matches documents whose field holds exactly this term (not analyzed). Use on keyword, numeric, date, boolean fields.',
    category: 'term-level', shape: 'field', shortParam: 'value', termLevel: true,
    // TermQueryBuilder reads `term` as well as `value` (TERM_FIELD); one of them is needed.
    requireOneOf: ['value', 'term'],
    params: {
      value: p('scalar', 'Exact term to find.'),
      term: p('scalar', 'Same as value (the older name, still read).'),
      case_insensitive: p('boolean', 'Match ASCII case-insensitively (default false).'),
      ...B,
    },
  },
  terms: {
    doc: 'Matches documents whose field holds any of the given exact terms (or the terms of a looked-up document).',
    category: 'term-level', shape: 'field-params', termLevel: true,
    fieldValue: {
      oneOf: [
        { array: 'scalar' },
        obj(
          {
            index: req('string', 'Index of the document holding the terms.'),
            id: req('string', 'Id of that document.'),
            path: req('field', 'Field of that document holding the terms.'),
            routing: p('string', 'Routing of that document.'),
          },
          ['index', 'id', 'path'],
        ),
      ],
    },
    params: { ...B },
  },
  terms_set: {
    doc: 'Matches documents holding a minimum number of the given terms.',
    category: 'term-level', shape: 'field', termLevel: true,
    params: {
      terms: req({ array: 'scalar' }, 'Terms to look for.'),
      minimum_should_match_field: p('field', 'Numeric field with the number of terms required.'),
      minimum_should_match_script: p('script', 'Script returning the number of terms required.'),
      minimum_should_match: p('msm', 'Number of terms required (8.10+).'),
      ...B,
    },
  },
  range: {
    doc: 'Matches documents with field values in a range (gt, gte, lt, lte).',
    category: 'term-level', shape: 'field',
    params: {
      gt: p('scalar-or-null', 'Greater than.'), gte: p('scalar-or-null', 'Greater than or equal to.'),
      lt: p('scalar-or-null', 'Less than.'), lte: p('scalar-or-null', 'Less than or equal to.'),
      from: p('scalar-or-null', 'Legacy lower bound (use gte/gt).', { deprecated: 'use gte or gt instead of from' }),
      to: p('scalar-or-null', 'Legacy upper bound (use lte/lt).', { deprecated: 'use lte or lt instead of to' }),
      include_lower: p('boolean', 'Legacy: whether from is inclusive.', { deprecated: 'use gte or gt instead of include_lower' }),
      include_upper: p('boolean', 'Legacy: whether to is inclusive.', { deprecated: 'use lte or lt instead of include_upper' }),
      format: p('string', 'Date format of the bounds, e.g. "yyyy-MM-dd" or "strict_date_optional_time".'),
      time_zone: p('string', 'Time zone of date bounds: "+01:00" or "America/New_York".'),
      relation: p(enumOf('intersects', 'contains', 'within'), 'For range fields: INTERSECTS (default), CONTAINS, WITHIN.'),
      ...B,
    },
  },
  exists: {
    doc: 'Matches documents that have an indexed value for the field.',
    category: 'term-level', shape: 'explicit-field',
    params: { field: req('field', 'Field that must have a value.'), ...B },
  },
  prefix: {
    doc: 'Matches documents whose field holds a term starting with the prefix (not analyzed).',
    category: 'term-level', shape: 'field', shortParam: 'value', termLevel: true,
    params: {
      value: req('string', 'Prefix to match.'),
      rewrite: p(REWRITE, 'Rewrite method.'),
      case_insensitive: p('boolean', 'Match ASCII case-insensitively (default false).'),
      ...B,
    },
  },
  wildcard: {
    doc: 'Matches terms against a pattern with * and ? (not analyzed).',
    category: 'term-level', shape: 'field', shortParam: 'value', termLevel: true,
    params: {
      value: p('string', 'Pattern with * (any characters) and ? (one character).'),
      wildcard: p('string', 'Same as value.'),
      rewrite: p(REWRITE, 'Rewrite method.'),
      case_insensitive: p('boolean', 'Match ASCII case-insensitively (default false).'),
      ...B,
    },
    requireOneOf: ['value', 'wildcard'],
  },
  regexp: {
    doc: 'Matches terms against a Lucene regular expression (not analyzed).',
    category: 'term-level', shape: 'field', shortParam: 'value', termLevel: true,
    params: {
      value: req('string', 'Lucene regular expression.'),
      flags: p('string', 'Enabled operators: ALL (default), COMPLEMENT, EMPTY, INTERSECTION, INTERVAL, NONE, ANYSTRING.'),
      case_insensitive: p('boolean', 'Match ASCII case-insensitively (default false).'),
      max_determinized_states: p('integer', 'Maximum automaton states (default 10000).'),
      rewrite: p(REWRITE, 'Rewrite method.'),
      ...B,
    },
  },
  fuzzy: {
    doc: 'Matches terms within an edit distance of the value (not analyzed).',
    category: 'term-level', shape: 'field', shortParam: 'value', termLevel: true,
    params: {
      value: req('scalar', 'Term to find.'),
      fuzziness: p('fuzziness', 'Maximum edit distance: AUTO (default), 0, 1, 2.'),
      max_expansions: p('integer', 'Maximum number of variations (default 50).'),
      prefix_length: p('integer', 'Unchanged leading characters (default 0).'),
      transpositions: p('boolean', 'Count ab → ba as one edit (default true).'),
      rewrite: p(REWRITE, 'Rewrite method.'),
      ...B,
    },
  },
  ids: {
    doc: 'Matches documents by their _id.',
    category: 'term-level', shape: 'no-field',
    params: { values: p('string-or-strings', 'Document ids.'), ...B },
  },
  type: {
    doc: 'Removed in 8.0 together with mapping types.',
    category: 'term-level', shape: 'no-field', params: { value: p('string', 'Type name.'), ...B },
    removed: 'mapping types and the type query were removed in 8.0; filter on a keyword field instead',
  },
  // ── geo and shape ───────────────────────────────────────────────────────────────────────────
  geo_bounding_box: {
    doc: 'Matches geo_point/geo_shape values inside a bounding box.',
    category: 'geo', shape: 'field-params', fieldValue: 'geo-bounds', fieldTypes: 'geo-or-shape',
    params: {
      type: p(enumOf('memory', 'indexed'), 'Deprecated execution type.', { deprecated: 'the type parameter has no effect; remove it' }),
      validation_method: p(GEO_VALIDATION, 'STRICT (default), COERCE or IGNORE_MALFORMED.'),
      ignore_unmapped: p('boolean', 'Match nothing instead of failing on an unmapped field.'),
      ...B,
    },
  },
  geo_distance: {
    doc: 'Matches geo_point/geo_shape values within a distance of a point.',
    category: 'geo', shape: 'field-params', fieldValue: 'geo-point', fieldTypes: 'geo-or-shape',
    params: {
      distance: req('distance', 'Radius, e.g. "12km" or 200 (meters).'),
      distance_type: p(GEO_DISTANCE_TYPE, 'arc (default) or plane.'),
      validation_method: p(GEO_VALIDATION, 'STRICT (default), COERCE or IGNORE_MALFORMED.'),
      ignore_unmapped: p('boolean', 'Match nothing instead of failing on an unmapped field.'),
      ...B,
    },
  },
  geo_polygon: {
    doc: 'Deprecated: matches geo_point values inside a polygon. Use geo_shape.',
    category: 'geo', shape: 'field-params', fieldTypes: 'geo',
    fieldValue: obj({ points: req({ array: 'geo-point' }, 'Polygon vertices.') }, ['points']),
    params: {
      validation_method: p(GEO_VALIDATION, 'STRICT (default), COERCE or IGNORE_MALFORMED.'),
      ignore_unmapped: p('boolean', 'Match nothing instead of failing on an unmapped field.'),
      ...B,
    },
    deprecated: 'geo_polygon is deprecated; use a geo_shape query with a polygon',
  },
  geo_shape: {
    doc: 'Matches geo_shape/geo_point values that intersect, contain, are within or disjoint from a shape.',
    category: 'geo', shape: 'field-params', fieldTypes: 'geo-or-shape',
    fieldValue: obj({
      shape: p('geo-shape', 'GeoJSON or WKT shape.'),
      indexed_shape: p(FIELD_LOOKUP, 'A shape stored in another document.'),
      relation: p(GEO_RELATION, 'INTERSECTS (default), DISJOINT, WITHIN, CONTAINS.'),
    }),
    params: { ignore_unmapped: p('boolean', 'Match nothing instead of failing on an unmapped field.'), ...B },
  },
  geo_grid: {
    doc: 'Matches geo_point/geo_shape values that intersect a grid cell (geotile, geohash, geohex).',
    category: 'geo', shape: 'field', fieldTypes: 'geo-or-shape',
    params: {
      geotile: p('string', 'Tile key "zoom/x/y".'),
      geohash: p('string', 'Geohash cell.'),
      geohex: p('string', 'H3 cell.'),
      ...B,
    },
    requireOneOf: ['geotile', 'geohash', 'geohex'],
    since: '8.3',
  },
  shape: {
    doc: 'Matches cartesian shape/point values against a shape.',
    category: 'geo', shape: 'field-params', fieldTypes: 'shape',
    fieldValue: obj({
      shape: p('geo-shape', 'GeoJSON or WKT shape.'),
      indexed_shape: p(FIELD_LOOKUP, 'A shape stored in another document.'),
      relation: p(GEO_RELATION, 'INTERSECTS (default), DISJOINT, WITHIN, CONTAINS.'),
    }),
    params: { ignore_unmapped: p('boolean', 'Match nothing instead of failing on an unmapped field.'), ...B },
  },
  // ── joining ─────────────────────────────────────────────────────────────────────────────────
  nested: {
    doc: 'Queries nested objects as if they were separate documents; returns the root document.',
    category: 'joining', shape: 'no-field',
    params: {
      path: req('field', 'Path of the nested field.'),
      query: req('query', 'Query run on the nested objects (use full paths: path.field).'),
      score_mode: p(enumOf('avg', 'max', 'min', 'none', 'sum'), 'How nested scores combine (default avg).'),
      ignore_unmapped: p('boolean', 'Match nothing instead of failing on an unmapped path.'),
      inner_hits: p('inner-hits', 'Return the matching nested objects.'),
      ...B,
    },
  },
  has_child: {
    doc: 'Returns parent documents whose joined child documents match a query.',
    category: 'joining', shape: 'no-field',
    params: {
      type: req('string', 'Name of the child relation.'),
      query: req('query', 'Query run on child documents.'),
      score_mode: p(enumOf('none', 'avg', 'sum', 'max', 'min'), 'How child scores combine (default none).'),
      min_children: p('integer', 'Minimum number of matching children.'),
      max_children: p('integer', 'Maximum number of matching children.'),
      ignore_unmapped: p('boolean', 'Match nothing instead of failing on an unmapped type.'),
      inner_hits: p('inner-hits', 'Return the matching children.'),
      ...B,
    },
  },
  has_parent: {
    doc: 'Returns child documents whose joined parent document matches a query.',
    category: 'joining', shape: 'no-field',
    params: {
      parent_type: req('string', 'Name of the parent relation.'),
      query: req('query', 'Query run on parent documents.'),
      score: p('boolean', 'Use the parent score (default false).'),
      ignore_unmapped: p('boolean', 'Match nothing instead of failing on an unmapped type.'),
      inner_hits: p('inner-hits', 'Return the matching parent.'),
      ...B,
    },
  },
  parent_id: {
    doc: 'Returns child documents joined to a specific parent document.',
    category: 'joining', shape: 'no-field',
    params: {
      type: req('string', 'Name of the child relation.'),
      id: req('string', 'Id of the parent document.'),
      ignore_unmapped: p('boolean', 'Match nothing instead of failing on an unmapped type.'),
      ...B,
    },
  },
  // ── span ────────────────────────────────────────────────────────────────────────────────────
  span_term: {
    doc: 'Span version of term: matches spans containing a term.',
    category: 'span', shape: 'field', shortParam: 'value', termLevel: true,
    params: { value: p('scalar', 'Term.'), term: p('scalar', 'Same as value (legacy).'), ...B },
    requireOneOf: ['value', 'term'],
  },
  span_first: {
    doc: 'Matches spans near the beginning of a field.',
    category: 'span', shape: 'no-field',
    params: { match: req('span-query', SPAN_DOC), end: req('integer', 'Maximum end position of the span.'), ...B },
  },
  span_near: {
    doc: 'Matches spans near each other (within slop, optionally in order).',
    category: 'span', shape: 'no-field',
    params: {
      clauses: req('span-queries', 'Span clauses.'),
      slop: p('integer', 'Maximum number of intervening unmatched positions.'),
      in_order: p('boolean', 'Whether matches must appear in order (default true).'),
      ...B,
    },
  },
  span_or: {
    doc: 'Matches the union of its span clauses.',
    category: 'span', shape: 'no-field',
    params: { clauses: req('span-queries', 'Span clauses.'), ...B },
  },
  span_not: {
    doc: 'Removes matches that overlap another span query.',
    category: 'span', shape: 'no-field',
    params: {
      include: req('span-query', 'Spans to keep.'), exclude: req('span-query', 'Spans that remove overlapping includes.'),
      pre: p('integer', 'Tokens before include that may not overlap exclude.'),
      post: p('integer', 'Tokens after include that may not overlap exclude.'),
      dist: p('integer', 'Sets pre and post together.'),
      ...B,
    },
  },
  span_containing: {
    doc: 'Returns `big` spans that contain a `little` span.',
    category: 'span', shape: 'no-field',
    params: { big: req('span-query', SPAN_DOC), little: req('span-query', SPAN_DOC), ...B },
  },
  span_within: {
    doc: 'Returns `little` spans enclosed in a `big` span.',
    category: 'span', shape: 'no-field',
    params: { big: req('span-query', SPAN_DOC), little: req('span-query', SPAN_DOC), ...B },
  },
  span_multi: {
    doc: 'Wraps a term/range/prefix/wildcard/regexp/fuzzy query as a span query.',
    category: 'span', shape: 'no-field',
    params: { match: req('query', 'A multi-term query: prefix, wildcard, regexp, fuzzy, range or term.'), ...B },
  },
  span_field_masking: {
    doc: 'Lets span queries on different fields combine by masking the field.',
    category: 'span', shape: 'explicit-field',
    params: { query: req('span-query', SPAN_DOC), field: req('field', 'Field name to pretend to be.'), ...B },
  },
  // ── specialized ─────────────────────────────────────────────────────────────────────────────
  match_all: {
    doc: 'Matches every document (score 1.0 × boost).',
    category: 'match-all', shape: 'no-field', params: { ...B },
  },
  match_none: {
    doc: 'Matches no document.',
    category: 'match-all', shape: 'no-field', params: { ...B },
  },
  distance_feature: {
    doc: 'Boosts documents closer to an origin date or geo point.',
    category: 'specialized', shape: 'explicit-field', fieldTypes: 'any',
    params: {
      field: req('field', 'date, date_nanos or geo_point field.'),
      origin: req('any', 'Origin: a date ("now") or a geo point.'),
      pivot: req('any', 'Distance at which the score is half the boost: "7d" or "1km".'),
      ...B,
    },
  },
  more_like_this: {
    doc: 'Finds documents similar to given text or documents.',
    category: 'specialized', shape: 'no-field',
    params: {
      like: req('any', 'Text, documents ({_index, _id} or {doc}) or an array of them.'),
      unlike: p('any', 'Text or documents to move away from.'),
      fields: p('fields', 'Fields to use (default index.query.default_field).'),
      analyzer: p('string', 'Analyzer for the like text.'),
      boost_terms: p('number', 'Boost terms by their tf-idf (default 0: off).'),
      fail_on_unsupported_field: p('boolean', 'Fail on non-text fields (default true).'),
      include: p('boolean', 'Include the input documents (default false).'),
      max_doc_freq: p('integer', 'Ignore terms in more documents than this.'),
      max_query_terms: p('integer', 'Maximum number of query terms (default 25).'),
      max_word_length: p('integer', 'Ignore longer words.'),
      min_doc_freq: p('integer', 'Ignore terms in fewer documents (default 5).'),
      min_term_freq: p('integer', 'Ignore terms rarer in the input (default 2).'),
      min_word_length: p('integer', 'Ignore shorter words.'),
      minimum_should_match: p('msm', 'Minimum matching terms (default "30%").'),
      routing: p('string', 'Routing of the input documents.'),
      stop_words: p('string-or-strings', 'Words to ignore.'),
      version: p('integer', 'Version of the input documents.'),
      version_type: p(enumOf('internal', 'external', 'external_gte', 'force'), 'Version type.'),
      ...B,
    },
  },
  percolate: {
    doc: 'Matches stored queries against a document.',
    category: 'specialized', shape: 'explicit-field',
    params: {
      field: req('field', 'percolator field holding the queries.'),
      document: p('object', 'Document to match.'),
      documents: p({ array: 'object' }, 'Documents to match.'),
      id: p('string', 'Id of a stored document to match.'),
      index: p('string', 'Index of that document.'),
      routing: p('string', 'Routing of that document.'),
      preference: p('string', 'Preference for fetching that document.'),
      version: p('integer', 'Expected version of that document.'),
      name: p('string', 'Name for the _percolator_document_slot field.'),
      ...B,
    },
    requireOneOf: ['document', 'documents', 'id'],
  },
  knn: {
    strictText: true,
    doc: 'Finds the k nearest vectors to a query vector (dense_vector field).',
    category: 'vector', shape: 'explicit-field',
    params: {
      field: req('field', 'dense_vector field.'),
      query_vector: p('numbers', 'Query vector (or a hex string for byte vectors).'),
      query_vector_builder: p('object', 'Builds the query vector from a model: {text_embedding: {model_id, model_text}}.'),
      k: p('integer', 'Number of nearest neighbours to return per shard.'),
      num_candidates: p('integer', 'Candidates considered per shard.'),
      filter: p('queries', 'Filter applied before the vector search.'),
      similarity: p('number', 'Minimum similarity for a match.'),
      rescore_vector: p(obj({ oversample: req('number', 'Oversampling factor for quantized vectors.') }), 'Rescores quantized results.'),
      visit_percentage: p('number', 'Percentage of vectors to visit (9.x).'),
      ...B,
    },
    requireOneOf: ['query_vector', 'query_vector_builder'],
    since: '8.12',
  },
  rank_feature: {
    doc: 'Boosts by the value of a rank_feature(s) field.',
    category: 'specialized', shape: 'explicit-field',
    params: {
      field: req('field', 'rank_feature or rank_features field.'),
      saturation: p(obj({ pivot: p('number', 'Pivot value.') }), 'S(x) = x / (x + pivot) (default).'),
      log: p(obj({ scaling_factor: req('number', 'Scaling factor.') }, ['scaling_factor']), 'log(scaling_factor + x).'),
      sigmoid: p(obj({ pivot: req('number', 'Pivot.'), exponent: req('number', 'Exponent.') }, ['pivot', 'exponent']), 'x^exp / (x^exp + pivot^exp).'),
      linear: p(obj({}), 'The raw feature value.'),
      ...B,
    },
  },
  script: {
    doc: 'Filters documents with a script that returns a boolean.',
    category: 'specialized', shape: 'no-field',
    params: { script: req('script', 'Painless script returning true for matches.'), ...B },
  },
  script_score: {
    doc: 'Scores the documents of a query with a script.',
    category: 'specialized', shape: 'no-field',
    params: {
      query: req('query', 'Query selecting the documents.'),
      script: req('script', 'Script computing the score (must not be negative).'),
      min_score: p('number', 'Exclude documents scoring below this.'),
      ...B,
    },
  },
  wrapper: {
    doc: 'Runs a query given as a base64-encoded JSON string.',
    category: 'specialized', shape: 'no-field',
    params: { query: req('string', 'Base64-encoded query.'), ...B },
  },
  pinned: {
    doc: 'Promotes chosen documents above the organic results.',
    category: 'specialized', shape: 'no-field',
    params: {
      organic: req('query', 'Query ranking the remaining documents.'),
      ids: p('strings', 'Ids to pin, in order.'),
      docs: p({ array: obj({ _id: req('string', 'Document id.'), _index: p('string', 'Index.') }, ['_id']) }, 'Documents to pin, in order.'),
      ...B,
    },
    requireOneOf: ['ids', 'docs'],
  },
  rule: {
    doc: 'Applies query rules (pinning, excluding) from rulesets to an organic query.',
    category: 'specialized', shape: 'no-field',
    params: {
      organic: req('query', 'Query ranking the documents.'),
      ruleset_ids: p('string-or-strings', 'Rulesets to apply.'),
      ruleset_id: p('string', 'One ruleset to apply.'),
      match_criteria: req('object', 'Criteria the rules match on.'),
      ...B,
    },
    requireOneOf: ['ruleset_ids', 'ruleset_id'],
    since: '8.15',
  },
  semantic: {
    strictText: true,
    doc: 'Semantic search on a semantic_text field.',
    category: 'vector', shape: 'explicit-field',
    params: { field: req('field', 'semantic_text field.'), query: req('string', 'Query text.'), ...B },
    since: '8.15',
  },
  sparse_vector: {
    strictText: true,
    doc: 'Searches a sparse_vector field with a token-weight vector or an inference endpoint.',
    category: 'vector', shape: 'explicit-field',
    params: {
      field: req('field', 'sparse_vector field.'),
      query_vector: p({ map: 'number' }, 'Token → weight map.'),
      inference_id: p('string', 'Inference endpoint turning `query` into tokens.'),
      query: p('string', 'Query text for the inference endpoint.'),
      prune: p('boolean', 'Prune unimportant tokens.'),
      pruning_config: p(PRUNING_CONFIG, 'Pruning thresholds.'),
      ...B,
    },
    requireOneOf: ['query_vector', 'query'],
    since: '8.15',
  },
  text_expansion: {
    strictText: true,
    doc: 'Deprecated: expands text into weighted tokens with an NLP model (use sparse_vector).',
    category: 'vector', shape: 'field',
    params: {
      model_id: req('string', 'Text expansion model id.'),
      model_text: req('string', 'Query text.'),
      pruning_config: p(PRUNING_CONFIG, 'Pruning thresholds.'),
      ...B,
    },
    deprecated: 'text_expansion is deprecated since 8.15; use sparse_vector',
  },
  weighted_tokens: {
    strictText: true,
    doc: 'Deprecated: searches a sparse field with given token weights (use sparse_vector).',
    category: 'vector', shape: 'field',
    params: {
      tokens: req({ oneOf: [{ map: 'number' }, { array: { map: 'number' } }] }, 'Token → weight map.'),
      pruning_config: p(PRUNING_CONFIG, 'Pruning thresholds.'),
      ...B,
    },
    deprecated: 'weighted_tokens is deprecated since 8.15; use sparse_vector',
  },
};

/** Queries that may stand where a span query is required (span_near.clauses, …). */
export const SPAN_QUERY_NAMES: ReadonlySet<string> = new Set([
  'span_term', 'span_first', 'span_near', 'span_or', 'span_not', 'span_containing', 'span_within',
  'span_multi', 'span_field_masking', 'span_gap',
]);

