// Where an aggregation may stand, and what it needs around it (AggregatorFactories validation,
// PipelineAggregationBuilder.validate(), CompositeAggregationBuilder, RandomSamplerAggregationBuilder).
import { asNumber, isObject } from '../walk/json';
import type { AggregationFrame } from '../walk/walker';
import { isMultiBucket } from './aggregation-kinds';
import type { AggregationContext, AggregationRule } from './types';

const HISTOGRAMS = new Set(['histogram', 'date_histogram', 'auto_date_histogram']);
/** Parents that composite tolerates (CompositeAggregationBuilder.validateParentAggregations). */
const COMPOSITE_PARENTS = new Set(['nested', 'filter']);

function parent(agg: AggregationContext): AggregationFrame | undefined {
  return agg.parents[agg.parents.length - 1];
}

/** A histogram parent for pipelines that read a series (derivative, cumulative_sum, …). */
function histogramParentRule(types: readonly string[], withoutGaps: boolean, why: string): AggregationRule {
  return {
    code: 'aggregation-placement',
    types,
    why,
    check(w, agg) {
      const p = parent(agg);
      if (p === undefined) {
        w.report('aggregation-placement', `${agg.type} aggregation [${agg.name}] must have a histogram, date_histogram or auto_date_histogram as parent but doesn't have a parent; move it into the "aggs" of a date_histogram`, agg.type);
      } else if (!HISTOGRAMS.has(p.type)) {
        w.report('aggregation-placement', `${agg.type} aggregation [${agg.name}] must have a histogram, date_histogram or auto_date_histogram as parent, not [${p.type}]`, agg.type);
      } else if (withoutGaps && p.type !== 'auto_date_histogram') {
        const minDocCount = asNumber(p.params?.['min_doc_count']);
        if (minDocCount !== undefined && minDocCount !== 0) {
          w.report('aggregation-placement', `parent histogram of ${agg.type} aggregation [${agg.name}] must have min_doc_count of 0 (it has ${minDocCount}); gaps would break the series`, agg.type);
        }
      }
    },
  };
}

export const AGGREGATION_PLACEMENT_RULES: readonly AggregationRule[] = [
  histogramParentRule(['derivative', 'cumulative_sum', 'cumulative_cardinality'], true,
    'validateParentAggSequentiallyOrderedWithoutSkips: a histogram parent with min_doc_count 0'),
  histogramParentRule(['serial_diff', 'moving_fn', 'moving_percentiles'], false,
    'validateParentAggSequentiallyOrdered: a histogram, date_histogram or auto_date_histogram parent'),
  {
    code: 'aggregation-placement',
    types: ['bucket_script', 'bucket_selector', 'bucket_sort', 'normalize', 'inference'],
    why: 'validateHasParent: "… aggregation [x] must be declared inside of another aggregation"; they act on their parent\'s buckets',
    check(w, agg) {
      const p = parent(agg);
      if (p === undefined) {
        w.report('aggregation-placement', `${agg.type} aggregation [${agg.name}] must be declared inside of another aggregation; put it in the "aggs" of the multi-bucket aggregation whose buckets it reads`, agg.type);
      } else if (agg.type === 'bucket_sort' && !isMultiBucket(p.type, p.spec?.category)) {
        w.report('aggregation-placement', `bucket_sort aggregation [${agg.name}] sorts the buckets of its parent, but [${p.name}] (${p.type}) is not a multi-bucket aggregation`, agg.type);
      }
    },
  },
  {
    code: 'invalid-value',
    types: ['bucket_sort'],
    why: 'BucketSortPipelineAggregationBuilder.validate(): "[x] is configured to perform nothing. Please set either of [sort, size, from] to use bucket_sort"',
    check(w, agg) {
      const sort = agg.params['sort'];
      const hasSort = sort !== undefined && !(Array.isArray(sort) && sort.length === 0);
      const from = asNumber(agg.params['from']);
      if (!hasSort && agg.params['size'] === undefined && (from === undefined || from === 0)) {
        w.reportAt([agg.type], 'invalid-value', `[${agg.name}] is configured to perform nothing; set at least one of [sort, size, from] to use bucket_sort`);
      }
    },
  },
  {
    code: 'aggregation-placement',
    types: ['composite'],
    why: 'CompositeAggregationBuilder: "[composite] aggregation cannot be used with a parent aggregation of type: [X]" (only nested and filter parents)',
    check(w, agg) {
      for (let i = agg.parents.length - 1; i >= 0; i--) {
        const p = agg.parents[i]!;
        if (!COMPOSITE_PARENTS.has(p.type)) {
          w.report('aggregation-placement', `[composite] aggregation cannot be used under a parent aggregation of type [${p.type}] ([${p.name}]); put it at the top level (or only under nested/filter)`, agg.type);
          return;
        }
      }
    },
  },
  {
    code: 'invalid-value',
    types: ['composite'],
    when: ['sources'],
    why: 'CompositeAggregationBuilder.validateSources: "Composite [sources] cannot be null or empty" and "Composite source names must be unique, found duplicates: [x]"',
    check(w, agg) {
      const sources = agg.params['sources'];
      if (!Array.isArray(sources)) return;
      if (sources.length === 0) {
        w.reportAt([agg.type, 'sources'], 'invalid-value', 'composite [sources] cannot be empty; add at least one source such as {"by_status": {"terms": {"field": "status"}}}');
        return;
      }
      const seen = new Set<string>();
      for (let i = 0; i < sources.length; i++) {
        const src: unknown = sources[i];
        if (!isObject(src)) continue;
        for (const name in src) {
          if (seen.has(name)) w.reportKeyAt([agg.type, 'sources', i], name, 'invalid-value', `composite source names must be unique; [${name}] is used twice`);
          seen.add(name);
        }
      }
    },
  },
  {
    code: 'aggregation-placement',
    types: ['random_sampler'],
    why: 'RandomSamplerAggregationBuilder.doBuild: "[random_sampler] aggregation [x] cannot have a parent aggregation" / "must have sub-aggregations"',
    check(w, agg) {
      const p = parent(agg);
      if (p !== undefined) {
        w.report('aggregation-placement', `[random_sampler] aggregation [${agg.name}] cannot have a parent aggregation ([${p.name}] is ${p.type}); put it at the top level`, agg.type);
      }
      let hasSub = false;
      for (const _ in agg.subAggregations ?? {}) {
        hasSub = true;
        break;
      }
      if (!hasSub) w.report('aggregation-placement', `[random_sampler] aggregation [${agg.name}] must have sub-aggregations: it only samples documents for the aggregations under it`, agg.type);
    },
  },
];

