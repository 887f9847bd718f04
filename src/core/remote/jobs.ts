// Detached training jobs on a host: launch (sync + job script + setsid nohup), status, list,
// cancel (SIGTERM to the process group, SIGKILL after a grace period) and fetch.
import { readFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, posix, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { execOk, type Host } from './host';
import { layoutFor, newRunId, runDir, checkRunId, type Layout } from './layout';
import { shellQuote } from './shell-quote';
import { assembleScript, collectTree, remoteManifest, uploadMissing, type SyncFile, type SyncReport } from './sync';
import { parseEvent, terminalStatus, type RunnerEvent, type RunStatus } from './events';
import { schedulerFor } from './schedulers';
import type { SchedulerKind } from './schedulers/settings';

export interface LaunchOptions {
  /** RUN.json contents (already validated by the caller when a schema is available). */
  config: Record<string, unknown>;
  /** Directory RUN.json's relative data paths are resolved against. */
  configDir: string;
  /** The local python-runner/distillery_runner package directory to ship. */
  runnerDir: string;
  runId?: string;
  /** --python / host profile python; else <base>/.distillery/venv/bin/python if it exists, else python3. */
  python?: string;
  /** Progress messages (uploads) for a notification or stderr. */
  onProgress?: (msg: string) => void;
}

export interface LaunchResult {
  runId: string;
  runDir: string;
  /** The job's process group on the host (scheduler none only). */
  pgid: number;
  sync: SyncReport;
  /** The scheduler's id for the job (Slurm job id, Ray submission id); absent for none. */
  jobId?: string;
}

export interface RunSummary {
  runId: string;
  status: RunStatus;
  startedAt: string | null;
  config: Record<string, unknown> | null;
  metrics: Record<string, unknown> | null;
  /** The last terminal event (done/error) when there is one. */
  final?: RunnerEvent;
  pgid?: number;
  exitCode?: number;
  /** Set for runs started through a scheduler other than none. */
  scheduler?: SchedulerKind;
  jobId?: string;
  /** The scheduler's own word for the job (PENDING, RUNNING, TIMEOUT, …) and why, when it says. */
  schedulerState?: string;
  schedulerReason?: string;
  /** The GPU a sweep slot ran this run on (its `gpu` file; sweeps with `gpus` only). */
  gpu?: string;
}

/** Finds python-runner/distillery_runner from the installed extension or the repository. */
export function defaultRunnerDir(start = __dirname): string {
  const fromEnv = process.env['DISTILLERY_RUNNER_DIR'];
  if (fromEnv) return fromEnv;
  let dir = start;
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, 'python-runner', 'distillery_runner');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error('cannot find python-runner/distillery_runner next to Distillery; set DISTILLERY_RUNNER_DIR to its path');
}

export async function hostLayout(host: Host): Promise<Layout> {
  return layoutFor(await host.baseDir());
}

/** The python command for a job: explicit, else the Distillery venv when present, else python3. */
function pythonSelection(layout: Layout, python?: string): string {
  if (python) return `PY=${shellQuote(python)}`;
  return `if [ -x ${shellQuote(layout.venvPython)} ]; then PY=${shellQuote(layout.venvPython)}; else PY=python3; fi`;
}

/** How a scheduler changes job.sh: lines before the runner (module load) and its launcher. */
export interface JobScriptOptions {
  setup?: string[];
  /**
   * Replaces `"$PY" -m distillery_runner` (e.g. srun + torchrun, the Ray TorchTrainer entry);
   * it is followed by `train --config … --out …`, and "$PY" is set when it runs.
   */
  launcher?: string;
}

/**
 * The job script. Its pid is the process group id (setsid). It ignores nothing: SIGTERM to the
 * group reaches the runner, which saves and emits `done` cancelled; the script's own trap only
 * keeps it alive long enough to record the exit code.
 */
export function jobScript(layout: Layout, dir: string, python?: string, opts: JobScriptOptions = {}): string {
  const q = shellQuote;
  return [
    '#!/bin/sh',
    '# Written by Distillery: one training job; its pid is the process group id.',
    `cd ${q(dir)} || exit 1`,
    'if [ -f cancelled ]; then exit 0; fi',
    'echo $$ > pid',
    'date -u +%Y-%m-%dT%H:%M:%SZ > started_at',
    "trap ':' TERM INT HUP",
    pythonSelection(layout, python),
    ...(opts.setup ?? []),
    `PYTHONUNBUFFERED=1 PYTHONPATH=${q(posix.join(dir, 'runner'))} ${opts.launcher ?? '"$PY" -m distillery_runner'} train --config ${q(posix.join(dir, 'run.json'))} --out ${q(posix.join(dir, 'outputs'))} >>events.jsonl 2>>stderr.log </dev/null &`,
    'child=$!',
    'while :; do wait "$child"; rc=$?; kill -0 "$child" 2>/dev/null || break; done',
    'echo "$rc" > exit_code',
    // A scheduler reads the job's own exit status (Slurm: FAILED rather than COMPLETED).
    'exit "$rc"',
    '',
  ].join('\n');
}

