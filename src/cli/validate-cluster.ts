// `distillery validate --cluster C`: asks the cluster about every body (code cluster-rejected) and
// lists where it and the static validator disagree, both ways; that list is how the validator's
// tables get corrected (docs/elasticsearch.md).
import { problemRange, type PositionedProblem } from '../core/dsl';
import { disagreements, validateOnCluster, type ClusterProblem, type Disagreement, type SearchBody } from '../core/elasticsearch';
import { openCluster, withClusterErrors } from './cluster';

/** A diagnostic as `distillery validate` prints it. */
export interface FileDiagnostic extends PositionedProblem {
  file: string;
  line: number;
  recordId?: string;
}

export interface FileDisagreement extends Disagreement {
  file: string;
  line: number;
  recordId?: string;
}

interface Target {
  file: string;
  /** 1-based line of the record (datasets) or 1 (body files). */
  line: number;
  recordId?: string;
  body: SearchBody;
  /** Text the pointer is positioned in, and the line it starts on (0-based), and the pointer prefix. */
  text: string;
  baseLine: number;
  prefix: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function targetsOf(file: string, text: string, dataset: boolean): Target[] {
  if (!dataset) {
    try {
      const body: unknown = JSON.parse(text);
      return isObject(body) ? [{ file, line: 1, body, text, baseLine: 0, prefix: '' }] : [];
    } catch {
      return []; // json-syntax is already reported
    }
  }
  const out: Target[] = [];
  text.split('\n').forEach((raw, i) => {
    const lineText = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (!lineText.trim()) return;
    try {
      const record: unknown = JSON.parse(lineText);
      if (isObject(record) && isObject(record['dsl'])) {
        out.push({ file, line: i + 1, ...(typeof record['id'] === 'string' ? { recordId: record['id'] } : {}), body: record['dsl'], text: lineText, baseLine: i, prefix: '/dsl' });
      }
    } catch {
      // reported by the static pass
    }
  });
  return out;
}

export async function clusterDiagnostics(
  spec: string,
  index: string | undefined,
  files: readonly { file: string; text: string; dataset: boolean }[],
  staticDiagnostics: readonly FileDiagnostic[],
  concurrency = 4,
): Promise<{ diagnostics: FileDiagnostic[]; disagreements: FileDisagreement[] }> {
  const targets = files.flatMap((f) => targetsOf(f.file, f.text, f.dataset));
  const { cluster, index: chosen } = await openCluster(spec, index, files[0]?.file);
  const found: ClusterProblem[][] = new Array(targets.length);
  try {
    let next = 0;
    const worker = async () => {
      while (next < targets.length) {
        const i = next++;
        found[i] = await withClusterErrors(() => validateOnCluster(cluster, chosen, targets[i]!.body));
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, targets.length) }, worker));
  } finally {
    await cluster.close();
  }
  const diagnostics: FileDiagnostic[] = [];
  const disagreed: FileDisagreement[] = [];
  targets.forEach((t, i) => {
    const problems = found[i]!.map(({ onKey, ...p }) => ({ ...p, onKey, pointer: t.prefix + p.pointer }));
    for (const { onKey, ...p } of problems) {
      const range = problemRange(t.text, p.pointer, onKey);
      const shifted = { start: { line: range.start.line + t.baseLine, character: range.start.character }, end: { line: range.end.line + t.baseLine, character: range.end.character } };
      diagnostics.push({ file: t.file, line: shifted.start.line + 1, ...(t.recordId !== undefined ? { recordId: t.recordId } : {}), ...p, range: shifted });
    }
    const staticHere = staticDiagnostics.filter((d) => d.file === t.file && (t.prefix === '' || d.line === t.line) && d.pointer.startsWith(t.prefix));
    for (const d of disagreements(staticHere, problems)) disagreed.push({ file: t.file, line: t.line, ...(t.recordId !== undefined ? { recordId: t.recordId } : {}), ...d });
  });
  return { diagnostics, disagreements: disagreed };
}

export function renderDisagreements(list: readonly FileDisagreement[]): string {
  if (list.length === 0) return 'the static validator and the cluster agree on every body\n';
  const staticOnly = list.filter((d) => d.kind === 'static-only');
  const clusterOnly = list.filter((d) => d.kind === 'cluster-only');
  const line = (d: FileDisagreement) => `  ${d.file}:${d.line}${d.recordId ? ` [${d.recordId}]` : ''} ${d.pointer || '/'}: ${d.message}`;
  return [
    `the static validator and the cluster disagree on ${new Set(list.map((d) => `${d.file}:${d.line}`)).size} body/bodies:`,
    ...(staticOnly.length ? [`static validator reports an error, the cluster accepts (${staticOnly.length}):`, ...staticOnly.map(line)] : []),
    ...(clusterOnly.length ? [`the cluster rejects, the static validator finds no error (${clusterOnly.length}):`, ...clusterOnly.map(line)] : []),
  ].join('\n') + '\n';
}
