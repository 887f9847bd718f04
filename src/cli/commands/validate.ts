// `distillery validate FILE... [--mapping M] [--format text|json]` (docs/ARCHITECTURE.md, CLI contract).
// Exit 0 clean (warnings allowed), 1 when any error, 2 on bad usage or an unreadable file.
import { isUtf8 } from 'node:buffer';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { isBlank, validateDatasetLine, validateText, type IndexMapping, type PositionedProblem, type ValidateOptions } from '../../core/dsl';
import { findProjectFile, loadMappingFile, loadProject, readTextFile } from '../../core/project/files';
import { EXIT, isClosedOutput, parse, UsageError, writeAllSync } from '../usage';
import type { FileDisagreement } from '../validate-cluster';

const HELP = `usage: distillery validate FILE... [--mapping M] [--es-version V] [--format text|json] [--cluster C [--index I]]

Validates Elasticsearch search request bodies (.json, .querydsl, .esquery: one body per file) and
datasets (.dss.jsonl: the "dsl" of every record). Without --mapping, each file is checked against
the mapping and ES version of the nearest distillery.json above it (else above the current
directory) when there is one.

With --cluster C (a URL or a cluster name from distillery.json) each body is also checked by the
cluster (_validate/query?explain for the query, a size-0 search for the rest), its rejections are
added with code cluster-rejected, and the bodies where the cluster and the static validator
disagree are listed, both ways.

Exit status: 0 no errors (warnings allowed), 1 errors found, 2 bad usage or a file that could not be
read (missing, a directory, not UTF-8; it is named in the output too).`;

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

  // Diagnostics are written as they are found, never collected: a dataset with a million
  // problems needs no more memory than its largest record (bench/validate-memory.ts).
  const out = new DiagnosticWriter(values.format);
  const summary: Summary = { files: 0, records: 0, errors: 0, warnings: 0 };
  let unreadable = 0;
  // Only --cluster keeps the static diagnostics and the texts: it compares the two verdicts per body.
  const cluster = values.cluster ? { read: [] as { file: string; text: string; dataset: boolean }[], found: [] as Diagnostic[] } : undefined;
  const emit = (d: Diagnostic) => {
    if (d.severity === 'error') summary.errors++;
    else if (d.severity === 'warning') summary.warnings++;
    cluster?.found.push(d);
    out.write(d);
  };
  for (const file of positionals) {
    const options = optionsFor(file);
    try {
      if (isDataset(file)) {
        validateDataset(file, options, emit, summary);
        summary.files++;
        cluster?.read.push({ file, text: readTextFile(file), dataset: true });
        continue;
      }
      const text = readTextFile(file);
      summary.files++;
      cluster?.read.push({ file, text, dataset: false });
      for (const p of validateText(text, options)) emit({ file, line: p.range.start.line + 1, ...p });
    } catch (e) {
      if (isClosedOutput(e)) throw e; // our reader went away: not a problem with this file
      const unreadableError = e instanceof UnreadableFile || (e instanceof Error && ((e as NodeJS.ErrnoException).code !== undefined || /does not exist|is a directory|not valid UTF-8/.test(e.message)));
      if (!unreadableError) throw e;
      // The file is named in the output too, so a script reading the JSON sees it was not checked.
      unreadable++;
      process.stderr.write(`distillery validate: ${e.message}\n`);
      const at = e instanceof UnreadableFile ? e.line : 0;
      emit({ file, line: at + 1, pointer: '', range: { start: { line: at, character: 0 }, end: { line: at, character: 0 } }, severity: 'error', code: 'unreadable-file', message: e.message } as Diagnostic);
    }
  }
  let disagreements: FileDisagreement[] | undefined;
  let renderDisagreements: ((d: readonly FileDisagreement[]) => string) | undefined;
  if (cluster && values.cluster) {
    // Loaded only with --cluster: the Elasticsearch client is most of a plain validate's start-up.
    const clusterModule = await import('../validate-cluster');
    renderDisagreements = clusterModule.renderDisagreements;
    const checked = await clusterModule.clusterDiagnostics(values.cluster, values.index, cluster.read, cluster.found);
    for (const d of checked.diagnostics) emit(d);
    disagreements = checked.disagreements;
  }
  out.end(summary, disagreements, renderDisagreements);
  // An input that could not be read is a usage problem (wrong path, a folder, not UTF-8): exit 2.
  return unreadable > 0 ? EXIT.usage : summary.errors > 0 ? EXIT.failed : EXIT.ok;
}

function isDataset(file: string): boolean {
  const name = basename(file).toLowerCase();
  return name.endsWith('.jsonl') || name.endsWith('.ndjson');
}

/** A file that cannot be read as UTF-8 text; `line` is 0-based (0 for the whole file). */
class UnreadableFile extends Error {
  constructor(message: string, readonly line = 0) {
    super(message);
  }
}

const CHUNK_BYTES = 4 << 20;

