// A real one-node Slurm cluster for tests (TESTING.md, "Slurm — verified"): munged with its own
// key and socket, slurmctld and slurmd on free ports, everything (config, state, spool, logs)
// in one temp dir, a CPU-only partition `debug` on 127.0.0.1. Clients find it through
// SLURM_CONF (see `env`). Stopped by the pids the daemons wrote, never by name.
// Waits are on conditions (a socket appearing, the node turning idle), never fixed sleeps.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './sshd';

export interface SlurmCluster {
  dir: string;
  conf: string;
  /** SLURM_CONF for clients (sbatch, squeue, scontrol, scancel). */
  env: Record<string, string>;
  /** Runs a Slurm client command against this cluster. */
  run(cmd: string, args: string[]): { code: number | null; stdout: string; stderr: string };
  stop(): Promise<void>;
}

const BINARIES = ['munged', 'slurmctld', 'slurmd', 'sbatch', 'squeue', 'scontrol', 'scancel'];

/** Why Slurm cannot run here, or undefined when it can. */
export function slurmUnavailable(): string | undefined {
  for (const b of BINARIES) {
    if (spawnSync('sh', ['-c', `command -v ${b}`]).status !== 0) return `${b} is missing: apt-get install slurm-wlm munge (.ci/run does)`;
  }
  if (process.getuid?.() !== 0) return 'the test Slurm cluster runs its daemons as root (SlurmUser=root); run the tests as root';
  return undefined;
}

