// What "Run" sends and where the cluster's answer lands, without VS Code (unit-tested): the body of
// a .querydsl document or of one dataset line's `dsl`, the result view's model built from the
// cluster's response, and the range a cluster-rejected problem underlines.
import { problemRange, type Range } from '../../core/dsl';
import { aggregationTables, fieldsTouched, hitsTable, responseSummary, type ClusterProblem, type SearchResponse } from '../../core/elasticsearch';
import type { QueryResult } from '../../shared/query-results-protocol';

/** One body to run: its text and where it sits in the document. */
export interface RunTarget {
  body: Record<string, unknown>;
  /** 0-based line the located text starts on (a dataset line's index; 0 for a .querydsl file). */
  baseLine: number;
  /** The text the pointers are resolved in: the whole .querydsl document, or the one dataset line. */
  text: string;
  /** Pointer prefix of the body inside `text` ('' for a .querydsl body, '/dsl' on a dataset line). */
  pointerPrefix: string;
  /** What the result view names as the source ("demo.querydsl", "dataset.dss.jsonl: ord-0007"). */
  label: string;
}

export class RunTargetError extends Error {}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A .querydsl document's body: one JSON object. */
export function queryDslTarget(text: string, fileLabel: string): RunTarget {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    throw new RunTargetError(`${fileLabel} is not valid JSON (${(e as Error).message}); fix the syntax the Problems view shows, then run again`);
  }
  if (!isObject(body)) throw new RunTargetError(`${fileLabel} holds ${Array.isArray(body) ? 'an array' : typeof body}; a search body is one JSON object such as {"query": {"match_all": {}}}`);
  return { body, baseLine: 0, text, pointerPrefix: '', label: fileLabel };
}

/** The `dsl` of the dataset record on `line` (0-based) of a *.dss.jsonl text. */
export function datasetLineTarget(documentText: string, line: number, fileLabel: string): RunTarget {
  const lineText = documentText.split('\n')[line]?.replace(/\r$/, '') ?? '';
  if (lineText.trim() === '') throw new RunTargetError(`line ${line + 1} of ${fileLabel} is empty; put the cursor on a record's line to run its dsl`);
  let record: unknown;
  try {
    record = JSON.parse(lineText);
  } catch (e) {
    throw new RunTargetError(`line ${line + 1} of ${fileLabel} is not valid JSON (${(e as Error).message}); fix it, then run again`);
  }
  const dsl = isObject(record) ? record['dsl'] : undefined;
  if (!isObject(dsl)) throw new RunTargetError(`the record on line ${line + 1} of ${fileLabel} has no "dsl" object to run${isObject(record) && record['status'] === 'pending' ? ' (it is still pending: generate or write its query first)' : ''}`);
  const id = isObject(record) && typeof record['id'] === 'string' ? record['id'] : `line ${line + 1}`;
  return { body: dsl, baseLine: line, text: lineText, pointerPrefix: '/dsl', label: `${fileLabel}: ${id}` };
}

/** The 0-based lines of a dataset text that hold a record with a `dsl` object (where CodeLenses go). */
export function runnableDatasetLines(documentText: string): number[] {
  const out: number[] = [];
  documentText.split('\n').forEach((raw, i) => {
    // Cheap pre-check before parsing: most lines of a large dataset are parsed only when they can hold a dsl.
    if (!raw.includes('"dsl"')) return;
    try {
      const r = JSON.parse(raw) as unknown;
      if (isObject(r) && isObject(r['dsl'])) out.push(i);
    } catch {
      /* the language server reports the line */
    }
  });
  return out;
}

/** Where a cluster-rejected problem goes in the document: the key or value its pointer names. */
export function clusterProblemRange(target: RunTarget, problem: ClusterProblem): Range {
  const r = problemRange(target.text, target.pointerPrefix + problem.pointer, problem.onKey);
  return { start: { line: r.start.line + target.baseLine, character: r.start.character }, end: { line: r.end.line + target.baseLine, character: r.end.character } };
}

export interface RunPlace {
  cluster: string;
  index: string;
  source: string;
}

/** The result view's model of a response: summary, the hits table of the fields the body touches, aggregation tables. */
export function resultView(place: RunPlace, body: unknown, response: SearchResponse): QueryResult {
  const summary = responseSummary(response);
  const hits = hitsTable(response, fieldsTouched(body));
  const tables = [...(hits.rows.length ? [hits] : []), ...aggregationTables(response)];
  return { kind: 'result', ...place, ...summary, tables };
}