/**
 * Prepares a run directory in two round trips: one listing the blob store (and checking the run
 * id is free), one assembling the directory (links to blobs, run.json, job.sh, empty logs) and,
 * with `start`, launching the job detached in its own session and process group.
 */
export async function prepareRun(
  host: Host,
  opts: LaunchOptions & { start?: boolean; job?: JobScriptOptions; startLines?: (dir: string) => string[] },
): Promise<{ runId: string; dir: string; layout: Layout; sync: SyncReport; pgid?: number; jobId?: string }> {
  const layout = await hostLayout(host);
  const runId = checkRunId(opts.runId ?? newRunId(opts.config));
  const dir = runDir(layout, runId);
  const files: SyncFile[] = await collectTree(opts.runnerDir, 'runner/distillery_runner');
  const config = structuredClone(opts.config);
  const data = (config['data'] ?? {}) as Record<string, unknown>;
  const hostData: Record<string, unknown> = { ...data };
  for (const split of ['train', 'val', 'test']) {
    const p = data[split];
    if (typeof p !== 'string' || !p) continue;
    const local = isAbsolute(p) ? p : resolve(opts.configDir, p);
    if (!existsSync(local)) throw new Error(`data.${split} file ${local} does not exist; export the dataset first (distillery export --format dss)`);
    const dest = `data/${split}-${basename(local)}`;
    files.push({ local, dest });
    hostData[split] = posix.join(dir, dest);
  }
  if (config['data'] !== undefined) config['data'] = hostData;
  const { hashes, probeCode } = await remoteManifest(host, layout, `test ! -e ${shellQuote(dir)}`);
  if (probeCode !== 0) throw new Error(`run ${runId} already exists on ${host.label}; choose another run id`);
  const plan = await uploadMissing(host, layout, files, hashes, opts.onProgress);
  const q = shellQuote;
  const script = [
    'set -e',
    ...assembleScript(layout, plan, dir),
    `cd ${q(dir)}`,
    'mkdir -p outputs',
    `printf '%s' ${q(JSON.stringify(config, null, 2) + '\n')} > run.json`,
    `printf '%s' ${q(jobScript(layout, dir, opts.python, opts.job))} > job.sh`,
    ': > events.jsonl; : > stderr.log',
    // A scheduler submits the job itself (sbatch) and prints "jobid=<id>".
    ...(opts.startLines ? opts.startLines(dir) : []),
    // $! is the setsid process itself (not a group leader, so setsid does not fork): the pgid.
    ...(opts.start && !opts.startLines ? ['setsid nohup sh job.sh >stdout.log 2>&1 </dev/null &', 'echo "pgid=$!"'] : []),
  ].join('\n');
  const r = await host.exec(script);
  if (r.code !== 0) throw new Error(`preparing run ${runId} on ${host.label} failed: ${r.stderr.trim()}`);
  const jobId = /jobid=(\S+)/.exec(r.stdout)?.[1];
  if (opts.startLines && !jobId) throw new Error(`submitting run ${runId} on ${host.label} printed "${r.stdout.trim()}" instead of a job id`);
  let pgid: number | undefined;
  if (opts.start && !opts.startLines) {
    pgid = Number(/pgid=(\d+)/.exec(r.stdout)?.[1]);
    if (!Number.isInteger(pgid) || pgid <= 1) throw new Error(`starting run ${runId} on ${host.label} printed "${r.stdout.trim()}" instead of a process id`);
  }
  return { runId, dir, layout, sync: plan.report, ...(pgid ? { pgid } : {}), ...(jobId ? { jobId } : {}) };
}

export async function launchRun(host: Host, opts: LaunchOptions): Promise<LaunchResult> {
  const scheduler = schedulerFor(host);
  if (scheduler) return scheduler.launch(host, opts);
  const prepared = await prepareRun(host, { ...opts, start: true });
  return { runId: prepared.runId, runDir: prepared.dir, pgid: prepared.pgid!, sync: prepared.sync };
}

/** Shell text that prints how many live (non-zombie) processes are in group $pg. */
const LIVE_IN_GROUP = `ps -eo pgid=,stat= | awk -v g="$pg" '$1==g && $2 !~ /^Z/ {n++} END {print n+0}'`;

const RS = '\x1e';
const FS = '\x1f';

/**
 * One remote script reads every run's state: fields separated by \x1f, runs by \x1e. A scheduler
 * adds a prelude (run once, e.g. one squeue call) and a probe per run directory $d with job id $jid.
 */
