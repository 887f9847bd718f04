// Public API of the dataset core (src/core/dataset). See docs/dataset.md and the header of store.ts.
export { RECORD_STATUSES, SPLITS, recordSchema, type DatasetRecord, type RecordStatus, type Split } from './record';
export {
  DatasetStore,
  StoreError,
  watch,
  type BrokenLine,
  type Conflict,
  type DuplicateId,
  type Entry,
  type RecordEntry,
  type BrokenEntry,
  type BlankEntry,
  type OpenOptions,
  type RecordInput,
  type RecordPatch,
  type ReloadResult,
  type StoreChange,
  type StoreChangeReason,
  type WatchOptions,
} from './store';
export { queryTypeOf, aggregationTypesOf, validityOf, NO_DSL, NO_QUERY, type Validity, type ValidityResult, type Validator } from './dsl';
export { normalizeQuestion, findDuplicateClusters, type DuplicateCluster, type DedupOptions } from './dedup';
export { importQuestions, importQuestionsFile, readQuestions, questionId, formatFromPath, ImportError, type ImportFormat, type ImportOptions, type ImportResult } from './import';
export { parseCsv, CsvError, type CsvRow } from './csv';
export { assignSplits, parseRatios, targetCounts, SplitError, DEFAULT_RATIOS, DEFAULT_SEED, type SplitRatios, type SplitOptions, type SplitResult, type LeakageReport } from './split';
export { planExport, writeExport, formatRecord, EXPORT_FORMATS, DEFAULT_SYSTEM_PROMPT, ExportError, type ExportFormat, type ExportOptions, type ExportManifest, type ExportPlan } from './export';
export { RecordIndex, filterRecords, facetCounts, type RecordFilter, type SortKey, type FacetCounts, type RecordFacts } from './query';
export { computeStats, type DatasetStats, type StatsOptions } from './stats';
