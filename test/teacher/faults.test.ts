// What a flaky network and real teacher servers do to a run (issue 13): the budget as a hard stop
// under any reply size and concurrency, truncated 200 bodies, configuration errors in every body
// shape servers use, Retry-After values, missing `usage`, extra request fields, identical samples.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answer, goodScript, type Script } from './fake-server';
import { API_KEY, makeGenerator, readRecords, writeRecords, withFake } from './helpers';
import { defaultMaxTokens, planQuestions } from '../../src/core/teacher/generator';
import { errorBodyMessage, retryAfterMs, TeacherClient, TeacherError } from '../../src/core/teacher/client';
import { RateLimiter } from '../../src/core/teacher/limiter';
import { looksLikeQuestion, parseQuestionList, synthesizeQuestions } from '../../src/core/teacher/synthesize';
import { createClient } from '../../src/core/teacher/session';
import { submitBatch } from '../../src/core/teacher/batch';

const questions = (n: number) => Array.from({ length: n }, (_, i) => `question number ${i}`);

/** An honest server: never more output than max_tokens, prompt tokens below the prompt's bytes. */
function sized(outputTokens: number): Script {
  return (ctx) => {
    const limit = ctx.body.max_tokens ?? (ctx.body['max_completion_tokens'] as number | undefined) ?? Infinity;
    const bytes = ctx.body.messages.reduce((n, m) => n + Buffer.byteLength(m.content), 0);
    return { content: answer({ query: { term: { question: ctx.question } } }), usage: { prompt_tokens: Math.ceil(bytes / 3), completion_tokens: Math.min(outputTokens, limit) } };
  };
}

for (const outputTokens of [150, 15_000]) {
  for (const concurrency of [1, 8, 32]) {
    test(`the budget holds with ${outputTokens}-token replies at concurrency ${concurrency}`, () =>
      withFake(sized(outputTokens), async (fake, dir) => {
        fake.latencyMs = 5;
        const budgetUsd = 0.02;
        const { session, generator } = await makeGenerator(fake, dir, { budgetUsd, concurrency, repair: false });
        const summary = await generator.run(planQuestions([], questions(60), session.promptHash).todo);
        assert.ok(summary.costUsd <= budgetUsd, `spent ${summary.costUsd} of ${budgetUsd}`);
        assert.equal(summary.stoppedBy, 'budget');
        assert.ok(summary.generated >= 1, 'at least one question fits the budget');
        // Every request carried an output limit (no limit is what let spending run away).
        assert.equal(fake.chatRequests, summary.requests);
      }));
  }
}

test('the default output limit comes from the dataset’s own answers', () => {
  assert.equal(defaultMaxTokens([]), 4096);
  const record = (output: number, k = 1) => ({ id: `q-${output}`, question: 'q', status: 'generated' as const, source: { kind: 'teacher' as const, usage: { input: 10, output }, ...(k > 1 ? { samples: { k, agreeing: k, distinct: 1 } } : {}) } });
  assert.equal(defaultMaxTokens([record(300), record(900)]), 1856); // 2 × 900, rounded up to 64
  assert.equal(defaultMaxTokens([record(3000, 3)]), 2048); // per request: 1000
  assert.equal(defaultMaxTokens([record(50)]), 1024);
});

test('the request carries max_tokens by default and extraBody fields; identical samples are flagged', () =>
  withFake(goodScript, async (fake, dir) => {
    const seen: Record<string, unknown>[] = [];
    fake.script = (ctx) => {
      seen.push(ctx.body);
      return goodScript(ctx);
    };
    const { session, generator } = await makeGenerator(fake, dir, { samples: 3, extraBody: { do_sample: true, top_k: 40 } });
    const summary = await generator.run(planQuestions([], ['orders by city'], session.promptHash).todo);
    assert.equal(seen.length, 3);
    for (const body of seen) {
      assert.equal(body['max_tokens'], 4096);
      assert.equal(body['do_sample'], true);
      assert.equal(body['top_k'], 40);
    }
    assert.equal(summary.identicalSamples, 1);
    assert.match(readRecords(session.datasetPath)[0]!.notes ?? '', /byte-identical/);
  }));

