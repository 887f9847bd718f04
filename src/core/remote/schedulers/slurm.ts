// Slurm: the run directory is prepared as for `none` (sync, run.json, job.sh), then job.sh is
// submitted with `sbatch --parsable` from inside it, every option an argv word through shellQuote
// (no #SBATCH text built from data). More than one GPU per node or more than one node starts
// the runner with `srun` (one task per node) + torchrun, the rendezvous on the job's first node.
// State comes from squeue (one call for all runs), else `scontrol show job` (finished jobs, kept
// for MinJobAge); sacct needs slurmdbd, which many small clusters and the tests do not run.
import { posix } from 'node:path';
import { execOk, type Host } from '../host';
import { prepareRun, type JobScriptOptions, type LaunchOptions, type LaunchResult, type ProbedSummary, type RunSummary } from '../jobs';
import { shellJoin, shellQuote } from '../shell-quote';
import type { SweepLaunch } from '../sweep';
import { newRunId } from '../layout';
import type { SchedulerDriver } from './index';
import type { SlurmSettings } from './settings';
import type { RunStatus } from '../events';

/** GPUs per node asked for by a gres such as "gpu:4" or "gpu:a100:2" (0 when none). */
export function gpusPerNode(gres: string | undefined): number {
  if (!gres) return 0;
  for (const part of gres.split(',')) {
    // gpu, gpu:N, gpu:TYPE, gpu:TYPE:N: a trailing number is the count, else one.
    const fields = part.trim().split(':');
    if (fields[0] !== 'gpu') continue;
    const last = fields[fields.length - 1]!;
    return fields.length > 1 && /^\d+$/.test(last) ? Number(last) : 1;
  }
  return 0;
}

/** The sbatch options of a host profile, each one argv word. */
export function sbatchOptions(s: SlurmSettings, jobName: string): string[] {
  return [
    '--parsable',
    `--job-name=${jobName}`,
    ...(s.partition ? [`--partition=${s.partition}`] : []),
    ...(s.account ? [`--account=${s.account}`] : []),
    ...(s.qos ? [`--qos=${s.qos}`] : []),
    ...(s.time ? [`--time=${s.time}`] : []),
    ...(s.gres ? [`--gres=${s.gres}`] : []),
    ...(s.nodes ? [`--nodes=${s.nodes}`, '--ntasks-per-node=1'] : []),
    ...(s.directives ?? []),
  ];
}

/** srun options for a short probe (preflight's `env`) on the profile's partition: one task, 5 minutes. */
export function slurmProbeOptions(s: SlurmSettings): string[] {
  return [
    '--job-name=distillery-preflight',
    ...(s.partition ? [`--partition=${s.partition}`] : []),
    ...(s.account ? [`--account=${s.account}`] : []),
    ...(s.qos ? [`--qos=${s.qos}`] : []),
    ...(s.gres ? [`--gres=${s.gres}`] : []),
    ...(s.directives ?? []),
    '--nodes=1',
    '--ntasks=1',
    '--time=5',
    '--immediate=120',
  ];
}

/** job.sh changes: setup lines, and srun + torchrun when the job spans GPUs or nodes. */
export function slurmJobOptions(s: SlurmSettings): JobScriptOptions {
  const gpus = gpusPerNode(s.gres);
  const distributed = (s.nodes ?? 1) > 1 || gpus > 1;
  return {
    ...(s.setup?.length ? { setup: s.setup } : {}),
    ...(distributed
      ? {
          // One torchrun per node; it starts one process per GPU. The c10d rendezvous runs on the
          // first node of the allocation, on a port derived from the job id so jobs sharing a
          // node do not collide. Only global rank 0 writes events, so events.jsonl stays clean.
          launcher: [
            'srun --ntasks-per-node=1 --kill-on-bad-exit=1',
            '"$PY" -m torch.distributed.run',
            '--nnodes="$SLURM_JOB_NUM_NODES"',
            `--nproc-per-node=${Math.max(gpus, 1)}`,
            '--rdzv-id="$SLURM_JOB_ID" --rdzv-backend=c10d',
            '--rdzv-endpoint="$(scontrol show hostnames "$SLURM_JOB_NODELIST" | head -n 1):$((29500 + SLURM_JOB_ID % 1000))"',
            '-m distillery_runner',
          ].join(' '),
        }
      : {}),
  };
}

/** Slurm's job names are free text, but a short ASCII one reads well in squeue. */
function jobName(runId: string): string {
  return `distillery-${runId.replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 80)}`;
}

