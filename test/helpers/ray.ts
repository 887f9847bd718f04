// A real local Ray head for tests (TESTING.md, "Ray — verified"): `ray start --head` from the
// runner's venv (the `ray` extra), on 127.0.0.1, every port free and outside 10002–19999 (Ray keeps
// that range for workers), its session under a temp dir of our own. Stopped by the pids it
// started: every process whose command line names that temp dir, and their descendants
// (`ray stop` matches processes by name and would stop other sessions' heads too).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './sshd';

export interface RayHead {
  dir: string;
  /** http://127.0.0.1:<dashboard port> */
  address: string;
  /** The python whose environment has ray and the runner (the Ray workers use it too). */
  python: string;
  stop(): Promise<void>;
}

/** Why a Ray head cannot start here, or undefined. */
export function rayUnavailable(python: string): string | undefined {
  if (!existsSync(python)) return `${python} is missing: run \`bash scripts/setup-python.sh\` (installs the runner with its ray extra)`;
  const r = spawnSync(python, ['-c', 'import ray, ray.train.torch'], { encoding: 'utf8' });
  if (r.status !== 0) return `ray is not importable from ${python}: ${r.stderr.trim().split('\n').pop()}; rerun scripts/setup-python.sh`;
  return undefined;
}

/** A port above 19999: the kernel's ephemeral range here, retried when it falls inside Ray's. */
async function rayPort(): Promise<number> {
  for (;;) {
    const p = await freePort();
    if (p > 19999 || p < 10002) return p;
  }
}

function pidsNaming(text: string): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      if (readFileSync(`/proc/${e}/cmdline`, 'utf8').includes(text)) out.push(Number(e));
    } catch {
      /* gone */
    }
  }
  return out;
}

function descendants(roots: number[]): number[] {
  const parent = new Map<number, number>();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      parent.set(Number(e), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      /* gone */
    }
  }
  const all = new Set(roots);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, ppid] of parent) if (all.has(ppid) && !all.has(pid)) (all.add(pid), (grew = true));
  }
  return [...all];
}

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

export async function startRay(python: string, opts: { cpus?: number } = {}): Promise<RayHead> {
  const reason = rayUnavailable(python);
  if (reason) throw new Error(reason);
  // Short: Ray puts unix sockets under it (108-byte limit).
  const dir = mkdtempSync('/tmp/dray-');
  // Nine distinct ports (a port just closed can come back from the next probe).
  const ports = new Set<number>();
  while (ports.size < 9) ports.add(await rayPort());
  const [gcs, dashboard, client, agent, agentGrpc, nodeManager, objectManager, runtimeEnvAgent, metrics] = [...ports];
  const bin = join(python, '..', 'ray');
  const stop = async (): Promise<void> => {
    const victims = descendants(pidsNaming(dir));
    for (const sig of ['SIGTERM', 'SIGKILL'] as const) {
      for (const p of victims) {
        try {
          if (alive(p)) process.kill(p, sig);
        } catch {
          /* exited meanwhile */
        }
      }
      const start = Date.now();
      while (victims.some(alive) && Date.now() - start < 10_000) await new Promise((r) => setTimeout(r, 100));
      if (!victims.some(alive)) break;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const r = spawnSync(
    bin,
    [
      'start', '--head', '--node-ip-address', '127.0.0.1', '--port', String(gcs),
      '--dashboard-host', '127.0.0.1', '--dashboard-port', String(dashboard),
      '--ray-client-server-port', String(client), '--dashboard-agent-listen-port', String(agent),
      '--dashboard-agent-grpc-port', String(agentGrpc), '--node-manager-port', String(nodeManager),
      '--object-manager-port', String(objectManager), '--runtime-env-agent-port', String(runtimeEnvAgent),
      '--metrics-export-port', String(metrics),
      '--num-cpus', String(opts.cpus ?? 4), '--num-gpus', '0', '--temp-dir', dir, '--disable-usage-stats', '--include-dashboard', 'true',
    ],
    { encoding: 'utf8', env: { ...process.env, RAY_USAGE_STATS_ENABLED: '0' }, timeout: 120_000 },
  );
  if (r.status !== 0) {
    await stop();
    throw new Error(`ray start --head failed (exit ${r.status ?? r.signal}): ${(r.stderr || r.stdout).trim().split('\n').slice(-15).join('\n')}`);
  }
  const address = `http://127.0.0.1:${dashboard}`;
  // The Jobs API answers once the dashboard's job module is up: wait for it, not a fixed time.
  const start = Date.now();
  for (;;) {
    const ok = await fetch(`${address}/api/jobs/`).then((res) => res.ok, () => false);
    if (ok) break;
    if (Date.now() - start > 60_000) {
      await stop();
      throw new Error(`the Ray dashboard at ${address} did not answer /api/jobs/ within 60 s`);
    }
    await new Promise((res) => setTimeout(res, 250));
  }
  return { dir, address, python, stop };
}
