// The generation pipeline against the fake OpenAI-compatible server: faults, repair, voting,
// resume, cache, budget, cancellation, and that the API key never leaks into an error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { answer, type Reply } from './fake-server';
import { API_KEY, COST_PER_REQUEST, makeGenerator, readRecords, writeRecords, withFake } from './helpers';
import { planQuestions } from '../../src/core/teacher/generator';
import { createClient, openSession } from '../../src/core/teacher/session';
import { TeacherError } from '../../src/core/teacher/client';

const QUESTIONS = ['cancelled orders', 'orders over $100', 'how many gift orders'];

function close(a: number, b: number): boolean {
  return Math.abs(a - b) < 1e-9;
}

test('happy path: one record per question, one request each, cost per record and in total', () =>
  withFake(undefined, async (fake, dir) => {
    const { session, generator } = await makeGenerator(fake, dir);
    const plan = planQuestions(session.dataset.records(), QUESTIONS, session.promptHash);
    const summary = await generator.run(plan.todo);
    assert.equal(summary.generated, 3);
    assert.equal(summary.requests, 3);
    assert.ok(close(summary.costUsd, 3 * COST_PER_REQUEST));
    const records = readRecords(session.datasetPath);
    assert.equal(records.length, 3);
    for (const q of QUESTIONS) {
      assert.equal(fake.totalFor(q), 1);
      const r = records.find((x) => x.question === q)!;
      assert.equal(r.status, 'generated');
      assert.deepEqual(r.dsl, { query: { term: { question: q } } });
      assert.match(r.rationale ?? '', /Pick the field/);
      assert.equal(r.source?.promptHash, session.promptHash);
      assert.deepEqual(r.source?.usage, { input: 1000, output: 200 });
      assert.ok(close(r.source?.costUsd ?? -1, COST_PER_REQUEST));
      assert.match(r.id, /^q-[0-9a-f]{10}$/);
    }
  }));

test('429 with Retry-After and 500 are retried; the wait is the server’s', () =>
  withFake(
    (ctx): Reply => {
      if (ctx.question === 'cancelled orders' && ctx.n === 1) return { status: 429, headers: { 'retry-after': '0.05' }, body: { error: { message: 'slow down' } } };
      if (ctx.question === 'orders over $100' && ctx.n === 1) return { status: 429, headers: { 'retry-after-ms': '30' } };
      if (ctx.question === 'how many gift orders' && ctx.n <= 2) return { status: 500 };
      return { content: answer({ query: { match_all: {} } }) };
    },
    async (fake, dir) => {
      const { session, generator, retries } = await makeGenerator(fake, dir);
      const summary = await generator.run(planQuestions([], QUESTIONS, session.promptHash).todo);
      assert.equal(summary.generated, 3);
      assert.equal(fake.totalFor('cancelled orders'), 2);
      assert.equal(fake.totalFor('orders over $100'), 2);
      assert.equal(fake.totalFor('how many gift orders'), 3);
      assert.ok(retries.some((r) => r.delayMs === 50 && /429/.test(r.reason)));
      assert.ok(retries.some((r) => r.delayMs === 30));
      assert.equal(retries.filter((r) => /500/.test(r.reason)).length, 2);
      // Only answered requests are paid.
      assert.ok(close(summary.costUsd, 3 * COST_PER_REQUEST));
    },
  ));

test('a slow response times out and is retried', () =>
  withFake(
    (ctx) => (ctx.n === 1 ? { delayMs: 3000, content: answer({ query: { match_all: {} } }) } : { content: answer({ query: { match_all: {} } }) }),
    async (fake, dir) => {
      const { session, generator, retries } = await makeGenerator(fake, dir, { timeoutSec: 0.2 });
      const summary = await generator.run(planQuestions([], ['slow one'], session.promptHash).todo);
      assert.equal(summary.generated, 1);
      assert.equal(fake.totalFor('slow one'), 2);
      assert.match(retries[0]!.reason, /no answer within 0.2s/);
    },
  ));

