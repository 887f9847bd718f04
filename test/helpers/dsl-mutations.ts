// Seeded mutations of real request bodies, the mistakes a teacher model makes: misspelt query,
// aggregation and body-key names, an unknown parameter, a value of the wrong type, a key moved
// one level up. Deterministic: the same body and seed give the same mutations, named by kind and
// JSON pointer so a reader of a failing list can rebuild each one by hand.
import { AGGREGATION_SPECS, QUERY_SPECS } from '../../src/core/dsl';

export type MutationKind =
  | 'misspelt-query'
  | 'misspelt-aggregation'
  | 'misspelt-body-key'
  | 'unknown-parameter'
  | 'number-as-text'
  | 'number-as-numeric-string'
  | 'string-as-number'
  | 'string-as-object'
  | 'boolean-as-word'
  | 'key-moved-up';

export interface Mutation {
  kind: MutationKind;
  /** JSON pointer of the mutated key or value in the original body. */
  pointer: string;
  body: unknown;
}

/** mulberry32: a small deterministic PRNG. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a, to derive a per-body seed from its id (stable when other bodies come and go). */
export function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Path = (string | number)[];
const isObject = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function pointer(path: Path): string {
  return path.map((s) => '/' + String(s).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

/** Keys under which a query (or an array of queries) stands. */
const QUERY_PARENTS = new Set(['query', 'post_filter', 'filter', 'must', 'should', 'must_not', 'positive', 'negative', 'queries', 'organic']);
const AGG_PARENTS = new Set(['aggs', 'aggregations']);

interface Site { path: Path; kind: MutationKind }

function sites(body: Json): Site[] {
  const out: Site[] = [];
  const walk = (node: Json, path: Path) => {
    const key = path[path.length - 1];
    const parentKey = path[path.length - 2];
    if (isObject(node)) {
      const keys = Object.keys(node);
      const inQueryPosition = (typeof key === 'string' && QUERY_PARENTS.has(key)) || (typeof key === 'number' && typeof parentKey === 'string' && QUERY_PARENTS.has(parentKey));
      if (inQueryPosition && keys.length === 1 && QUERY_SPECS[keys[0]!] && !AGGREGATION_SPECS[keys[0]!]) {
        out.push({ path: [...path, keys[0]!], kind: 'misspelt-query' });
        if (isObject(node[keys[0]!])) out.push({ path: [...path, keys[0]!], kind: 'unknown-parameter' });
      }
      if (typeof parentKey === 'string' && AGG_PARENTS.has(parentKey)) {
        const type = keys.find((k) => AGGREGATION_SPECS[k]);
        if (type) out.push({ path: [...path, type], kind: 'misspelt-aggregation' });
      }
      if (path.length === 0) for (const k of keys) out.push({ path: [k], kind: 'misspelt-body-key' });
      if (path.length >= 2) for (const k of keys) out.push({ path: [...path, k], kind: 'key-moved-up' });
      for (const k of keys) walk(node[k]!, [...path, k]);
    } else if (Array.isArray(node)) {
      node.forEach((v, i) => walk(v, [...path, i]));
    } else if (path.length > 0) {
      if (typeof node === 'number') out.push({ path, kind: 'number-as-text' }, { path, kind: 'number-as-numeric-string' });
      else if (typeof node === 'string') out.push({ path, kind: 'string-as-number' }, { path, kind: 'string-as-object' });
      else if (typeof node === 'boolean') out.push({ path, kind: 'boolean-as-word' });
    }
  };
  walk(body, []);
  return out;
}

function misspell(word: string, rand: () => number): string {
  for (let attempt = 0; attempt < 10; attempt++) {
    const i = Math.floor(rand() * word.length);
    const candidate = rand() < 0.5 && i + 1 < word.length ? word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2) : word.slice(0, i) + word.slice(i + 1);
    if (candidate !== word && candidate.length > 0) return candidate;
  }
  return `${word}x`;
}

function parentOf(root: Json, path: Path): Json {
  let node = root;
  for (const s of path.slice(0, -1)) node = (node as Record<string | number, Json>)[s]!;
  return node;
}

/** Renames a key keeping the key order (Elasticsearch's parsers can care about order). */
function renameKey(obj: Record<string, Json>, from: string, to: string): void {
  const entries = Object.entries(obj);
  for (const k of Object.keys(obj)) delete obj[k];
  for (const [k, v] of entries) obj[k === from ? to : k] = v;
}

function apply(body: Json, site: Site, rand: () => number): Json | undefined {
  const copy = structuredClone(body);
  const parent = parentOf(copy, site.path) as Record<string | number, Json>;
  const key = site.path[site.path.length - 1]!;
  switch (site.kind) {
    case 'misspelt-query':
    case 'misspelt-aggregation':
    case 'misspelt-body-key':
      renameKey(parent as Record<string, Json>, key as string, misspell(key as string, rand));
      return copy;
    case 'unknown-parameter':
      (parent[key] as Record<string, Json>)['distillery_unknown'] = true;
      return copy;
    case 'number-as-text':
      parent[key] = 'abc';
      return copy;
    case 'number-as-numeric-string':
      parent[key] = String(parent[key]);
      return copy;
    case 'string-as-number':
      parent[key] = 7;
      return copy;
    case 'string-as-object':
      parent[key] = {};
      return copy;
    case 'boolean-as-word':
      parent[key] = 'yes';
      return copy;
    case 'key-moved-up': {
      const grand = parentOf(copy, site.path.slice(0, -1));
      if (!isObject(grand) || !isObject(parent) || (key as string) in grand) return undefined;
      grand[key as string] = parent[key as string]!;
      delete parent[key as string];
      return copy;
    }
  }
}

/** `count` distinct mutations of `body`, chosen by kind first (so rare kinds get their share), then by site. */
export function mutate(body: unknown, seed: number, count: number): Mutation[] {
  const rand = prng(seed);
  const all = sites(body as Json);
  const byKind = new Map<MutationKind, Site[]>();
  for (const s of all) byKind.set(s.kind, [...(byKind.get(s.kind) ?? []), s]);
  const out: Mutation[] = [];
  const seen = new Set<string>();
  for (let attempt = 0; attempt < count * 6 && out.length < count && byKind.size > 0; attempt++) {
    const kinds = [...byKind.keys()];
    const kind = kinds[Math.floor(rand() * kinds.length)]!;
    const options = byKind.get(kind)!;
    const site = options[Math.floor(rand() * options.length)]!;
    const id = `${site.kind}@${pointer(site.path)}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const mutated = apply(body as Json, site, rand);
    if (mutated !== undefined && JSON.stringify(mutated) !== JSON.stringify(body)) out.push({ kind: site.kind, pointer: pointer(site.path), body: mutated });
  }
  return out;
}
