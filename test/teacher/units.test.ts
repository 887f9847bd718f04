// The pure parts of the teacher: completion parsing, prompt templates and hash, few-shot choice,
// prices, Retry-After, redaction, the rate limiter, question lists and coverage gaps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCompletion } from '../../src/core/teacher/parse';
import { DEFAULT_TEMPLATES } from '../../src/core/teacher/default-prompts';
import { chooseFewShot, promptHash, questionMessages, render } from '../../src/core/teacher/prompts';
import { basicDslChecks, basicValidate, canonicalJson } from '../../src/core/teacher/dsl-checks';
import { PriceTable } from '../../src/core/teacher/cost';
import { redact, retryAfterMs } from '../../src/core/teacher/client';
import { RateLimiter } from '../../src/core/teacher/limiter';
import { coverageGaps, parseQuestionList } from '../../src/core/teacher/synthesize';
import { averageOutputTokens } from '../../src/core/teacher/generator';
import { mappingsObject } from '../../src/core/teacher/session';
import type { DatasetRecord } from '../../src/core/dataset/record';

const root = join(__dirname, '../..');

test('parse: tags, fences, trailing prose, comments and trailing commas', () => {
  const tagged = parseCompletion('<rationale>\n1. term on status\n</rationale>\n<answer>\n```json\n{"query": {"term": {"status": "x"}},}\n```\n</answer>\nHope this helps!');
  assert.deepEqual(tagged, { ok: true, rationale: '1. term on status', dsl: { query: { term: { status: 'x' } } } });

  const fenced = parseCompletion('We filter on status.\n\n```json\n{\n  // only cancelled\n  "query": {"term": {"status": "cancelled"}}\n}\n```\nThat is all.');
  assert.equal(fenced.ok, true);
  assert.equal(fenced.rationale, 'We filter on status.');
  assert.deepEqual(fenced.ok && fenced.dsl, { query: { term: { status: 'cancelled' } } });

  const prose = parseCompletion('<rationale>r</rationale>\nGET orders/_search\n{"size": 0, "aggs": {"x": {"terms": {"field": "a{b}"}}}} and some words { not json');
  assert.deepEqual(prose.ok && prose.dsl, { size: 0, aggs: { x: { terms: { field: 'a{b}' } } } });

  const unclosedTag = parseCompletion('<rationale>r</rationale><answer>{"query": {"match_all": {}}}');
  assert.equal(unclosedTag.ok, true);
});

test('parse: unusable answers say why', () => {
  const cut = parseCompletion('<rationale>r</rationale><answer>{"query": {"term": {"status": "x', 'length');
  assert.equal(cut.ok, false);
  assert.match(!cut.ok ? cut.reason : '', /never closed.*cut off/);
  const bad = parseCompletion('<answer>{"query": {"term" {"a": 1}}}</answer>');
  assert.match(!bad.ok ? bad.reason : '', /not valid JSON/);
  const none = parseCompletion('Sorry, I cannot.');
  assert.match(!none.ok ? none.reason : '', /no JSON object/);
  const empty = parseCompletion(null);
  assert.match(!empty.ok ? empty.reason : '', /empty/);
  const array = parseCompletion('<answer>[{"a": 1}]</answer>');
  assert.equal(array.ok, true); // the first object inside is taken
});

test('the shipped prompt files are the built-in defaults', () => {
  for (const name of Object.keys(DEFAULT_TEMPLATES) as (keyof typeof DEFAULT_TEMPLATES)[]) {
    assert.equal(readFileSync(join(root, 'examples/prompts', `${name}.md`), 'utf8'), DEFAULT_TEMPLATES[name], `examples/prompts/${name}.md`);
  }
  for (const p of ['{{mapping}}']) assert.ok(DEFAULT_TEMPLATES.system.includes(p));
  for (const p of ['{{examples}}', '{{question}}']) assert.ok(DEFAULT_TEMPLATES.user.includes(p));
  for (const p of ['{{errors}}']) assert.ok(DEFAULT_TEMPLATES.repair.includes(p));
  for (const p of ['{{mapping}}', '{{examples}}', '{{gaps}}', '{{count}}']) assert.ok(DEFAULT_TEMPLATES.synthesize.includes(p));
});

