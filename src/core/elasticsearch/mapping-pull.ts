// `mapping pull`: the cluster's mapping written as the file the validator reads, with the field
// capabilities beside it, and drift: which accepted dataset records a changed mapping breaks.
import { parseMapping, validateBody, type IndexMapping, type ValidateOptions } from '../dsl';
import type { ReadOnlyCluster } from './read-only-cluster';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
const isObject = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** One field as `_field_caps` sees it: its type for searches (aliases resolved, runtime fields included). */
export interface FieldCapability {
  type: string;
  searchable: boolean;
  aggregatable: boolean;
  /** Present when indices disagree: every type the field has across them. */
  conflictingTypes?: string[];
}

/**
 * The mapping file: a create-index body `{"mappings": {…}}` (one of the shapes loadMappingFile
 * reads) plus `"_distillery": {"pulledFrom", "fieldCaps"}`, a key the mapping reader skips.
 * Several indices (a pattern or alias) are merged, the first definition of a field winning.
 */
export interface PulledMappingFile {
  mappings: Record<string, Json>;
  _distillery: { pulledFrom: { cluster: string; index: string; indices: string[] }; fieldCaps: Record<string, FieldCapability> };
}

export async function pullMapping(cluster: ReadOnlyCluster, index: string): Promise<PulledMappingFile> {
  const [mapping, caps] = await Promise.all([cluster.mapping(index), cluster.fieldCaps(index)]);
  const indices = Object.keys(mapping).sort();
  return { mappings: mergeMappings(indices.map((i) => mapping[i]!.mappings as Record<string, Json>)), _distillery: { pulledFrom: { cluster: cluster.name, index, indices }, fieldCaps: compactFieldCaps(caps.fields as unknown as Record<string, Record<string, { type: string; searchable: boolean; aggregatable: boolean }>>) } };
}

function mergeMappings(all: Record<string, Json>[]): Record<string, Json> {
  if (all.length === 1) return all[0]!;
  const merged: Record<string, Json> = { ...(all[0] ?? {}) };
  for (const key of ['properties', 'runtime']) {
    const into: Record<string, Json> = {};
    for (const m of [...all].reverse()) if (isObject(m[key])) Object.assign(into, m[key]);
    if (Object.keys(into).length) merged[key] = into;
  }
  return merged;
}

function compactFieldCaps(fields: Record<string, Record<string, { type: string; searchable: boolean; aggregatable: boolean }>>): Record<string, FieldCapability> {
  const out: Record<string, FieldCapability> = {};
  for (const name of Object.keys(fields).sort()) {
    if (name.startsWith('_')) continue;
    const byType = Object.values(fields[name]!).filter((c) => c.type !== 'unmapped');
    if (byType.length === 0 || byType[0]!.type === 'object' || byType[0]!.type === 'nested') continue;
    const first = byType[0]!;
    out[name] = { type: first.type, searchable: byType.every((c) => c.searchable), aggregatable: byType.every((c) => c.aggregatable) };
    if (byType.length > 1) out[name].conflictingTypes = byType.map((c) => c.type);
  }
  return out;
}

export interface MappingDiff {
  added: { path: string; type: string }[];
  removed: { path: string; type: string }[];
  changed: { path: string; from: string; to: string }[];
}

export function diffMappings(before: IndexMapping, after: IndexMapping): MappingDiff {
  const diff: MappingDiff = { added: [], removed: [], changed: [] };
  for (const [path, f] of after.fields) {
    const old = before.fields.get(path);
    if (!old) diff.added.push({ path, type: f.type });
    else if (old.type !== f.type || old.aliasOf !== f.aliasOf) diff.changed.push({ path, from: old.type + (old.aliasOf ? `→${old.aliasOf}` : ''), to: f.type + (f.aliasOf ? `→${f.aliasOf}` : '') });
  }
  for (const [path, f] of before.fields) if (!after.fields.has(path)) diff.removed.push({ path, type: f.type });
  const byPath = (a: { path: string }, b: { path: string }) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  diff.added.sort(byPath);
  diff.removed.sort(byPath);
  diff.changed.sort(byPath);
  return diff;
}

export function mappingChanged(d: MappingDiff): boolean {
  return d.added.length + d.removed.length + d.changed.length > 0;
}

export interface BrokenRecord {
  id: string;
  /** 1-based line in the dataset file. */
  line: number;
  /** Problems the new mapping raises that the old one did not ("code at pointer: message"). */
  problems: string[];
}

/**
 * Accepted records of a dataset that validate worse under `after` than under `before`. Unknown
 * fields count as errors here: a field that vanished from the mapping breaks the record that uses it.
 */
export function recordsBrokenByMapping(datasetText: string, before: IndexMapping, after: IndexMapping, options: Omit<ValidateOptions, 'mapping'> = {}): BrokenRecord[] {
  const strict = { ...options, unmappedFieldSeverity: 'error' as const };
  const broken: BrokenRecord[] = [];
  const lines = datasetText.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (!raw) continue;
    let record: unknown;
    try {
      record = JSON.parse(raw);
    } catch {
      continue; // `distillery validate` reports unreadable lines; drift is about the mapping
    }
    if (!isObject(record) || record['status'] !== 'accepted' || !isObject(record['dsl'])) continue;
    const errorsUnder = (mapping: IndexMapping) => validateBody(record['dsl'], { ...strict, mapping }).filter((p) => p.severity === 'error');
    const old = new Set(errorsUnder(before).map((p) => `${p.code} ${p.pointer}`));
    const fresh = errorsUnder(after).filter((p) => !old.has(`${p.code} ${p.pointer}`));
    if (fresh.length) broken.push({ id: String(record['id'] ?? `line ${i + 1}`), line: i + 1, problems: fresh.map((p) => `${p.code} at /dsl${p.pointer}: ${p.message}`) });
  }
  return broken;
}

/** Parses a pulled file back the way the validator will (so drift compares like with like). */
export function parsePulledMapping(file: PulledMappingFile): IndexMapping {
  return parseMapping(file);
}