test('truncated and malformed completions become needs_fix records with the reason', () =>
  withFake(
    (ctx) => {
      if (ctx.question === 'truncated') return { content: '<rationale>ok</rationale>\n<answer>\n{"query": {"term": {"status": "canc', finishReason: 'length' };
      if (ctx.question === 'malformed') return { content: '<rationale>ok</rationale><answer>{"query": {"term": {"status" "x"}}}</answer>' };
      return { content: 'I cannot help with that.' };
    },
    async (fake, dir) => {
      const { session, generator } = await makeGenerator(fake, dir, { repair: false });
      const summary = await generator.run(planQuestions([], ['truncated', 'malformed', 'refusal'], session.promptHash).todo);
      assert.equal(summary.needsFix, 3);
      const records = readRecords(session.datasetPath);
      const by = (q: string) => records.find((r) => r.question === q)!;
      assert.equal(by('truncated').status, 'needs_fix');
      assert.match(by('truncated').notes ?? '', /cut off/);
      assert.match(by('malformed').notes ?? '', /not valid JSON/);
      assert.match(by('refusal').notes ?? '', /no JSON object/);
      assert.equal(by('refusal').dsl, null);
      assert.equal(records.length, 3);
    },
  ));

test('invalid DSL is repaired with the validator’s messages', () =>
  withFake(
    (ctx) => {
      if (!ctx.repair) return { content: answer({ query: { mtach: { notes: 'gift' } } }) };
      const last = ctx.body.messages[ctx.body.messages.length - 1]!.content;
      assert.match(last, /unknown query \[mtach\]/);
      return { content: answer({ query: { match: { notes: 'gift' } } }), usage: { prompt_tokens: 2000, completion_tokens: 100 } };
    },
    async (fake, dir) => {
      const { session, generator } = await makeGenerator(fake, dir);
      const summary = await generator.run(planQuestions([], ['gift notes'], session.promptHash).todo);
      assert.equal(summary.generated, 1);
      assert.equal(fake.totalFor('gift notes'), 2);
      const [r] = readRecords(session.datasetPath);
      assert.deepEqual(r!.dsl, { query: { match: { notes: 'gift' } } });
      assert.deepEqual(r!.source?.usage, { input: 3000, output: 300 });
      assert.ok(close(r!.source?.costUsd ?? 0, 0.0033));
      assert.equal((r!.source as Record<string, unknown>)['repairs'], 1);
    },
  ));

test('without repair an invalid answer stays needs_fix with the errors, after one request', () =>
  withFake(
    () => ({ content: answer({ query: { mtach: { notes: 'gift' } } }) }),
    async (fake, dir) => {
      const { session, generator } = await makeGenerator(fake, dir, { repair: false });
      await generator.run(planQuestions([], ['gift notes'], session.promptHash).todo);
      const [r] = readRecords(session.datasetPath);
      assert.equal(r!.status, 'needs_fix');
      assert.match(r!.notes ?? '', /validator errors: .*mtach/);
      assert.deepEqual(r!.dsl, { query: { mtach: { notes: 'gift' } } });
      assert.equal(fake.totalFor('gift notes'), 1);
    },
  ));

test('self-consistency: the normalised majority of K samples wins and disagreement is recorded', () =>
  withFake(
    (ctx) => {
      // Samples 1 and 3 agree (different key order), sample 2 differs.
      if (ctx.n === 2) return { content: answer({ query: { match: { notes: 'x' } } }) };
      if (ctx.n === 1) return { content: answer({ size: 0, query: { term: { status: 'x' } } }) };
      return { content: answer({ query: { term: { status: 'x' } }, size: 0 }) };
    },
    async (fake, dir) => {
      const { session, generator } = await makeGenerator(fake, dir, { samples: 3, concurrency: 1 });
      await generator.run(planQuestions([], ['status x'], session.promptHash).todo);
      assert.equal(fake.totalFor('status x'), 3);
      const [r] = readRecords(session.datasetPath);
      assert.deepEqual(r!.dsl, { size: 0, query: { term: { status: 'x' } } });
      assert.deepEqual((r!.source as Record<string, unknown>)['samples'], { k: 3, agreeing: 2, distinct: 2 });
      assert.match(r!.notes ?? '', /2 of 3 samples agree/);
      assert.ok(close(r!.source?.costUsd ?? 0, 3 * COST_PER_REQUEST));
    },
  ));

test('a rerun skips answered questions; a new template regenerates them in place', () =>
  withFake(undefined, async (fake, dir) => {
    const first = await makeGenerator(fake, dir);
    await first.generator.run(planQuestions(first.session.dataset.records(), QUESTIONS, first.session.promptHash).todo);
    assert.equal(fake.chatRequests, 3);

    const second = await makeGenerator(fake, dir);
    const plan = planQuestions(second.session.dataset.records(), [...QUESTIONS, ' Cancelled  ORDERS '], second.session.promptHash);
    assert.equal(plan.todo.length, 0);
    assert.equal(plan.skipped, 3);

    writeFileSync(join(dir, 'user.md'), 'Answer carefully.\n{{examples}}Question: {{question}}\n');
    writeFileSync(join(dir, 'distillery.json'), JSON.stringify({ prompts: { user: 'user.md' } }));
    const third = await makeGenerator(fake, dir);
    assert.notEqual(third.session.promptHash, first.session.promptHash);
    const plan3 = planQuestions(third.session.dataset.records(), QUESTIONS, third.session.promptHash);
    assert.equal(plan3.todo.length, 3);
    assert.ok(plan3.todo.every((t) => t.recordId));
    await third.generator.run(plan3.todo);
    const records = readRecords(third.session.datasetPath);
    assert.equal(records.length, 3);
    assert.ok(records.every((r) => r.source?.promptHash === third.session.promptHash));
    assert.equal(fake.chatRequests, 6);
  }));

