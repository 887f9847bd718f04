// Differential test (issue 12): the corpus bodies and seeded mutations of them go through a real
// Elasticsearch 8.15 node and through the static validator; every case where the two disagree must
// be listed, with its explanation, in the table of docs/dsl.md ("Differential test").
//
// What counts as "Elasticsearch rejects":
//   1. the coordinating node refuses the body: `_search` on an index pattern that matches nothing,
//      so only the request parser and the request validation run (no shards, no mapping);
//   2. otherwise one empty single-shard index with no mapping answers it, where the shard-level
//      checks run (query building, runtime mappings, aggregation factories). When the unmutated body
//      already fails there (a painless script, a field the empty index cannot map) that level says
//      nothing about the mutation: the case is excluded, with the reason.
// Bodies whose names belong to modules the embedded node lacks (x-pack, percolator, parent-join,
// mapper-extras, aggregations) are excluded with the name; so are bodies needing a point in time
// or a named index. The validator runs without a mapping, for Elasticsearch 8.15.0.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { QUERY_SPECS, validateBody } from '../../src/core/dsl';
import { corpusPath } from '../helpers/corpus';
import { hash, mutate } from '../helpers/dsl-mutations';
import { engineUnavailable, sharedEngine, type TestEngine } from '../helpers/es-engine';

const MUTATIONS_PER_BODY = 2;
const NO_INDEX = 'distillery-differential-none-*';
const EMPTY_INDEX = 'distillery-differential-empty';
const CONCURRENCY = 6;
const DOC = join(import.meta.dirname, '..', '..', 'docs', 'dsl.md');
const CLASSES = ['engine lacks module', 'needs a mapped field', 'validator too strict', 'validator too lenient'] as const;

interface CorpusRecord { source: string; kind: string; api: string; body: unknown }
interface Case { id: string; body: unknown; original?: Case }
/** `shard`: excluded only from the shard step; a mutation of it is still judged by the coordinator. */
type Verdict = { rejects: false } | { rejects: true; reason: string } | { excluded: string; shard?: true };
interface Disagreement { id: string; direction: 'engine rejects' | 'validator rejects'; engine: string; validator: string }

