// Exporting a dataset for training: one JSONL file per split plus manifest.json.
//
// Formats (one JSON object per line):
//   dss         {"id","question","rationale","dsl"}  what python-runner's data.train/val/test read
//   label-only  {"id","question","dsl"}
//   chat        {"id","messages":[{system},{user: question},{assistant: rationale + DSL}]}  OpenAI / TRL
//
// Which records: status in `statuses` (default accepted), a `dsl` object, no validator errors
// (unless includeInvalid), and for dss a non-empty rationale. Splits: the records' own split
// unless `resplit`, the rest assigned by assignSplits (seeded, stratified, near-duplicates kept
// together). Files are written atomically; the manifest is written last.
import { createHash } from 'node:crypto';
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ValidateOptions } from '../dsl';
import { writeFileAtomic } from './durable';
import { validityOf, type Validator } from './dsl';
import { SPLITS, type DatasetRecord, type RecordStatus, type Split } from './record';
import { assignSplits, DEFAULT_RATIOS, DEFAULT_SEED, type LeakageReport, type SplitRatios } from './split';

export const EXPORT_FORMATS = ['dss', 'label-only', 'chat'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const DEFAULT_SYSTEM_PROMPT =
  'You translate a natural-language question into an Elasticsearch Query DSL search request body. Explain your reasoning briefly, then give the request body as JSON.';

export interface ExportOptions {
  format?: ExportFormat;
  ratios?: SplitRatios;
  seed?: number | string;
  /** Statuses to export (default ['accepted']). */
  statuses?: readonly RecordStatus[];
  /** Export records whose DSL has validator errors (default false: they are excluded and counted). */
  includeInvalid?: boolean;
  /** Ignore splits already on records and assign all afresh. */
  resplit?: boolean;
  /** Validator (default: the Query DSL engine's validateBody) and its options (mapping, version). */
  validate?: Validator;
  validateOptions?: ValidateOptions;
  systemPrompt?: string;
  nearThreshold?: number;
}

export interface ExportExclusions {
  /** Records whose status is not exported. */
  status: number;
  /** Records without a `dsl` object. */
  missingDsl: number;
  /** Records whose DSL has validator errors (0 with includeInvalid). */
  invalid: number;
  /** dss only: records without a rationale. */
  missingRationale: number;
}

export interface ExportManifest {
  format: ExportFormat;
  createdAt: string;
  source: { path?: string; sha256?: string; records: number; brokenLines?: number };
  statuses: RecordStatus[];
  seed: number | string;
  ratios: SplitRatios;
  resplit: boolean;
  includeInvalid: boolean;
  counts: Record<Split, number>;
  /** Exported records with validator errors (only non-zero with includeInvalid). */
  invalidIncluded: number;
  excluded: ExportExclusions;
  files: Record<Split, string>;
  strata: Record<string, Record<Split, number>>;
  leakage: LeakageReport;
}

export interface ExportPlan {
  lines: Record<Split, string[]>;
  /** The split each exported record ended up in (to write back to the dataset if wanted). */
  assignments: Map<string, Split>;
  manifest: ExportManifest;
}

export class ExportError extends Error {}

export function formatRecord(r: DatasetRecord, format: ExportFormat, systemPrompt = DEFAULT_SYSTEM_PROMPT): string {
  const dsl = r.dsl ?? null;
  if (format === 'dss') return JSON.stringify({ id: r.id, question: r.question, rationale: r.rationale ?? '', dsl });
  if (format === 'label-only') return JSON.stringify({ id: r.id, question: r.question, dsl });
  const body = '```json\n' + JSON.stringify(dsl, null, 2) + '\n```';
  const answer = r.rationale ? `${r.rationale.trim()}\n\n${body}` : body;
  return JSON.stringify({
    id: r.id,
    messages: [
      { role: 'system', content: systemPrompt },
      { role: 'user', content: r.question },
      { role: 'assistant', content: answer },
    ],
  });
}

/** Decides what goes where; pure (no I/O). */
export function planExport(records: readonly DatasetRecord[], opts: ExportOptions = {}, source: ExportManifest['source'] = { records: records.length }): ExportPlan {
  const format = opts.format ?? 'dss';
  const statuses = [...(opts.statuses ?? ['accepted'])];
  const wanted = new Set<string>(statuses);
  const excluded: ExportExclusions = { status: 0, missingDsl: 0, invalid: 0, missingRationale: 0 };
  const chosen: DatasetRecord[] = [];
  const invalidIds = new Set<string>();
  for (const r of records) {
    if (!wanted.has(r.status)) {
      excluded.status++;
      continue;
    }
    if (!r.dsl || typeof r.dsl !== 'object') {
      excluded.missingDsl++;
      continue;
    }
    const v = validityOf(r.dsl, opts.validate, opts.validateOptions);
    if (v.errors > 0) {
      if (!opts.includeInvalid) {
        excluded.invalid++;
        continue;
      }
      invalidIds.add(r.id);
    }
    if (format === 'dss' && !r.rationale?.trim()) {
      excluded.missingRationale++;
      continue;
    }
    chosen.push(r);
  }
  const ratios = opts.ratios ?? DEFAULT_RATIOS;
  const seed = opts.seed ?? DEFAULT_SEED;
  const split = assignSplits(chosen, {
    ratios,
    seed,
    respectExisting: !opts.resplit,
    ...(opts.nearThreshold === undefined ? {} : { nearThreshold: opts.nearThreshold }),
  });
  const lines: Record<Split, string[]> = { train: [], val: [], test: [] };
  for (const r of chosen) lines[split.assignments.get(r.id)!].push(formatRecord(r, format, opts.systemPrompt));
  const manifest: ExportManifest = {
    format,
    createdAt: new Date().toISOString(),
    source,
    statuses: statuses as RecordStatus[],
    seed,
    ratios,
    resplit: opts.resplit ?? false,
    includeInvalid: opts.includeInvalid ?? false,
    counts: split.counts,
    invalidIncluded: invalidIds.size,
    excluded,
    files: { train: 'train.jsonl', val: 'val.jsonl', test: 'test.jsonl' },
    strata: split.strata,
    leakage: split.leakage,
  };
  return { lines, assignments: split.assignments, manifest };
}

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Writes the plan's split files and manifest.json into `outDir` (created if missing). */
export function writeExport(plan: ExportPlan, outDir: string): void {
  try {
    if (!statSync(outDir).isDirectory()) throw new ExportError(`${outDir} exists and is not a directory; give a directory for --out`);
  } catch (e) {
    if (e instanceof ExportError) throw e;
    mkdirSync(outDir, { recursive: true });
  }
  for (const s of SPLITS) {
    const lines = plan.lines[s];
    writeFileAtomic(join(outDir, plan.manifest.files[s]), lines.length ? lines.join('\n') + '\n' : '');
  }
  writeFileAtomic(join(outDir, 'manifest.json'), JSON.stringify(plan.manifest, null, 2) + '\n');
}