export function statusScript(dirs: string, probe: { prelude: string; perRun: string } = { prelude: '', perRun: '' }): string {
  return [
    probe.prelude,
    `for d in ${dirs}; do`,
    '  [ -d "$d" ] || continue',
    `  printf '${RS}%s${FS}' "$(basename "$d")"`,
    `  cat "$d/run.json" 2>/dev/null; printf '${FS}'`,
    `  cat "$d/started_at" 2>/dev/null; printf '${FS}'`,
    `  pg=$(cat "$d/pid" 2>/dev/null); printf '%s${FS}' "$pg"`,
    `  cat "$d/exit_code" 2>/dev/null; printf '${FS}'`,
    `  if [ -n "$pg" ]; then ${LIVE_IN_GROUP}; fi; printf '${FS}'`,
    `  [ -f "$d/cancelled" ] && printf cancelled; printf '${FS}'`,
    `  grep -E '"event" *: *"(done|error)"' "$d/events.jsonl" 2>/dev/null | tail -n 1; printf '${FS}'`,
    `  jid=$(cat "$d/jobid" 2>/dev/null); printf '%s${FS}' "$jid"`,
    `  [ -f "$d/scheduler" ] && cat "$d/scheduler"; printf '${FS}'`,
    `  cat "$d/gpu" 2>/dev/null; printf '${FS}'`,
    // A probe's own exit status must not become the script's (that reads as "no such run").
    `  if [ -n "$jid" ]; then ${probe.perRun || ':'}; fi; :`,
    'done',
  ].join('\n');
}

/** A run's summary plus what the scheduler probe printed for it (raw, for the scheduler to read). */
export type ProbedSummary = RunSummary & { probe?: string };

function summarize(record: string): ProbedSummary | undefined {
  const [runId, configText, startedAt, pidText, exitText, liveText, cancelMark, lastTerminal, jobIdText, schedText, gpuText, probe] = record.split(FS);
  if (!runId) return undefined;
  let config: Record<string, unknown> | null = null;
  try {
    config = configText ? (JSON.parse(configText) as Record<string, unknown>) : null;
  } catch {
    config = null;
  }
  const final = lastTerminal ? parseEvent(lastTerminal.trim()) : undefined;
  const pgid = pidText ? Number(pidText.trim()) : undefined;
  const exitCode = exitText?.trim() ? Number(exitText.trim()) : undefined;
  const live = Number(liveText?.trim() || '0');
  let status: RunStatus;
  if (final) status = terminalStatus(final) ?? 'failed';
  else if (!pgid) status = cancelMark === 'cancelled' ? 'cancelled' : 'queued';
  else if (live > 0) status = 'running';
  else status = cancelMark === 'cancelled' ? 'cancelled' : 'failed';
  const metrics = final && final.event === 'done' ? ({ ...((final['metrics'] as Record<string, unknown>) ?? {}), peakMemGiB: final['peakMemGiB'], wallSec: final['wallSec'] } as Record<string, unknown>) : null;
  const jobId = jobIdText?.trim();
  const scheduler = schedText?.trim() as SchedulerKind | undefined;
  return {
    runId,
    status,
    startedAt: startedAt?.trim() || null,
    config,
    metrics,
    ...(final ? { final } : {}),
    ...(pgid ? { pgid } : {}),
    ...(exitCode !== undefined && Number.isFinite(exitCode) ? { exitCode } : {}),
    ...(scheduler ? { scheduler } : {}),
    ...(jobId ? { jobId } : {}),
    ...(gpuText?.trim() ? { gpu: gpuText.trim() } : {}),
    ...(probe?.trim() ? { probe: probe.trim() } : {}),
  };
}

/** Lets each run's own scheduler (recorded in its directory) turn the probe into state and reason. */
async function resolveScheduled(host: Host, runs: ProbedSummary[]): Promise<RunSummary[]> {
  const scheduler = schedulerFor(host);
  const scheduled = runs.filter((r) => r.scheduler && r.scheduler !== 'none' && r.jobId);
  if (scheduler && scheduled.length) await scheduler.resolve(host, scheduled.filter((r) => r.scheduler === scheduler.kind));
  return runs.map(({ probe: _probe, ...rest }) => rest);
}

function probeFor(host: Host): { prelude: string; perRun: string } | undefined {
  return schedulerFor(host)?.statusProbe();
}

export async function listRuns(host: Host): Promise<RunSummary[]> {
  const layout = await hostLayout(host);
  const script = `cd ${shellQuote(layout.runs)} 2>/dev/null || exit 0\n${statusScript('"$PWD"/*', probeFor(host))}`;
  const r = await host.exec(script);
  if (r.code !== 0) throw new Error(`listing runs on ${host.label} failed: ${r.stderr.trim()}`);
  const runs = r.stdout
    .split(RS)
    .map(summarize)
    .filter((s): s is ProbedSummary => !!s);
  return (await resolveScheduled(host, runs)).sort((a, b) => (a.startedAt ?? '').localeCompare(b.startedAt ?? '') || a.runId.localeCompare(b.runId));
}