function loadCases(): Case[] {
  const records = readFileSync(corpusPath(), 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as CorpusRecord)
    .filter((r) => r.api === 'search' || r.kind === 'query');
  const seen = new Map<string, number>();
  const cases: Case[] = [];
  for (const r of records) {
    const name = r.source.replace(/^.*\//, '').replace(/\.(asciidoc|yaml|json)$/, '');
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    const keys = r.body !== null && typeof r.body === 'object' ? Object.keys(r.body) : [];
    // A `kind: "query"` record that is a bare query goes in as {"query": …}.
    const bare = r.kind === 'query' && keys.length === 1 && QUERY_SPECS[keys[0]!] !== undefined;
    const original: Case = { id: n > 1 ? `${name}#${n}` : name, body: bare ? { query: r.body } : r.body };
    cases.push(original);
    for (const m of mutate(original.body, hash(original.id), MUTATIONS_PER_BODY)) {
      cases.push({ id: `${original.id}~${m.kind}@${m.pointer}`, body: m.body, original });
    }
  }
  return cases;
}

interface EsError { type?: string; reason?: string; caused_by?: EsError; root_cause?: EsError[] }

function describeError(e: EsError | undefined): string {
  if (!e) return 'unknown error';
  const inner = e.caused_by ?? e.root_cause?.[0];
  const deepest = inner?.caused_by ?? inner;
  return `${e.type}: ${e.reason}${deepest && deepest.reason !== e.reason ? ` (${deepest.type}: ${deepest.reason})` : ''}`;
}

async function search(url: string, index: string, body: unknown): Promise<{ ok: boolean; status: number; error?: EsError }> {
  const res = await fetch(`${url}/${index}/_search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = (await res.json()) as { error?: EsError; _shards?: { failed: number; failures?: { reason: EsError }[] } };
  if (res.ok && (json._shards?.failed ?? 0) > 0) return { ok: false, status: 200, error: json._shards!.failures![0]!.reason };
  return { ok: res.ok, status: res.status, error: json.error };
}

/** The names of queries, aggregations, retrievers and rescorers the node has no parser for. */
function unknownNames(error: EsError | undefined): string[] {
  const names: string[] = [];
  const visit = (e: EsError | undefined) => {
    if (!e) return;
    const named = /unknown (?:query|retriever) \[([^\]]+)\]|Unknown aggregation type \[([^\]]+)\]/.exec(e.reason ?? '');
    if (named) names.push(named[1] ?? named[2]!);
    if (e.type === 'named_object_not_found_exception') {
      const field = /unknown field \[([^\]]+)\]/.exec(e.reason ?? '');
      if (field) names.push(field[1]!);
    }
    visit(e.caused_by);
    e.root_cause?.forEach(visit);
  };
  visit(error);
  return names;
}

/**
 * Step 1 for every case: the coordinating node. An unmutated body is a documentation example, so a
 * name it uses that the node does not know comes from a module the node lacks; a mutation inherits
 * its original's exclusion (its own unknown names are the misspellings it was made of).
 */
async function coordinatorVerdict(url: string, c: Case, originals: Map<Case, Verdict>): Promise<Verdict> {
  if (c.original) {
    const base = originals.get(c.original)!;
    if ('excluded' in base && !base.shard) return base;
  }
  if (JSON.stringify(c.body).includes('"pit"') && !c.original) return { excluded: 'needs a point in time opened on the cluster' };
  const r = await search(url, NO_INDEX, c.body);
  if (r.ok) return { rejects: false };
  if (r.status === 404) return { excluded: 'names an index that does not exist on the engine' };
  const module = c.original ? undefined : unknownNames(r.error)[0];
  if (module) return { excluded: `[${module}] comes from a module the embedded node lacks` };
  return { rejects: true, reason: describeError(r.error) };
}

/** Step 2, in _msearch batches (every body in them already parsed once): the empty shard. */
async function shardVerdicts(url: string, cases: Case[]): Promise<Verdict[]> {
  const out: Verdict[] = [];
  for (let i = 0; i < cases.length; i += 250) {
    const batch = cases.slice(i, i + 250);
    const ndjson = batch.map((c) => `{"index":"${EMPTY_INDEX}"}\n${JSON.stringify(c.body)}\n`).join('');
    const res = await fetch(`${url}/_msearch`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: ndjson });
    assert.ok(res.ok, `_msearch failed: ${res.status} ${(await res.clone().text()).slice(0, 300)}`);
    const { responses } = (await res.json()) as { responses: { error?: EsError; _shards?: { failed: number; failures?: { reason: EsError }[] } }[] };
    for (const r of responses) {
      const error = r.error ?? ((r._shards?.failed ?? 0) > 0 ? r._shards!.failures![0]!.reason : undefined);
      out.push(error ? { rejects: true, reason: describeError(error) } : { rejects: false });
    }
  }
  return out;
}

async function verdicts(url: string, cases: Case[]): Promise<Map<Case, Verdict>> {
  const result = new Map<Case, Verdict>();
  const originals = cases.filter((c) => !c.original);
  const mutations = cases.filter((c) => c.original);
  const coordinator = async (list: Case[]) => {
    let next = 0;
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next < list.length) {
        const c = list[next++]!;
        result.set(c, await coordinatorVerdict(url, c, result));
      }
    }));
  };
  await coordinator(originals);
  // Originals that parse: does the empty shard take them? If not, neither they nor their mutations can be judged there.
  const parsedOriginals = originals.filter((c) => (result.get(c) as { rejects?: boolean }).rejects === false);
  for (const [i, v] of (await shardVerdicts(url, parsedOriginals)).entries()) {
    const c = parsedOriginals[i]!;
    if (!('rejects' in v) || !v.rejects) continue;
    result.set(c, /script_lang not supported \[painless\]/.test(v.reason)
      ? { excluded: 'a script needs painless, which the embedded node lacks', shard: true }
      : { excluded: 'needs fields mapped that the empty index lacks (the example fails on its shard)', shard: true });
  }
  await coordinator(mutations);
  const parsedMutations: Case[] = [];
  for (const c of mutations) {
    if ((result.get(c) as { rejects?: boolean }).rejects !== false) continue;
    const base = result.get(c.original!)!;
    if ('excluded' in base) result.set(c, base); // parsed, but the shard cannot judge it
    else parsedMutations.push(c);
  }
  for (const [i, v] of (await shardVerdicts(url, parsedMutations)).entries()) result.set(parsedMutations[i]!, v);
  return result;
}

/** The table between the markers in docs/dsl.md: id → {direction, class, why}. */
function readTable(markdown: string): Map<string, { direction: string; cls: string; why: string }> {
  const start = markdown.indexOf('<!-- differential:start -->');
  const end = markdown.indexOf('<!-- differential:end -->');
  assert.ok(start >= 0 && end > start, 'docs/dsl.md has no <!-- differential:start --> … <!-- differential:end --> table');
  const rows = new Map<string, { direction: string; cls: string; why: string }>();
  for (const line of markdown.slice(start, end).split('\n')) {
    const cells = line.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim());
    if (cells.length !== 4 || cells[0] === 'case' || /^-+$/.test(cells[0]!)) continue;
    rows.set(cells[0]!.replace(/^`|`$/g, ''), { direction: cells[1]!, cls: cells[2]!, why: cells[3]! });
  }
  return rows;
}

const unavailable = engineUnavailable();
let engine: TestEngine | undefined;
before(async () => {
  if (unavailable) return;
  engine = await sharedEngine();
  const res = await fetch(`${engine.url}/${EMPTY_INDEX}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ settings: { number_of_shards: 1, number_of_replicas: 0 } }) });
  assert.ok(res.ok, await res.text());
  await fetch(`${engine.url}/_cluster/health/${EMPTY_INDEX}?wait_for_status=green&timeout=30s`);
});
after(async () => {
  await engine?.stop();
});

