// `distillery export`: writes train/val/test JSONL files and manifest.json for training.
import { readFileSync } from 'node:fs';
import { parseMapping, type ValidateOptions } from '../../core/dsl';
import { planExport, sha256, writeExport, EXPORT_FORMATS, ExportError, type ExportFormat } from '../../core/dataset/export';
import { RECORD_STATUSES, SPLITS, type RecordStatus } from '../../core/dataset/record';
import { parseRatios, SplitError, DEFAULT_SEED, targetCounts } from '../../core/dataset/split';
import { DatasetStore, StoreError } from '../../core/dataset/store';
import { EXIT, numberFlag, parse, UsageError, UserError } from '../usage';

const HELP = `usage: distillery export --dataset D --out DIR [options]

Writes DIR/train.jsonl, DIR/val.jsonl, DIR/test.jsonl and DIR/manifest.json.

  --dataset D          the *.dss.jsonl dataset
  --out DIR            output directory (created if missing)
  --format F           dss (default: question, rationale, dsl) | label-only (question, dsl)
                       | chat (OpenAI/TRL "messages")
  --split T,V,E        train,val,test ratios (default 0.8,0.1,0.1)
  --seed S             integer seed for the split (default ${DEFAULT_SEED})
  --status S[,S…]      statuses to export (default accepted; "all" for every status)
  --include-invalid    also export records whose DSL has validator errors
  --resplit            ignore the splits already on records and assign all afresh
  --write-splits       save the assigned split of each exported record back to the dataset
  --mapping M          index mapping for field-aware validation
  --es-version V       Elasticsearch version the queries target

Records without a DSL, with validator errors, or (dss) without a rationale are left out and
counted in manifest.json. Near-duplicate questions always land in the same split.`;