test('the response cache lets a run that lost its records resume without paying again', () =>
  withFake(undefined, async (fake, dir) => {
    const first = await makeGenerator(fake, dir);
    await first.generator.run(planQuestions([], QUESTIONS, first.session.promptHash).todo);
    writeRecords(first.session.datasetPath, []); // as if the run died after the responses arrived
    const second = await makeGenerator(fake, dir);
    const summary = await second.generator.run(planQuestions(second.session.dataset.records(), QUESTIONS, second.session.promptHash).todo);
    assert.equal(summary.generated, 3);
    assert.equal(summary.cacheHits, 3);
    assert.equal(summary.requests, 0);
    assert.equal(summary.costUsd, 0);
    assert.equal(fake.chatRequests, 3);
    // The record still carries what the answer cost when it was bought.
    assert.ok(readRecords(second.session.datasetPath).every((r) => close(r.source?.costUsd ?? 0, COST_PER_REQUEST)));
  }));

test('pending records are answered in place; accepted ones are never touched', () =>
  withFake(undefined, async (fake, dir) => {
    writeRecords(join(dir, 'data.dss.jsonl'), [
      { id: 'q-1', question: 'pending one', status: 'pending', extra: 'kept' } as Record<string, unknown>,
      { id: 'q-2', question: 'accepted one', status: 'accepted', dsl: { query: { match_all: {} } }, rationale: 'r' },
    ]);
    const { session, generator } = await makeGenerator(fake, dir);
    const plan = planQuestions(session.dataset.records(), ['accepted one'], session.promptHash);
    assert.deepEqual(plan.todo, [{ question: 'pending one', recordId: 'q-1' }]);
    await generator.run(plan.todo);
    const records = readRecords(session.datasetPath);
    assert.equal(records.length, 2);
    assert.equal(records[0]!.id, 'q-1');
    assert.equal(records[0]!.status, 'generated');
    assert.equal((records[0] as Record<string, unknown>)['extra'], 'kept');
    assert.equal(records[1]!.status, 'accepted');
  }));

test('the budget is a hard stop: no request starts that could pass it', () =>
  withFake(undefined, async (fake, dir) => {
    const questions = Array.from({ length: 20 }, (_, i) => `question ${i}`);
    const { session, generator } = await makeGenerator(fake, dir, { budgetUsd: 0.006, concurrency: 1 });
    const summary = await generator.run(planQuestions([], questions, session.promptHash).todo);
    assert.equal(summary.stoppedBy, 'budget');
    assert.ok(summary.costUsd <= 0.006, `spent ${summary.costUsd}`);
    assert.ok(summary.generated >= 1 && summary.generated < 20);
    assert.equal(summary.unanswered, 20 - summary.generated);
    assert.equal(readRecords(session.datasetPath).length, summary.generated);
    assert.equal(fake.chatRequests, summary.generated);
    assert.ok(close(summary.costUsd, summary.generated * COST_PER_REQUEST));
  }));

test('a stop keeps finished questions and starts no new requests', () =>
  withFake(undefined, async (fake, dir) => {
    const stop = new AbortController();
    const questions = Array.from({ length: 10 }, (_, i) => `question ${i}`);
    const { session, generator } = await makeGenerator(fake, dir, { concurrency: 1 }, { stopSignal: stop.signal });
    // Stop while the second request is in flight: it finishes and is kept, no third one starts.
    void fake.waitFor(() => fake.chatRequests >= 2).then(() => stop.abort());
    const summary = await generator.run(planQuestions([], questions, session.promptHash).todo);
    assert.equal(summary.stoppedBy, 'cancel');
    assert.equal(summary.generated, 2);
    assert.equal(fake.chatRequests, 2);
    assert.equal(readRecords(session.datasetPath).length, summary.generated);
  }));

