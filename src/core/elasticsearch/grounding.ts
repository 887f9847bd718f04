// Grounded teacher prompts (optional, issue 11): real values from the cluster for the prompt, so the
// teacher writes `term: {status: "shipped"}` rather than a guessed "SHIPPED". One size-0 search
// samples the top terms of keyword fields and the min/max of numeric and date fields, capped in
// fields and terms, and cached on disk (keyed by cluster, index and document count) so a generation
// run asks the cluster once. Used by src/core/teacher/grounding.ts (docs/teacher.md, "Grounded prompts").
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { IndexMapping } from '../dsl';
import type { ReadOnlyCluster } from './read-only-cluster';

export interface FieldSample {
  field: string;
  type: string;
  /** Keyword (and boolean) fields: the most frequent values with their document counts. */
  topTerms?: { value: string; count: number }[];
  /** Numeric and date fields: the range the data spans (dates as the cluster formats them). */
  min?: number | string;
  max?: number | string;
}

export interface GroundingOptions {
  /** Most fields sampled (default 40), in mapping order. */
  maxFields?: number;
  /** Top terms per keyword field (default 5). */
  terms?: number;
  /** Cache file; reused while cluster, index and document count are the same and it is younger than maxAgeMs. */
  cacheFile?: string;
  maxAgeMs?: number;
}

const NUMERIC = new Set(['long', 'integer', 'short', 'byte', 'double', 'float', 'half_float', 'scaled_float', 'unsigned_long']);
const isNumericType = (t: string) => NUMERIC.has(t);
const isDateType = (t: string) => t === 'date' || t === 'date_nanos';

type Agg = { buckets?: { key: string | number; key_as_string?: string; doc_count: number }[]; value?: number | null; value_as_string?: string };

export async function sampleFieldValues(cluster: ReadOnlyCluster, index: string, mapping: IndexMapping, options: GroundingOptions = {}): Promise<FieldSample[]> {
  const documents = await cluster.count(index);
  const key = `${cluster.cluster.url ?? cluster.cluster.cloudId}\n${index}\n${documents}`;
  const maxAge = options.maxAgeMs ?? 3_600_000;
  if (options.cacheFile && existsSync(options.cacheFile)) {
    try {
      const cached = JSON.parse(readFileSync(options.cacheFile, 'utf8')) as { key?: string; at?: number; samples?: FieldSample[] };
      if (cached.key === key && typeof cached.at === 'number' && Date.now() - cached.at < maxAge && Array.isArray(cached.samples)) return cached.samples;
    } catch {
      // an unreadable cache is simply rebuilt
    }
  }
  const fields = [...mapping.fields.values()]
    .filter((f) => !f.path.startsWith('_') && f.nestedParent === undefined && (f.type === 'keyword' || f.type === 'boolean' || isNumericType(f.type) || isDateType(f.type)))
    .slice(0, options.maxFields ?? 40);
  const aggs: Record<string, unknown> = {};
  fields.forEach((f, i) => {
    if (f.type === 'keyword' || f.type === 'boolean') aggs[`t${i}`] = { terms: { field: f.path, size: options.terms ?? 5 } };
    else {
      aggs[`min${i}`] = { min: { field: f.path } };
      aggs[`max${i}`] = { max: { field: f.path } };
    }
  });
  const samples: FieldSample[] = [];
  if (fields.length > 0) {
    const response = await cluster.search(index, { size: 0, aggs });
    const got = (response.aggregations ?? {}) as Record<string, Agg>;
    fields.forEach((f, i) => {
      const sample: FieldSample = { field: f.path, type: f.type };
      const terms = got[`t${i}`];
      if (terms?.buckets) sample.topTerms = terms.buckets.map((b) => ({ value: b.key_as_string ?? String(b.key), count: b.doc_count }));
      const pick = (a: Agg | undefined) => (a === undefined || a.value === null || a.value === undefined ? undefined : isDateType(f.type) ? a.value_as_string ?? a.value : a.value);
      const min = pick(got[`min${i}`]);
      const max = pick(got[`max${i}`]);
      if (min !== undefined) sample.min = min;
      if (max !== undefined) sample.max = max;
      if (sample.topTerms?.length || sample.min !== undefined) samples.push(sample);
    });
  }
  if (options.cacheFile) writeFileSync(options.cacheFile, JSON.stringify({ key, at: Date.now(), samples }) + '\n');
  return samples;
}

/** The samples as prompt text, one line per field, cut at `maxChars`. */
export function renderFieldSamples(samples: readonly FieldSample[], maxChars = 4000): string {
  const lines: string[] = [];
  let length = 0;
  for (const s of samples) {
    const values = s.topTerms ? s.topTerms.map((t) => `${JSON.stringify(t.value)} (${t.count})`).join(', ') : `${s.min} … ${s.max}`;
    const line = `- ${s.field} (${s.type}): ${values}`;
    if (length + line.length + 1 > maxChars) break;
    lines.push(line);
    length += line.length + 1;
  }
  return lines.join('\n');
}
