// Grounded teacher prompts and the cluster's repair round (issue 11), end to end: the real CLI
// against a real Elasticsearch node (the "shop" seed, behind a recording proxy so the test sees
// every request that reached the cluster) and the fake OpenAI-compatible teacher, which records
// the prompts it receives.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { engineUnavailable, sharedEngine, type TestEngine } from '../helpers/es-engine';
import { writeShopSeed } from '../elasticsearch/shop-seed';
import { startRecordingProxy, type RecordingProxy } from '../elasticsearch/recording-proxy';
import { cleanEnv, runCliAsync } from '../elasticsearch/cli-async';
import { answer, FakeTeacher, type ChatContext } from './fake-server';
import { API_KEY, PRICE, readRecords, tempDir } from './helpers';
import { DEFAULT_TEMPLATES } from '../../src/core/teacher/default-prompts';
import { promptHash, questionMessages } from '../../src/core/teacher/prompts';

const unavailable = engineUnavailable();
let engine: TestEngine | undefined;
let proxy: RecordingProxy | undefined;

before(async () => {
  if (unavailable) return;
  engine = await sharedEngine({ seed: writeShopSeed() });
  proxy = await startRecordingProxy(engine.url);
});
after(async () => {
  await proxy?.close();
  await engine?.stop();
});

function workspace(questions: string[]) {
  const { dir, cleanup } = tempDir();
  writeFileSync(join(dir, 'distillery.json'), JSON.stringify({ teacher: { model: 'test-model', prices: PRICE, concurrency: 2 } }));
  writeFileSync(join(dir, 'questions.txt'), questions.join('\n') + '\n');
  return { dir, cleanup };
}

const generate = (dir: string, fake: FakeTeacher, extra: string[]) =>
  runCliAsync(['generate', '--dataset', 'data.dss.jsonl', '--questions', 'questions.txt', '--base-url', fake.url, ...extra], { cwd: dir, env: cleanEnv({ OPENAI_API_KEY: API_KEY }) });

const searches = (p: RecordingProxy) => p.recorded.filter((r) => r.path.endsWith('/_search')).length;

test('the prompt carries real top terms and min/max from the index; a second run samples nothing', { skip: unavailable }, async () => {
  const prompts: string[] = [];
  const fake = await FakeTeacher.start((ctx: ChatContext) => {
    prompts.push(ctx.body.messages.find((m) => m.role === 'user')!.content);
    return { content: answer({ query: { term: { status: 'shipped' } } }) };
  });
  const ws = workspace(['how many orders shipped']);
  try {
    const plain = await generate(ws.dir, fake, ['--estimate', '--format', 'json']);
    assert.equal(plain.status, 0, plain.stderr);
    const before = proxy!.recorded.length;
    const first = await generate(ws.dir, fake, ['--cluster', proxy!.url, '--index', 'shop', '--format', 'json']);
    assert.equal(first.status, 0, first.stderr);
    assert.equal(searches({ recorded: proxy!.recorded.slice(before) } as RecordingProxy), 1, 'one size-0 search samples every field');
    assert.equal(prompts.length, 1);
    // The shop seed: 5 shipped, 4 pending, 3 cancelled; price = 10 × id for ids 1..12.
    assert.match(prompts[0]!, /- status \(keyword\): "shipped" \(5\), "pending" \(4\), "cancelled" \(3\)/);
    assert.match(prompts[0]!, /- price \(double\): 10 … 120/);
    assert.match(prompts[0]!, /- sold_at \(date\): 2026-01-15T12:00:00\.000Z … 2026-09-15T12:00:00\.000Z/);
    const summary = JSON.parse(first.stdout) as { promptHash: string; grounding: string };
    assert.notEqual(summary.promptHash, (JSON.parse(plain.stdout) as { promptHash: string }).promptHash, 'grounding text is part of the prompt hash');
    assert.match(summary.grounding, /field\(s\) of shop/);
    assert.equal(readRecords(join(ws.dir, 'data.dss.jsonl'))[0]!.source?.promptHash, summary.promptHash);

    const mark = proxy!.recorded.length;
    const second = await generate(ws.dir, fake, ['--cluster', proxy!.url, '--index', 'shop']);
    assert.equal(second.status, 0, second.stderr);
    assert.equal(searches({ recorded: proxy!.recorded.slice(mark) } as RecordingProxy), 0, 'the cached samples are reused');
    assert.match(second.stderr, /\(cached\)/);
    assert.match(second.stdout, /already answered for prompt/, 'same values, same hash: nothing is asked again');
  } finally {
    await fake.close();
    ws.cleanup();
  }
});

