// Validation passes and their scheduling. A pass of a dataset validates only the lines without a
// result (see documents.ts) and reuses the rest; a pass of a querydsl body validates the body.
//
// Scheduling is a leading-edge throttle rather than a plain debounce: the first edit after a quiet
// period is validated on the next turn of the event loop (an incremental dataset pass costs about
// as much as one line), and edits that follow within `throttleMs` of the last pass are coalesced
// into one pass at the end of that window. A pass over a large document yields to the event loop
// every ~30 ms so completion and hover stay answered while a 50,000-line file is first validated.
import { performance } from 'node:perf_hooks';
import { DiagnosticSeverity, DiagnosticTag, type Diagnostic } from 'vscode-languageserver';
import type { PositionedProblem } from '../core/dsl';
import { validateDatasetLineTolerant, validateTolerant } from './tolerant-validation';
import { CLEAN_LINE, DatasetDocument, problemCount, type LineResult, type OpenDocument, type QueryDslDocument } from './documents';
import type { DocumentSettings, SettingsResolver } from './settings';

export const DIAGNOSTIC_SOURCE = 'distillery';
const SLICE_MS = 30;

/** The quick fix a diagnostic carries in `data` (from the engine's did-you-mean suggestion). */
export interface DiagnosticFix {
  readonly kind: 'renameKey' | 'replaceValue';
  readonly replacement: string;
}

export function fixOf(diagnostic: Diagnostic): DiagnosticFix | undefined {
  const data: unknown = diagnostic.data;
  if (data === null || typeof data !== 'object') return undefined;
  const fix = (data as Record<string, unknown>)['fix'];
  if (fix === null || typeof fix !== 'object') return undefined;
  const f = fix as Record<string, unknown>;
  if ((f['kind'] === 'renameKey' || f['kind'] === 'replaceValue') && typeof f['replacement'] === 'string') {
    return { kind: f['kind'], replacement: f['replacement'] };
  }
  return undefined;
}

const SEVERITY: Record<string, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
};

export function toDiagnostic(p: PositionedProblem): Diagnostic {
  const d: Diagnostic = {
    range: p.range,
    severity: SEVERITY[p.severity] ?? DiagnosticSeverity.Error,
    code: p.code,
    source: DIAGNOSTIC_SOURCE,
    message: p.message,
  };
  if (p.code.includes('deprecated')) d.tags = [DiagnosticTag.Deprecated];
  if (p.fix) d.data = { fix: p.fix };
  return d;
}

export interface ValidationHost {
  readonly settings: SettingsResolver;
  /** The document now open under `uri`, if it still is. */
  document(uri: string): OpenDocument | undefined;
  publish(uri: string, version: number, diagnostics: Diagnostic[]): void;
  /** A bug in the engine; the pass goes on without the line. */
  reportBug(message: string, error: unknown): void;
}

export class ValidationScheduler {
  private readonly timers = new Map<string, { cancel(): void }>();
  private readonly running = new Set<string>();
  private readonly rerun = new Set<string>();
  private readonly lastPassEnd = new Map<string, number>();

  constructor(
    private readonly host: ValidationHost,
    private readonly throttleMs: number,
  ) {}

  schedule(uri: string): void {
    if (this.running.has(uri)) {
      this.rerun.add(uri);
      return;
    }
    if (this.timers.has(uri)) return; // the pending pass will see the newest text
    const since = performance.now() - (this.lastPassEnd.get(uri) ?? Number.NEGATIVE_INFINITY);
    const wait = since >= this.throttleMs ? 0 : this.throttleMs - since;
    const run = (): void => {
      this.timers.delete(uri);
      void this.run(uri);
    };
    if (wait === 0) {
      const handle = setImmediate(run);
      this.timers.set(uri, { cancel: () => clearImmediate(handle) });
    } else {
      const handle = setTimeout(run, wait);
      this.timers.set(uri, { cancel: () => clearTimeout(handle) });
    }
  }

  forget(uri: string): void {
    this.timers.get(uri)?.cancel();
    this.timers.delete(uri);
    this.rerun.delete(uri);
    this.lastPassEnd.delete(uri);
  }

  private async run(uri: string): Promise<void> {
    const doc = this.host.document(uri);
    if (!doc) return;
    this.running.add(uri);
    const started = performance.now();
    try {
      const settings = await this.host.settings.get(uri);
      if (this.host.document(uri) !== doc) return;
      if (doc.settings !== settings) {
        if (doc instanceof DatasetDocument) doc.invalidate();
        doc.settings = settings;
      }
      const finished = doc instanceof DatasetDocument ? await this.passDataset(doc, settings) : this.passQueryDsl(doc, settings);
      if (finished) {
        doc.published = finished;
        doc.counters.validatedVersion = doc.version;
        doc.counters.diagnostics = finished.length;
        doc.counters.passes++;
        this.host.publish(uri, doc.version, finished);
        doc.counters.lastPassMs = performance.now() - started;
      }
    } catch (e) {
      this.host.reportBug(`validation of ${uri} failed`, e);
    } finally {
      this.running.delete(uri);
      this.lastPassEnd.set(uri, performance.now());
      if (this.rerun.delete(uri) && this.host.document(uri)) this.schedule(uri);
    }
  }

  private passQueryDsl(doc: QueryDslDocument, settings: DocumentSettings): Diagnostic[] {
    let diagnostics: Diagnostic[];
    try {
      diagnostics = capDiagnostics(validateTolerant(withoutBom(doc.text), settings.options).map(toDiagnostic));
    } catch (e) {
      this.host.reportBug(`validating ${doc.uri} threw`, e);
      diagnostics = [];
    }
    doc.counters.lastPassValidated = 1;
    doc.counters.lastPassReused = 0;
    doc.counters.totalValidated++;
    return diagnostics;
  }

