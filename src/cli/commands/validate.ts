// `distillery validate FILE... [--mapping M] [--format text|json]` (docs/ARCHITECTURE.md, CLI contract).
// Exit 0 clean (warnings allowed), 1 when any error or unreadable file, 2 on bad usage.
import { basename, dirname, resolve } from 'node:path';
import { validateDatasetLine, validateText, type IndexMapping, type PositionedProblem, type ValidateOptions } from '../../core/dsl';
import { findProjectFile, loadMappingFile, loadProject, readTextFile } from '../../core/project/files';
import { EXIT, parse, UsageError } from '../usage';
import { clusterDiagnostics, renderDisagreements, type FileDisagreement } from '../validate-cluster';

const HELP = `usage: distillery validate FILE... [--mapping M] [--es-version V] [--format text|json] [--cluster C [--index I]]

Validates Elasticsearch search request bodies (.json, .querydsl, .esquery: one body per file) and
datasets (.dss.jsonl: the "dsl" of every record). Without --mapping, each file is checked against
the mapping and ES version of the nearest distillery.json above it (else above the current
directory) when there is one.

With --cluster C (a URL or a cluster name from distillery.json) each body is also checked by the
cluster (_validate/query?explain for the query, a size-0 search for the rest), its rejections are
added with code cluster-rejected, and the bodies where the cluster and the static validator
disagree are listed, both ways.

Exit status: 0 no errors (warnings allowed), 1 errors found or a file could not be read, 2 bad usage.`;

export interface Diagnostic extends PositionedProblem {
  file: string;
  /** 1-based line of the problem's start. */
  line: number;
  recordId?: string;
}

interface Summary { files: number; records: number; errors: number; warnings: number }

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse('validate', argv, {
    mapping: { type: 'string' },
    'es-version': { type: 'string' },
    cluster: { type: 'string' },
    index: { type: 'string' },
    format: { type: 'string', default: 'text' },
    help: { type: 'boolean', short: 'h' },
  }, true);
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return EXIT.ok;
  }
  if (values.format !== 'text' && values.format !== 'json') throw new UsageError(`--format must be text or json, got "${values.format}"`);
  if (positionals.length === 0) throw new UsageError('distillery validate needs at least one FILE (a .json/.querydsl body or a .dss.jsonl dataset); see --help');

  // Without --mapping each file takes the mapping of the nearest distillery.json above it (else
  // above the working directory); one project's options are loaded once.
  const projectOptions = new Map<string, ValidateOptions>();
  const optionsFor = (file: string): ValidateOptions => {
    const base: ValidateOptions = {};
    if (explicitMapping) base.mapping = explicitMapping;
    else {
      const projectFile = findProjectFile(dirname(resolve(file))) ?? findProjectFile(process.cwd());
      if (projectFile) {
        let cached = projectOptions.get(projectFile);
        if (!cached) {
          const project = loadProject(projectFile);
          cached = { esVersion: project.config.esVersion };
          if (project.config.mapping) cached.mapping = loadMappingFile(project.resolve(project.config.mapping));
          projectOptions.set(projectFile, cached);
        }
        Object.assign(base, cached);
      }
    }
    if (values['es-version']) base.esVersion = values['es-version'];
    return base;
  };
  let explicitMapping: IndexMapping | undefined;
  try {
    if (values.mapping) explicitMapping = loadMappingFile(values.mapping);
    for (const file of positionals) optionsFor(file);
  } catch (e) {
    process.stderr.write(`distillery validate: ${(e as Error).message}\n`);
    return EXIT.usage;
  }

  const diagnostics: Diagnostic[] = [];
  const summary: Summary = { files: 0, records: 0, errors: 0, warnings: 0 };
  let unreadable = 0;
  const read: { file: string; text: string; dataset: boolean }[] = [];
  for (const file of positionals) {
    let text: string;
    try {
      text = readTextFile(file);
    } catch (e) {
      unreadable++;
      process.stderr.write(`distillery validate: ${(e as Error).message}\n`);
      continue;
    }
    summary.files++;
    read.push({ file, text, dataset: isDataset(file) });
    const options = optionsFor(file);
    if (isDataset(file)) validateDataset(file, text, options, diagnostics, summary);
    else for (const p of validateText(text, options)) diagnostics.push({ file, line: p.range.start.line + 1, ...p });
  }
  let disagreements: FileDisagreement[] | undefined;
  if (values.cluster) {
    const checked = await clusterDiagnostics(values.cluster, values.index, read, diagnostics);
    diagnostics.push(...checked.diagnostics);
    disagreements = checked.disagreements;
  }
  for (const d of diagnostics) {
    if (d.severity === 'error') summary.errors++;
    else if (d.severity === 'warning') summary.warnings++;
  }
  if (values.format === 'json') {
    process.stdout.write(JSON.stringify({ summary, diagnostics: diagnostics.map(toJson), ...(disagreements ? { disagreements } : {}) }) + '\n');
  } else {
    process.stdout.write(renderText(diagnostics, summary));
    if (disagreements) process.stdout.write(renderDisagreements(disagreements));
  }
  return summary.errors > 0 || unreadable > 0 ? EXIT.failed : EXIT.ok;
}

function isDataset(file: string): boolean {
  const name = basename(file).toLowerCase();
  return name.endsWith('.jsonl') || name.endsWith('.ndjson');
}

function validateDataset(file: string, text: string, options: ValidateOptions, out: Diagnostic[], summary: Summary): void {
  let start = 0;
  let lineIndex = 0;
  const length = text.length;
  while (start <= length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = length;
    let lineText = text.slice(start, end);
    if (lineText.endsWith('\r')) lineText = lineText.slice(0, -1);
    if (lineText.trim() !== '') {
      summary.records++;
      const { recordId, problems } = validateDatasetLine(lineText, lineIndex, options);
      for (const p of problems) out.push({ file, line: lineIndex + 1, ...(recordId !== undefined ? { recordId } : {}), ...p });
    }
    start = end + 1;
    lineIndex++;
  }
}

function toJson(d: Diagnostic) {
  return {
    file: d.file,
    line: d.line,
    ...(d.recordId !== undefined ? { recordId: d.recordId } : {}),
    pointer: d.pointer,
    range: d.range,
    severity: d.severity,
    code: d.code,
    message: d.message,
    ...(d.fix ? { fix: d.fix } : {}),
  };
}

function renderText(diagnostics: Diagnostic[], s: Summary): string {
  const lines = diagnostics.map((d) => {
    const where = `${d.file}:${d.line}:${d.range.start.character + 1}`;
    const record = d.recordId !== undefined ? ` [${d.recordId}]` : '';
    return `${where}: ${d.severity} ${d.code}${record}: ${d.message}${d.pointer ? ` (at ${d.pointer})` : ''}`;
  });
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  lines.push(`${plural(s.files, 'file')}, ${plural(s.records, 'record')}: ${plural(s.errors, 'error')}, ${plural(s.warnings, 'warning')}`);
  return lines.join('\n') + '\n';
}