test('an answer the validator accepts but the cluster rejects is repaired with the cluster\'s reason', { skip: unavailable }, async () => {
  const repairPrompts: string[] = [];
  const fake = await FakeTeacher.start((ctx: ChatContext) => {
    if (!ctx.repair) return { content: answer({ query: { term: { price: 'thirty' } } }) };
    repairPrompts.push(ctx.body.messages.at(-1)!.content);
    return { content: answer({ query: { term: { price: 30 } } }) };
  });
  const ws = workspace(['orders that cost thirty']);
  try {
    const r = await generate(ws.dir, fake, ['--cluster', proxy!.url, '--index', 'shop', '--cluster-repair']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(repairPrompts.length, 1, 'one repair round');
    // The pointer from clusterRejection and the cluster's own (deepest) reason.
    assert.match(repairPrompts[0]!, /- cluster rejected \/query\/term\/price: .*For input string: "thirty"/);
    const [record] = readRecords(join(ws.dir, 'data.dss.jsonl'));
    assert.deepEqual(record!.dsl, { query: { term: { price: 30 } } });
    assert.equal(record!.status, 'generated');
    assert.equal(record!.source?.kind === 'teacher' ? record!.source.repairs : undefined, 1);
    assert.match(r.stdout, /answers checked on the cluster/);
  } finally {
    await fake.close();
    ws.cleanup();
  }
});

test('without --cluster-repair the same answer is stored as the teacher gave it', { skip: unavailable }, async () => {
  const fake = await FakeTeacher.start(() => ({ content: answer({ query: { term: { price: 'thirty' } } }) }));
  const ws = workspace(['orders that cost thirty']);
  try {
    const r = await generate(ws.dir, fake, ['--cluster', proxy!.url, '--index', 'shop']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(fake.chatRequests, 1, 'no repair round: the static checks accept it');
  } finally {
    await fake.close();
    ws.cleanup();
  }
});

test('teacher.grounding in distillery.json: a named cluster, its default index and maxValues', { skip: unavailable }, async () => {
  const prompts: string[] = [];
  const fake = await FakeTeacher.start((ctx: ChatContext) => {
    prompts.push(ctx.body.messages.find((m) => m.role === 'user')!.content);
    return { content: answer({ query: { term: { status: 'shipped' } } }) };
  });
  const ws = workspace(['shipped orders']);
  writeFileSync(join(ws.dir, 'distillery.json'), JSON.stringify({
    clusters: [{ name: 'local', url: proxy!.url, index: 'shop' }],
    teacher: { model: 'test-model', prices: PRICE, grounding: { cluster: 'local', maxValues: 1 } },
  }));
  try {
    const r = await generate(ws.dir, fake, []);
    assert.equal(r.status, 0, r.stderr);
    assert.match(prompts[0]!, /- status \(keyword\): "shipped" \(5\)\n/, 'one value per keyword field');
    assert.doesNotMatch(prompts[0]!, /"pending"/);
    const off = await generate(ws.dir, fake, ['--no-grounding', '--estimate', '--format', 'json']);
    assert.equal(off.status, 0, off.stderr);
    assert.equal((JSON.parse(off.stdout) as { questions: number }).questions, 1, 'ungrounded prompt, other hash: the question is due again');
  } finally {
    await fake.close();
    ws.cleanup();
  }
});

test('an unreachable cluster stops the run before any teacher request, with the fix', async () => {
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  const fake = await FakeTeacher.start();
  const ws = workspace(['a question']);
  try {
    const r = await generate(ws.dir, fake, ['--cluster', `http://127.0.0.1:${port}`, '--index', 'shop']);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /grounding failed, nothing was sent to the teacher/);
    assert.match(r.stderr, /--no-grounding/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    assert.equal(fake.chatRequests, 0);
  } finally {
    await fake.close();
    ws.cleanup();
  }
});

test('--cluster-repair without a cluster is a usage error', async () => {
  const fake = await FakeTeacher.start();
  const ws = workspace(['a question']);
  try {
    const r = await generate(ws.dir, fake, ['--cluster-repair']);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /needs a cluster: pass --cluster C/);
  } finally {
    await fake.close();
    ws.cleanup();
  }
});

test('grounding text goes where {{fieldValues}} is, else in front of the default user prompt, and moves the hash', () => {
  const values = '- status (keyword): "shipped" (5)';
  const plain = questionMessages(DEFAULT_TEMPLATES, undefined, [], 'q');
  const grounded = questionMessages(DEFAULT_TEMPLATES, undefined, [], 'q', values);
  assert.equal(plain[1]!.content, 'Question: q\n', 'no grounding: the default prompt is unchanged');
  assert.ok(grounded[1]!.content.startsWith('Real values in the index'));
  assert.ok(grounded[1]!.content.includes(values) && grounded[1]!.content.endsWith('Question: q\n'));
  const custom = { ...DEFAULT_TEMPLATES, user: 'Question: {{question}}\n\n{{fieldValues}}END' };
  const placed = questionMessages(custom, undefined, [], 'q', values)[1]!.content;
  assert.ok(placed.startsWith('Question: q\n\nReal values') && placed.endsWith(`${values}\n\nEND`));
  assert.equal(questionMessages(custom, undefined, [], 'q')[1]!.content, 'Question: q\n\nEND');
  const base = promptHash(DEFAULT_TEMPLATES, 'm', undefined);
  assert.equal(promptHash(DEFAULT_TEMPLATES, 'm', undefined, undefined), base, 'ungrounded datasets keep their hash');
  assert.notEqual(promptHash(DEFAULT_TEMPLATES, 'm', undefined, values), base);
  assert.notEqual(promptHash(DEFAULT_TEMPLATES, 'm', undefined, values + '\n- x (long): 1 … 2'), promptHash(DEFAULT_TEMPLATES, 'm', undefined, values));
});
