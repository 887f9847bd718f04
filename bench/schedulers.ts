// Scheduler benchmarks on the local engines (test/helpers/slurm.ts, test/helpers/ray.ts), all
// through the `local` host so the figures are the schedulers' own cost, with the stand-in runner
// (test/remote/fixtures/fake-runner) so no training time hides it:
//  1. submission to first log line: launchRun → the first line followRun delivers, for slurm
//     and ray, as a ratio to the same run with scheduler none (median of --repeats);
//  2. sweep wall time of 4 points of ~--point-sec each with concurrency 2 against the same sweep
//     run one at a time (Slurm `--array=0-3%2` vs `%1`; Ray queue cap 2 vs 1): target ≤ 0.6.
// Prints one JSON line. Run: node --import tsx bench/schedulers.ts [--repeats 3] [--point-sec 4]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startSlurm } from '../test/helpers/slurm';
import { startRay } from '../test/helpers/ray';
import { openHost } from '../src/core/remote/open-host';
import { followRun } from '../src/core/remote/follow';
import { launchRun, listRuns } from '../src/core/remote/jobs';
import { launchSweep, planSweep } from '../src/core/remote/sweep';
import type { Host } from '../src/core/remote/host';
import type { SchedulerSettings } from '../src/core/remote/schedulers/settings';

const { values } = parseArgs({ options: { repeats: { type: 'string' }, 'point-sec': { type: 'string' } } });
const REPEATS = Number(values.repeats ?? 3);
const POINT_SEC = Number(values['point-sec'] ?? 4);
const repo = join(import.meta.dirname, '..');
const fakeRunner = join(repo, 'test', 'remote', 'fixtures', 'fake-runner', 'distillery_runner');
const PYTHON = '/usr/bin/python3';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function firstLineMs(host: Host, data: string): Promise<number> {
  const t0 = performance.now();
  const r = await launchRun(host, { config: { modality: 'lora', fake: { steps: 3, intervalMs: 1 } }, configDir: data, runnerDir: fakeRunner, python: PYTHON });
  let first = 0;
  await followRun(host, r.runId, { onLine: () => (first ||= performance.now() - t0) });
  return first;
}

async function sweepWallMs(host: Host, data: string): Promise<number> {
  const configs = planSweep({ modality: 'lora', fake: { steps: Math.round(POINT_SEC * 20), intervalMs: 50 } }, { modality: ['lora', 'full'], supervision: ['dss', 'label_only'] });
  const t0 = performance.now();
  const sweep = await launchSweep(host, { configDir: data, runnerDir: fakeRunner, python: PYTHON }, configs);
  for (;;) {
    const runs = (await listRuns(host)).filter((r) => sweep.runIds.includes(r.runId));
    if (runs.length === 4 && runs.every((r) => r.status !== 'queued' && r.status !== 'running')) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return performance.now() - t0;
}

async function main(): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), 'distillery-bench-sched-'));
  const data = mkdtempSync(join(tmpdir(), 'distillery-bench-data-'));
  writeFileSync(join(data, 'train.jsonl'), '{"id":"a","question":"q","rationale":"r","dsl":{}}\n');
  const slurm = await startSlurm();
  const ray = await startRay(join(repo, 'python-runner', '.venv', 'bin', 'python'), { cpus: 4 });
  process.env['SLURM_CONF'] = slurm.conf;
  const host = (scheduler: SchedulerSettings): Host => openHost('local', { remoteHome: home, scheduler });
  const none = host({ kind: 'none' });
  const slurmHost = (cap?: number): Host => host({ kind: 'slurm', slurm: { partition: 'debug', time: '00:10:00', ...(cap ? { sweepConcurrency: cap } : {}) } });
  const rayHost = (cap?: number): Host => host({ kind: 'ray', ray: { address: ray.address, ...(cap ? { sweepConcurrency: cap } : {}) } });
  try {
    const first: Record<string, number[]> = { none: [], slurm: [], ray: [] };
    for (let i = 0; i < REPEATS; i++) {
      first['none']!.push(await firstLineMs(none, data));
      first['slurm']!.push(await firstLineMs(slurmHost(), data));
      first['ray']!.push(await firstLineMs(rayHost(), data));
    }
    const slurmSeq = await sweepWallMs(slurmHost(1), data);
    const slurmPar = await sweepWallMs(slurmHost(2), data);
    const raySeq = await sweepWallMs(rayHost(1), data);
    const rayPar = await sweepWallMs(rayHost(2), data);
    const noneSeq = await sweepWallMs(none, data);
    const m = (k: string): number => Math.round(median(first[k]!));
    const result = {
      bench: 'schedulers',
      repeats: REPEATS,
      firstLineMs: { none: m('none'), slurm: m('slurm'), ray: m('ray') },
      firstLineRatioVsNone: { slurm: +(m('slurm') / m('none')).toFixed(2), ray: +(m('ray') / m('none')).toFixed(2) },
      sweep4x: { pointSec: POINT_SEC, noneSequentialMs: Math.round(noneSeq), slurmCap1Ms: Math.round(slurmSeq), slurmCap2Ms: Math.round(slurmPar), rayCap1Ms: Math.round(raySeq), rayCap2Ms: Math.round(rayPar) },
      sweepRatioCap2VsSequential: { slurm: +(slurmPar / slurmSeq).toFixed(2), ray: +(rayPar / raySeq).toFixed(2), target: 0.6 },
    };
    process.stdout.write(JSON.stringify(result) + '\n');
  } finally {
    await ray.stop();
    await slurm.stop();
    rmSync(home, { recursive: true, force: true });
    rmSync(data, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