test('prompt hash follows templates, model and mapping, not key order or few-shot', () => {
  const t = { ...DEFAULT_TEMPLATES };
  const h = promptHash(t, 'gpt-4o', { properties: { a: { type: 'keyword' }, b: { type: 'text' } } });
  assert.match(h, /^sha256:[0-9a-f]{12}$/);
  assert.equal(h, promptHash(t, 'gpt-4o', { properties: { b: { type: 'text' }, a: { type: 'keyword' } } }));
  assert.notEqual(h, promptHash(t, 'gpt-4o-mini', { properties: { a: { type: 'keyword' }, b: { type: 'text' } } }));
  assert.notEqual(h, promptHash({ ...t, system: t.system + ' ' }, 'gpt-4o', { properties: { a: { type: 'keyword' }, b: { type: 'text' } } }));
  assert.equal(render('{{a}} {{ b }} {{c}}', { a: '1', b: '2' }), '1 2 {{c}}');
});

test('few-shot examples cover as many query shapes as possible', () => {
  const rec = (id: string, dsl: Record<string, unknown>): DatasetRecord => ({ id, question: id, dsl, rationale: 'r', status: 'accepted' });
  const records = [
    rec('a1', { query: { term: { s: 1 } } }),
    rec('a2', { query: { term: { s: 2 } } }),
    rec('a3', { query: { term: { s: 3 } } }),
    rec('b1', { query: { range: { p: { gt: 1 } } } }),
    rec('c1', { size: 0, aggs: { x: { terms: { field: 'f' } } } }),
    { ...rec('d1', { query: { match: { n: 'x' } } }), status: 'generated' as const },
  ];
  const chosen = chooseFewShot(records, 3, basicDslChecks).map((r) => r.id);
  assert.deepEqual(chosen.sort(), ['a1', 'b1', 'c1']);
  assert.equal(chooseFewShot(records, 10, basicDslChecks).length, 5);
  const messages = questionMessages(DEFAULT_TEMPLATES, { properties: {} }, chooseFewShot(records, 1, basicDslChecks), 'the question');
  assert.equal(messages.length, 2);
  assert.match(messages[1]!.content, /Question: a1[\s\S]*<answer>[\s\S]*Question: the question\n$/);
});

test('fallback validation and canonical JSON', () => {
  assert.deepEqual(basicValidate({ query: { match_all: {} }, size: 0 }), []);
  assert.equal(basicValidate({ query: { mtach: {} } })[0]!.code, 'unknown-query');
  assert.equal(basicValidate({ qeury: {} })[0]!.code, 'unknown-key');
  assert.equal(basicValidate({ query: { bool: { filter: [{ term: {} }, { a: 1, b: 2 }] } } })[0]!.pointer, '/query/bool/filter/1');
  assert.equal(canonicalJson({ b: 1, a: [{ d: 1, c: 2 }] }), '{"a":[{"c":2,"d":1}],"b":1}');
});

test('prices: prefix match, overrides, batch discount, unknown models are free', () => {
  const p = new PriceTable({ 'my-model': { inputPerMTok: 1, outputPerMTok: 2 } });
  assert.equal(p.cost('gpt-4o-2024-08-06', { input: 1_000_000, output: 0 }), 2.5);
  assert.equal(p.cost('gpt-4o-mini-2024-07-18', { input: 1_000_000, output: 1_000_000 }), 0.75);
  assert.equal(p.cost('my-model', { input: 1000, output: 1000 }), 0.003);
  assert.equal(p.cost('my-model', { input: 1000, output: 1000 }, true), 0.0015);
  assert.equal(p.cost('llama3:8b', { input: 1000, output: 1000 }), 0);
  assert.equal(p.lookup('llama3:8b'), undefined);
});