test('a 401 stops the run and its message never contains the key', () =>
  withFake(
    (ctx) => ({ status: 401, body: { error: { message: `Incorrect API key provided: ${ctx.authorization?.replace('Bearer ', '')}`, type: 'invalid_request_error', code: 'invalid_api_key' } } }),
    async (fake, dir) => {
      const { session, generator } = await makeGenerator(fake, dir);
      const summary = await generator.run(planQuestions([], QUESTIONS, session.promptHash).todo);
      assert.equal(summary.stoppedBy, 'error');
      assert.match(summary.error ?? '', /refused the API key/);
      assert.ok(!summary.error!.includes(API_KEY), summary.error);
      assert.ok(!summary.error!.includes('SECRET'), summary.error);
      assert.ok(fake.chatRequests <= 4);
      assert.equal(readRecords(session.datasetPath).length, 0);

      const client = createClient(await openSession({ datasetPath: join(dir, 'd.dss.jsonl'), cwd: dir, overrides: { baseUrl: fake.url } }), { apiKey: API_KEY });
      await assert.rejects(client.chat({ model: 'm', messages: [{ role: 'user', content: 'Question: x' }] }), (e: unknown) => {
        assert.ok(e instanceof TeacherError);
        assert.equal(e.kind, 'auth');
        assert.ok(!String(e.message).includes(API_KEY) && !String(e.stack).includes(API_KEY));
        return true;
      });
    },
  ));

test('a question that keeps failing after all retries is left unanswered for the next run', () =>
  withFake(
    (ctx) => (ctx.question === 'doomed' ? { status: 503 } : { content: answer({ query: { match_all: {} } }) }),
    async (fake, dir) => {
      const { session, generator } = await makeGenerator(fake, dir, { maxRetries: 2 });
      const summary = await generator.run(planQuestions([], ['doomed', 'fine'], session.promptHash).todo);
      assert.equal(summary.failed, 1);
      assert.equal(summary.generated, 1);
      assert.equal(fake.totalFor('doomed'), 3);
      assert.deepEqual(readRecords(session.datasetPath).map((r) => r.question), ['fine']);
    },
  ));

// `transformers serve` answers a model it cannot load with a bare 500 (test/teacher/real-server.test.ts).
test('when two questions fail after all retries before anything was answered, the run stops instead of trying every question', () =>
  withFake(
    () => ({ status: 500, body: 'Internal Server Error' }),
    async (fake, dir) => {
      const { session, generator } = await makeGenerator(fake, dir, { maxRetries: 1, concurrency: 1 });
      const summary = await generator.run(planQuestions([], ['q1', 'q2', 'q3', 'q4', 'q5'], session.promptHash).todo);
      assert.equal(summary.stoppedBy, 'error');
      assert.match(summary.error ?? '', /has not answered any request .*HTTP 500.*check teacher\.model and baseUrl/);
      assert.equal(summary.failed, 2);
      assert.equal(fake.chatRequests, 4);
      assert.deepEqual(readRecords(session.datasetPath), []);
    },
  ));

test('concurrency bounds the requests in flight', () =>
  withFake(undefined, async (fake, dir) => {
    fake.latencyMs = 20;
    const { session, generator } = await makeGenerator(fake, dir, { concurrency: 3 });
    await generator.run(planQuestions([], Array.from({ length: 12 }, (_, i) => `q${i}`), session.promptHash).todo);
    assert.equal(fake.maxInFlight, 3);
  }));

test('mapping warnings (an unmapped field) are repaired too; left alone they are noted, not needs_fix', () =>
  withFake(
    (ctx) => ({ content: answer({ query: { term: { [ctx.repair ? 'status' : 'statuss']: 'cancelled' } } }) }),
    async (fake, dir) => {
      writeFileSync(join(dir, 'mapping.json'), JSON.stringify({ properties: { status: { type: 'keyword' } } }));
      writeFileSync(join(dir, 'distillery.json'), JSON.stringify({ mapping: 'mapping.json' }));
      const { session, generator } = await makeGenerator(fake, dir);
      await generator.run(planQuestions([], ['cancelled ones'], session.promptHash).todo);
      const [r] = readRecords(session.datasetPath);
      assert.equal(r!.status, 'generated');
      assert.deepEqual(r!.dsl, { query: { term: { status: 'cancelled' } } });
      assert.equal(fake.totalFor('cancelled ones'), 2);

      const off = await makeGenerator(fake, dir, { repair: false });
      await off.generator.run(planQuestions([], ['other ones'], off.session.promptHash).todo);
      const other = readRecords(session.datasetPath).find((x) => x.question === 'other ones')!;
      assert.equal(other.status, 'generated');
      assert.match(other.notes ?? '', /validator warnings: .*statuss/);
    },
  ));
