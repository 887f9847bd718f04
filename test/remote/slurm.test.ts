// Runs through a real one-node Slurm cluster (test/helpers/slurm.ts), reached over the real
// OpenSSH server, whose sessions get SLURM_CONF from sshd's SetEnv (as a cluster's login node
// gets it from its environment). Job mechanics use the stand-in runner (fixtures/fake-runner);
// one run trains the real runner's tiny model through `distillery train --host` with a
// distillery.json host profile. When Slurm or sshd cannot start, these tests fail with the
// reason: CI installs both (.ci/run), so a skip would hide a broken engine.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { startSshd, type SshdServer } from '../helpers/sshd';
import { startSlurm, type SlurmCluster } from '../helpers/slurm';
import { openHost } from '../../src/core/remote/open-host';
import { closeAllConnections } from '../../src/core/remote/ssh-connection';
import { cancelRun, launchRun, listRuns, runStatus, type RunSummary } from '../../src/core/remote/jobs';
import { followRun } from '../../src/core/remote/follow';
import { launchSweep, planSweep } from '../../src/core/remote/sweep';
import { layoutFor, runDir } from '../../src/core/remote/layout';
import { slurmPreflight } from '../../src/core/remote/schedulers/slurm';
import { preflight } from '../../src/core/remote/preflight';
import type { Host } from '../../src/core/remote/host';
import type { SlurmSettings } from '../../src/core/remote/schedulers/settings';
import { pollUntil, repoRoot } from './cli-helpers';

const fakeRunner = join(import.meta.dirname, 'fixtures', 'fake-runner', 'distillery_runner');
const PYTHON = '/usr/bin/python3';
const venvPython = join(repoRoot, 'python-runner', '.venv', 'bin', 'python');

function config(fake: Record<string, unknown>): Record<string, unknown> {
  return { baseModel: 'tiny', modality: 'lora', supervision: 'dss', lora: { r: 8 }, data: { train: 'train.jsonl', val: 'val.jsonl' }, fake };
}

const until = <T>(what: string, probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 60_000): Promise<T> => pollUntil(what, probe, ok, timeoutMs);

/** Follows until the first event line, then stops following (the run goes on). */
function firstLine(host: Host, runId: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const ac = new AbortController();
    followRun(host, runId, { signal: ac.signal, onLine: () => (ac.abort(), resolve()) }).catch((e: Error) => (ac.signal.aborted ? undefined : reject(e)));
  });
}