export async function runStatus(host: Host, runId: string): Promise<RunSummary> {
  const layout = await hostLayout(host);
  const dir = runDir(layout, runId);
  const r = await host.exec(statusScript(shellQuote(dir), probeFor(host)));
  const s = r.code === 0 ? summarize(r.stdout.split(RS)[1] ?? '') : undefined;
  if (!s) throw new Error(`no run ${runId} on ${host.label}; \`distillery runs list --host ${host.label}\` shows the runs there`);
  return (await resolveScheduled(host, [s]))[0]!;
}

export async function readEvents(host: Host, runId: string): Promise<Buffer> {
  const layout = await hostLayout(host);
  return host.readFile(posix.join(runDir(layout, runId), 'events.jsonl'));
}

/**
 * Cancels a run: a queued run is marked and skipped; a running one gets SIGTERM on its process
 * group and SIGKILL after `graceSec`. Returns once no live process of the group is left.
 */
export async function cancelRun(host: Host, runId: string, graceSec = 30): Promise<'cancelled' | 'not-running'> {
  const layout = await hostLayout(host);
  const dir = runDir(layout, runId);
  const scheduler = schedulerFor(host);
  if (scheduler) {
    const s = await runStatus(host, runId);
    if (s.scheduler === scheduler.kind && s.jobId) return scheduler.cancel(host, s, dir, graceSec);
  }
  const ticks = Math.max(1, Math.round(graceSec * 10));
  const script = [
    `cd ${shellQuote(dir)} || exit 2`,
    'touch cancelled',
    'pg=$(cat pid 2>/dev/null)',
    'if [ -z "$pg" ]; then echo queued; exit 0; fi',
    `if [ "$(${LIVE_IN_GROUP})" -eq 0 ]; then echo not-running; exit 0; fi`,
    'kill -TERM "-$pg" 2>/dev/null',
    'i=0',
    `while [ "$(${LIVE_IN_GROUP})" -gt 0 ]; do`,
    '  i=$((i+1))',
    `  if [ "$i" -ge ${ticks} ]; then kill -KILL "-$pg" 2>/dev/null; fi`,
    `  if [ "$i" -ge $((${ticks}+100)) ]; then echo stuck; exit 1; fi`,
    '  sleep 0.1',
    'done',
    'echo cancelled',
  ].join('\n');
  const r = await host.exec(script);
  if (r.code === 2) throw new Error(`no run ${runId} on ${host.label}`);
  if (r.code !== 0) throw new Error(`cancelling ${runId} on ${host.label} failed: ${(r.stdout + r.stderr).trim()}`);
  return r.stdout.trim() === 'not-running' ? 'not-running' : 'cancelled';
}

export interface FetchResult {
  files: string[];
  localDir: string;
}

/**
 * Downloads a run's results into localDir/<runId>: run.json, events.jsonl, stderr.log, every
 * metrics*.json and predictions*.jsonl under outputs/, and with `adapter` the adapter directory
 * (any outputs/ directory holding adapter_config.json) or the saved model.
 */
export async function fetchRun(host: Host, runId: string, localDir: string, opts: { adapter?: boolean } = {}): Promise<FetchResult> {
  const layout = await hostLayout(host);
  const dir = runDir(layout, runId);
  const list = await execOk(host, `cd ${shellQuote(dir)} && find . -type f -print0`, 'listing the run directory');
  const all = list.split('\0').filter(Boolean).map((p) => p.replace(/^\.\//, ''));
  const adapterDirs = all.filter((p) => p.endsWith('/adapter_config.json')).map((p) => posix.dirname(p));
  const wanted = all.filter((p) => {
    if (['run.json', 'events.jsonl', 'stderr.log', 'exit_code'].includes(p)) return true;
    if (!p.startsWith('outputs/')) return false;
    const name = posix.basename(p);
    if (/^metrics.*\.json$/.test(name) || /^predictions.*\.jsonl$/.test(name) || name === 'eval.json') return true;
    return !!opts.adapter && adapterDirs.some((d) => p.startsWith(d + '/'));
  });
  const target = join(localDir, runId);
  for (const rel of wanted) await host.download(posix.join(dir, rel), join(target, ...rel.split('/')));
  return { files: wanted, localDir: target };
}

/** Reads RUN.json from disk. */
export async function readRunConfig(path: string): Promise<Record<string, unknown>> {
  const text = await readFile(path, 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`${path} is not valid JSON (${(e as Error).message})`);
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw new Error(`${path} must hold a JSON object (see the Runner contract)`);
  return json as Record<string, unknown>;
}

