// Ray: runs are Ray Jobs submitted through the Jobs REST API (POST /api/jobs/, GET, /stop) at
// the dashboard address as the host sees it. Over SSH each request rides an ssh2 forwardOut
// channel on the pooled connection, so the dashboard needs no open port; for `local` it is a
// plain HTTP request. The entrypoint is the run directory's job.sh (the run directory must be
// on a filesystem the Ray head shares with the SSH host, as the login node's home usually is):
// one worker runs the runner as it is; more run it under Ray Train's TorchTrainer
// (distillery_runner.ray_entry). Logs are followed from events.jsonl by byte offset, as for
// every scheduler. Sweeps are separate jobs, released by a small queue on the host
// (ray-queue.ts) that keeps at most `sweepConcurrency` of them pending or running.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { posix } from 'node:path';
import { randomBytes } from 'node:crypto';
import { execOk, type Host } from '../host';
import { prepareRun, type JobScriptOptions, type LaunchOptions, type LaunchResult, type ProbedSummary, type RunSummary } from '../jobs';
import { newRunId } from '../layout';
import { shellJoin, shellQuote } from '../shell-quote';
import { SshHost } from '../ssh-host';
import type { SweepLaunch } from '../sweep';
import type { SchedulerDriver } from './index';
import type { RaySettings } from './settings';
import { RAY_QUEUE_PY } from './ray-queue';
import type { RunStatus } from '../events';

export interface RayJob {
  submission_id?: string;
  job_id?: string | null;
  status: string;
  message?: string | null;
  entrypoint?: string;
}

/** One HTTP request to the Ray dashboard, through the SSH connection when the host is remote. */
export async function rayRequest(host: Host, address: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; text: string }> {
  const url = new URL(path, address.endsWith('/') ? address : `${address}/`);
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  if (url.protocol !== 'http:') throw new Error(`ray.address ${address}: only http:// is supported (the dashboard's own protocol)`);
  let tunnel: NodeJS.ReadWriteStream | undefined;
  if (host instanceof SshHost) {
    const client = await host.connection.client();
    tunnel = await new Promise((resolve, reject) =>
      client.forwardOut('127.0.0.1', 0, url.hostname, port, (err, stream) =>
        err ? reject(new Error(`cannot reach the Ray dashboard ${address} from ${host.label}: ${err.message}; is Ray running there (ray status)?`)) : resolve(stream),
      ),
    );
  }
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        method,
        host: url.hostname,
        port,
        path: url.pathname + url.search,
        headers: { ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}), connection: 'close' },
        ...(tunnel ? { createConnection: () => tunnel as never } : {}),
        timeout: 30_000,
      },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`the Ray dashboard ${address} on ${host.label} did not answer within 30 s`)));
    req.on('error', (e: NodeJS.ErrnoException) =>
      reject(e.code === 'ECONNREFUSED' ? new Error(`nothing listens at the Ray dashboard ${address} on ${host.label}; start Ray (ray start --head) or fix ray.address`) : e),
    );
    req.end(payload);
  });
}

async function rayJson<T>(host: Host, address: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const r = await rayRequest(host, address, method, path, body);
  if (r.status < 200 || r.status >= 300) throw new Error(`Ray ${method} ${path} on ${host.label} answered ${r.status}: ${r.text.trim().slice(0, 500)}`);
  return JSON.parse(r.text) as T;
}

/** A submission id Ray accepts in URLs, unique per run. */
function submissionId(runId: string): string {
  return `distillery-${runId.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 80)}-${randomBytes(3).toString('hex')}`;
}

/** job.sh's launcher: the runner itself, or under TorchTrainer for more than one worker. */
export function rayJobOptions(s: RaySettings): JobScriptOptions {
  const workers = s.workers ?? 1;
  if (workers <= 1) return {};
  const resources = s.resourcesPerWorker ?? { CPU: 1 };
  return { launcher: `"$PY" -m distillery_runner.ray_entry ${shellJoin(['--workers', String(workers), '--resources', JSON.stringify(resources)])} --` };
}

/** Jobs API fields that make the entrypoint itself ask for one worker's resources. */
function workerResources(s: RaySettings): Record<string, unknown> {
  const res = s.resourcesPerWorker ?? {};
  const custom = Object.entries(res).filter(([k]) => k !== 'CPU' && k !== 'GPU');
  return {
    ...(res['CPU'] !== undefined ? { entrypoint_num_cpus: res['CPU'] } : {}),
    ...(res['GPU'] !== undefined ? { entrypoint_num_gpus: res['GPU'] } : {}),
    ...(custom.length ? { entrypoint_resources: Object.fromEntries(custom) } : {}),
  };
}