  /** Returns the diagnostics, or undefined when the document was closed meanwhile. */
  private async passDataset(doc: DatasetDocument, settings: DocumentSettings): Promise<Diagnostic[] | undefined> {
    let validated = 0;
    let sliceStart = performance.now();
    // Problems on the lines before line i: a line whose problems end within the first
    // KEPT_PROBLEMS keeps its diagnostics (it is published, or close to it); later lines keep only
    // their count.
    let before = 0;
    for (let i = 0; i < doc.lines.length; i++) {
      const known = doc.results[i];
      if (known !== undefined) {
        before += problemCount(known);
        continue;
      }
      const text = doc.lines[i] as string;
      let result: LineResult | undefined = doc.byText.get(text);
      if (result === undefined) {
        result = this.validateLine(doc.uri, text, settings, KEPT_PROBLEMS - before);
        validated++;
        doc.remember(text, result);
        if ((validated & 63) === 0 && performance.now() - sliceStart > SLICE_MS) {
          doc.results[i] = result;
          const version = doc.version;
          await new Promise<void>((resolve) => setImmediate(resolve));
          if (this.host.document(doc.uri) !== doc) return undefined;
          if (doc.version !== version) {
            i = -1; // lines moved: rescan; validated lines are skipped
            before = 0;
          } else before += problemCount(result);
          sliceStart = performance.now();
          continue;
        }
      }
      doc.results[i] = result;
      before += problemCount(result);
    }
    const published = this.collectDiagnostics(doc, settings);
    validated += published.revalidated;
    doc.counters.lastPassValidated = validated;
    doc.counters.lastPassReused = doc.lines.length - validated;
    doc.counters.totalValidated += validated;
    return published.diagnostics;
  }

  /**
   * The first MAX_PUBLISHED problems of a dataset, shifted from line 0 to their line, and a count
   * of the rest. A line in this window that kept only its count (it was past KEPT_PROBLEMS when it
   * was validated) is validated again; a line whose problems reach past KEPT_PROBLEMS drops its
   * diagnostics for a count, so at most KEPT_PROBLEMS diagnostics are held per document whatever
   * its size.
   */
  private collectDiagnostics(doc: DatasetDocument, settings: DocumentSettings): { diagnostics: Diagnostic[]; revalidated: number } {
    const out: Diagnostic[] = [];
    let more = 0;
    let revalidated = 0;
    let before = 0;
    const { results } = doc;
    for (let line = 0; line < results.length; line++) {
      const r = results[line];
      if (r === undefined || r === 0) continue;
      const count = problemCount(r);
      before += count;
      if (more > 0 || out.length + count > MAX_PUBLISHED) {
        more += count;
        if (typeof r !== 'number' && before > KEPT_PROBLEMS) results[line] = count;
        continue;
      }
      let diagnostics = r;
      if (typeof diagnostics === 'number') {
        diagnostics = this.validateLine(doc.uri, doc.lines[line] as string, settings, Infinity);
        revalidated++;
        results[line] = diagnostics;
        if (problemCount(diagnostics) !== count) doc.byText.set(doc.lines[line] as string, problemCount(diagnostics));
        if (typeof diagnostics === 'number') continue; // only after an engine bug (reported)
      }
      for (const d of diagnostics) {
        out.push({
          ...d,
          range: {
            start: { line: line + d.range.start.line, character: d.range.start.character },
            end: { line: line + d.range.end.line, character: d.range.end.character },
          },
        });
      }
    }
    if (more > 0) out.push(leftOut(more));
    return { diagnostics: out, revalidated };
  }

  /** A line's diagnostics, or only their count when there are more than `keepUpTo`. */
  private validateLine(uri: string, text: string, settings: DocumentSettings, keepUpTo: number): LineResult {
    try {
      const problems = validateDatasetLineTolerant(withoutBom(text), settings.options);
      if (problems.length === 0) return CLEAN_LINE;
      return problems.length <= keepUpTo ? problems.map(toDiagnostic) : problems.length;
    } catch (e) {
      this.host.reportBug(`validating a line of ${uri} threw`, e);
      return CLEAN_LINE;
    }
  }
}

/**
 * A leading byte-order mark becomes a space: the CLI accepts it, and a space keeps every
 * position where it was (removing it would shift the first line's columns by one).
 */
function withoutBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? ' ' + text.slice(1) : text;
}

/**
 * VS Code shows a few hundred problems per file at most; a dataset with a million of them cost
 * the server gigabytes to hold and send. The first MAX_PUBLISHED are published, then one line
 * says how many more there are and how to see them.
 */
export const MAX_PUBLISHED = 1000;

/**
 * A dataset line keeps its diagnostics while its problems and those of the lines before it number
 * no more than this; past it, only a count (documents.ts). The margin over MAX_PUBLISHED means an edit that moves
 * the window by a few problems (a line inserted or removed above) reuses the lines it uncovers
 * instead of validating them again.
 */
const KEPT_PROBLEMS = 2 * MAX_PUBLISHED;

function leftOut(count: number): Diagnostic {
  return {
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    severity: DiagnosticSeverity.Information,
    source: 'distillery',
    code: 'more-problems',
    message: `${count.toLocaleString('en-US')} more problem(s) in this file are not shown (the first ${MAX_PUBLISHED} are); run \`distillery validate\` on it to list them all`,
  };
}

function capDiagnostics(all: Diagnostic[]): Diagnostic[] {
  return all.length <= MAX_PUBLISHED ? all : [...all.slice(0, MAX_PUBLISHED), leftOut(all.length - MAX_PUBLISHED)];
}
