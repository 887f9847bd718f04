// `distillery generate` as a real child process against the fake teacher: a full run, SIGKILL in
// the middle and a rerun (exactly one record per question, nothing paid twice), Ctrl+C, a 401 that
// must not print the key, and the Batch API round trip through --batch / --batch-poll.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { FakeTeacher } from './fake-server';
import { API_KEY, COST_PER_REQUEST, PRICE, readRecords, tempDir } from './helpers';
import { pollBatches, readBatchState } from '../../src/core/teacher/batch';
import { planQuestions } from '../../src/core/teacher/generator';
import { createClient, openSession } from '../../src/core/teacher/session';

const root = join(__dirname, '../..');
let cliJs = '';
let removeBundle = () => {};

// The CLI is bundled once with the settings scripts/build.mjs uses (a bundle starts in a fraction
// of the time tsx needs, which matters with a dozen child processes), into a temp dir so the test
// never races a build of dist/. `module` before `main`: jsonc-parser's UMD build cannot be bundled.
before(async () => {
  const { dir, cleanup } = tempDir();
  removeBundle = cleanup;
  cliJs = join(dir, 'cli.js');
  await build({ entryPoints: [join(root, 'src/cli/main.ts')], outfile: cliJs, bundle: true, platform: 'node', format: 'cjs', target: 'es2022', mainFields: ['module', 'main'], external: ['vscode', 'cpu-features', '*/sshcrypto.node'], logLevel: 'error' });
});
after(() => removeBundle());

function cli(args: string[], cwd: string, env: Record<string, string> = {}): { child: ChildProcess; done: Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, [cliJs, 'generate', ...args], {
    cwd,
    env: { ...process.env, OPENAI_API_KEY: API_KEY, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done };
}

function workspace(fake: FakeTeacher, questions: string[]): { dir: string; cleanup: () => void; args: string[] } {
  const { dir, cleanup } = tempDir();
  writeFileSync(join(dir, 'distillery.json'), JSON.stringify({ teacher: { model: 'test-model', prices: PRICE, concurrency: 4 } }));
  writeFileSync(join(dir, 'questions.txt'), `# test questions\n${questions.join('\n')}\n`);
  return { dir, cleanup, args: ['--dataset', 'data.dss.jsonl', '--questions', 'questions.txt', '--base-url', fake.url] };
}

test('generate fills the dataset and prints the estimate and a summary', async () => {
  const fake = await FakeTeacher.start();
  const questions = ['a question', 'b question', 'c question'];
  const ws = workspace(fake, questions);
  try {
    const est = await cli([...ws.args, '--estimate', '--format', 'json'], ws.dir).done;
    assert.equal(est.code, 0, est.stderr);
    const plan = JSON.parse(est.stdout) as { questions: number; requests: number };
    assert.equal(plan.questions, 3);
    assert.equal(plan.requests, 3);
    assert.equal(fake.chatRequests, 0);

    const r = await cli([...ws.args, '--format', 'json'], ws.dir).done;
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout) as { generated: number; costUsd: number };
    assert.equal(summary.generated, 3);
    assert.ok(Math.abs(summary.costUsd - 3 * COST_PER_REQUEST) < 1e-9);
    assert.match(r.stderr, /at least 3 requests/); // repair rounds may add more: a floor
    assert.equal(readRecords(join(ws.dir, 'data.dss.jsonl')).length, 3);

    assert.equal(fake.chatRequests, 3);
  } finally {
    await fake.close();
    ws.cleanup();
  }
});

