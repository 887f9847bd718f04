// The real runner (python-runner, torch) with a tiny model, launched over a real sshd through
// the CLI: follow to done across a dropped connection (no line lost or repeated, compared with
// events.jsonl on the host), and cancel (done cancelled, no process of the group left).
// Needs python-runner/.venv (scripts/setup-python.sh); skipped with that message otherwise.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openHost } from '../../src/core/remote/open-host';
import { closeAllConnections } from '../../src/core/remote/ssh-connection';
import { followRun } from '../../src/core/remote/follow';
import { launchRun, runStatus } from '../../src/core/remote/jobs';
import { layoutFor, runDir } from '../../src/core/remote/layout';
import { startSshd, sshdUnavailable, type SshdServer } from '../helpers/sshd';
import { makeTinyRunWorkspace, repoRoot, runCli } from './cli-helpers';

const venvPython = join(repoRoot, 'python-runner', '.venv', 'bin', 'python');
const skip = sshdUnavailable() ?? (existsSync(venvPython) ? undefined : 'python-runner/.venv is missing: run `bash scripts/setup-python.sh` to test with the real runner');

function liveInGroup(pgid: number): number {
  const r = spawnSync('ps', ['-eo', 'pgid=,stat='], { encoding: 'utf8' });
  return r.stdout.split('\n').filter((l) => {
    const [g, stat] = l.trim().split(/\s+/);
    return Number(g) === pgid && !stat?.startsWith('Z');
  }).length;
}

describe('the real runner with a tiny model over a real sshd', { skip }, () => {
  let sshd: SshdServer;
  let work: string;
  let home: string;
  let env: Record<string, string>;

  function writeRun(name: string, train: Record<string, unknown>): string {
    const path = join(work, `${name}.json`);
    writeFileSync(
      path,
      JSON.stringify({
        baseModel: join(work, 'model'),
        modality: 'lora',
        supervision: 'dss',
        lora: { r: 4 },
        train: { batchSize: 2, logSteps: 1, evalSteps: 1000, saveSteps: 1000, maxSourceLen: 32, maxTargetLen: 24, lr: 1e-3, seed: 7, ...train },
        data: { train: 'train.jsonl', val: 'val.jsonl' },
      }),
    );
    return path;
  }

  before(async () => {
    sshd = await startSshd();
    work = mkdtempSync(join(tmpdir(), 'distillery-real-'));
    home = mkdtempSync(join(tmpdir(), 'distillery-home-'));
    env = { ...sshd.env, DISTILLERY_REMOTE_HOME: home };
    Object.assign(process.env, env);
    makeTinyRunWorkspace(work);
  });

  after(async () => {
    closeAllConnections();
    await sshd?.stop();
  });

  test('train --follow prints every event exactly once across a dropped connection', async () => {
    let dropped = false;
    const r = await runCli(['train', '--host', 'testhost', '--config', writeRun('follow', { maxSteps: 12 }), '--python', venvPython, '--follow'], env, {
      onStdout: (text) => {
        // Cut the link once training is under way (after the third step event).
        if (!dropped && (text.match(/"event": ?"step"/g) ?? []).length >= 3) dropped = sshd.killSessions() > 0;
      },
    });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(dropped, 'the connection was cut mid-run');
    const [first, ...lines] = r.stdout.trimEnd().split('\n');
    const runId = /^run (.+)$/.exec(first!)?.[1];
    assert.ok(runId, first);
    const onDisk = readFileSync(join(runDir(layoutFor(home), runId), 'events.jsonl'), 'utf8');
    assert.equal(lines.join('\n') + '\n', onDisk);
    assert.equal(JSON.parse(lines[0]!).event, 'start');
    const last = JSON.parse(lines[lines.length - 1]!);
    assert.equal(last.event, 'done', lines[lines.length - 1]);
    assert.equal(last.status, 'ok');
    assert.match(r.stderr, /re-attaching/);
  });

  test('cancel stops a real run: done cancelled, no process of its group left', async () => {
    const host = openHost('testhost');
    const cfgPath = writeRun('cancel', { maxSteps: 100000 });
    const launched = await launchRun(host, { config: JSON.parse(readFileSync(cfgPath, 'utf8')), configDir: work, runnerDir: join(repoRoot, 'python-runner', 'distillery_runner'), python: venvPython });
    await new Promise<void>((resolve, reject) => {
      const ac = new AbortController();
      followRun(host, launched.runId, {
        signal: ac.signal,
        onLine: (_l, _o, e) => {
          if (e?.event === 'step') {
            ac.abort();
            resolve();
          } else if (e?.event === 'error' || e?.event === 'done') reject(new Error(_l));
        },
      }).catch((e: Error) => (ac.signal.aborted ? undefined : reject(e)));
    });
    const r = await runCli(['runs', 'cancel', launched.runId, '--host', 'testhost'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(liveInGroup(launched.pgid), 0);
    const s = await runStatus(host, launched.runId);
    assert.equal(s.status, 'cancelled');
    assert.equal(s.final?.['status'], 'cancelled');
    const logs = await runCli(['runs', 'logs', launched.runId, '--host', 'testhost'], env);
    assert.equal(logs.stdout, readFileSync(join(runDir(layoutFor(home), launched.runId), 'events.jsonl'), 'utf8'));
  });
});