test('differential: the real node and the static validator disagree only where docs/dsl.md explains it', { skip: unavailable }, async (t) => {
  const cases = loadCases();
  const verdictByCase = await verdicts(engine!.url, cases);

  const excluded = new Map<string, number>();
  const disagreements: Disagreement[] = [];
  assert.equal(new Set(cases.map((c) => c.id)).size, cases.length, 'case ids are unique');
  let decided = 0;
  let engineRejected = 0;
  for (const c of cases) {
    const v = verdictByCase.get(c)!;
    if ('excluded' in v) {
      excluded.set(v.excluded, (excluded.get(v.excluded) ?? 0) + 1);
      continue;
    }
    decided++;
    if (v.rejects) engineRejected++;
    const errors = validateBody(c.body, { esVersion: '8.15.0' }).filter((p) => p.severity === 'error');
    if (v.rejects === errors.length > 0) continue;
    disagreements.push({
      id: c.id,
      direction: v.rejects ? 'engine rejects' : 'validator rejects',
      engine: v.rejects ? v.reason : 'accepted',
      validator: errors.map((e) => `${e.code} ${e.pointer}: ${e.message}`).join('; ') || 'no error',
    });
  }
  t.diagnostic(`${cases.length} cases, ${decided} decided (${engineRejected} rejected by Elasticsearch), ${disagreements.length} disagreements`);
  for (const [reason, n] of [...excluded].sort((a, b) => b[1] - a[1])) t.diagnostic(`excluded ${n}: ${reason}`);
  // The mutations must exercise both sides, or an empty list proves nothing.
  assert.ok(decided > 900, `only ${decided} cases decided`);
  assert.ok(engineRejected > 300, `only ${engineRejected} cases rejected by Elasticsearch`);

  const table = readTable(readFileSync(DOC, 'utf8'));
  const found = new Map(disagreements.map((d) => [d.id, d]));
  const unexplained = disagreements.filter((d) => table.get(d.id)?.direction !== d.direction);
  const stale = [...table.keys()].filter((id) => !found.has(id));
  const badRows = [...table].filter(([, r]) => !(CLASSES as readonly string[]).includes(r.cls) || r.why.length < 10).map(([id]) => id);
  const rows = unexplained.map((d) => `| \`${d.id}\` | ${d.direction} | ? | Elasticsearch: ${d.engine.replace(/\|/g, '\\|')} — validator: ${d.validator.replace(/\|/g, '\\|')} |`);
  for (const row of rows) t.diagnostic(`unexplained: ${row}`);
  assert.deepEqual(
    { unexplained: rows, stale, badRows },
    { unexplained: [], stale: [], badRows: [] },
    'update the "Differential test" table in docs/dsl.md: add the unexplained rows (with a class and a reason), remove the stale ones',
  );
});