test('SIGKILL mid-run, then rerun: one record per question, no answered question asked again', async () => {
  const fake = await FakeTeacher.start();
  fake.latencyMs = 25;
  const questions = Array.from({ length: 40 }, (_, i) => `kill test question ${i}`);
  const ws = workspace(fake, questions);
  const data = join(ws.dir, 'data.dss.jsonl');
  try {
    const first = cli(ws.args, ws.dir);
    await fake.waitFor(() => [...fake.answered.values()].reduce((a, b) => a + b, 0) >= 10);
    first.child.kill('SIGKILL');
    const killed = await first.done;
    assert.equal(killed.signal, 'SIGKILL');
    const before = readRecords(data);
    assert.ok(before.length > 0 && before.length < questions.length, `records after kill: ${before.length}`);
    const countsAtKill = new Map(fake.perQuestion);

    const second = await cli(ws.args, ws.dir).done;
    assert.equal(second.code, 0, second.stderr);
    const after = readRecords(data);
    for (const q of questions) assert.equal(after.filter((r) => r.question === q).length, 1, `records for "${q}"`);
    assert.equal(after.length, questions.length);
    // Questions that had a record when the run died were not sent again.
    for (const r of before) assert.equal(fake.totalFor(r.question), countsAtKill.get(r.question), `re-asked "${r.question}"`);
    // At most the requests in flight at the kill were lost and sent again.
    assert.ok(fake.chatRequests <= questions.length + 4, `requests: ${fake.chatRequests}`);
    assert.ok(after.every((r) => r.status === 'generated'));
  } finally {
    await fake.close();
    ws.cleanup();
  }
});

test('SIGKILL mid-run over pending records (batched in-place updates), then rerun: nothing paid twice', async () => {
  const fake = await FakeTeacher.start();
  fake.latencyMs = 25;
  const questions = Array.from({ length: 40 }, (_, i) => `pending kill question ${i}`);
  const ws = workspace(fake, []);
  const data = join(ws.dir, 'data.dss.jsonl');
  writeFileSync(data, questions.map((q, i) => JSON.stringify({ id: `q-${i}`, question: q, status: 'pending' }) + '\n').join(''));
  const args = ['--dataset', 'data.dss.jsonl', '--base-url', fake.url];
  try {
    const first = cli(args, ws.dir);
    await fake.waitFor(() => [...fake.answered.values()].reduce((a, b) => a + b, 0) >= 10);
    // Let at least one batch reach the disk, then kill while answers are still arriving.
    for (let i = 0; i < 200 && !readRecords(data).some((r) => r.status !== 'pending'); i++) await new Promise((r) => setTimeout(r, 10));
    first.child.kill('SIGKILL');
    const killed = await first.done;
    assert.equal(killed.signal, 'SIGKILL');
    const before = readRecords(data);
    assert.equal(before.length, questions.length, 'in-place updates never add or drop a line');
    const doneAtKill = before.filter((r) => r.status !== 'pending');
    assert.ok(doneAtKill.length < questions.length, `answered on disk at the kill: ${doneAtKill.length}`);
    const countsAtKill = new Map(fake.perQuestion);
    const answeredAtKill = [...fake.answered.values()].reduce((a, b) => a + b, 0);

    const second = await cli(args, ws.dir).done;
    assert.equal(second.code, 0, second.stderr);
    const after = readRecords(data);
    assert.equal(after.length, questions.length);
    for (const q of questions) assert.equal(after.filter((r) => r.question === q).length, 1, `records for "${q}"`);
    assert.ok(after.every((r) => r.status === 'generated'));
    // Answers received before the kill (on disk or only in the cache) were not bought again.
    for (const r of doneAtKill) assert.equal(fake.totalFor(r.question), countsAtKill.get(r.question), `re-asked "${r.question}"`);
    // Answered but only in the cache at the kill (batch not yet saved): answered from the cache.
    assert.ok(fake.chatRequests <= questions.length + 4, `requests: ${fake.chatRequests} (answered before the kill: ${answeredAtKill})`);
  } finally {
    await fake.close();
    ws.cleanup();
  }
});

