// Rules that read several keys against the index mapping (or against metadata fields, which every
// index has): what the field's mapped type or mapping parameters allow.
import { isNumericType, isTextType } from '../mapping';
import { asNumber, isObject, type Segment } from '../walk/json';
import { sortField, sortItems } from './search-options';
import type { AggregationRule, BodyRule, QueryRule } from './types';

const STRING_TYPES = new Set(['keyword', 'constant_keyword', 'wildcard', 'text', 'match_only_text', 'flattened', 'version']);

export const MAPPING_BODY_RULES: readonly BodyRule[] = [
  {
    code: 'field-type-mismatch',
    when: ['search_after'],
    why: 'SearchAfterBuilder.convertValueFromSortField: a search_after value must parse with its sort field\'s type ("Failed to parse search_after value")',
    check(w, body) {
      const after = body['search_after'];
      if (!Array.isArray(after)) return;
      const items = sortItems(body) ?? ['_score'];
      for (let i = 0; i < items.length && i < after.length; i++) {
        const field = sortField(items[i]);
        if (field === undefined) continue;
        const numeric = field === '_score' || field === '_doc' || field === '_shard_doc' || (w.mapping !== undefined && isNumericType(w.mappedField(field)?.type ?? ''));
        const v: unknown = after[i];
        if (numeric && (typeof v === 'string' || typeof v === 'boolean') && asNumber(v) === undefined) {
          w.reportAt(['search_after', i], 'field-type-mismatch', `search_after value ${JSON.stringify(v)} does not parse as a number, but sort field [${field}] is numeric; use the value from the last hit's "sort" array`);
        }
      }
    },
  },
  {
    code: 'missing-param',
    when: ['suggest'],
    why: 'a completion suggester on a field with context mappings must give contexts ("Missing mandatory contexts in context query")',
    check(w, body) {
      const suggest = body['suggest'];
      if (!isObject(suggest) || w.mapping === undefined) return;
      for (const name in suggest) {
        const s = suggest[name];
        const completion = isObject(s) ? s['completion'] : undefined;
        if (!isObject(completion) || typeof completion['field'] !== 'string') continue;
        const mapped = w.mappedField(completion['field']);
        if (mapped === undefined) continue;
        if (mapped.type !== 'completion') {
          w.reportAt(['suggest', name, 'completion', 'field'], 'field-type-mismatch', `a completion suggester needs a completion field, but [${completion['field']}] is ${mapped.type}`);
          continue;
        }
        const contexts = mapped.contexts ?? [];
        if (contexts.length > 0 && completion['contexts'] === undefined) {
          w.reportAt(['suggest', name, 'completion'], 'missing-param', `[${completion['field']}] has context mappings (${contexts.map((c) => `${c.name}: ${c.type}`).join(', ')}); a completion suggester on it must give "contexts": {"${contexts[0]!.name}": […]}`);
        }
      }
    },
  },
];

export const MAPPING_QUERY_RULES: readonly QueryRule[] = [
  {
    code: 'field-type-mismatch',
    queries: ['rank_feature'],
    why: 'RankFeatureQueryBuilder: "[rank_feature] query only works on [rank_feature] fields and features of [rank_features] fields" and "Cannot use the [log] function with a field that has a negative score impact"',
    check(w, params) {
      const field = params['field'];
      if (typeof field !== 'string') return;
      const mapped = w.mappedField(field);
      if (mapped === undefined) return; // unmapped, or a feature of a rank_features field (reported, if at all, as unknown-field)
      if (mapped.type !== 'rank_feature' && mapped.type !== 'rank_features') {
        w.reportAt(['field'], 'field-type-mismatch', `[rank_feature] query only works on rank_feature fields and features of rank_features fields, not [${field}] (${mapped.type})`);
        return;
      }
      if (params['log'] !== undefined && mapped.positiveScoreImpact === false) {
        w.reportKeyAt([], 'log', 'field-type-mismatch', `[log] cannot be used on [${field}]: it is mapped with positive_score_impact: false and would produce negative scores; use saturation, sigmoid or linear`);
      }
    },
  },
  {
    code: 'invalid-value',
    queries: ['exists'],
    why: 'SourceFieldMapper: "The _source field is not searchable"; exists on _source fails the shard',
    check(w, params) {
      if (params['field'] === '_source') w.reportAt(['field'], 'invalid-value', '[exists] cannot run on the metadata field [_source] (it is not searchable); name a mapped field');
    },
  },
  {
    code: 'invalid-value',
    queries: ['random_score'],
    why: 'fielddata on _id is disabled by default since 8.0 ("Fielddata access on the _id field is disallowed"); random_score reads the field\'s fielddata',
    check(w, params) {
      if (params['field'] === '_id') w.reportAt(['field'], 'invalid-value', '[random_score] cannot read [_id]: fielddata on _id is disabled (indices.id_field_data.enabled); use "field": "_seq_no"');
    },
  },
];

function includeExcludeRule(): AggregationRule {
  return {
    code: 'field-type-mismatch',
    types: ['terms', 'rare_terms', 'significant_terms', 'significant_text'],
    when: ['include', 'exclude'],
    why: 'IncludeExclude: "cannot support regular expression style include/exclude settings as they can only be applied to string fields"',
    check(w, agg) {
      const field = agg.params['field'];
      if (typeof field !== 'string' || w.mapping === undefined) return;
      const type = w.mappedField(field)?.type;
      if (type === undefined || STRING_TYPES.has(type) || type === 'object' || type === 'alias') return;
      for (const p of ['include', 'exclude'] as const) {
        if (typeof agg.params[p] !== 'string') continue;
        const at: Segment[] = [agg.type, p];
        w.reportAt(at, 'field-type-mismatch', `[${p}] as a regular expression only applies to string fields, but [${field}] is ${type}; give an array of values instead`);
      }
    },
  };
}

export const MAPPING_AGGREGATION_RULES: readonly AggregationRule[] = [
  includeExcludeRule(),
  {
    code: 'field-type-mismatch',
    types: ['significant_text'],
    why: 'significant_text re-analyzes text: "Field [x] of type [keyword] is not supported for aggregation [significant_text]"',
    check(w, agg) {
      const field = agg.params['field'];
      if (typeof field !== 'string' || w.mapping === undefined) return;
      const type = w.mappedField(field)?.type;
      if (type === undefined || isTextType(type) || type === 'object') return;
      w.reportAt([agg.type, 'field'], 'field-type-mismatch', `[significant_text] analyzes text fields, but [${field}] is ${type}; use significant_terms for fields that are not text`);
    },
  },
];