/** Shell that submits job.sh from the current directory (the run directory) and prints jobid=. */
function submitLines(s: SlurmSettings, runId: string): string[] {
  return [
    'printf slurm > scheduler',
    `out=$(sbatch ${shellJoin([...sbatchOptions(s, jobName(runId)), '--output=stdout.log', 'job.sh'])} 2>&1) || { printf '%s\\n' "$out" >&2; exit 1; }`,
    'jid=${out%%;*}',
    `printf '%s' "$jid" > jobid`,
    'echo "jobid=$jid"',
  ];
}

const LIVE = new Set(['RUNNING', 'COMPLETING', 'CONFIGURING', 'STAGE_OUT', 'SIGNALING', 'RESIZING']);
const WAITING = new Set(['PENDING', 'REQUEUED', 'REQUEUE_FED', 'REQUEUE_HOLD', 'SUSPENDED', 'STOPPED', 'RESV_DEL_HOLD']);
const FAILED = new Set(['FAILED', 'TIMEOUT', 'OUT_OF_MEMORY', 'NODE_FAIL', 'BOOT_FAIL', 'DEADLINE', 'PREEMPTED', 'SPECIAL_EXIT', 'REVOKED']);

/** Why Slurm's reason word matters to a user, for the states where it is terse. */
const EXPLAIN: Record<string, string> = {
  TIMEOUT: 'the job ran past its time limit',
  OUT_OF_MEMORY: 'the job ran out of memory (raise --mem in slurm.directives)',
  NODE_FAIL: 'a node of the job failed',
  PREEMPTED: 'the job was preempted',
};

export interface SlurmJobState {
  state: string;
  reason?: string;
  exitCode?: string;
}

/** Reads "squeue|ID|STATE|REASON" or "scontrol|JobId=… JobState=… Reason=… ExitCode=…". */
export function parseSlurmProbe(probe: string | undefined): SlurmJobState | undefined {
  if (!probe) return undefined;
  if (probe.startsWith('squeue|')) {
    const [, , state, reason] = probe.split('|');
    return state ? { state: state.trim(), ...(reason && reason.trim() !== 'None' ? { reason: reason.trim() } : {}) } : undefined;
  }
  const line = probe.replace(/^scontrol\|/, '');
  const state = /\bJobState=(\S+)/.exec(line)?.[1];
  if (!state) return undefined;
  const reason = /\bReason=(\S+)/.exec(line)?.[1];
  const exitCode = /\bExitCode=(\S+)/.exec(line)?.[1];
  return { state, ...(reason && reason !== 'None' && reason !== '(null)' ? { reason } : {}), ...(exitCode ? { exitCode } : {}) };
}

/** Status, state and reason of a run from Slurm's view and the run's own files. */
export function applySlurmState(run: ProbedSummary): void {
  const job = parseSlurmProbe(run.probe);
  if (!job) {
    // Slurm forgets finished jobs after MinJobAge; the run's files still tell how it ended.
    if (run.status === 'running' || run.status === 'queued') {
      if (!run.final && run.exitCode === undefined && run.pgid === undefined) run.schedulerReason = `Slurm does not know job ${run.jobId} (any more)`;
    }
    return;
  }
  run.schedulerState = job.state;
  const parts: string[] = [];
  if (job.reason) parts.push(job.reason);
  if (EXPLAIN[job.state]) parts.push(EXPLAIN[job.state]!);
  if (job.state === 'FAILED' && job.exitCode) parts.push(`exit code ${job.exitCode}`);
  if (run.final?.event === 'error' && typeof run.final['message'] === 'string') parts.push(String(run.final['message']));
  if (parts.length) run.schedulerReason = parts.join('; ');
  const fromEvent: RunStatus | undefined = run.final ? run.status : undefined;
  let status: RunStatus;
  if (WAITING.has(job.state)) status = fromEvent ?? 'queued';
  else if (LIVE.has(job.state)) status = fromEvent ?? 'running';
  else if (job.state === 'CANCELLED') status = 'cancelled';
  else if (FAILED.has(job.state)) status = 'failed';
  else if (job.state === 'COMPLETED') status = fromEvent ?? 'failed';
  else status = fromEvent ?? run.status;
  run.status = status;
}

