// Detached jobs against a real OpenSSH server with a stand-in runner (fixtures/fake-runner): the
// job mechanics (sync, setsid, offset follow, reconnect, cancel, list, fetch, sweeps) without
// torch. The real runner with a tiny model is exercised in real-runner.test.ts.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, existsSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startSshd, sshdUnavailable, type SshdServer } from '../helpers/sshd';
import { openHost } from '../../src/core/remote/open-host';
import { closeAllConnections } from '../../src/core/remote/ssh-connection';
import { cancelRun, fetchRun, launchRun, listRuns, runStatus } from '../../src/core/remote/jobs';
import { followRun } from '../../src/core/remote/follow';
import { launchSweep, planSweep } from '../../src/core/remote/sweep';
import { layoutFor, runDir } from '../../src/core/remote/layout';
import type { Host } from '../../src/core/remote/host';
import { SshHost } from '../../src/core/remote/ssh-host';

const fakeRunner = join(import.meta.dirname, 'fixtures', 'fake-runner', 'distillery_runner');
const PYTHON = '/usr/bin/python3';
const skip = sshdUnavailable();

function dataDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'distillery-data-'));
  const rec = (i: number) => JSON.stringify({ id: `q-${i}`, question: `q ${i}`, rationale: 'r', dsl: { query: { match_all: {} } } });
  writeFileSync(join(d, 'train.jsonl'), [1, 2, 3].map(rec).join('\n') + '\n');
  writeFileSync(join(d, 'val.jsonl'), rec(4) + '\n');
  return d;
}

function config(fake: Record<string, unknown>): Record<string, unknown> {
  return { baseModel: 'tiny', modality: 'lora', supervision: 'dss', lora: { r: 8 }, data: { train: 'train.jsonl', val: 'val.jsonl' }, fake };
}

/** Live (non-zombie) processes of a process group on this machine (the sshd is local). */
function liveInGroup(pgid: number): number {
  let n = 0;
  for (const entry of require('node:fs').readdirSync('/proc') as string[]) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid && fields[0] !== 'Z') n++;
    } catch {
      /* exited meanwhile */
    }
  }
  return n;
}