test('a 200 cut off mid-body or holding truncated JSON is retried; after the retries the question stays unanswered', () =>
  withFake(
    (ctx) => {
      if (ctx.question === 'always cut') return { cutOff: true, content: answer({ query: { match_all: {} } }) };
      if (ctx.n === 1) return { body: '{"id":"chatcmpl-1","object":"chat.completion","choices":[{"index":0,"mess' };
      if (ctx.n === 2) return { cutOff: true, content: answer({ query: { match_all: {} } }) };
      return { content: answer({ query: { match_all: {} } }) };
    },
    async (fake, dir) => {
      const { session, generator, retries } = await makeGenerator(fake, dir, { maxRetries: 3 });
      const summary = await generator.run(planQuestions([], ['flaky question', 'always cut'], session.promptHash).todo);
      assert.equal(summary.generated, 1);
      assert.equal(summary.needsFix, 0);
      assert.equal(summary.failed, 1);
      assert.equal(summary.unanswered, 1);
      assert.equal(fake.totalFor('flaky question'), 3);
      assert.equal(fake.totalFor('always cut'), 4);
      assert.ok(retries.some((r) => /cut off|not valid JSON|connection/i.test(r.reason)), JSON.stringify(retries));
      // Nothing recorded for the question that never got a whole answer: a rerun asks again.
      const records = readRecords(session.datasetPath);
      assert.deepEqual(records.map((r) => [r.question, r.status]), [['flaky question', 'generated']]);
      assert.equal(planQuestions(records, ['flaky question', 'always cut'], session.promptHash).todo.length, 1);
    },
  ));

const configErrors: [string, Script, RegExp][] = [
  ['an unknown model (404, OpenAI shape)', () => ({ status: 404, body: { error: { message: 'The model `nope` does not exist', type: 'invalid_request_error', code: 'model_not_found' } } }), /The model `nope` does not exist/],
  ['a FastAPI detail string (400)', () => ({ status: 400, body: { detail: 'Model nope is not available' } }), /Model nope is not available/],
  ['a FastAPI validation list (422)', () => ({ status: 422, body: { detail: [{ loc: ['body', 'max_tokens'], msg: 'unsupported parameter', type: 'value_error' }] } }), /body\.max_tokens: unsupported parameter/],
  ['a proxy’s "No connected db." (400)', () => ({ status: 400, body: { error: { message: 'No connected db.', type: 'no_db_connection', code: '400' } } }), /No connected db\./],
  ['a plain-text context window error (400)', () => ({ status: 400, headers: { 'content-type': 'text/plain' }, body: 'This model\'s maximum context length is 4096 tokens' }), /maximum context length is 4096/],
];

for (const [what, script, message] of configErrors) {
  test(`${what} stops the run with the server’s message, records nothing, and a rerun retries`, () =>
    withFake(script, async (fake, dir) => {
      const { session, generator } = await makeGenerator(fake, dir, { concurrency: 2 });
      const summary = await generator.run(planQuestions([], questions(10), session.promptHash).todo);
      assert.equal(summary.stoppedBy, 'error');
      assert.match(summary.error ?? '', message);
      assert.doesNotMatch(summary.error ?? '', /no body/);
      assert.ok(fake.chatRequests <= 2, `asked ${fake.chatRequests} times`);
      assert.deepEqual(readRecords(session.datasetPath), []);

      fake.script = goodScript;
      const rerun = await makeGenerator(fake, dir);
      const plan = planQuestions(rerun.session.dataset.records(), questions(10), rerun.session.promptHash);
      assert.equal(plan.todo.length, 10);
      const again = await rerun.generator.run(plan.todo);
      assert.equal(again.generated, 10);
    }));
}

test('error bodies of every shape give their message', () => {
  assert.equal(errorBodyMessage('{"detail":"Not Found"}'), 'Not Found');
  assert.equal(errorBodyMessage('{"error":{"message":"bad key"}}'), 'bad key');
  assert.equal(errorBodyMessage('{"error":"bad key"}'), 'bad key');
  assert.equal(errorBodyMessage('{"message":"overloaded"}'), 'overloaded');
  assert.equal(errorBodyMessage('upstream timed out'), 'upstream timed out');
  assert.equal(errorBodyMessage(''), undefined);
});

test('Retry-After: seconds and HTTP dates are read; negative and garbage values are ignored', () => {
  const h = (v: Record<string, string>) => new Headers(v);
  const now = Date.parse('Sun, 06 Nov 1994 08:49:00 GMT');
  assert.equal(retryAfterMs(h({ 'retry-after': '3' })), 3000);
  assert.equal(retryAfterMs(h({ 'retry-after': 'Sun, 06 Nov 1994 08:49:37 GMT' }), now), 37_000);
  assert.equal(retryAfterMs(h({ 'retry-after': '-5' })), undefined);
  assert.equal(retryAfterMs(h({ 'retry-after': 'soon' })), undefined);
  assert.equal(retryAfterMs(h({ 'retry-after-ms': '-1', 'retry-after': '2' })), 2000);
});

