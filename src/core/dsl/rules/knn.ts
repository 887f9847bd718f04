// kNN search parameters that constrain each other (KnnSearchBuilder, KnnVectorQueryBuilder,
// KnnRetrieverBuilder) and the query vector against the mapping's dims.
import { asNumber, isObject } from '../walk/json';
import type { Walker } from '../walk/walker';
import type { KnnRule, QueryRule } from './types';

/** KnnSearchBuilder.NUM_CANDS_LIMIT. */
export const MAX_NUM_CANDIDATES = 10_000;
/** KnnSearchBuilder.NUM_CANDS_MULTIPLICATIVE_FACTOR: num_candidates defaults to 1.5 × k. */
const NUM_CANDIDATES_FACTOR = 1.5;
/** RescoreVectorBuilder.MIN_OVERSAMPLE. */
const MIN_OVERSAMPLE = 1;
/** The default `size` of a search, which a knn section's `k` defaults to. */
const DEFAULT_SIZE = 10;

function checkCounts(w: Walker, knn: Record<string, unknown>, where: 'knn' | 'query' | 'retriever'): void {
  const kGiven = asNumber(knn['k']);
  if (kGiven !== undefined && kGiven < 1) w.reportAt(['k'], 'invalid-value', `[k] must be greater than 0, found ${kGiven}`);
  const numCandidates = asNumber(knn['num_candidates']);
  if (numCandidates === undefined) {
    checkDefaultCandidates(w, where, kGiven);
    return;
  }
  if (numCandidates > MAX_NUM_CANDIDATES) {
    w.reportAt(['num_candidates'], 'invalid-value', `[num_candidates] cannot exceed [${MAX_NUM_CANDIDATES}], found ${numCandidates}`);
    return;
  }
  // In the body's knn section k defaults to the request's size (10 unless set).
  const size = where === 'knn' ? asNumber(w.body?.['size']) ?? DEFAULT_SIZE : undefined;
  const k = kGiven ?? size;
  if (k !== undefined && k >= 1 && numCandidates < k) {
    w.reportAt(['num_candidates'], 'invalid-value', `[num_candidates] cannot be less than [k] (${numCandidates} < ${k}${kGiven === undefined ? ', k defaults to size' : ''}); raise num_candidates or lower ${kGiven === undefined ? 'size' : 'k'}`);
  }
}

/**
 * Without num_candidates, KnnSearchBuilder.Builder.build uses round(min(10000, 1.5 × k)), which is
 * below k once k passes 10,000: the request then fails with "[num_candidates] cannot be less than
 * [k]" although the user never set num_candidates. The knn query and retriever apply the same
 * default to an explicit k.
 */
function checkDefaultCandidates(w: Walker, where: 'knn' | 'query' | 'retriever', kGiven: number | undefined): void {
  const size = where === 'knn' && kGiven === undefined ? asNumber(w.body?.['size']) : undefined;
  const k = kGiven ?? size;
  if (k === undefined || k <= MAX_NUM_CANDIDATES) return;
  const defaulted = Math.round(Math.min(MAX_NUM_CANDIDATES, NUM_CANDIDATES_FACTOR * k));
  const message = `[num_candidates] defaults to min(${MAX_NUM_CANDIDATES}, 1.5 × k) = ${defaulted}, which is less than [k] (${k}${kGiven === undefined ? ', k defaults to size' : ''}); k can be at most ${MAX_NUM_CANDIDATES}`;
  if (kGiven !== undefined) w.reportAt(['k'], 'invalid-value', message);
  else w.report('invalid-value', message);
}

/** The oversample factor of rescore_vector: at least 1, or 0 to turn rescoring off (9.1+). */
function checkOversample(w: Walker, knn: Record<string, unknown>): void {
  const rescore = knn['rescore_vector'];
  if (!isObject(rescore)) return;
  const oversample = asNumber(rescore['oversample']);
  if (oversample !== undefined && oversample < MIN_OVERSAMPLE && oversample !== 0) {
    w.reportAt(['rescore_vector', 'oversample'], 'invalid-value', `[oversample] must be >= ${MIN_OVERSAMPLE} (or 0 to disable rescoring), found ${oversample}`);
  }
}

function checkDims(w: Walker, knn: Record<string, unknown>): void {
  const field = knn['field'];
  const vector = knn['query_vector'];
  if (typeof field !== 'string' || !Array.isArray(vector)) return;
  const mapped = w.mappedField(field);
  if (mapped === undefined) return;
  if (mapped.type !== 'dense_vector') {
    w.reportAt(['field'], 'field-type-mismatch', `kNN search needs a dense_vector field, but [${field}] is ${mapped.type}`);
    return;
  }
  if (mapped.dims !== undefined && vector.length !== mapped.dims) {
    w.reportAt(['query_vector'], 'field-type-mismatch', `the query vector has ${vector.length} dimensions but [${field}] is mapped with dims ${mapped.dims}`);
  }
}

export const KNN_SEARCH_RULES: readonly KnnRule[] = [
  {
    code: 'invalid-value',
    why: 'KnnSearchBuilder: "[k] must be greater than 0", "[num_candidates] cannot be less than [k]", "[num_candidates] cannot exceed [10000]"',
    check: checkCounts,
  },
  {
    code: 'missing-param',
    why: 'KnnRetrieverBuilder declares k and num_candidates as required constructor arguments',
    check(w, knn, where) {
      if (where !== 'retriever') return;
      for (const p of ['k', 'num_candidates'] as const) if (knn[p] === undefined) w.report('missing-param', `[knn] retriever requires [${p}]`);
    },
  },
  {
    code: 'conflicting-params',
    why: 'KnnSearchBuilder: "cannot provide both [query_vector_builder] and [query_vector]" / "either [query_vector_builder] or [query_vector] must be provided" (the knn section and the knn query check "neither" through requireOneOf; the retriever here)',
    check(w, knn, where) {
      const hasVector = knn['query_vector'] !== undefined;
      const hasBuilder = knn['query_vector_builder'] !== undefined;
      if (hasVector && hasBuilder) {
        w.report('conflicting-params', `[knn] takes either [query_vector] or [query_vector_builder], not both; drop one`, 'query_vector_builder');
      } else if (!hasVector && !hasBuilder && where === 'retriever') {
        w.report('missing-param', '[knn] retriever requires one of [query_vector, query_vector_builder]');
      }
    },
  },
  {
    code: 'invalid-value',
    why: 'RescoreVectorBuilder: "[oversample] must be >= 1.0" (0 turns rescoring off from 9.1)',
    check: (w, knn) => checkOversample(w, knn),
  },
  {
    code: 'field-type-mismatch',
    why: 'DenseVectorFieldMapper: "The query vector has a different number of dimensions [n] than the document vectors [dims]"',
    check: (w, knn) => checkDims(w, knn),
  },
];

export const KNN_QUERY_RULES: readonly QueryRule[] = [
  {
    code: 'invalid-value',
    queries: ['knn'],
    why: 'KnnVectorQueryBuilder applies the same k/num_candidates limits as the knn section',
    check: (w, params) => {
      checkCounts(w, params, 'query');
      checkDims(w, params);
      checkOversample(w, params);
      if (params['query_vector'] !== undefined && params['query_vector_builder'] !== undefined) {
        w.report('conflicting-params', `[knn] takes either [query_vector] or [query_vector_builder], not both; drop one`, 'query_vector_builder');
      }
    },
  },
];

