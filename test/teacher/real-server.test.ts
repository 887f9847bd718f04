// `distillery generate` as a child process against a real teacher server: `transformers serve`
// (the runner's `serving` extra) serving the tiny random Llama that `make-tiny-model` builds with a
// chat template. Its answers are garbage; the point is the protocol end to end: records written with
// the parser's status and the server's token counts, a rerun that pays nothing twice, a wrong model
// name that stops the run with the server's message and records nothing, and --batch against a
// server without the Files/Batch API ending in one line with the cause and the fix.
// Needs python-runner/.venv (scripts/setup-python.sh); without the venv it is skipped, but a venv
// whose server cannot start fails with the reason.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { repoRoot } from '../helpers/cli';
import { runnerVenvMissing, startTransformersServe, venvBin, type TransformersServe } from '../helpers/transformers-serve';
import { readRecords, tempDir } from './helpers';

const skip = runnerVenvMissing();
const QUESTIONS = ['orders over $100 from last week', 'products whose title mentions red shoes', 'count orders by status'];

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('generate against a real `transformers serve` with a tiny model', { skip, timeout: 240_000 }, () => {
  let server: TransformersServe | undefined;
  let work = '';
  let model = '';
  let cliJs = '';
  let cleanup = () => {};

  before(async () => {
    ({ dir: work, cleanup } = tempDir());
    model = join(work, 'tiny-llama');
    const made = spawnSync(join(venvBin, 'python'), ['-m', 'distillery_runner', 'make-tiny-model', '--arch', 'llama', '--out', model], { cwd: join(repoRoot, 'python-runner'), encoding: 'utf8' });
    assert.equal(made.status, 0, `make-tiny-model failed: ${made.stderr}`);
    // A bundle starts much faster than tsx, which matters over a handful of child processes
    // (the same settings as test/teacher/cli.test.ts).
    cliJs = join(work, 'cli.js');
    await build({ entryPoints: [join(repoRoot, 'src/cli/main.ts')], outfile: cliJs, bundle: true, platform: 'node', format: 'cjs', target: 'es2022', mainFields: ['module', 'main'], external: ['vscode', 'cpu-features', '*/sshcrypto.node'], logLevel: 'error' });
    server = await startTransformersServe();
  });
  after(async () => {
    await server?.stop();
    cleanup();
  });

  function workspace(name: string, teacher: Record<string, unknown> = {}): string {
    const dir = join(work, name);
    spawnSync('mkdir', ['-p', dir]);
    // Tiny outputs keep each request well under a second on a CPU; the model id is the local path.
    const settings = { model, baseUrl: server!.baseUrl, maxTokens: 16, concurrency: 2, maxRetries: 1, timeoutSec: 60, prices: { [model]: { inputPerMTok: 1, outputPerMTok: 2 } }, ...teacher };
    writeFileSync(join(dir, 'distillery.json'), JSON.stringify({ teacher: settings }));
    writeFileSync(join(dir, 'questions.txt'), `${QUESTIONS.join('\n')}\n`);
    return dir;
  }

  function generate(dir: string, args: string[]): Promise<CliResult> {
    const env = { ...process.env };
    delete env['OPENAI_API_KEY']; // a local server needs no key
    const child = spawn(process.execPath, [cliJs, 'generate', '--dataset', 'data.dss.jsonl', '--questions', 'questions.txt', ...args], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  }

  const noStackTrace = (r: CliResult) => assert.doesNotMatch(r.stderr + r.stdout, /\n\s+at .+:\d+:\d+/, 'a user-facing failure printed a stack trace');

  test('answers are recorded with the parser status and the server token counts; a rerun pays nothing', async () => {
    const dir = workspace('generate');
    const r = await generate(dir, ['--format', 'json']);
    assert.equal(r.code, 0, `${r.stderr}\n--- server log ---\n${server!.log()}`);
    const summary = JSON.parse(r.stdout) as { generated: number; needsFix: number; failed: number; requests: number; usage: { input: number; output: number }; costUsd: number; usageEstimated?: boolean };
    assert.equal(summary.generated + summary.needsFix, QUESTIONS.length);
    assert.equal(summary.failed, 0);
    assert.ok(summary.requests >= QUESTIONS.length, `requests: ${summary.requests}`);
    // transformers serve sends usage: the figures are the server's, not estimates.
    assert.equal(summary.usageEstimated, undefined);
    assert.ok(summary.usage.input > 0 && summary.usage.output > 0, JSON.stringify(summary.usage));
    assert.ok(summary.costUsd > 0);

    const records = readRecords(join(dir, 'data.dss.jsonl'));
    assert.deepEqual(records.map((x) => x.question).sort(), [...QUESTIONS].sort());
    for (const record of records) {
      assert.ok(record.status === 'generated' || record.status === 'needs_fix', `status ${record.status}`);
      // A random model's text is not a valid answer: the parser says why instead of inventing one.
      if (record.status === 'needs_fix') assert.ok(record.notes, `needs_fix without a note: ${JSON.stringify(record)}`);
      assert.equal(record.source?.kind, 'teacher');
      if (record.source?.kind === 'teacher') {
        assert.equal(record.source.model, model);
        const usage = record.source.usage;
        assert.ok(usage && usage.input > 0 && usage.output > 0, JSON.stringify(usage));
      }
    }
    const before = readFileSync(join(dir, 'data.dss.jsonl'));

    const again = await generate(dir, []);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, new RegExp(`nothing to do: ${QUESTIONS.length} question\\(s\\) already answered`));
    assert.deepEqual(readFileSync(join(dir, 'data.dss.jsonl')), before, 'a rerun with nothing to do changed the dataset');
  });

  test('a wrong model name stops the run with the server message and records nothing; the rerun answers', async () => {
    const dir = workspace('wrong-model');
    const wrong = join(work, 'no-such-model');
    const r = await generate(dir, ['--model', wrong]);
    assert.equal(r.code, 2, r.stderr + r.stdout);
    noStackTrace(r);
    assert.match(r.stdout + r.stderr, /stopped: /);
    assert.match(r.stdout + r.stderr, /model/i);
    assert.match(r.stdout, /0 generated, 0 need a fix/);
    const answered = readRecords(join(dir, 'data.dss.jsonl')).filter((x) => x.status === 'generated' || x.status === 'needs_fix');
    assert.deepEqual(answered, [], 'a request the server refused was recorded as an answer');

    const fixed = await generate(dir, ['--format', 'json']);
    assert.equal(fixed.code, 0, fixed.stderr);
    const summary = JSON.parse(fixed.stdout) as { generated: number; needsFix: number };
    assert.equal(summary.generated + summary.needsFix, QUESTIONS.length);
  });

  test('--batch against a server without the Files/Batch API: one line with the cause and the fix, exit 1', async () => {
    const dir = workspace('batch');
    const r = await generate(dir, ['--batch']);
    assert.equal(r.code, 1, r.stderr + r.stdout);
    noStackTrace(r);
    const lines = r.stderr.trim().split('\n');
    const failure = lines.at(-1) ?? '';
    assert.match(failure, /Batch API|Files API|batch/i);
    assert.match(failure, /without --batch|--batch/);
    assert.deepEqual(readRecords(join(dir, 'data.dss.jsonl')).filter((x) => x.status === 'generated' || x.status === 'needs_fix'), []);
  });
});