test('Ctrl+C stops new requests, keeps finished answers and exits 3', async () => {
  const fake = await FakeTeacher.start();
  fake.latencyMs = 25;
  const questions = Array.from({ length: 40 }, (_, i) => `sigint question ${i}`);
  const ws = workspace(fake, questions);
  try {
    const run = cli([...ws.args, '--concurrency', '2'], ws.dir);
    await fake.waitFor(() => fake.chatRequests >= 6);
    run.child.kill('SIGINT');
    const r = await run.done;
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stdout, /stopped by Ctrl\+C/);
    const records = readRecords(join(ws.dir, 'data.dss.jsonl'));
    assert.ok(records.length >= 4 && records.length < 40);
    assert.ok(fake.chatRequests <= records.length + 2, `requests ${fake.chatRequests}, records ${records.length}`);
  } finally {
    await fake.close();
    ws.cleanup();
  }
});

test('a 401 exits 2 (fix the key) with a message that does not contain the key', async () => {
  const fake = await FakeTeacher.start((ctx) => ({ status: 401, body: { error: { message: `Incorrect API key provided: ${ctx.authorization?.slice(7)}` } } }));
  const ws = workspace(fake, ['q one']);
  try {
    const r = await cli(ws.args, ws.dir).done;
    assert.equal(r.code, 2);
    assert.match(r.stdout + r.stderr, /refused the API key/);
    assert.ok(!(r.stdout + r.stderr).includes(API_KEY));
  } finally {
    await fake.close();
    ws.cleanup();
  }
});

test('bad usage exits 2 and names the flag', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const r = await cli(['--dataset', 'd.dss.jsonl', '--samples', 'zero'], dir).done;
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--samples must be an integer/);
  } finally {
    cleanup();
  }
});

test('batch mode: submit, poll until complete, merge once at half price', async () => {
  const fake = await FakeTeacher.start();
  fake.batchPolls = 1;
  const questions = ['batch one', 'batch two', 'batch three'];
  const ws = workspace(fake, questions);
  const data = join(ws.dir, 'data.dss.jsonl');
  try {
    const submit = await cli([...ws.args, '--batch'], ws.dir).done;
    assert.equal(submit.code, 0, submit.stderr);
    assert.match(submit.stdout, /submitted batch batch_\d+ with 3 request/);
    const state = readBatchState(data);
    assert.equal(state.batches.length, 1);
    assert.equal(state.batches[0]!.state, 'submitted');
    assert.equal(readRecords(data).length, 0);

    // Polling in-process once (as the extension does) sees the batch still running.
    const session = await openSession({ datasetPath: data, cwd: ws.dir, overrides: { baseUrl: fake.url } });
    const poll1 = await pollBatches(session, createClient(session, { apiKey: API_KEY }));
    assert.equal(poll1.pending, 1);
    assert.match(poll1.lines.join('\n'), /in_progress/);

    const poll2 = await cli(['--dataset', 'data.dss.jsonl', '--base-url', fake.url, '--batch-poll', '--format', 'json'], ws.dir).done;
    assert.equal(poll2.code, 0, poll2.stderr);
    const result = JSON.parse(poll2.stdout) as { merged: number; costUsd: number };
    assert.equal(result.merged, 3);
    assert.ok(Math.abs(result.costUsd - (3 * COST_PER_REQUEST) / 2) < 1e-9);
    const records = readRecords(data);
    assert.equal(records.length, 3);
    assert.ok(records.every((r) => r.status === 'generated' && (r.source as Record<string, unknown>)['batch'] === state.batches[0]!.batchId));
    assert.equal(readBatchState(data).batches[0]!.state, 'merged');

    // Merged batches are never merged again, and a normal run has nothing left to ask.
    const again = await openSession({ datasetPath: data, cwd: ws.dir, overrides: { baseUrl: fake.url } });
    const poll3 = await pollBatches(again, createClient(again, { apiKey: API_KEY }));
    assert.equal(poll3.merged, 0);
    assert.equal(readRecords(data).length, 3);
    assert.equal(planQuestions(again.dataset.records(), questions, again.promptHash).todo.length, 0);
    assert.equal(fake.chatRequests, 3);
  } finally {
    await fake.close();
    ws.cleanup();
  }
});