test('a Retry-After longer than the cap is logged as the wait really taken; an invalid one falls back to backoff', () =>
  withFake(
    (ctx) => (ctx.n === 1 ? { status: 429, headers: { 'retry-after': ctx.question === 'long' ? '3600' : '-5' } } : { content: answer({ query: { match_all: {} } }) }),
    async (fake) => {
      const retries: { delayMs: number; reason: string }[] = [];
      const client = new TeacherClient({ apiKey: API_KEY, baseUrl: fake.url, timeoutMs: 5000, maxRetries: 2, limiter: new RateLimiter({ concurrency: 1 }), retryBaseMs: 40, retryMaxMs: 30, onRetry: (r) => retries.push(r) });
      await client.chat({ model: 'm', messages: [{ role: 'user', content: 'Question: long' }] });
      assert.equal(retries[0]!.delayMs, 30);
      assert.match(retries[0]!.reason, /asked for 3600s; waiting at most 0s|asked for 3600s/);
      retries.length = 0;
      await client.chat({ model: 'm', messages: [{ role: 'user', content: 'Question: negative' }] });
      // Backoff, not "retry now": a date parse of "-5" used to give 0.
      assert.ok(retries[0]!.delayMs <= 30 && !/asked for/.test(retries[0]!.reason));
    },
  ));

test('a response without usage gets estimated tokens and cost, and the summary says so', () =>
  withFake(
    () => ({ content: answer({ query: { match_all: {} } }), noUsage: true }),
    async (fake, dir) => {
      const { session, generator } = await makeGenerator(fake, dir, { budgetUsd: 1 });
      const summary = await generator.run(planQuestions([], ['orders by city'], session.promptHash).todo);
      assert.equal(summary.usageEstimated, true);
      assert.ok(summary.usage.input > 0 && summary.usage.output > 0);
      assert.ok(summary.costUsd > 0);
    },
  ));

test('a teacher that answers 401 stops the client with an auth error', () =>
  withFake(
    () => ({ status: 401, body: { detail: 'Invalid token' } }),
    async (fake, dir) => {
      writeRecords(`${dir}/data.dss.jsonl`, []);
      const { session } = await makeGenerator(fake, dir);
      const client = createClient(session, { apiKey: API_KEY });
      await assert.rejects(client.chat({ model: 'm', messages: [{ role: 'user', content: 'Question: x' }] }), (e: unknown) => e instanceof TeacherError && e.kind === 'auth' && /Invalid token/.test(e.message));
    },
  ));

test('synthesis drops lines that are not questions and reports how many', () =>
  withFake(
    () => ({ content: 'Here are 4 questions:\n```\n1. orders paid by card\n{\n## More\n2. average rating per city\n```\n---' }),
    async (fake, dir) => {
      const { session } = await makeGenerator(fake, dir);
      const result = await synthesizeQuestions(session, createClient(session, { apiKey: API_KEY }), { count: 4 });
      assert.deepEqual(result.added.map((r) => r.question), ['orders paid by card', 'average rating per city']);
      assert.equal(result.discarded, 2); // the preamble and the heading (fences and "{" never count as lines)
      assert.ok(parseQuestionList('Sure! Here you go:\nwhich orders shipped late').filter(looksLikeQuestion).length === 1);
    },
  ));

test('a batch is checked against the budget at its worst case before anything is uploaded, and carries the output limit', () =>
  withFake(goodScript, async (fake, dir) => {
    const { session } = await makeGenerator(fake, dir, { budgetUsd: 0.001 });
    const client = createClient(session, { apiKey: API_KEY });
    const items = planQuestions([], questions(10), session.promptHash).todo;
    await assert.rejects(submitBatch(session, client, items), (e: unknown) => e instanceof TeacherError && /the batch could cost up to .* more than the budget of \$0\.0010/.test(e.message));
    assert.equal(fake.files.size, 0, 'nothing uploaded');

    const roomy = await makeGenerator(fake, dir, { budgetUsd: 10 });
    await submitBatch(roomy.session, createClient(roomy.session, { apiKey: API_KEY }), items);
    const uploaded = [...fake.files.values()][0]!.trim().split('\n').map((l) => JSON.parse(l) as { body: { max_tokens?: number } });
    assert.ok(uploaded.every((l) => l.body.max_tokens === 4096));
  }));