/**
 * Validates a dataset line by line, reading it in chunks: memory is a chunk plus the longest
 * record, whatever the file's size. One buffer is reused: the unfinished last line of a chunk moves
 * to its front and the next read lands after it; the buffer doubles only for a line longer than it.
 * Each chunk's whole lines are UTF-8 checked at once, then decoded one line at a time.
 */
function validateDataset(file: string, options: ValidateOptions, emit: (d: Diagnostic) => void, summary: Summary): void {
  let fd: number;
  try {
    if (statSync(file).isDirectory()) throw new UnreadableFile(`${file} is a directory; name a file inside it`);
    fd = openSync(file, 'r');
  } catch (e) {
    if (e instanceof UnreadableFile) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new UnreadableFile(code === 'ENOENT' ? `${file} does not exist; check the path` : `${file} cannot be read (${code ?? (e as Error).message})`);
  }
  let lineIndex = 0;
  let buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  let filled = 0; // bytes of an unfinished line at the buffer's front
  try {
    for (let first = true; ; first = false) {
      if (filled === buffer.length) {
        const bigger = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(bigger, 0, 0, filled);
        buffer = bigger;
      }
      let n: number;
      try {
        n = readSync(fd, buffer, filled, buffer.length - filled, null);
      } catch (e) {
        throw new UnreadableFile(`${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, lineIndex);
      }
      let total = filled + n;
      if (first && total >= 3 && buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf) {
        buffer.copyWithin(0, 3, total); // a byte-order mark is not part of the first record
        total -= 3;
      }
      const cut = n === 0 ? total : buffer.lastIndexOf(0x0a, total - 1) + 1;
      if (cut === 0 && n !== 0) {
        filled = total; // no whole line yet: read more (the buffer grows when full)
        continue;
      }
      const whole = buffer.subarray(0, cut);
      if (!isUtf8(whole)) {
        let bad = 0;
        for (let start = 0; start < whole.length; bad++) {
          const end = whole.indexOf(0x0a, start);
          if (!isUtf8(whole.subarray(start, end === -1 ? whole.length : end))) break;
          start = end === -1 ? whole.length : end + 1;
        }
        throw new UnreadableFile(`${file}:${lineIndex + bad + 1} is not valid UTF-8; re-save the file as UTF-8`, lineIndex + bad);
      }
      // Each line is decoded on its own: an ASCII line becomes a one-byte string, which JSON.parse
      // reads faster than a slice of a chunk that holds one non-ASCII character somewhere.
      let start = 0;
      while (start < whole.length) {
        let end = whole.indexOf(0x0a, start);
        if (end === -1) end = whole.length;
        const stop = end > start && whole[end - 1] === 0x0d ? end - 1 : end;
        const lineText = whole.toString('utf8', start, stop);
        if (!isBlank(lineText)) {
          summary.records++;
          const { recordId, problems } = validateDatasetLine(lineText, lineIndex, options);
          for (const p of problems) emit({ file, line: lineIndex + 1, ...(recordId !== undefined ? { recordId } : {}), ...p });
        }
        start = end + 1;
        lineIndex++;
      }
      if (n === 0) return;
      buffer.copyWithin(0, cut, total);
      filled = total - cut;
    }
  } finally {
    closeSync(fd);
  }
}

/** Writes diagnostics as they come: JSON as one object streamed in pieces, or text lines. */
class DiagnosticWriter {
  private buffer = '';
  private count = 0;
  constructor(private readonly format: 'text' | 'json') {
    if (format === 'json') this.buffer = '{"diagnostics":[';
  }
  write(d: Diagnostic): void {
    this.buffer += this.format === 'json' ? (this.count ? ',' : '') + JSON.stringify(toJson(d)) : renderLine(d) + '\n';
    this.count++;
    if (this.buffer.length >= 1 << 16) this.flush();
  }
  end(summary: Summary, disagreements?: readonly FileDisagreement[], renderDisagreements?: (d: readonly FileDisagreement[]) => string): void {
    if (this.format === 'json') {
      this.buffer += `],"summary":${JSON.stringify(summary)}${disagreements ? `,"disagreements":${JSON.stringify(disagreements)}` : ''}}\n`;
    } else {
      this.buffer += renderSummary(summary) + '\n' + (disagreements && renderDisagreements ? renderDisagreements(disagreements) : '');
    }
    this.flush();
  }
  private flush(): void {
    // Synchronous: the pipe or file takes each piece before the next is built.
    writeAllSync(1, this.buffer);
    this.buffer = '';
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

function renderLine(d: Diagnostic): string {
  const where = `${d.file}:${d.line}:${d.range.start.character + 1}`;
  const record = d.recordId !== undefined ? ` [${d.recordId}]` : '';
  return `${where}: ${d.severity} ${d.code}${record}: ${d.message}${d.pointer ? ` (at ${d.pointer})` : ''}`;
}

function renderSummary(s: Summary): string {
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  return `${plural(s.files, 'file')}, ${plural(s.records, 'record')}: ${plural(s.errors, 'error')}, ${plural(s.warnings, 'warning')}`;
}