test('a budget for a model without a price is refused before anything is sent (it would count as $0); a price of 0 makes it explicit', async () => {
  const fake = await FakeTeacher.start();
  const ws = workspace(fake, ['a question', 'b question']);
  try {
    writeFileSync(join(ws.dir, 'distillery.json'), JSON.stringify({ teacher: { model: 'unpriced-model' } }));
    const r = await cli([...ws.args, '--budget-usd', '0.5'], ws.dir).done;
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /no price is known for unpriced-model/);
    assert.match(r.stderr, /"prices": \{"unpriced-model"/);
    assert.equal(fake.chatRequests, 0);
    assert.equal(existsSync(join(ws.dir, 'data.dss.jsonl')), false);
    const synth = await cli(['--dataset', 'data.dss.jsonl', '--base-url', fake.url, '--synthesize', '3', '--budget-usd', '0.5'], ws.dir).done;
    assert.equal(synth.code, 2, synth.stderr);
    assert.equal(fake.chatRequests, 0);
    // The estimate still answers: it spends nothing.
    const est = await cli([...ws.args, '--budget-usd', '0.5', '--estimate'], ws.dir).done;
    assert.equal(est.code, 0, est.stderr);

    writeFileSync(join(ws.dir, 'distillery.json'), JSON.stringify({ teacher: { model: 'unpriced-model', prices: { 'unpriced-model': { inputPerMTok: 0, outputPerMTok: 0 } } } }));
    const free = await cli([...ws.args, '--budget-usd', '0.5'], ws.dir).done;
    assert.equal(free.code, 0, free.stderr);
    assert.equal(readRecords(join(ws.dir, 'data.dss.jsonl')).length, 2);
  } finally {
    await fake.close();
    ws.cleanup();
  }
});

test('--base-url that is not a URL: exit 2 before anything is written', async () => {
  const fake = await FakeTeacher.start();
  const ws = workspace(fake, ['cancelled orders']);
  try {
    const args = ws.args.map((a) => (a === fake.url ? 'not a url' : a));
    const r = await cli(args, ws.dir).done;
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--base-url: the teacher base URL "not a url" is not a URL/);
    assert.equal(existsSync(join(ws.dir, 'data.dss.jsonl')), false);
    assert.equal(fake.chatRequests, 0);
  } finally {
    await fake.close();
    ws.cleanup();
  }
});

test('a 401 during --synthesize and --batch without a Files API: one line with cause and fix, exit 1', async () => {
  const fake = await FakeTeacher.start(() => ({ status: 401, body: { detail: 'Invalid token' } }));
  const ws = workspace(fake, ['cancelled orders']);
  try {
    const synth = await cli([...ws.args, '--synthesize', '5'], ws.dir).done;
    assert.equal(synth.code, 1, synth.stderr);
    assert.match(synth.stderr, /refused the API key .*Invalid token/);
    assert.doesNotMatch(synth.stderr, /internal error|\n\s+at /);

    fake.noBatchApi = true;
    const batch = await cli([...ws.args, '--batch'], ws.dir).done;
    assert.equal(batch.code, 1, batch.stderr);
    assert.match(batch.stderr, /has no Files API \(HTTP 404\); run without --batch/);
    assert.doesNotMatch(batch.stderr, /internal error|\n\s+at /);
  } finally {
    await fake.close();
    ws.cleanup();
  }
});

test('an unknown model stops the run at the first answer with the server’s message, exit 2; nothing is marked', async () => {
  const fake = await FakeTeacher.start(() => ({ status: 404, body: { error: { message: 'The model `test-model` does not exist' } } }));
  const ws = workspace(fake, ['cancelled orders', 'orders over $100', 'gift orders']);
  try {
    const r = await cli(ws.args, ws.dir).done;
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stdout, /stopped: .*The model `test-model` does not exist/);
    assert.equal(existsSync(join(ws.dir, 'data.dss.jsonl')) ? readRecords(join(ws.dir, 'data.dss.jsonl')).length : 0, 0);
  } finally {
    await fake.close();
    ws.cleanup();
  }
});