function readMapping(path: string): ValidateOptions['mapping'] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UserError(`cannot read --mapping ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  try {
    return parseMapping(JSON.parse(text));
  } catch (e) {
    throw new UserError(`--mapping ${path} is not a JSON index mapping: ${(e as Error).message}`);
  }
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parse('export', argv, {
    dataset: { type: 'string' },
    out: { type: 'string' },
    format: { type: 'string' },
    split: { type: 'string' },
    seed: { type: 'string' },
    status: { type: 'string' },
    'include-invalid': { type: 'boolean' },
    resplit: { type: 'boolean' },
    'write-splits': { type: 'boolean' },
    mapping: { type: 'string' },
    'es-version': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return EXIT.ok;
  }
  if (!values.dataset) throw new UsageError('distillery export needs --dataset D (a .dss.jsonl file); see --help');
  if (!values.out) throw new UsageError('distillery export needs --out DIR (where train/val/test.jsonl go); see --help');
  const format = (values.format ?? 'dss') as ExportFormat;
  if (!EXPORT_FORMATS.includes(format)) throw new UsageError(`distillery export: --format must be one of ${EXPORT_FORMATS.join(', ')}, got "${values.format}"`);
  let ratios;
  try {
    ratios = values.split === undefined ? undefined : parseRatios(values.split);
  } catch (e) {
    if (e instanceof SplitError) throw new UsageError(`distillery export: --split: ${e.message}`);
    throw e;
  }
  const seed = numberFlag('seed', values.seed, { integer: true, min: 0 }) ?? DEFAULT_SEED;
  let statuses: RecordStatus[] = ['accepted'];
  if (values.status !== undefined) {
    const parts = values.status.split(',').map((s) => s.trim());
    if (parts.length === 1 && parts[0] === 'all') statuses = [...RECORD_STATUSES];
    else {
      const bad = parts.filter((s) => !(RECORD_STATUSES as readonly string[]).includes(s));
      if (bad.length || parts.length === 0) throw new UsageError(`distillery export: --status: unknown status "${bad.join(', ')}"; use ${RECORD_STATUSES.join(', ')} or all`);
      statuses = parts as RecordStatus[];
    }
  }
  const validateOptions: ValidateOptions = {};
  if (values.mapping) validateOptions.mapping = readMapping(values.mapping);
  if (values['es-version']) validateOptions.esVersion = values['es-version'];

  let store: DatasetStore;
  let bytes: Buffer;
  try {
    store = await DatasetStore.open(values.dataset);
    bytes = readFileSync(values.dataset);
  } catch (e) {
    if (e instanceof StoreError) throw new UserError(`cannot read --dataset: ${e.message}`);
    throw e;
  }
  const broken = store.brokenLines();
  for (const b of broken.slice(0, 5)) process.stderr.write(`warning: ${values.dataset}:${b.line}: skipped, ${b.error}\n`);
  if (broken.length > 5) process.stderr.write(`warning: ${broken.length - 5} more broken line(s) skipped\n`);

  const plan = planExport(
    store.records(),
    { format, ...(ratios ? { ratios } : {}), seed, statuses, includeInvalid: values['include-invalid'] ?? false, resplit: values.resplit ?? false, validateOptions },
    { path: values.dataset, sha256: sha256(bytes), records: store.size, brokenLines: broken.length },
  );
  const m = plan.manifest;
  const total = m.counts.train + m.counts.val + m.counts.test;
  if (total === 0) {
    throw new UserError(
      `nothing to export: none of the ${store.size} record(s) passed (status not ${statuses.join('/')}: ${m.excluded.status}, no DSL: ${m.excluded.missingDsl}, invalid: ${m.excluded.invalid}, no rationale: ${m.excluded.missingRationale}). Try --status all or --include-invalid.`,
    );
  }
  // Near-duplicate clusters move whole into one split; when one cluster holds most of the data
  // the other splits starve. Say so, and refuse a requested split that ended up empty.
  const share = (m.leakage.largestCluster / total) * 100;
  if (m.leakage.largestCluster > 1 && share >= 50) {
    process.stderr.write(`warning: near-duplicate clustering put ${m.leakage.largestCluster} of ${total} record(s) (${share.toFixed(0)}%) in one cluster, which must stay in one split; add more varied questions\n`);
  }
  const target = targetCounts(total, m.ratios);
  const empty = SPLITS.filter((s) => target[s] > 0 && m.counts[s] === 0);
  if (empty.length && m.leakage.clusters > 0) {
    throw new UserError(
      `the ${empty.join(' and ')} split${empty.length > 1 ? 's' : ''} would be empty: ${total} record(s) in ${m.leakage.clusters} near-duplicate cluster(s) (the largest holds ${m.leakage.largestCluster}) cannot be spread over ${SPLITS.map((s) => `${s} ${m.ratios[s]}`).join(', ')}. Add more varied questions, or give --split with 0 for ${empty.join(' and ')}. Nothing was written.`,
    );
  }
  try {
    writeExport(plan, values.out);
  } catch (e) {
    if (e instanceof ExportError) throw new UserError(e.message);
    const err = e as NodeJS.ErrnoException;
    if (err.code) throw new UserError(`cannot write to --out ${values.out}: ${err.message}`);
    throw e;
  }
  if (values['write-splits']) {
    const patches = [...plan.assignments].filter(([id, s]) => store.get(id)?.split !== s).map(([id, split]) => ({ id, patch: { split } }));
    try {
      store.updateMany(patches);
      await store.save();
    } catch (e) {
      if (e instanceof StoreError) throw new UserError(`exported to ${values.out}, but could not save the split assignments to ${values.dataset}: ${e.message}`);
      throw e;
    }
    process.stdout.write(`saved ${patches.length} split assignment(s) to ${values.dataset}\n`);
  }
  process.stdout.write(`exported ${total} record(s) as ${format} to ${values.out}: ${SPLITS.map((s) => `${m.counts[s]} ${s}`).join(', ')}\n`);
  const ex = m.excluded;
  const left = [
    ex.status && `${ex.status} not ${statuses.join('/')}`,
    ex.missingDsl && `${ex.missingDsl} without DSL`,
    ex.invalid && `${ex.invalid} with DSL errors (--include-invalid to keep them)`,
    ex.missingRationale && `${ex.missingRationale} without rationale`,
  ].filter(Boolean);
  if (left.length) process.stdout.write(`left out: ${left.join(', ')}\n`);
  if (m.invalidIncluded) process.stdout.write(`included ${m.invalidIncluded} record(s) with DSL errors\n`);
  if (m.leakage.clustersMoved) process.stdout.write(`kept near-duplicates together: moved ${m.leakage.recordsMoved} record(s) of ${m.leakage.clustersMoved} cluster(s)\n`);
  return EXIT.ok;
}