/** The Jobs API body for a prepared run directory. */
function submission(s: RaySettings, dir: string, id: string, runId: string): Record<string, unknown> {
  const workers = s.workers ?? 1;
  // One worker: the entrypoint is the training process, so it asks for the worker's resources
  // (a GPU) itself; under TorchTrainer the workers ask and the driver needs next to nothing.
  const entrypointResources = workers <= 1 ? workerResources(s) : {};
  return {
    entrypoint: `cd ${shellQuote(dir)} && exec sh job.sh`,
    submission_id: id,
    metadata: { distilleryRun: runId },
    ...(s.runtimeEnv ? { runtime_env: s.runtimeEnv } : {}),
    ...entrypointResources,
  };
}

const STATUS: Record<string, RunStatus> = { PENDING: 'queued', RUNNING: 'running', STOPPED: 'cancelled', FAILED: 'failed' };

export function applyRayState(run: ProbedSummary, job: RayJob | undefined, queuedBySweep: boolean): void {
  if (!job) {
    if (queuedBySweep && !run.final && run.pgid === undefined) {
      run.schedulerState = 'WAITING';
      run.schedulerReason = run.status === 'cancelled' ? 'cancelled before the sweep queue submitted it' : 'waiting in the sweep queue (concurrency cap)';
    } else if (!run.final && run.exitCode === undefined) run.schedulerReason = `Ray does not know job ${run.jobId} (any more)`;
    return;
  }
  run.schedulerState = job.status;
  if (job.message && job.status !== 'SUCCEEDED' && job.status !== 'RUNNING') run.schedulerReason = job.message;
  const fromEvent: RunStatus | undefined = run.final ? run.status : undefined;
  if (job.status === 'SUCCEEDED') run.status = fromEvent ?? 'failed';
  else if (job.status === 'STOPPED') run.status = 'cancelled';
  else if (job.status === 'FAILED') run.status = fromEvent === 'cancelled' ? 'cancelled' : 'failed';
  else run.status = fromEvent ?? STATUS[job.status] ?? run.status;
}

function terminal(status: string): boolean {
  return ['SUCCEEDED', 'FAILED', 'STOPPED'].includes(status);
}

