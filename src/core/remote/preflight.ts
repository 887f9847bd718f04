// Preflight: ship the runner to <base>/.distillery/runner, run `python -m distillery_runner env`
// there, and add what the shell can tell (disk, uv, the python chosen). Plus the one-click
// environment setup: uv when present, else python3 -m venv + pip.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Host } from './host';
import { hostLayout } from './jobs';
import { shellJoin, shellQuote } from './shell-quote';
import { collectTree, syncFiles } from './sync';
import { slurmPreflight, slurmProbeOptions } from './schedulers/slurm';
import { rayProbe } from './schedulers/ray';

export interface PreflightReport {
  host: string;
  python: string;
  /** What `distillery_runner env` printed (GPUs, CUDA, bf16, bitsandbytes, packages), or null. */
  env: Record<string, unknown> | null;
  envError?: string;
  disk: { path: string; freeGiB: number; totalGiB: number } | null;
  hasUv: boolean;
  hasVenv: boolean;
  /** Slurm hosts: what submission would refuse (no such partition, no GPUs there, time above MaxTime). */
  schedulerProblems?: string[];
  /** Where `env` ran when not on the SSH host: "<job id> on <node>" (Slurm), "Ray job <id>". */
  ranOn?: string;
}

function pythonSelection(venvPython: string, python?: string): string {
  if (python) return `PY=${shellQuote(python)}`;
  return `if [ -x ${shellQuote(venvPython)} ]; then PY=${shellQuote(venvPython)}; else PY=python3; fi`;
}

export async function preflight(host: Host, runnerDir: string, opts: { python?: string } = {}): Promise<PreflightReport> {
  const layout = await hostLayout(host);
  await syncFiles(host, layout, await collectTree(runnerDir, 'distillery_runner'), layout.runner);
  const q = shellQuote;
  // On a Slurm login node the GPUs that matter are a compute node's: when the profile is
  // submittable, `env` runs as a short job on its partition (srun gives up after 2 minutes of
  // waiting), so the memory advice names the GPUs the runs will get.
  const slurm = host.scheduler?.kind === 'slurm' ? host.scheduler.slurm : undefined;
  const schedulerProblems = slurm ? await slurmPreflight(host, slurm) : undefined;
  const onComputeNode = !!slurm && schedulerProblems?.length === 0;
  const envCommand = onComputeNode
    ? `srun ${shellJoin(slurmProbeOptions(slurm))} sh -c 'printf "slurmjob=%s %s\\n" "$SLURM_JOB_ID" "$SLURMD_NODENAME"; exec "$0" -m distillery_runner env' "$PY"`
    : host.scheduler?.kind === 'ray'
      ? 'true'
      : '"$PY" -m distillery_runner env';
  const script = [
    pythonSelection(layout.venvPython, opts.python),
    `mkdir -p ${q(layout.root)}`,
    `printf 'python=%s\\n' "$PY"`,
    `if command -v uv >/dev/null 2>&1; then echo uv=1; else echo uv=0; fi`,
    `if [ -x ${q(layout.venvPython)} ]; then echo venv=1; else echo venv=0; fi`,
    `df -Pk ${q(layout.root)} | awk 'NR==2 {print "disk=" $2 " " $4}'`,
    'echo ---env---',
    `cd ${q(layout.runner)} && export PYTHONUNBUFFERED=1 PYTHONPATH=${q(layout.runner)} && ${envCommand}`,
  ].join('\n');
  const r = await host.exec(script);
  const [head = ''] = r.stdout.split('---env---\n');
  let envText = r.stdout.split('---env---\n')[1] ?? '';
  let ranOn: string | undefined;
  if (host.scheduler?.kind === 'ray') {
    // The SSH host is the head; the report that matters is a worker's, from a job placed like one.
    const python = /^python=(.*)$/m.exec(head)?.[1] ?? 'python3';
    const probe = await rayProbe(host, host.scheduler.ray, `cd ${q(layout.runner)} && PYTHONUNBUFFERED=1 PYTHONPATH=${q(layout.runner)} ${q(python)} -m distillery_runner env`);
    envText = probe.status === 'SUCCEEDED' ? probe.logs : `${probe.message ?? probe.status}\n${probe.logs}`;
    ranOn = `Ray job ${probe.jobId}`;
  }
  const kv = Object.fromEntries(head.split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  let env: Record<string, unknown> | null = null;
  let envError: string | undefined;
  try {
    const lastJson = envText.trim().split('\n').filter((l) => l.trim().startsWith('{')).pop() ?? envText.trim();
    env = JSON.parse(lastJson) as Record<string, unknown>;
  } catch {
    envError = (r.stderr || envText).trim().split('\n').slice(-8).join('\n') || `exit ${r.code}`;
  }
  const [totalK, freeK] = (kv['disk'] ?? '').split(' ').map(Number);
  return {
    host: host.label,
    python: kv['python'] ?? 'python3',
    env,
    ...(envError ? { envError } : {}),
    disk: totalK && freeK !== undefined ? { path: layout.root, totalGiB: totalK / 1024 ** 2, freeGiB: freeK / 1024 ** 2 } : null,
    hasUv: kv['uv'] === '1',
    hasVenv: kv['venv'] === '1',
    ...(schedulerProblems ? { schedulerProblems } : {}),
    ...(onComputeNode ? { ranOn: /slurmjob=(\S+ \S+)/.exec(envText)?.[1]?.replace(' ', ' on ') ?? 'a Slurm job (its id was not printed)' } : {}),
    ...(ranOn ? { ranOn } : {}),
  };
}

/** The runner's dependencies from python-runner/pyproject.toml ([project] dependencies + extras). */
export function runnerRequirements(runnerDir: string, extras: string[] = []): string[] {
  const pyproject = join(dirname(runnerDir), 'pyproject.toml');
  if (!existsSync(pyproject)) return ['torch', 'transformers', 'peft', 'accelerate', 'tokenizers', 'safetensors', 'sentencepiece'];
  const text = readFileSync(pyproject, 'utf8');
  const block = (re: RegExp): string[] => {
    const m = re.exec(text);
    return m ? [...m[1]!.matchAll(/"([^"]+)"/g)].map((x) => x[1]!) : [];
  };
  const deps = block(/^dependencies\s*=\s*\[([\s\S]*?)\]/m);
  for (const extra of extras) deps.push(...block(new RegExp(`^${extra}\\s*=\\s*\\[([\\s\\S]*?)\\]`, 'm')));
  return deps;
}

/** Creates <base>/.distillery/venv with the runner's requirements; streams the installer's output. */
export async function setupVenv(host: Host, requirements: string[], onOutput: (text: string) => void): Promise<number | null> {
  const layout = await hostLayout(host);
  const q = shellQuote;
  const pkgs = requirements.map(q).join(' ');
  const script = [
    'set -e',
    `mkdir -p ${q(layout.root)}`,
    'if command -v uv >/dev/null 2>&1; then',
    `  uv venv ${q(layout.venv)}`,
    `  uv pip install --python ${q(layout.venvPython)} ${pkgs}`,
    'else',
    `  python3 -m venv ${q(layout.venv)}`,
    `  ${q(layout.venvPython)} -m pip install --upgrade pip`,
    `  ${q(layout.venvPython)} -m pip install ${pkgs}`,
    'fi',
    'echo "environment ready"',
  ].join('\n');
  const handle = await host.stream(`exec 2>&1\n${script}`, (d) => onOutput(d.toString('utf8')));
  return handle.done;
}
