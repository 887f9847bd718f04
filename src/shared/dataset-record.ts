// The dataset record contract (docs/ARCHITECTURE.md, "Dataset file"). One JSON object per line of
// a `*.dss.jsonl` file. Declared here, below both src/core/dataset (which reads and writes records)
// and src/core/dsl (which validates dataset lines), so neither imports the other.
// Unknown keys are kept (`passthrough`) so a round trip never drops data.
import { z } from 'zod';

export const RECORD_STATUSES = ['pending', 'generated', 'accepted', 'rejected', 'needs_fix'] as const;
export type RecordStatus = (typeof RECORD_STATUSES)[number];
export const SPLITS = ['train', 'val', 'test'] as const;
export type Split = (typeof SPLITS)[number];

export const usageSchema = z.object({ input: z.number().nonnegative(), output: z.number().nonnegative() }).passthrough();

export const sourceSchema = z
  .object({
    kind: z.enum(['teacher', 'human', 'import']),
    model: z.string().optional(),
    promptHash: z.string().optional(),
    usage: usageSchema.optional(),
    costUsd: z.number().nonnegative().optional(),
  })
  .passthrough();

export const recordSchema = z
  .object({
    id: z.string().min(1, 'id must be a non-empty string'),
    question: z.string(),
    rationale: z.string().nullable().optional(),
    dsl: z.record(z.unknown()).nullable().optional(),
    status: z.enum(RECORD_STATUSES).default('pending'),
    split: z.enum(SPLITS).nullable().optional(),
    source: sourceSchema.optional(),
    notes: z.string().optional(),
    updatedAt: z.string().optional(),
  })
  .passthrough();

export type DatasetRecord = z.infer<typeof recordSchema>;
