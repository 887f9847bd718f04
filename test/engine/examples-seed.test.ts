// The examples' seed makes every accepted sample pair return something: hits, or aggregation
// buckets/values. "Returns nothing" is the commonest silent mistake, so the demo must not show it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client } from '@elastic/elasticsearch';
import { examplesDir, generateOrders } from '../../examples/seed/generate.mjs';
import { createIndexBody } from '../../src/core/engine';
import { engineUnavailable, examplesSeed, sharedEngine, type TestEngine } from '../helpers/es-engine';

interface Pair {
  id: string;
  question: string;
  status: string;
  dsl: Record<string, unknown> | null;
}

const pairs = readFileSync(join(examplesDir, 'dataset.dss.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as Pair);
const accepted = pairs.filter((p) => p.status === 'accepted' && p.dsl);

// Runtime fields with scripts need painless, which the embedded node lacks (seed.ts leaves them out).
const mapping: unknown = JSON.parse(readFileSync(join(examplesDir, 'mapping.json'), 'utf8'));
const scriptedFields = createIndexBody(mapping, 'examples/mapping.json').dropped.map((d) => /"([^"]+)"/.exec(d)![1]!);

function missingModule(body: unknown): string | undefined {
  const text = JSON.stringify(body);
  const field = scriptedFields.find((f) => text.includes(`"${f}"`));
  if (field) return `uses runtime field "${field}", whose script needs painless (not in the embedded engine)`;
  if (/"(script|moving_fn|bucket_script|bucket_selector|scripted_metric)"/.test(text)) return 'needs painless (not in the embedded engine)';
  return undefined;
}

/** Hits, or some aggregation that holds a bucket with documents or a metric value. */
function returnsSomething(res: { hits: { total?: unknown; hits: unknown[] }; aggregations?: Record<string, unknown> }): boolean {
  const total = typeof res.hits.total === 'object' ? (res.hits.total as { value: number }).value : Number(res.hits.total ?? 0);
  if (res.aggregations) return Object.values(res.aggregations).every(aggHasContent);
  return res.hits.hits.length > 0 || total > 0;
}

function aggHasContent(agg: unknown): boolean {
  if (typeof agg !== 'object' || agg === null) return false;
  const a = agg as Record<string, unknown>;
  if (Array.isArray(a['buckets'])) return a['buckets'].some((b) => (b as { doc_count: number }).doc_count > 0);
  if ('value' in a) return a['value'] !== null && a['value'] !== 0;
  if ('values' in a) return Object.values(a['values'] as object).some((v) => v !== null);
  if ('doc_count' in a) {
    const subs = Object.entries(a).filter(([k, v]) => k !== 'doc_count' && k !== 'meta' && typeof v === 'object');
    return (a['doc_count'] as number) > 0 && subs.every(([, v]) => aggHasContent(v));
  }
  return false;
}

describe('generator', () => {
  test('is deterministic for (count, seed, now) and follows the mapping', () => {
    const now = Date.parse('2026-03-01T00:00:00Z');
    const a = generateOrders({ count: 200, seed: 1, now });
    assert.deepEqual(generateOrders({ count: 200, seed: 1, now }), a);
    assert.notDeepEqual(generateOrders({ count: 200, seed: 2, now }), a);
    const props = Object.keys((mapping as { orders: { mappings: { properties: object } } }).orders.mappings.properties);
    for (const doc of a) for (const key of Object.keys(doc)) if (key !== '_id') assert.ok(props.includes(key), `field ${key} is not in examples/mapping.json`);
  });
});

describe('every accepted example pair returns something from the seeded engine', { skip: engineUnavailable() }, () => {
  let engine: TestEngine;
  let client: Client;
  before(async () => {
    engine = await sharedEngine({ seed: examplesSeed() });
    client = new Client({ node: engine.url });
  });
  after(async () => {
    await client?.close();
    await engine?.stop();
  });

  test('there are accepted pairs to check', () => assert.ok(accepted.length >= 20));
  for (const pair of accepted) {
    const reason = missingModule(pair.dsl);
    test(`${pair.id}: ${pair.question}`, { skip: reason }, async () => {
      const res = await client.search({ index: 'orders', ...pair.dsl });
      assert.ok(returnsSomething(res as never), `returned nothing: ${JSON.stringify(res).slice(0, 400)}`);
    });
  }
});