test('Retry-After in seconds, milliseconds and as a date; redaction', () => {
  assert.equal(retryAfterMs(new Headers({ 'retry-after': '2' })), 2000);
  assert.equal(retryAfterMs(new Headers({ 'retry-after': '0.05' })), 50);
  assert.equal(retryAfterMs(new Headers({ 'retry-after-ms': '120', 'retry-after': '9' })), 120);
  assert.equal(retryAfterMs(new Headers({ 'retry-after': new Date(10_000).toUTCString() }), 7_000), 3000);
  assert.equal(retryAfterMs(new Headers({})), undefined);
  assert.equal(redact('key sk-abc123456 and Bearer sk-abc123456', ['sk-abc123456']), 'key [redacted] and Bearer [redacted]');
  assert.equal(redact('Authorization: Bearer abcdefghijklmnop', []), 'Authorization: Bearer [redacted]');
});

test('rate limiter: concurrency cap and a requests-per-minute bucket on an injected clock', async () => {
  let now = 0;
  const limiter = new RateLimiter({ concurrency: 2, requestsPerMinute: 2, now: () => now });
  const r1 = await limiter.acquire(1);
  const r2 = await limiter.acquire(1);
  let third = false;
  const p3 = limiter.acquire(1).then((r) => {
    third = true;
    return r;
  });
  r1();
  await new Promise((r) => setImmediate(r));
  assert.equal(third, false, 'the bucket is empty: the third request waits');
  assert.equal(limiter.inFlight, 1);
  now += 30_000; // half a minute refills one request
  r2(); // releasing pumps the queue with the advanced clock
  (await p3)();
  assert.equal(third, true);

  const aborted = new AbortController();
  const l2 = new RateLimiter({ concurrency: 1 });
  const hold = await l2.acquire(0);
  const waiting = l2.acquire(0, aborted.signal);
  aborted.abort(new Error('stop'));
  await assert.rejects(waiting, /stop/);
  hold();
  assert.equal(l2.inFlight, 0);
});

test('question lists and coverage gaps', () => {
  assert.deepEqual(parseQuestionList('1. orders from France\n- "gift orders over $50"\n* top 5 cities\n\n```'), ['orders from France', 'gift orders over $50', 'top 5 cities']);
  assert.deepEqual(parseQuestionList('["a question", "another one"]'), ['a question', 'another one']);
  const mapping = { properties: { status: { type: 'keyword' }, customer: { properties: { name: { type: 'text', fields: { keyword: { type: 'keyword' } } } } } } };
  const gaps = coverageGaps([{ id: '1', question: 'q', status: 'accepted', dsl: { query: { term: { status: 'x' } }, aggs: { a: { avg: { field: 'customer.name' } } } } }], mapping);
  assert.deepEqual(gaps.fields, ['customer.name.keyword']);
  assert.ok(!gaps.queries.includes('term') && gaps.queries.includes('range'));
  assert.ok(!gaps.aggregations.includes('avg') && gaps.aggregations.includes('terms'));
  assert.deepEqual(mappingsObject({ orders: { mappings: { properties: {} } } }), { properties: {} });
  assert.deepEqual(mappingsObject({ settings: {}, mappings: { properties: { a: {} } } }), { properties: { a: {} } });
});

test('the estimate uses the dataset’s mean output tokens per request', () => {
  assert.equal(averageOutputTokens([]), 400);
  assert.equal(
    averageOutputTokens([
      { id: 'a', question: 'a', status: 'generated', source: { kind: 'teacher', usage: { input: 1, output: 300 } } },
      { id: 'b', question: 'b', status: 'generated', source: { kind: 'teacher', usage: { input: 1, output: 300 }, samples: { k: 2 }, repairs: 1 } as never },
      { id: 'c', question: 'c', status: 'accepted', source: { kind: 'human', usage: { input: 1, output: 9999 } } },
    ]),
    150,
  );
});
