// `distillery mapping pull --cluster C --index I --out M [--format text|json]`: writes the mapping
// file the validator uses from the cluster (plus field caps), and on drift re-validates the
// project's dataset and lists the accepted records the change broke.
import { existsSync, renameSync, writeFileSync, copyFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { diffMappings, mappingChanged, parsePulledMapping, pullMapping, recordsBrokenByMapping, type BrokenRecord, type MappingDiff } from '../../core/elasticsearch';
import { findProjectFile, loadMappingFile, loadProject, readTextFile } from '../../core/project/files';
import type { IndexMapping } from '../../core/dsl';
import { openCluster, withClusterErrors } from '../cluster';
import { EXIT, parse, UsageError, UserError } from '../usage';

const HELP = `usage: distillery mapping pull --cluster C --index I --out M [--format text|json]

Writes the mapping of index I (a name, alias or pattern) on cluster C to M in the shape the
validator reads ({"mappings": …}), with the field capabilities (aliases, runtime fields, types that
differ across indices) under "_distillery". When M already exists and the fields differ, it prints
the change, keeps the old file as M's ".previous" copy, re-validates the accepted records of the
dataset in the nearest distillery.json and lists exactly those the change broke.`;

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === '--help' || sub === '-h' || sub === undefined) {
    process.stdout.write(HELP + '\n');
    return sub === undefined ? EXIT.usage : EXIT.ok;
  }
  if (sub !== 'pull') throw new UsageError(`distillery mapping: unknown subcommand "${sub}"; the one there is: pull`);
  const { values } = parse('mapping pull', rest, {
    cluster: { type: 'string' },
    index: { type: 'string' },
    out: { type: 'string' },
    format: { type: 'string', default: 'text' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return EXIT.ok;
  }
  if (!values.cluster || !values.out) throw new UsageError('distillery mapping pull needs --cluster C and --out M (and --index I unless the cluster names one); see --help');
  if (values.format !== 'text' && values.format !== 'json') throw new UsageError(`--format must be text or json, got "${values.format}"`);
  const out = resolve(values.out);
  let previous: IndexMapping | undefined;
  if (existsSync(out)) {
    try {
      previous = loadMappingFile(out);
    } catch (e) {
      throw new UserError(`${(e as Error).message}; move it away to pull a fresh one`);
    }
  }
  const { cluster, index, project } = await openCluster(values.cluster, values.index, out);
  const pulled = await withClusterErrors(() => pullMapping(cluster, index)).finally(() => cluster.close());
  const next = parsePulledMapping(pulled);
  const diff: MappingDiff | undefined = previous ? diffMappings(previous, next) : undefined;
  const drift = diff !== undefined && mappingChanged(diff);
  if (drift) copyFileSync(out, out.replace(/(\.json)?$/, '.previous$1'));
  const tmp = `${out}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(pulled, null, 2) + '\n');
  renameSync(tmp, out);

  let broken: BrokenRecord[] | undefined;
  let datasetPath: string | undefined;
  if (drift && previous) {
    const projectFile = project?.file ?? findProjectFile(dirname(out));
    const p = project ?? (projectFile ? loadProject(projectFile) : undefined);
    if (p) {
      datasetPath = p.resolve(p.config.dataset);
      if (existsSync(datasetPath)) broken = recordsBrokenByMapping(readTextFile(datasetPath, 'dataset'), previous, next, { esVersion: p.config.esVersion });
    }
  }
  const fields = [...next.fields.keys()].filter((f) => !f.startsWith('_')).length;
  if (values.format === 'json') {
    process.stdout.write(JSON.stringify({ out, index, indices: pulled._distillery.pulledFrom.indices, fields, ...(diff ? { drift, diff } : {}), ...(broken ? { dataset: datasetPath, brokenRecords: broken } : {}) }) + '\n');
    return EXIT.ok;
  }
  const lines = [`wrote ${values.out}: ${fields} fields from ${pulled._distillery.pulledFrom.indices.join(', ')}`];
  if (diff && !drift) lines.push('no drift: the fields are the same as in the previous file');
  if (diff && drift) {
    lines.push(`drift since the previous file (kept as ${out.replace(/(\.json)?$/, '.previous$1')}):`);
    for (const a of diff.added) lines.push(`  + ${a.path} (${a.type})`);
    for (const r of diff.removed) lines.push(`  - ${r.path} (${r.type})`);
    for (const c of diff.changed) lines.push(`  ~ ${c.path}: ${c.from} → ${c.to}`);
    if (broken === undefined) lines.push('no dataset found (no distillery.json with a dataset near the mapping): nothing re-validated');
    else if (broken.length === 0) lines.push(`no accepted record of ${datasetPath} is broken by the change`);
    else {
      lines.push(`${broken.length} accepted record(s) of ${datasetPath} broken by the change:`);
      for (const b of broken) for (const p of b.problems) lines.push(`  ${b.id} (line ${b.line}): ${p}`);
    }
  }
  process.stdout.write(lines.join('\n') + '\n');
  return EXIT.ok;
}
