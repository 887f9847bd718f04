// The dataset record contract lives in src/shared/dataset-record.ts (the DSL engine validates
// records too and must not import from src/core/dataset); re-exported here for the dataset code.
export * from '../../shared/dataset-record';
