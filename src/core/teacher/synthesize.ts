// Question synthesis: the teacher proposes new questions aimed at what the dataset lacks (mapped
// fields no answer uses yet, query and aggregation types not yet seen), de-duplicated against every
// question already in the dataset, and appended as `pending` records for a later generation run.
import { randomUUID } from 'node:crypto';
import type { DatasetRecord } from '../dataset/record';
import type { TeacherClient, Usage } from './client';
import { questionId, normalizeQuestion } from './generator';
import { mappingText, render } from './prompts';
import { createGenerator, type TeacherSession } from './session';

const COMMON_QUERIES = ['match', 'multi_match', 'match_phrase', 'term', 'terms', 'range', 'exists', 'bool', 'nested', 'prefix', 'wildcard', 'query_string', 'geo_distance'];
const COMMON_AGGS = ['terms', 'date_histogram', 'histogram', 'range', 'avg', 'sum', 'min', 'max', 'cardinality', 'percentiles', 'stats', 'top_hits', 'filter', 'nested'];

/** Every field path of a mappings object ("customer.full_name", "customer.full_name.keyword"). */
export function mappingFieldPaths(mapping: unknown): string[] {
  const out: string[] = [];
  const walk = (props: unknown, prefix: string) => {
    if (!props || typeof props !== 'object') return;
    for (const [name, def] of Object.entries(props as Record<string, unknown>)) {
      if (!def || typeof def !== 'object') continue;
      const path = prefix ? `${prefix}.${name}` : name;
      const d = def as Record<string, unknown>;
      if (d['type'] !== undefined || !d['properties']) out.push(path);
      walk(d['properties'], path);
      walk(d['fields'], path);
    }
  };
  if (mapping && typeof mapping === 'object') walk((mapping as Record<string, unknown>)['properties'], '');
  return out;
}

function collect(value: unknown, keys: Set<string>, strings: Set<string>): void {
  if (Array.isArray(value)) value.forEach((v) => collect(v, keys, strings));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      keys.add(k);
      collect(v, keys, strings);
    }
  } else if (typeof value === 'string') strings.add(value);
}

/** What the dataset's answers never use: mapped fields, common query types, common aggregations. */
export function coverageGaps(records: readonly DatasetRecord[], mapping: unknown): { fields: string[]; queries: string[]; aggregations: string[] } {
  const keys = new Set<string>();
  const strings = new Set<string>();
  const aggKinds = new Set<string>();
  for (const r of records) {
    if (!r.dsl) continue;
    collect(r.dsl, keys, strings);
    const aggs = (r.dsl['aggs'] ?? r.dsl['aggregations']) as Record<string, unknown> | undefined;
    const walkAggs = (a: unknown) => {
      if (!a || typeof a !== 'object') return;
      for (const def of Object.values(a as Record<string, unknown>)) {
        if (!def || typeof def !== 'object') continue;
        for (const [k, v] of Object.entries(def as Record<string, unknown>)) {
          if (k === 'aggs' || k === 'aggregations') walkAggs(v);
          else aggKinds.add(k);
        }
      }
    };
    walkAggs(aggs);
  }
  return {
    fields: mappingFieldPaths(mapping).filter((f) => !keys.has(f) && !strings.has(f)),
    queries: COMMON_QUERIES.filter((q) => !keys.has(q)),
    aggregations: COMMON_AGGS.filter((a) => !aggKinds.has(a)),
  };
}

/**
 * Whether a proposed line reads as a question: letters, at least two words, not a preamble
 * ("Here are 5 questions:"), a heading, markup, a code fence or a JSON fragment.
 */
export function looksLikeQuestion(line: string): boolean {
  if (line.length < 4 || line.length > 300) return false;
  if (/^(?:#|```|[{}[\]<>|]|\*\*)/.test(line) || /[:]$/.test(line)) return false;
  if (!/\p{L}/u.test(line) || line.split(/\s+/).length < 2) return false;
  return !/^(?:here (?:are|is)|sure\b|certainly\b|okay\b|of course\b|i (?:hope|can)\b)/i.test(line);
}

/** Lines of a reply as questions: bullets, numbering and quotes removed; a JSON array is accepted too. */
export function parseQuestionList(text: string): string[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    try {
      const v = JSON.parse(trimmed) as unknown;
      if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string').map((s) => s.trim()).filter(Boolean);
    } catch {
      // not JSON: read it line by line
    }
  }
  return trimmed
    .split(/\r?\n/)
    .map((l) => l.trim().replace(/^(?:[-*•]|\d+[.)])\s+/, '').replace(/^["“'](.*)["”']$/, '$1').trim())
    .filter((l) => l.length >= 4 && !/^```/.test(l));
}

export interface SynthesisResult {
  added: DatasetRecord[];
  duplicates: number;
  /** Lines of the reply that are not questions (preambles, headings, markup), dropped. */
  discarded: number;
  usage: Usage;
  costUsd: number;
}

export async function synthesizeQuestions(
  session: TeacherSession,
  client: TeacherClient,
  opts: { count: number; seeds?: string[]; signal?: AbortSignal | undefined },
): Promise<SynthesisResult> {
  const records = session.dataset.records();
  const seeds = [...(opts.seeds ?? []), ...records.map((r) => r.question)].filter(Boolean);
  const gaps = coverageGaps(records, session.mapping);
  const gapText = [
    gaps.fields.length ? `Fields no question uses yet: ${gaps.fields.slice(0, 40).join(', ')}` : '',
    gaps.queries.length ? `Query types not yet used: ${gaps.queries.join(', ')}` : '',
    gaps.aggregations.length ? `Aggregations not yet used: ${gaps.aggregations.join(', ')}` : '',
  ]
    .filter(Boolean)
    .join('\n') || '(nothing obvious: add variety)';
  const prompt = render(session.templates.synthesize, {
    mapping: mappingText(session.mapping),
    examples: seeds.length ? seeds.slice(0, 30).map((q) => `- ${q}`).join('\n') : '(none yet)',
    gaps: gapText,
    count: String(opts.count),
  });
  const generator = createGenerator(session, client, opts.signal ? { abortSignal: opts.signal } : {});
  // A fresh sample id: asking again should give new questions, not the cached ones.
  const response = await generator.request([{ role: 'user', content: prompt }], Number.parseInt(randomUUID().slice(0, 8), 16));
  const known = new Set(records.map((r) => normalizeQuestion(r.question)));
  const taken = new Set(records.map((r) => r.id));
  const added: DatasetRecord[] = [];
  let duplicates = 0;
  const now = new Date().toISOString();
  const lines = parseQuestionList(response.content ?? '');
  const proposals = lines.filter(looksLikeQuestion);
  const discarded = lines.length - proposals.length;
  for (const q of proposals) {
    const key = normalizeQuestion(q);
    if (known.has(key)) {
      duplicates++;
      continue;
    }
    if (added.length >= opts.count) break;
    known.add(key);
    const id = questionId(q, taken);
    taken.add(id);
    added.push({ id, question: q, rationale: null, dsl: null, status: 'pending', source: { kind: 'teacher', model: session.settings.model }, notes: 'synthesized question', updatedAt: now });
  }
  if (added.length) {
    const share = Math.round((response.costUsd / added.length) * 1e6) / 1e6;
    for (const r of added) r.source = { ...r.source!, costUsd: share };
  }
  await session.dataset.append(added);
  return { added, duplicates, discarded, usage: response.usage, costUsd: response.costUsd };
}