describe('remote jobs over a real sshd', { skip }, () => {
  let sshd: SshdServer;
  let home: string;
  let data: string;
  let host: Host;

  before(async () => {
    sshd = await startSshd();
    Object.assign(process.env, sshd.env);
    // A hostile base directory: every remote path below it must survive quoting.
    home = join(mkdtempSync(join(tmpdir(), 'distillery-home-')), `it's a "home" $(touch pwned) \`x\`; ü`);
    mkdirSync(home, { recursive: true });
    data = dataDir();
    host = openHost('testhost', { remoteHome: home });
  });

  after(async () => {
    closeAllConnections();
    await sshd?.stop();
  });

  test('launch, follow to done, events match events.jsonl, results fetched', async () => {
    const r = await launchRun(host, { config: config({ steps: 15, intervalMs: 5 }), configDir: data, runnerDir: fakeRunner, python: PYTHON, runId: `it's "$(run)" \`one\`; ü` });
    assert.ok(r.pgid > 1);
    assert.ok(r.sync.uploadedFiles >= 3);
    const lines: string[] = [];
    const res = await followRun(host, r.runId, { onLine: (l) => lines.push(l) });
    assert.equal(res.status, 'done');
    const onDisk = readFileSync(join(runDir(layoutFor(home), r.runId), 'events.jsonl'), 'utf8');
    assert.equal(lines.join('\n') + '\n', onDisk);
    assert.equal(lines.length, 17);
    assert.ok(!existsSync(join(home, 'pwned')) && !existsSync('pwned'));
    const start = JSON.parse(lines[0]!);
    assert.equal(start.data.train, posix.join(runDir(layoutFor(home), r.runId), 'data', 'train-train.jsonl'));
    const status = await runStatus(host, r.runId);
    assert.equal(status.status, 'done');
    assert.equal(status.metrics?.['exactMatch'], 0.5);
    const out = mkdtempSync(join(tmpdir(), 'distillery-fetch-'));
    const fetched = await fetchRun(host, r.runId, out);
    assert.ok(fetched.files.includes('outputs/metrics.json') && fetched.files.includes('outputs/predictions.jsonl'));
    assert.ok(!fetched.files.some((f) => f.includes('adapter')));
    const withAdapter = await fetchRun(host, r.runId, out, { adapter: true });
    assert.ok(withAdapter.files.includes('outputs/adapter/adapter_config.json'));
    assert.ok(existsSync(join(out, r.runId, 'outputs', 'adapter', 'adapter_config.json')));
    rmSync(out, { recursive: true, force: true });
  });

  test('a second run with unchanged data uploads nothing but run.json', async () => {
    const first = await launchRun(host, { config: config({ steps: 1, intervalMs: 1 }), configDir: data, runnerDir: fakeRunner, python: PYTHON });
    const second = await launchRun(host, { config: config({ steps: 1, intervalMs: 1 }), configDir: data, runnerDir: fakeRunner, python: PYTHON });
    assert.equal(second.sync.uploadedBytes, 0);
    assert.equal(second.sync.uploadedFiles, 0);
    assert.equal(second.sync.reusedFiles, first.sync.files);
    await followRun(host, first.runId, { onLine: () => {} });
    await followRun(host, second.runId, { onLine: () => {} });
  });

  test('a dropped connection mid-run re-attaches with no lost or repeated line', async () => {
    const r = await launchRun(host, { config: config({ steps: 1500, intervalMs: 5 }), configDir: data, runnerDir: fakeRunner, python: PYTHON });
    const lines: string[] = [];
    let drops = 0;
    let reattachedAt = -1;
    const res = await followRun(host, r.runId, {
      onReconnect: () => {
        reattachedAt = lines.length;
      },
      onLine: (l) => {
        lines.push(l);
        // Cut the link twice while lines are flowing: once early, once 30 lines after re-attaching.
        const due = drops === 0 ? lines.length >= 30 : drops === 1 && reattachedAt >= 0 && lines.length >= reattachedAt + 30;
        if (due && sshd.killSessions() > 0) drops++;
      },
    });
    assert.equal(drops, 2);
    // A drop whose re-attach already finds the whole rest of the log (a slow machine) ends in
    // that burst, so it needs no further reconnect: at least one, at most one per drop.
    assert.ok(res.reconnects >= 1 && res.reconnects <= drops, `reconnects ${res.reconnects}`);
    assert.equal(res.status, 'done');
    const onDisk = readFileSync(join(runDir(layoutFor(home), r.runId), 'events.jsonl'), 'utf8');
    assert.equal(lines.join('\n') + '\n', onDisk);
    assert.equal(new Set(lines).size, lines.length);
  });

  test('cancel ends the whole process group and the run reports cancelled', async () => {
    const r = await launchRun(host, { config: config({ steps: 100000, intervalMs: 10, child: true }), configDir: data, runnerDir: fakeRunner, python: PYTHON });
    const seen: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const ac = new AbortController();
      followRun(host, r.runId, {
        signal: ac.signal,
        onLine: (l) => {
          seen.push(l);
          if (seen.length === 5) {
            ac.abort();
            resolve();
          }
        },
      }).catch((e: Error) => (ac.signal.aborted ? undefined : reject(e)));
    });
    assert.ok(liveInGroup(r.pgid) >= 3, 'job shell, runner and its child run in one group');
    assert.equal(await cancelRun(host, r.runId, 10), 'cancelled');
    assert.equal(liveInGroup(r.pgid), 0);
    const s = await runStatus(host, r.runId);
    assert.equal(s.status, 'cancelled');
    assert.equal(s.final?.['status'], 'cancelled');
  });

  test('cancel escalates to SIGKILL when the runner ignores SIGTERM', async () => {
    const r = await launchRun(host, { config: config({ steps: 100000, intervalMs: 10, ignoreTerm: true }), configDir: data, runnerDir: fakeRunner, python: PYTHON });
    // Wait for the runner to be up (its first event), then cancel with a short grace.
    await new Promise<void>((resolve, reject) => {
      const ac = new AbortController();
      followRun(host, r.runId, { signal: ac.signal, onLine: () => (ac.abort(), resolve()) }).catch((e: Error) => (ac.signal.aborted ? undefined : reject(e)));
    });
    assert.equal(await cancelRun(host, r.runId, 0.5), 'cancelled');
    assert.equal(liveInGroup(r.pgid), 0);
    assert.equal((await runStatus(host, r.runId)).status, 'cancelled');
  });

  test('a failing run ends follow with failed; list shows every run with status and config', async () => {
    const r = await launchRun(host, { config: config({ steps: 10, intervalMs: 1, fail: true }), configDir: data, runnerDir: fakeRunner, python: PYTHON });
    const res = await followRun(host, r.runId, { onLine: () => {} });
    assert.equal(res.status, 'failed');
    const runs = await listRuns(host);
    const mine = runs.find((x) => x.runId === r.runId);
    assert.equal(mine?.status, 'failed');
    assert.equal((mine?.config as { modality: string }).modality, 'lora');
    assert.ok(runs.some((x) => x.runId.startsWith('it\'s "$(run)"') && x.status === 'done'));
    for (const x of runs) assert.ok(x.startedAt === null || /^\d{4}-\d\d-\d\dT/.test(x.startedAt));
  });

  test('a sweep queues runs on the host and they run one after another after the client goes', async () => {
    const configs = planSweep(config({ steps: 3, intervalMs: 1 }), { modality: ['lora', 'full'], supervision: ['dss', 'label_only'], rank: [4], lr: [1e-4] });
    assert.equal(configs.length, 4);
    assert.deepEqual((configs[0]!['lora'] as { alpha: number }).alpha, 16);
    const sweep = await launchSweep(host, { configDir: data, runnerDir: fakeRunner, python: PYTHON }, configs);
    // The client disconnects; the queue goes on by itself on the host.
    (host as SshHost).connection.dropForTest();
    for (const id of sweep.runIds) {
      const res = await followRun(host, id, { onLine: () => {} });
      assert.equal(res.status, 'done', id);
    }
    const runs = (await listRuns(host)).filter((x) => sweep.runIds.includes(x.runId));
    const starts = runs.map((x) => x.startedAt!);
    assert.deepEqual([...starts].sort(), starts);
  });

  test('a sweep given GPUs runs one point per GPU at once, each under its CUDA_VISIBLE_DEVICES', async () => {
    const local = openHost('local', { remoteHome: home });
    const configs = planSweep(config({ steps: 30, intervalMs: 100 }), { modality: ['lora'], supervision: ['dss', 'label_only'], rank: [4, 8], lr: [1e-4] });
    const sweep = await launchSweep(local, { configDir: data, runnerDir: fakeRunner, python: PYTHON }, configs, undefined, ['0', '1']);
    // Both slots start at once: two points are running at the same moment (a queue shows one).
    for (;;) {
      const running = (await listRuns(local)).filter((x) => sweep.runIds.includes(x.runId) && x.status === 'running');
      if (running.length === 2) break;
      assert.ok(!(await listRuns(local)).some((x) => sweep.runIds.includes(x.runId) && x.status === 'done'), 'a point finished before two ran together');
      await new Promise((resolve) => setImmediate(resolve));
    }
    for (const id of sweep.runIds) assert.equal((await followRun(local, id, { onLine: () => {} })).status, 'done', id);
    const slots = sweep.runIds.map((id) => readFileSync(join(runDir(layoutFor(home), id), 'gpu'), 'utf8').trim());
    assert.deepEqual([...new Set(slots)].sort(), ['0', '1']);
  });

  test('the local host uses the same layout without SSH', async () => {
    const local = openHost('local', { remoteHome: home });
    const r = await launchRun(local, { config: config({ steps: 5, intervalMs: 1 }), configDir: data, runnerDir: fakeRunner, python: PYTHON });
    const lines: string[] = [];
    const res = await followRun(local, r.runId, { onLine: (l) => lines.push(l) });
    assert.equal(res.status, 'done');
    assert.equal(lines.length, 7);
    assert.ok((await listRuns(local)).some((x) => x.runId === r.runId));
  });
});
