// Grounded teacher prompts (issue 11): before a run, real values are sampled once from a cluster
// (top terms of keyword fields, min/max of numeric and date fields, through ReadOnlyCluster so the
// allow-list and search guards apply) and cached next to the response cache; optionally the cluster
// also judges every answer the static checks accept, and its rejection drives a repair round.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseMapping } from '../dsl';
import { ClusterError, renderFieldSamples, sampleFieldValues, validateOnCluster, type ReadOnlyCluster } from '../elasticsearch';
import { canonicalJson } from './dsl-checks';
import { promptHash } from './prompts';
import type { TeacherSession } from './session';

export interface GroundingInput {
  cluster: ReadOnlyCluster;
  index: string;
  maxFields: number;
  maxValues: number;
  cacheTtlMinutes: number;
}

export interface Grounding {
  /** The prompt text (one line per field); empty when the index has no sampleable values. */
  fieldValues: string;
  fields: number;
  /** The samples came from the on-disk cache (no aggregation was sent). */
  cached: boolean;
  /** Where the samples are cached. */
  cacheFile: string;
}

/** The mappings object of the first index the cluster's `GET <index>/_mapping` names. */
async function clusterMapping(cluster: ReadOnlyCluster, index: string): Promise<unknown> {
  const all = await cluster.mapping(index);
  return Object.values(all)[0]?.mappings ?? {};
}

/**
 * Samples the index (or reuses the cache) and puts the values into the session: its prompt hash
 * changes with them, so records answered without grounding (or with other values) are redone.
 * The mapping sampled is the session's (distillery.json / --mapping), else the cluster's own.
 * Throws ClusterError when the cluster cannot be reached or refuses.
 */
export async function groundSession(session: TeacherSession, input: GroundingInput): Promise<Grounding> {
  const mapping = session.mapping ?? (await clusterMapping(input.cluster, input.index));
  const c = input.cluster.cluster;
  // The cache file is named by everything that decides the samples except the data itself; the
  // document count (checked inside sampleFieldValues) and the TTL cover changing data.
  const key = createHash('sha256')
    .update(canonicalJson({ cluster: c.url ?? c.cloudId ?? c.name, index: input.index, mapping: mapping ?? null, maxFields: input.maxFields, maxValues: input.maxValues }))
    .digest('hex')
    .slice(0, 24);
  const dir = join(session.stateDir, 'grounding');
  mkdirSync(dir, { recursive: true });
  const cacheFile = join(dir, `${key}.json`);
  const before = readIfThere(cacheFile);
  const samples = await sampleFieldValues(input.cluster, input.index, parseMapping(mapping ?? {}), {
    maxFields: input.maxFields,
    terms: input.maxValues,
    cacheFile,
    maxAgeMs: input.cacheTtlMinutes * 60_000,
  });
  const fieldValues = renderFieldSamples(samples);
  session.fieldValues = fieldValues || undefined;
  session.promptHash = promptHash(session.templates, session.settings.model, session.mapping, session.fieldValues);
  return { fieldValues, fields: samples.length, cached: before !== undefined && before === readIfThere(cacheFile), cacheFile };
}

/**
 * The cluster's verdict for the generator (teacher.clusterRepair): `_validate/query` and a size-0
 * search, each rejection as "pointer: deepest reason". When the cluster itself fails (down, auth),
 * the check says so once through `onLog` and is switched off for the rest of the run: the answers
 * still get the static checks, and a cluster outage must not cost teacher requests.
 */
export function clusterCheck(cluster: ReadOnlyCluster, index: string, onLog?: (line: string) => void): (dsl: Record<string, unknown>) => Promise<string[]> {
  let off = false;
  return async (dsl) => {
    if (off) return [];
    try {
      const problems = await validateOnCluster(cluster, index, dsl);
      return problems.map((p) => `${p.pointer || '/'}: ${p.message}`);
    } catch (e) {
      if (!(e instanceof ClusterError)) throw e;
      off = true;
      onLog?.(`cluster check off for the rest of this run: ${e.message}`);
      return [];
    }
  };
}

function readIfThere(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
