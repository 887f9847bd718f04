// Public API of Distillery's Elasticsearch client side (docs/elasticsearch.md). Pure Node, no
// VS Code: the CLI and the extension both build on it. Everything outside this folder imports from here.
export { clusterSchema, searchGuardsSchema, DEFAULT_SEARCH_GUARDS, type ClusterConfig, type SearchGuards } from './cluster-config';
export { environmentSecrets, noSecrets, type SecretsSource, type ClusterCredentials, type ResolvedCluster } from './secrets';
export { resolveCluster, resolveIndex, ClusterConfigError } from './resolve';
export { READ_ONLY_ENDPOINTS, isAllowedRequest, ReadOnlyViolation } from './allow-list';
export { applySearchGuards, type SearchBody } from './guards';
export { ClusterError, clusterReason, type ClusterErrorKind, type ElasticsearchErrorBody } from './errors';
export { ReadOnlyCluster, type SearchResponse, type MsearchItem, type ValidateQueryResult, type RequestOptions } from './read-only-cluster';
export { CLUSTER_REJECTED, clusterErrorPointer, clusterErrorLocation, clusterRejection, toPointer, type ClusterProblem } from './error-pointer';
export { fieldsTouched, sourceValue, hitsTable, aggregationTables, renderTable, responseSummary, type Table } from './result-tables';
export { reduceResponse, reduceAggregation, compareExecution, isEmptyResult, bodySorts, numbersClose, RELATIVE_TOLERANCE, type ExecResult, type ExecOutcome, type ExecVerdict, type ExecComparison, type AggNode } from './exec-compare';
export { execEval, summarizeExec, ExecCache, ExecInterrupted, type ExecPair, type ExecRecord, type ExecSummary, type ExecOptions } from './exec-eval';
export { pullMapping, diffMappings, mappingChanged, recordsBrokenByMapping, parsePulledMapping, type PulledMappingFile, type FieldCapability, type MappingDiff, type BrokenRecord } from './mapping-pull';
export { validateOnCluster, disagreements, type Disagreement } from './cluster-validate';
export { sampleFieldValues, renderFieldSamples, type FieldSample, type GroundingOptions } from './grounding';
