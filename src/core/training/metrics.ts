// Scores predicted Query DSL against gold: parse rate, valid-DSL rate (full engine, no errors),
// exact match after canonical normalisation, and clause-level precision/recall/F1. Used by
// `distillery eval` and by the runs view when predictions come back from a host.
import { canonicalJson, normalizeBody, validateBody, type ValidateOptions } from '../dsl';

export interface Scored {
  id: string;
  parsed: boolean;
  valid: boolean;
  exact: boolean;
  clauses: { truePositive: number; predicted: number; gold: number };
  errors: string[];
}

export interface Metrics {
  count: number;
  parseRate: number;
  validDsl: number;
  exactMatch: number;
  clausePrecision: number;
  clauseRecall: number;
  clauseF1: number;
}

/** Query types whose children are clauses of their own; everything else is a leaf clause. */
const COMPOUND: Record<string, string[]> = {
  bool: ['must', 'filter', 'should', 'must_not'],
  nested: ['query'],
  constant_score: ['filter'],
  boosting: ['positive', 'negative'],
  dis_max: ['queries'],
  function_score: ['query'],
  script_score: ['query'],
  has_child: ['query'],
  has_parent: ['query'],
};

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
const isObject = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The clauses of a body as strings: leaf queries with their role, aggregations, and other top-level keys. */
export function clausesOf(body: unknown): string[] {
  const out: string[] = [];
  const normalized = normalizeBody(body);
  if (!isObject(normalized)) return out;
  const walkQuery = (q: Json | undefined, role: string): void => {
    if (Array.isArray(q)) {
      for (const item of q) walkQuery(item, role);
      return;
    }
    if (!isObject(q)) return;
    for (const [type, params] of Object.entries(q)) {
      const children = COMPOUND[type];
      if (children && isObject(params)) {
        const rest: Record<string, Json> = {};
        for (const [k, v] of Object.entries(params)) {
          if (children.includes(k)) walkQuery(v, `${role}/${type}.${k}${type === 'nested' && typeof params['path'] === 'string' ? `(${params['path']})` : ''}`);
          else rest[k] = v;
        }
        if (Object.keys(rest).length > 0 && type !== 'nested') out.push(`${role}/${type}:${canonicalJson(rest)}`);
      } else {
        out.push(`${role}/${type}:${canonicalJson(params)}`);
      }
    }
  };
  const walkAggs = (aggs: Json | undefined, path: string): void => {
    if (!isObject(aggs)) return;
    for (const agg of Object.values(aggs)) {
      if (!isObject(agg)) continue;
      // Aggregation names are free text, so they do not count; the type, parameters and nesting do.
      const sub = agg['aggs'] ?? agg['aggregations'];
      for (const [type, params] of Object.entries(agg)) {
        if (type === 'aggs' || type === 'aggregations' || type === 'meta') continue;
        out.push(`agg${path}/${type}:${canonicalJson(params)}`);
        walkAggs(sub, `${path}/${type}`);
      }
    }
  };
  for (const [key, value] of Object.entries(normalized)) {
    if (key === 'query' || key === 'post_filter') walkQuery(value, key);
    else if (key === 'aggs' || key === 'aggregations') walkAggs(value, '');
    else out.push(`${key}:${canonicalJson(value)}`);
  }
  return out;
}

function multisetOverlap(a: string[], b: string[]): number {
  const counts = new Map<string, number>();
  for (const x of b) counts.set(x, (counts.get(x) ?? 0) + 1);
  let overlap = 0;
  for (const x of a) {
    const c = counts.get(x) ?? 0;
    if (c > 0) {
      overlap++;
      counts.set(x, c - 1);
    }
  }
  return overlap;
}

/** Parses a prediction: an object is taken as is; a string is parsed as JSON (fences and prose around it tolerated). */
export function parsePrediction(prediction: unknown): Record<string, unknown> | null {
  if (isObject(prediction)) return prediction;
  if (typeof prediction !== 'string') return null;
  const text = prediction.trim();
  const candidates = [text];
  const fenced = /```(?:json)?\s*([\s\S]*?)```/.exec(text);
  if (fenced?.[1]) candidates.push(fenced[1]);
  const first = text.indexOf('{');
  const last = text.lastIndexOf('}');
  if (first >= 0 && last > first) candidates.push(text.slice(first, last + 1));
  for (const c of candidates) {
    try {
      const v: unknown = JSON.parse(c);
      if (isObject(v)) return v;
    } catch {
      // try the next reading
    }
  }
  return null;
}

export function scoreOne(id: string, prediction: unknown, gold: unknown, options: ValidateOptions = {}): Scored {
  const parsed = parsePrediction(prediction);
  const goldClauses = clausesOf(gold);
  if (!parsed) return { id, parsed: false, valid: false, exact: false, clauses: { truePositive: 0, predicted: 0, gold: goldClauses.length }, errors: ['prediction is not a JSON object'] };
  const problems = validateBody(parsed, options).filter((p) => p.severity === 'error');
  const predicted = clausesOf(parsed);
  return {
    id,
    parsed: true,
    valid: problems.length === 0,
    exact: canonicalJson(parsed) === canonicalJson(gold),
    clauses: { truePositive: multisetOverlap(predicted, goldClauses), predicted: predicted.length, gold: goldClauses.length },
    errors: problems.map((p) => `${p.code} at ${p.pointer || '/'}: ${p.message}`),
  };
}

export function aggregate(scores: Scored[]): Metrics {
  const n = scores.length;
  const sum = (f: (s: Scored) => number) => scores.reduce((acc, s) => acc + f(s), 0);
  const tp = sum((s) => s.clauses.truePositive);
  const predicted = sum((s) => s.clauses.predicted);
  const gold = sum((s) => s.clauses.gold);
  const precision = predicted ? tp / predicted : 0;
  const recall = gold ? tp / gold : 0;
  const rate = (f: (s: Scored) => boolean) => (n ? scores.filter(f).length / n : 0);
  return {
    count: n,
    parseRate: rate((s) => s.parsed),
    validDsl: rate((s) => s.valid),
    exactMatch: rate((s) => s.exact),
    clausePrecision: precision,
    clauseRecall: recall,
    clauseF1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0,
  };
}