export function rayScheduler(settings: RaySettings): SchedulerDriver {
  const job = rayJobOptions(settings);
  const address = settings.address;

  const submit = async (host: Host, dir: string, runId: string): Promise<string> => {
    const id = submissionId(runId);
    // The run directory records the id first, so a run is never orphaned from its Ray job.
    await execOk(host, `cd ${shellQuote(dir)} && printf ray > scheduler && printf '%s' ${shellQuote(id)} > jobid`, 'recording the Ray job id');
    await rayJson(host, address, 'POST', 'api/jobs/', submission(settings, dir, id, runId));
    return id;
  };

  return {
    kind: 'ray',

    async launch(host: Host, opts: LaunchOptions): Promise<LaunchResult> {
      const prepared = await prepareRun(host, { ...opts, job });
      const jobId = await submit(host, prepared.dir, prepared.runId);
      return { runId: prepared.runId, runDir: prepared.dir, pgid: 0, sync: prepared.sync, jobId };
    },

    statusProbe() {
      // Whether a sweep queue holds the run back (its id is recorded before submission).
      return { prelude: '', perRun: `if [ -f "$d/sweep" ]; then printf sweep; fi` };
    },

    async resolve(host: Host, runs: ProbedSummary[]): Promise<void> {
      const jobs = await rayJson<RayJob[]>(host, address, 'GET', 'api/jobs/');
      const byId = new Map(jobs.filter((j) => j.submission_id).map((j) => [j.submission_id!, j]));
      for (const run of runs) applyRayState(run, byId.get(run.jobId!), run.probe === 'sweep');
    },

    async cancel(host: Host, run: RunSummary, dir: string, graceSec: number): Promise<'cancelled' | 'not-running'> {
      // The marker keeps a sweep queue from submitting a run that is not submitted yet.
      await execOk(host, `touch ${shellQuote(posix.join(dir, 'cancelled'))}`, 'marking the run cancelled');
      const r = await rayRequest(host, address, 'GET', `api/jobs/${encodeURIComponent(run.jobId!)}`);
      if (r.status === 404) return run.schedulerState === 'WAITING' ? 'cancelled' : 'not-running';
      if (terminal((JSON.parse(r.text) as RayJob).status)) return 'not-running';
      await rayJson(host, address, 'POST', `api/jobs/${encodeURIComponent(run.jobId!)}/stop`);
      // Ray sends SIGTERM to the entrypoint's group and SIGKILL after RAY_JOB_STOP_WAIT_TIME_S;
      // wait for the job to be final (the grace period plus that margin).
      const deadline = Date.now() + (graceSec + 30) * 1000;
      for (;;) {
        const j = await rayJson<RayJob>(host, address, 'GET', `api/jobs/${encodeURIComponent(run.jobId!)}`);
        if (terminal(j.status)) return 'cancelled';
        if (Date.now() > deadline) throw new Error(`Ray job ${run.jobId} (${run.runId}) is still ${j.status} ${graceSec + 30} s after stop`);
        await new Promise((res) => setTimeout(res, 250));
      }
    },

    async launchSweep(host, base, configs, sweepId): Promise<SweepLaunch> {
      const prepared: { runId: string; dir: string; id: string }[] = [];
      let queues = '';
      for (const config of configs) {
        const p = await prepareRun(host, { ...base, config, runId: `${sweepId}-${prepared.length + 1}-${newRunId(config).slice(16)}`, job });
        prepared.push({ runId: p.runId, dir: p.dir, id: submissionId(p.runId) });
        queues = p.layout.queues;
        base.onProgress?.(`prepared ${p.runId} (${p.sync.uploadedFiles} files uploaded)`);
      }
      const cap = settings.sweepConcurrency ?? 2;
      const q = shellQuote;
      const queueFile = posix.join(queues, `${sweepId}.ray.json`);
      const queueScript = posix.join(queues, `${sweepId}.ray-queue.py`);
      const plan = { address, cap, runtimeEnv: settings.runtimeEnv ?? null, jobs: prepared.map((p) => ({ dir: p.dir, id: p.id, body: submission(settings, p.dir, p.id, p.runId) })) };
      // The queue is a detached process on the host: it goes on when the client disconnects.
      const script = [
        'set -e',
        `mkdir -p ${q(queues)}`,
        `printf '%s' ${q(JSON.stringify(plan))} > ${q(queueFile)}`,
        ...prepared.map((p) => `cd ${q(p.dir)} && printf ray > scheduler && printf '%s' ${q(p.id)} > jobid && : > sweep`),
        `cd ${q(queues)}`,
        `printf '%s' ${q(RAY_QUEUE_PY)} > ${q(queueScript)}`,
        `if [ -x ${q(posix.join(posix.dirname(queues), 'venv', 'bin', 'python'))} ]; then PY=${q(posix.join(posix.dirname(queues), 'venv', 'bin', 'python'))}; else PY=python3; fi`,
        ...(base.python ? [`PY=${q(base.python)}`] : []),
        `setsid nohup "$PY" ${q(queueScript)} ${q(queueFile)} >${q(queueFile + '.log')} 2>&1 </dev/null &`,
        'echo "pgid=$!"',
      ].join('\n');
      const out = await execOk(host, script, 'starting the Ray sweep queue');
      return { sweepId, runIds: prepared.map((p) => p.runId), queuePgid: Number(/pgid=(\d+)/.exec(out)?.[1] ?? 0) };
    },
  };
}

/**
 * Runs a command as a Ray job placed like one training worker (its resourcesPerWorker) and
 * returns its output: preflight's `env` report then describes the GPUs the runs will get.
 */
export async function rayProbe(host: Host, s: RaySettings, command: string, timeoutMs = 180_000): Promise<{ jobId: string; status: string; message?: string; logs: string }> {
  const id = `distillery-preflight-${randomBytes(4).toString('hex')}`;
  await rayJson(host, s.address, 'POST', 'api/jobs/', { entrypoint: command, submission_id: id, ...(s.runtimeEnv ? { runtime_env: s.runtimeEnv } : {}), ...workerResources(s) });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const j = await rayJson<RayJob>(host, s.address, 'GET', `api/jobs/${id}`);
    if (terminal(j.status)) {
      const logs = await rayJson<{ logs: string }>(host, s.address, 'GET', `api/jobs/${id}/logs`);
      return { jobId: id, status: j.status, ...(j.message ? { message: j.message } : {}), logs: logs.logs };
    }
    if (Date.now() > deadline) {
      await rayRequest(host, s.address, 'POST', `api/jobs/${id}/stop`);
      throw new Error(`the Ray preflight job ${id} on ${host.label} was still ${j.status} after ${timeoutMs / 1000} s (no node with ${JSON.stringify(s.resourcesPerWorker ?? {})} free?)`);
    }
    await new Promise((res) => setTimeout(res, 250));
  }
}
