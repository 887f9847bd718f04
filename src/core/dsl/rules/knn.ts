// kNN search parameters that constrain each other (KnnSearchBuilder, KnnVectorQueryBuilder,
// KnnRetrieverBuilder) and the query vector against the mapping's dims.
import { asNumber } from '../walk/json';
import type { Walker } from '../walk/walker';
import type { KnnRule, QueryRule } from './types';

/** KnnSearchBuilder.NUM_CANDS_LIMIT. */
export const MAX_NUM_CANDIDATES = 10_000;
/** The default `size` of a search, which a knn section's `k` defaults to. */
const DEFAULT_SIZE = 10;

function checkCounts(w: Walker, knn: Record<string, unknown>, where: 'knn' | 'query' | 'retriever'): void {
  const kGiven = asNumber(knn['k']);
  if (kGiven !== undefined && kGiven < 1) w.reportAt(['k'], 'invalid-value', `[k] must be greater than 0, found ${kGiven}`);
  const numCandidates = asNumber(knn['num_candidates']);
  if (numCandidates === undefined) return;
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
    },
  },
];