async function cancelSlurm(host: Host, run: RunSummary, dir: string, graceSec: number): Promise<'cancelled' | 'not-running'> {
  const ticks = Math.max(1, Math.round(graceSec * 5));
  const q = shellQuote;
  // Waits until squeue no longer lists the job; SIGKILL through scancel after the grace period
  // (the cluster's KillWait may be longer than what the user asked for).
  const script = [
    `cd ${q(dir)} || exit 2`,
    'touch cancelled',
    `jid=${q(run.jobId!)}`,
    'st=$(squeue -h -j "$jid" -o %T 2>/dev/null)',
    'if [ -z "$st" ]; then echo not-running; exit 0; fi',
    'scancel "$jid" || exit 1',
    'i=0',
    'while st=$(squeue -h -j "$jid" -o %T 2>/dev/null) && [ -n "$st" ]; do',
    '  i=$((i+1))',
    `  if [ "$i" -eq ${ticks} ]; then scancel --signal=KILL --full "$jid"; fi`,
    `  if [ "$i" -ge $((${ticks}+300)) ]; then echo "stuck in $st"; exit 1; fi`,
    '  sleep 0.2',
    'done',
    'echo cancelled',
  ].join('\n');
  const r = await host.exec(script);
  if (r.code === 2) throw new Error(`no run ${run.runId} on ${host.label}`);
  if (r.code !== 0) throw new Error(`scancel of job ${run.jobId} (${run.runId}) on ${host.label} failed: ${(r.stdout + r.stderr).trim()}`);
  return r.stdout.trim() === 'not-running' ? 'not-running' : 'cancelled';
}

export function slurmScheduler(settings: SlurmSettings): SchedulerDriver {
  const job = slurmJobOptions(settings);
  return {
    kind: 'slurm',

    async launch(host: Host, opts: LaunchOptions): Promise<LaunchResult> {
      const runId = opts.runId ?? newRunId(opts.config);
      const prepared = await prepareRun(host, { ...opts, runId, start: true, job, startLines: () => submitLines(settings, runId) });
      return { runId: prepared.runId, runDir: prepared.dir, pgid: 0, sync: prepared.sync, jobId: prepared.jobId! };
    },

    statusProbe() {
      return {
        // -r lists array tasks one per line (123_0, 123_1, …), so a task is found by its own id.
        prelude: `SQ=$(squeue -h -r -u "$(id -un)" -o '%i|%T|%r' 2>/dev/null)`,
        perRun: [
          `l=$(printf '%s\\n' "$SQ" | awk -F'|' -v j="$jid" '$1==j {print; exit}')`,
          `if [ -n "$l" ]; then printf 'squeue|%s' "$l"; else printf 'scontrol|'; scontrol -o show job "$jid" 2>/dev/null | head -n 1; fi`,
        ].join('; '),
      };
    },

    async resolve(_host: Host, runs: ProbedSummary[]): Promise<void> {
      for (const run of runs) applySlurmState(run);
    },

    cancel: cancelSlurm,

    async launchSweep(host, base, configs, sweepId): Promise<SweepLaunch> {
      const prepared: { runId: string; dir: string }[] = [];
      let queues = '';
      for (const config of configs) {
        const p = await prepareRun(host, { ...base, config, runId: `${sweepId}-${prepared.length + 1}-${newRunId(config).slice(16)}`, job });
        prepared.push({ runId: p.runId, dir: p.dir });
        queues = p.layout.queues;
        base.onProgress?.(`prepared ${p.runId} (${p.sync.uploadedFiles} files uploaded)`);
      }
      const q = shellQuote;
      // One array job: task K runs the K-th run directory's job.sh; %N caps how many run at once.
      const arrayScript = [
        '#!/bin/sh',
        '# Written by Distillery: a sweep as a Slurm job array, one run directory per task.',
        'case "$SLURM_ARRAY_TASK_ID" in',
        ...prepared.map((p, i) => `  ${i}) cd ${q(p.dir)} || exit 1 ;;`),
        '  *) echo "no run for array task $SLURM_ARRAY_TASK_ID" >&2; exit 1 ;;',
        'esac',
        'exec sh job.sh >stdout.log 2>&1',
        '',
      ].join('\n');
      const cap = settings.sweepConcurrency;
      const scriptFile = posix.join(queues, `${sweepId}.sbatch`);
      const outName = `${sweepId.replace(/%/g, '_')}-%a.out`;
      const options = [...sbatchOptions(settings, jobName(sweepId)), `--array=0-${prepared.length - 1}${cap ? `%${cap}` : ''}`, `--output=${outName}`, scriptFile];
      const script = [
        'set -e',
        `mkdir -p ${q(queues)}`,
        `cd ${q(queues)}`,
        `printf '%s' ${q(arrayScript)} > ${q(scriptFile)}`,
        ...prepared.map((p) => `printf slurm > ${q(posix.join(p.dir, 'scheduler'))}`),
        `out=$(sbatch ${shellJoin(options)} 2>&1) || { printf '%s\\n' "$out" >&2; exit 1; }`,
        'jid=${out%%;*}',
        ...prepared.map((p, i) => `printf '%s' "\${jid}_${i}" > ${q(posix.join(p.dir, 'jobid'))}`),
        'echo "jobid=$jid"',
      ].join('\n');
      const out = await execOk(host, script, 'submitting the sweep array');
      const jobId = /jobid=(\S+)/.exec(out)?.[1];
      return { sweepId, runIds: prepared.map((p) => p.runId), queuePgid: 0, ...(jobId ? { jobId } : {}) };
    },
  };
}

