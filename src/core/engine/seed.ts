// Loads a seed directory into the local engine: every DIR/<index>/ holding mapping.json and
// docs.ndjson becomes index <index>. This is the engine's own write path (creating scratch
// indices), separate from the read-only cluster features.
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Client } from '@elastic/elasticsearch';
import { EngineError } from './build';

export interface SeededIndex {
  index: string;
  docs: number;
  /** What had to be left out because the embedded node lacks a module (e.g. painless runtime fields). */
  dropped: string[];
}

type Json = Record<string, unknown>;
const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Turns any of the three mapping shapes (GET _mapping response, create-index body, bare
 * {properties}) into a create-index body with no replicas (one node: green is reachable only so).
 */
export function createIndexBody(json: unknown, file: string): { body: Json; dropped: string[] } {
  let mappings: Json | undefined;
  let settings: Json = {};
  if (isRecord(json) && (isRecord(json['properties']) || isRecord(json['runtime']) || 'dynamic' in json)) mappings = json;
  else if (isRecord(json) && isRecord(json['mappings'])) {
    mappings = json['mappings'];
    if (isRecord(json['settings'])) settings = json['settings'];
  } else if (isRecord(json)) {
    const entries = Object.values(json);
    if (entries.length === 1 && isRecord(entries[0]) && isRecord(entries[0]['mappings'])) {
      mappings = entries[0]['mappings'];
      if (isRecord(entries[0]['settings'])) settings = entries[0]['settings'];
    }
  }
  if (!mappings) {
    throw new EngineError(`${file}: expected one index mapping — a GET <index>/_mapping response, a create-index body {"mappings": …} or a bare {"properties": …}`);
  }
  // Scripts default to painless, which the embedded node does not have; a runtime field with a
  // script would make the whole index creation fail, so such fields are left out and reported.
  const dropped: string[] = [];
  if (isRecord(mappings['runtime'])) {
    const runtime: Json = {};
    for (const [name, def] of Object.entries(mappings['runtime'])) {
      if (isRecord(def) && def['script'] !== undefined) dropped.push(`runtime field "${name}" (its script needs painless)`);
      else runtime[name] = def;
    }
    mappings = { ...mappings, runtime };
  }
  const index = isRecord(settings['index']) ? settings['index'] : {};
  const { number_of_replicas: _r, ...rest } = { ...settings, ...index };
  return { body: { mappings, settings: { ...withoutIndexKey(rest), number_of_replicas: 0 } }, dropped };
}

function withoutIndexKey(settings: Json): Json {
  const { index: _i, ...rest } = settings;
  // Settings a GET _mapping/_settings response carries but a create request refuses.
  for (const k of ['uuid', 'version', 'creation_date', 'provided_name']) delete rest[k];
  return rest;
}

/** The index directories of a seed dir: those holding both mapping.json and docs.ndjson. */
export function seedIndices(dir: string): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new EngineError(`--seed ${dir}: not a directory`);
  const names = readdirSync(dir)
    .filter((name) => existsSync(join(dir, name, 'mapping.json')) && existsSync(join(dir, name, 'docs.ndjson')))
    .sort();
  if (names.length === 0) throw new EngineError(`--seed ${dir}: no <index>/mapping.json + <index>/docs.ndjson inside`);
  return names;
}

const BULK_BATCH = 1000;

/** Creates and fills every index of the seed dir, refreshed, and returns what it loaded. */
export async function seed(client: Client, dir: string): Promise<SeededIndex[]> {
  const out: SeededIndex[] = [];
  for (const index of seedIndices(dir)) {
    const mappingFile = join(dir, index, 'mapping.json');
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(mappingFile, 'utf8'));
    } catch (e) {
      throw new EngineError(`${mappingFile}: not valid JSON (${(e as Error).message})`);
    }
    const { body, dropped } = createIndexBody(json, mappingFile);
    // Loading is several times faster without periodic refreshes and a fsync per bulk request;
    // the data is scratch, so the translog stays async and only the refresh interval is restored
    // (to the mapping file's, else Elasticsearch's default of 1s).
    const settings = body['settings'] as Json;
    const loadSettings = { ...settings, refresh_interval: '-1', 'translog.durability': 'async' };
    await createIndex(client, index, { ...body, settings: loadSettings }, dropped, mappingFile);
    const docs = await bulkLoad(client, index, join(dir, index, 'docs.ndjson'));
    await client.indices.putSettings({ index, settings: { refresh_interval: (settings['refresh_interval'] as string | undefined) ?? '1s' } });
    out.push({ index, docs, dropped });
  }
  await client.indices.refresh({ index: out.map((s) => s.index) });
  return out;
}

/**
 * Creates the index. The language analyzers (english, french, …) live in the analysis-common
 * module, which the embedded node lacks: a field naming one gets the standard analyzer instead,
 * reported in `dropped`, and creation is retried.
 */
async function createIndex(client: Client, index: string, body: Json, dropped: string[], file: string): Promise<void> {
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      await client.indices.create({ index, ...body });
      return;
    } catch (e) {
      const message = reason(e);
      const analyzer = /analyzer \[([^\]]+)\] has not been configured/.exec(message)?.[1];
      if (!analyzer || analyzer === 'standard') throw new EngineError(`${file}: the engine refused the mapping of index "${index}": ${message}`);
      body = { ...body, mappings: replaceAnalyzer(body['mappings'], analyzer) as Json };
      dropped.push(`analyzer "${analyzer}" (replaced by standard: the analysis-common module is missing)`);
    }
  }
  throw new EngineError(`${file}: the engine kept refusing the mapping of index "${index}"`);
}

function replaceAnalyzer(node: unknown, analyzer: string): unknown {
  if (Array.isArray(node)) return node.map((n) => replaceAnalyzer(n, analyzer));
  if (!isRecord(node)) return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node)) {
    out[k] = /^(search_quote_|search_)?analyzer$/.test(k) && v === analyzer ? 'standard' : replaceAnalyzer(v, analyzer);
  }
  return out;
}

async function bulkLoad(client: Client, index: string, file: string): Promise<number> {
  let batch: unknown[] = [];
  let count = 0;
  let lineNo = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const res = await client.bulk({ operations: batch });
    if (res.errors) {
      const failed = res.items.map((item) => Object.values(item)[0]).find((r) => r?.error);
      throw new EngineError(`${file}: the engine refused a document of index "${index}": ${JSON.stringify(failed?.error)}`);
    }
    batch = [];
  };
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    lineNo++;
    if (!line.trim()) continue;
    let doc: unknown;
    try {
      doc = JSON.parse(line);
    } catch (e) {
      throw new EngineError(`${file}:${lineNo}: not valid JSON (${(e as Error).message})`);
    }
    if (!isRecord(doc)) throw new EngineError(`${file}:${lineNo}: expected a JSON object per line`);
    const { _id, ...source } = doc;
    batch.push({ index: _id === undefined ? { _index: index } : { _index: index, _id: String(_id) } }, source);
    count++;
    if (batch.length >= BULK_BATCH * 2) await flush();
  }
  await flush();
  return count;
}

/** The cluster's own reason for a refused request, without the client's wrapping. */
export function reason(e: unknown): string {
  const body = (e as { meta?: { body?: { error?: { reason?: string; caused_by?: { reason?: string } } } } }).meta?.body;
  const err = body?.error;
  if (err?.reason) return err.caused_by?.reason ? `${err.reason} (${err.caused_by.reason})` : err.reason;
  return (e as Error).message ?? String(e);
}
