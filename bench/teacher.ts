// Teacher throughput: the whole generation pipeline (cache lookups, rate limiter, client, parsing,
// validation, durable appends) against the fake server answering every request after a fixed
// latency. Ideal throughput is concurrency / latency; the target is ≥ 0.9 of it.
// Run: node --import tsx bench/teacher.ts [--latency-ms 200] [--rounds 8] [--levels 1,8,32]
// Prints one JSON line on stdout.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import OpenAI from 'openai';
import { FakeTeacher } from '../test/teacher/fake-server';
import { planQuestions } from '../src/core/teacher/generator';
import { createClient, createGenerator, openSession } from '../src/core/teacher/session';

const { values } = parseArgs({
  options: { 'latency-ms': { type: 'string', default: '200' }, rounds: { type: 'string', default: '8' }, levels: { type: 'string', default: '1,8,32' } },
});
const latencyMs = Number(values['latency-ms']);
const rounds = Number(values.rounds);
const levels = values.levels.split(',').map(Number);

async function measure(concurrency: number): Promise<{ concurrency: number; requests: number; seconds: number; perSecond: number; ideal: number; fraction: number; maxInFlight: number }> {
  const fake = await FakeTeacher.start();
  fake.latencyMs = latencyMs;
  const dir = mkdtempSync(join(tmpdir(), 'distillery-bench-'));
  try {
    const session = await openSession({
      datasetPath: join(dir, 'bench.dss.jsonl'),
      cwd: dir,
      overrides: { model: 'bench-model', baseUrl: fake.url, concurrency, timeoutSec: 30, maxRetries: 0 },
    });
    const client = createClient(session, { apiKey: 'bench' });
    const questions = Array.from({ length: concurrency * rounds }, (_, i) => `benchmark question number ${i}`);
    const plan = planQuestions(session.dataset.records(), questions, session.promptHash);
    // Warm-up: the first request loads undici and opens the connection; steady state is measured.
    await client.chat({ model: 'bench-model', messages: [{ role: 'user', content: 'Question: warm-up' }] });
    fake.maxInFlight = 0;
    const started = performance.now();
    const summary = await createGenerator(session, client).run(plan.todo);
    const seconds = (performance.now() - started) / 1000;
    if (summary.generated !== questions.length) throw new Error(`only ${summary.generated} of ${questions.length} answered`);
    const perSecond = summary.requests / seconds;
    const ideal = concurrency / (latencyMs / 1000);
    return { concurrency, requests: summary.requests, seconds: Number(seconds.toFixed(3)), perSecond: Number(perSecond.toFixed(2)), ideal, fraction: Number((perSecond / ideal).toFixed(3)), maxInFlight: fake.maxInFlight };
  } finally {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The same load through a bare openai client: what this machine allows, without the pipeline. */
async function baseline(concurrency: number): Promise<number> {
  const fake = await FakeTeacher.start();
  fake.latencyMs = latencyMs;
  try {
    const client = new OpenAI({ apiKey: 'bench', baseURL: fake.url, maxRetries: 0 });
    await client.chat.completions.create({ model: 'bench-model', messages: [{ role: 'user', content: 'Question: warm-up' }] });
    let next = 0;
    const total = concurrency * rounds;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < total) {
          const i = next++;
          await client.chat.completions.create({ model: 'bench-model', messages: [{ role: 'user', content: `Question: baseline ${i}` }] });
        }
      }),
    );
    const perSecond = total / ((performance.now() - started) / 1000);
    return Number((perSecond / (concurrency / (latencyMs / 1000))).toFixed(3));
  } finally {
    await fake.close();
  }
}

async function main(): Promise<void> {
  const results = [];
  for (const c of levels) results.push({ ...(await measure(c)), bareClientFraction: await baseline(c) });
  const target = 0.9;
  process.stdout.write(JSON.stringify({ bench: 'teacher-throughput', latencyMs, rounds, target, pass: results.every((r) => r.fraction >= target), results }) + '\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`bench/teacher.ts: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exitCode = 1;
});