/** Problems a Slurm host profile would hit at submission, found before anything is uploaded. */
export async function slurmPreflight(host: Host, s: SlurmSettings): Promise<string[]> {
  const problems: string[] = [];
  const q = shellQuote;
  const script = [
    'command -v sbatch >/dev/null 2>&1 || { echo "nosbatch"; exit 0; }',
    ...(s.partition ? [`printf 'partition|'; scontrol -o show partition ${q(s.partition)} 2>&1 | head -n 1`] : []),
    ...(s.account ? [`printf 'account|'; sacctmgr -nP show account ${q(s.account)} format=Account 2>&1 | head -n 1`] : []),
    `printf 'nodes|'; sinfo -h -o '%P|%G' ${s.partition ? `-p ${q(s.partition)}` : ''} 2>&1 | tr '\\n' ' '; echo`,
  ].join('\n');
  const r = await host.exec(script);
  if (r.stdout.includes('nosbatch')) return [`sbatch is not on the PATH of ${host.label}: load Slurm's module in the login environment or pick another host`];
  const lines = Object.fromEntries(r.stdout.split('\n').filter((l) => l.includes('|')).map((l) => [l.slice(0, l.indexOf('|')), l.slice(l.indexOf('|') + 1)]));
  const gpus = gpusPerNode(s.gres);
  if (s.partition) {
    const p = lines['partition'] ?? '';
    if (!/PartitionName=/.test(p)) problems.push(`partition "${s.partition}" does not exist on ${host.label} (${p.trim() || 'scontrol said nothing'}); \`sinfo -s\` lists the partitions`);
    else {
      const maxTime = /\bMaxTime=(\S+)/.exec(p)?.[1];
      if (s.time && maxTime && maxTime !== 'UNLIMITED' && slurmMinutes(s.time) > slurmMinutes(maxTime)) {
        problems.push(`time limit ${s.time} is above partition "${s.partition}"'s MaxTime ${maxTime}; lower slurm.time`);
      }
      const tres = /\bTRES=(\S+)/.exec(p)?.[1] ?? '';
      const gres = lines['nodes'] ?? '';
      if (gpus > 0 && !/gres\/gpu/.test(tres) && !/gpu/.test(gres)) problems.push(`partition "${s.partition}" has no GPUs (TRES ${tres || 'none'}) but slurm.gres asks for ${s.gres}; pick a GPU partition`);
    }
  }
  if (s.account) {
    const a = (lines['account'] ?? '').trim();
    // Without slurmdbd Slurm keeps no accounts and does not check them either.
    if (/accounting storage is disabled|accounting_storage|slurmdbd|Connection refused/i.test(a)) problems.push(`account "${s.account}" cannot be checked: ${host.label} runs Slurm without an accounting database (sacctmgr: ${a.replace(/\s+/g, ' ')})`);
    else if (a !== s.account) problems.push(`account "${s.account}" is unknown to Slurm on ${host.label}; \`sacctmgr show assoc user=$USER\` lists yours`);
  }
  return problems;
}

/** Slurm time ("MM", "MM:SS", "HH:MM:SS", "D-HH", "D-HH:MM", "D-HH:MM:SS") in minutes. */
export function slurmMinutes(t: string): number {
  const [days, rest] = t.includes('-') ? [Number(t.split('-')[0]), t.split('-')[1]!] : [0, t];
  const parts = rest.split(':').map(Number);
  let minutes: number;
  if (t.includes('-')) minutes = (parts[0] ?? 0) * 60 + (parts[1] ?? 0) + (parts[2] ?? 0) / 60;
  else if (parts.length === 3) minutes = parts[0]! * 60 + parts[1]! + parts[2]! / 60;
  else if (parts.length === 2) minutes = parts[0]! + parts[1]! / 60;
  else minutes = parts[0]!;
  return days * 1440 + minutes;
}