async function waitFor(what: string, check: () => boolean, timeoutMs: number, log: () => string): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`Slurm test cluster: ${what} did not happen within ${timeoutMs / 1000} s\n${log()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function readPid(file: string): number | undefined {
  try {
    const n = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(n) && n > 1 ? n : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

/**
 * `gpus`: the node advertises that many GPUs as a count-only GRES (no device files), so jobs
 * asking `--gres=gpu:N` are scheduled on this GPU-less machine and take the srun + torchrun path
 * (the processes then train on the CPU). Without it the partition has no GPUs (for preflight).
 */
/**
 * Kills what is left of this cluster's jobs after its daemons are gone: the processes whose
 * environment holds its SLURM_CONF (a job inherits the submitter's), never this process.
 */
function killJobStrays(conf: string): void {
  const marker = Buffer.from(`SLURM_CONF=${conf}\0`);
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return;
  }
  for (const name of entries) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid <= 1 || pid === process.pid || pid === process.ppid) continue;
    try {
      if (readFileSync(`/proc/${pid}/environ`).includes(marker)) process.kill(pid, 'SIGKILL');
    } catch {
      // gone, or not ours to read
    }
  }
}

export async function startSlurm(opts: { extraConf?: string[]; gpus?: number } = {}): Promise<SlurmCluster> {
  const reason = slurmUnavailable();
  if (reason) throw new Error(reason);
  const dir = mkdtempSync(join(tmpdir(), 'distillery-slurm-'));
  for (const d of ['munge', 'state', 'spool', 'log']) mkdirSync(join(dir, d), { recursive: true, mode: 0o700 });
  const key = join(dir, 'munge', 'munge.key');
  writeFileSync(key, randomBytes(1024), { mode: 0o400 });
  chmodSync(join(dir, 'munge'), 0o700);
  const socket = join(dir, 'munge', 'munge.socket');
  const pids = { munge: join(dir, 'munge', 'munged.pid'), ctld: join(dir, 'slurmctld.pid'), slurmd: join(dir, 'slurmd.pid') };
  const logs = { munge: join(dir, 'log', 'munged.log'), ctld: join(dir, 'log', 'slurmctld.log'), slurmd: join(dir, 'log', 'slurmd.log') };
  const tail = (): string =>
    Object.entries(logs)
      .map(([k, f]) => (existsSync(f) ? `--- ${k}\n${readFileSync(f, 'utf8').split('\n').slice(-15).join('\n')}` : `--- ${k}: no log`))
      .join('\n');
  const m = spawnSync('munged', ['--key-file', key, '--socket', socket, '--pid-file', pids.munge, '--log-file', logs.munge, '--seed-file', join(dir, 'munge', 'seed'), '--force'], { encoding: 'utf8' });
  if (m.status !== 0) throw new Error(`munged did not start: ${m.stderr}`);
  const ctldPort = await freePort();
  const slurmdPort = await freePort();
  const conf = join(dir, 'slurm.conf');
  writeFileSync(
    conf,
    [
      'ClusterName=distillery-test',
      'SlurmctldHost=localhost',
      `SlurmctldPort=${ctldPort}`,
      `SlurmdPort=${slurmdPort}`,
      'AuthType=auth/munge',
      `AuthInfo=socket=${socket}`,
      'CredType=cred/munge',
      'SlurmUser=root',
      'SlurmdUser=root',
      `StateSaveLocation=${join(dir, 'state')}`,
      `SlurmdSpoolDir=${join(dir, 'spool')}`,
      `SlurmctldPidFile=${pids.ctld}`,
      `SlurmdPidFile=${pids.slurmd}`,
      `SlurmctldLogFile=${logs.ctld}`,
      `SlurmdLogFile=${logs.slurmd}`,
      'ProctrackType=proctrack/linuxproc',
      'TaskPlugin=task/none',
      'SelectType=select/cons_tres',
      'SelectTypeParameters=CR_CPU',
      'ReturnToService=2',
      'AccountingStorageType=accounting_storage/none',
      'JobCompType=jobcomp/none',
      'MpiDefault=none',
      'SchedulerType=sched/backfill',
      // Fast turnaround for tests: the controller looks at the queue often, kills quickly.
      'SchedulerParameters=sched_interval=1',
      'KillWait=5',
      'MinJobAge=600',
      'InactiveLimit=0',
      // The node offers 8 CPUs whatever the machine has, so a sweep's array tasks and a pending
      // and a running job fit side by side on a 2-core CI runner (the test jobs mostly sleep).
      'SlurmdParameters=config_overrides',
      ...(opts.gpus ? ['GresTypes=gpu'] : []),
      ...(opts.extraConf ?? []),
      `NodeName=localhost NodeAddr=127.0.0.1 CPUs=${Math.max(8, cpus().length)} RealMemory=4000${opts.gpus ? ` Gres=gpu:fake:${opts.gpus}` : ''} State=UNKNOWN`,
      'PartitionName=debug Nodes=localhost Default=YES MaxTime=00:30:00 State=UP',
      '',
    ].join('\n'),
  );
  // slurmd reads gres.conf from slurm.conf's directory.
  if (opts.gpus) {
    // The gpu plugin counts device files; plain files stand in (task/none fences nothing).
    mkdirSync(join(dir, 'dev'));
    for (let i = 0; i < opts.gpus; i++) writeFileSync(join(dir, 'dev', `fakegpu${i}`), '');
    writeFileSync(join(dir, 'gres.conf'), `AutoDetect=off\nNodeName=localhost Name=gpu Type=fake File=${join(dir, 'dev')}/fakegpu[0-${opts.gpus - 1}]\n`);
  }
  const env = { SLURM_CONF: conf };
  const run = (cmd: string, args: string[]) => {
    const r = spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, ...env } });
    return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  };
  const stop = async (): Promise<void> => {
    // Jobs first: slurmstepd and the job's processes outlive slurmd, so a test that fails before
    // it cancels its run would leave a training process behind (using the CPUs of every later test).
    if (pids.ctld && readPid(pids.ctld) !== undefined) {
      const jobs = run('squeue', ['-h', '-o', '%i']).stdout.split('\n').map((l) => l.trim()).filter(Boolean);
      if (jobs.length > 0) {
        run('scancel', ['--full', '--signal=KILL', ...jobs]);
        run('scancel', jobs);
        const start = Date.now();
        while (run('squeue', ['-h', '-o', '%i']).stdout.trim() !== '' && Date.now() - start < 15_000) await new Promise((r) => setTimeout(r, 200));
      }
    }
    for (const f of [pids.slurmd, pids.ctld, pids.munge]) {
      const pid = readPid(f);
      if (!pid || !alive(pid)) continue;
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        /* gone */
      }
      const start = Date.now();
      while (alive(pid) && Date.now() - start < 10_000) await new Promise((r) => setTimeout(r, 100));
      if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
    killJobStrays(conf);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const [daemon, logFile] of [
      ['slurmctld', logs.ctld],
      ['slurmd', logs.slurmd],
    ] as const) {
      // -i: ignore stale state; both daemonize and write their pid files.
      const r = spawnSync(daemon, ['-f', conf, ...(daemon === 'slurmctld' ? ['-i'] : [])], { encoding: 'utf8', env: { ...process.env, ...env } });
      if (r.status !== 0) throw new Error(`${daemon} did not start (exit ${r.status}): ${r.stderr}\n${existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-2000) : ''}`);
    }
    await waitFor(
      'the node turning idle',
      () => /^idle/.test(run('sinfo', ['-h', '-n', 'localhost', '-o', '%t']).stdout.trim()),
      30_000,
      tail,
    );
  } catch (e) {
    await stop();
    throw e;
  }
  return { dir, conf, env, run, stop };
}