describe('runs on a real Slurm cluster over a real sshd', () => {
  let slurm: SlurmCluster;
  let sshd: SshdServer;
  let home: string;
  let data: string;
  const hostWith = (s: SlurmSettings = {}): Host => openHost('testhost', { remoteHome: home, scheduler: { kind: 'slurm', slurm: { partition: 'debug', time: '00:10:00', ...s } } });
  // Slurm checks time limits about every 30 s and counts them in whole minutes, so the TIMEOUT
  // run starts first and is read last, while the other tests use the time it takes.
  let timeoutRun: string;

  before(async () => {
    slurm = await startSlurm();
    sshd = await startSshd({ extraConfig: [`SetEnv SLURM_CONF=${slurm.conf}`] });
    Object.assign(process.env, sshd.env);
    home = join(mkdtempSync(join(tmpdir(), 'distillery-slurm-home-')), `it's a "home" $(touch pwned) ü`);
    mkdirSync(home, { recursive: true });
    data = mkdtempSync(join(tmpdir(), 'distillery-data-'));
    const rec = (i: number) => JSON.stringify({ id: `q-${i}`, question: `q ${i}`, rationale: 'r', dsl: { query: { match_all: {} } } });
    writeFileSync(join(data, 'train.jsonl'), [1, 2, 3].map(rec).join('\n') + '\n');
    writeFileSync(join(data, 'val.jsonl'), rec(4) + '\n');
    const t = await launchRun(hostWith({ time: '1' }), { config: config({ steps: 100000, intervalMs: 50 }), configDir: data, runnerDir: fakeRunner, python: PYTHON, runId: 'times-out' });
    timeoutRun = t.runId;
  });

  after(async () => {
    closeAllConnections();
    await sshd?.stop();
    await slurm?.stop();
    rmSync(join(home, '..'), { recursive: true, force: true });
    rmSync(data, { recursive: true, force: true });
  });

  test('a run is submitted with sbatch and followed through a dropped SSH connection', async () => {
    const host = hostWith();
    const r = await launchRun(host, { config: config({ steps: 400, intervalMs: 10 }), configDir: data, runnerDir: fakeRunner, python: PYTHON, runId: `it's "$(run)" ü` });
    assert.match(r.jobId ?? '', /^\d+$/);
    const lines: string[] = [];
    let dropped = false;
    const res = await followRun(host, r.runId, {
      onLine: (l) => {
        lines.push(l);
        if (!dropped && lines.length >= 30) dropped = sshd.killSessions() > 0;
      },
    });
    assert.ok(dropped, 'the connection was cut mid-run');
    assert.ok(res.reconnects >= 1);
    assert.equal(res.status, 'done');
    const onDisk = readFileSync(join(runDir(layoutFor(home), r.runId), 'events.jsonl'), 'utf8');
    assert.equal(lines.join('\n') + '\n', onDisk);
    const s = await until('the job leaving squeue', () => runStatus(host, r.runId), (x) => x.schedulerState === 'COMPLETED');
    assert.equal(s.status, 'done');
    assert.equal(s.scheduler, 'slurm');
    assert.equal(s.jobId, r.jobId);
    const listed = (await listRuns(host)).find((x) => x.runId === r.runId);
    assert.equal(listed?.schedulerState, 'COMPLETED');
  });

  test('a pending job shows its reason and is cancelled; a running one is cancelled mid-run', async () => {
    const later = hostWith({ directives: ['--begin=now+1hour'] });
    const pending = await launchRun(later, { config: config({ steps: 5, intervalMs: 1 }), configDir: data, runnerDir: fakeRunner, python: PYTHON });
    const p = await until('the job being pending', () => runStatus(later, pending.runId), (x) => x.schedulerState === 'PENDING');
    assert.equal(p.status, 'queued');
    assert.match(p.schedulerReason ?? '', /BeginTime/);
    assert.equal(await cancelRun(later, pending.runId, 5), 'cancelled');
    const pc = await runStatus(later, pending.runId);
    assert.equal(pc.status, 'cancelled');
    assert.equal(pc.schedulerState, 'CANCELLED');
    assert.equal(pc.startedAt, null, 'the job never started');

    const host = hostWith();
    const running = await launchRun(host, { config: config({ steps: 100000, intervalMs: 20 }), configDir: data, runnerDir: fakeRunner, python: PYTHON });
    await firstLine(host, running.runId);
    assert.equal((await runStatus(host, running.runId)).schedulerState, 'RUNNING');
    assert.equal(await cancelRun(host, running.runId, 10), 'cancelled');
    const rc = await runStatus(host, running.runId);
    assert.equal(rc.status, 'cancelled');
    assert.equal(rc.schedulerState, 'CANCELLED');
    // scancel's SIGTERM reached the runner, which ended with its own event.
    assert.equal(rc.final?.['status'], 'cancelled');
  });

  test('a 4-point sweep runs as one job array with at most 2 tasks at a time', async () => {
    const host = hostWith({ sweepConcurrency: 2 });
    const configs = planSweep(config({ steps: 40, intervalMs: 50 }), { modality: ['lora', 'full'], supervision: ['dss', 'label_only'] });
    assert.equal(configs.length, 4);
    const sweep = await launchSweep(host, { configDir: data, runnerDir: fakeRunner, python: PYTHON }, configs);
    assert.match(sweep.jobId ?? '', /^\d+$/);
    let maxRunning = 0;
    const states = await until(
      'every array task finishing',
      async () => {
        const runs = (await listRuns(host)).filter((x) => sweep.runIds.includes(x.runId));
        maxRunning = Math.max(maxRunning, runs.filter((x) => x.schedulerState === 'RUNNING').length);
        return runs;
      },
      (runs: RunSummary[]) => runs.length === 4 && runs.every((x) => x.schedulerState === 'COMPLETED'),
      120_000,
    );
    assert.equal(maxRunning, 2, 'two tasks ran side by side, never more');
    assert.deepEqual(states.map((x) => x.jobId).sort(), [0, 1, 2, 3].map((i) => `${sweep.jobId}_${i}`));
    assert.ok(states.every((x) => x.status === 'done'));
  });

  test('preflight names a partition without GPUs, a time limit above the partition and an unknown partition', async () => {
    const host = hostWith();
    assert.deepEqual(await slurmPreflight(host, { partition: 'debug', time: '00:10:00' }), []);
    const gpu = await slurmPreflight(host, { partition: 'debug', gres: 'gpu:1', time: '02:00:00' });
    assert.ok(gpu.some((m) => /has no GPUs/.test(m)), gpu.join('\n'));
    assert.ok(gpu.some((m) => /above partition "debug"'s MaxTime 00:30:00/.test(m)), gpu.join('\n'));
    const none = await slurmPreflight(host, { partition: 'nosuch' });
    assert.match(none.join('\n'), /partition "nosuch" does not exist/);
    // The full preflight runs the runner's env report as a job on the partition (a compute node).
    const report = await preflight(host, fakeRunner, { python: PYTHON });
    assert.deepEqual(report.schedulerProblems, []);
    assert.match(report.ranOn ?? '', /^\d+ on localhost$/);
    assert.ok(report.env, report.envError);
    const account = await slurmPreflight(host, { partition: 'debug', account: 'proj' });
    assert.match(account.join('\n'), /account "proj" cannot be checked: .* without an accounting database/);
  });

  test('distillery train --host trains the real tiny model through a distillery.json Slurm profile', async () => {
    const work = mkdtempSync(join(tmpdir(), 'distillery-slurm-real-'));
    const made = spawnSync(venvPython, ['-m', 'distillery_runner', 'make-tiny-model', '--arch', 't5', '--out', join(work, 'model')], { cwd: join(repoRoot, 'python-runner'), encoding: 'utf8' });
    assert.equal(made.status, 0, made.stderr);
    const rows = Array.from({ length: 8 }, (_, i) => ({ id: `q-${i}`, question: `orders over ${i * 10}`, rationale: `range on total ${i}`, dsl: { query: { range: { total: { gt: i * 10 } } } } }));
    writeFileSync(join(work, 'train.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    writeFileSync(join(work, 'val.jsonl'), rows.slice(0, 2).map((r) => JSON.stringify(r)).join('\n') + '\n');
    writeFileSync(
      join(work, 'run.json'),
      JSON.stringify({
        baseModel: join(work, 'model'),
        modality: 'lora',
        supervision: 'dss',
        lora: { r: 4 },
        train: { batchSize: 2, logSteps: 1, evalSteps: 1000, saveSteps: 1000, maxSourceLen: 32, maxTargetLen: 24, lr: 1e-3, seed: 7, maxSteps: 4 },
        data: { train: 'train.jsonl', val: 'val.jsonl' },
      }),
    );
    writeFileSync(
      join(work, 'distillery.json'),
      JSON.stringify({ hosts: [{ name: 'hpc', target: 'testhost', remoteHome: home, python: venvPython, scheduler: 'slurm', slurm: { partition: 'debug', time: '00:10:00', setup: ['export DISTILLERY_SETUP_RAN=1'] } }] }),
    );
    // The CLI reads distillery.json from its working directory, so it runs in `work`.
    const cli = async (...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> => {
      const child = spawn(process.execPath, ['--import', pathToFileURL(join(repoRoot, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href, join(repoRoot, 'src', 'cli', 'main.ts'), ...args], {
        cwd: work,
        env: { ...process.env, ...sshd.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      return { code, stdout, stderr };
    };
    const { code, stdout, stderr } = await cli('train', '--host', 'hpc', '--config', 'run.json', '--follow');
    assert.equal(code, 0, stderr);
    const [first, ...lines] = stdout.trimEnd().split('\n');
    const runId = /^run (.+)$/.exec(first!)?.[1];
    assert.ok(runId, first);
    assert.equal(lines.join('\n') + '\n', readFileSync(join(runDir(layoutFor(home), runId), 'events.jsonl'), 'utf8'));
    const last = JSON.parse(lines[lines.length - 1]!);
    assert.equal(last.event, 'done', lines[lines.length - 1]);
    assert.equal(last.status, 'ok');
    const s = await until('the job leaving squeue', () => runStatus(hostWith(), runId), (x) => x.schedulerState === 'COMPLETED');
    assert.equal(s.scheduler, 'slurm');
    const listed = await cli('runs', 'list', '--host', 'hpc', '--format', 'json');
    assert.equal(listed.code, 0, listed.stderr);
    const row = (JSON.parse(listed.stdout) as RunSummary[]).find((x) => x.runId === runId);
    assert.deepEqual([row?.status, row?.scheduler, row?.jobId, row?.schedulerState], ['done', 'slurm', s.jobId, 'COMPLETED']);
    assert.match(readFileSync(join(runDir(layoutFor(home), runId), 'job.sh'), 'utf8'), /DISTILLERY_SETUP_RAN/);
    rmSync(work, { recursive: true, force: true });
  });
  test('FAILED and TIMEOUT are read with their messages', async () => {
    const host = hostWith();
    const failed = await launchRun(host, { config: config({ steps: 10, intervalMs: 1, fail: true }), configDir: data, runnerDir: fakeRunner, python: PYTHON });
    const f = await until('the failing job ending', () => runStatus(host, failed.runId), (x) => x.schedulerState === 'FAILED');
    assert.equal(f.status, 'failed');
    assert.match(f.schedulerReason ?? '', /NonZeroExitCode/);
    assert.match(f.schedulerReason ?? '', /exit code 1:0/);
    assert.match(f.schedulerReason ?? '', /fake failure/);
    const t = await until('the time limit', () => runStatus(host, timeoutRun), (x) => x.schedulerState === 'TIMEOUT', 150_000);
    assert.equal(t.status, 'failed');
    assert.match(t.schedulerReason ?? '', /time limit/);
  });

});

describe('a job asking for 2 GPUs runs the real runner through srun + torchrun', () => {
  // The node advertises 2 count-only GPUs, so `--gres=gpu:2` is scheduled here and job.sh takes
  // the srun + torchrun launcher; with no CUDA the two ranks train on the CPU over gloo.
  let slurm: SlurmCluster;
  let sshd: SshdServer;
  let work: string;

  before(async () => {
    slurm = await startSlurm({ gpus: 2 });
    sshd = await startSshd({ extraConfig: [`SetEnv SLURM_CONF=${slurm.conf}`] });
    Object.assign(process.env, sshd.env);
    work = mkdtempSync(join(tmpdir(), 'distillery-slurm-ddp-'));
  });

  after(async () => {
    closeAllConnections();
    await sshd?.stop();
    await slurm?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('two ranks train the tiny model; rank 0 alone writes the events', async () => {
    const made = spawnSync(venvPython, ['-m', 'distillery_runner', 'make-tiny-model', '--arch', 't5', '--out', join(work, 'model')], { cwd: join(repoRoot, 'python-runner'), encoding: 'utf8' });
    assert.equal(made.status, 0, made.stderr);
    const rows = Array.from({ length: 8 }, (_, i) => ({ id: `q-${i}`, question: `orders over ${i * 10}`, rationale: `range on total ${i}`, dsl: { query: { range: { total: { gt: i * 10 } } } } }));
    writeFileSync(join(work, 'train.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    writeFileSync(join(work, 'val.jsonl'), rows.slice(0, 2).map((r) => JSON.stringify(r)).join('\n') + '\n');
    const home = join(work, 'home');
    mkdirSync(home);
    const host = openHost('testhost', { remoteHome: home, scheduler: { kind: 'slurm', slurm: { partition: 'debug', time: '00:10:00', gres: 'gpu:2' } } });
    const cfg = {
      baseModel: join(work, 'model'),
      modality: 'lora',
      supervision: 'dss',
      lora: { r: 4 },
      train: { batchSize: 2, logSteps: 1, evalSteps: 1000, saveSteps: 1000, maxSourceLen: 32, maxTargetLen: 24, lr: 1e-3, seed: 7, maxSteps: 4 },
      data: { train: 'train.jsonl', val: 'val.jsonl' },
    };
    const r = await launchRun(host, { config: cfg, configDir: work, runnerDir: join(repoRoot, 'python-runner', 'distillery_runner'), python: venvPython });
    const lines: string[] = [];
    const res = await followRun(host, r.runId, { onLine: (l) => lines.push(l) });
    const dir = runDir(layoutFor(home), r.runId);
    const stderr = readFileSync(join(dir, 'stderr.log'), 'utf8');
    assert.equal(res.status, 'done', `${lines.slice(-2).join('\n')}\n${stderr.slice(-3000)}`);
    assert.equal(lines.filter((l) => JSON.parse(l).event === 'start').length, 1, 'only global rank 0 writes events');
    assert.match(readFileSync(join(dir, 'job.sh'), 'utf8'), /srun --ntasks-per-node=1 .*torch\.distributed\.run .*--nproc-per-node=2/);
    // torchrun says this only when it starts more than one process per node.
    assert.match(stderr, /OMP_NUM_THREADS/);
    const s = await until('the job leaving squeue', () => runStatus(host, r.runId), (x) => x.schedulerState === 'COMPLETED');
    assert.equal(s.status, 'done');
  });
});
