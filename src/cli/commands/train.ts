// `distillery train --host H --config RUN.json [--python P] [--follow]` (docs/ARCHITECTURE.md,
// "CLI details"): prints `run <runId>` first; with --follow, the runner's events exactly as
// written until done or error. Exit 0 done ok, 3 cancelled, 1 failed, 2 usage, 4 host key.
// `--sweep "modality=lora,qlora;supervision=dss,label_only;rank=8,16;lr=1e-4,2e-4"` queues a
// grid on the host instead (one `run <runId>` line per run); `--gpus auto|0,1,3|none` runs one
// point per GPU at once (auto: the free GPUs of a host with two or more, src/core/remote/gpu-slots.ts).
import { dirname, resolve } from 'node:path';
import { followRun } from '../../core/remote/follow';
import { checkRunConfig } from '../../core/training/run-config';
import { defaultRunnerDir, launchRun, readRunConfig, runStatus } from '../../core/remote/jobs';
import { closeAllConnections } from '../../core/remote/ssh-connection';
import { launchSweep, parseSweepGrid, planSweep, type SweepGrid } from '../../core/remote/sweep';
import { autoSlots, freeGpus, gpuCount, parseGpuChoice, FREE_FRACTION, type GpuChoice } from '../../core/remote/gpu-slots';
import { preflight } from '../../core/remote/preflight';
import { HostKeyError } from '../../core/remote/known-hosts';
import { AuthError } from '../../core/remote/ssh-connection';
import { openHost } from '../../core/remote/open-host';
import { resolveHostArg } from '../../core/remote/profiles';
import type { Host } from '../../core/remote/host';
import type { RunStatus } from '../../core/remote/events';
import { EXIT, parse, UsageError, UserError } from '../usage';

// Shared with `distillery runs`: opening --host with the CLI's host-key policy (unknown refused
// unless --accept-new-host-key, changed always refused, exit 4) and mapping errors to exit codes.
export const hostOptions = {
  host: { type: 'string' },
  'accept-new-host-key': { type: 'boolean' },
  'remote-home': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function openCliHost(command: string, values: { host?: string; 'accept-new-host-key'?: boolean; 'remote-home'?: string }): { host: Host; python?: string } {
  if (!values.host) throw new UsageError(`distillery ${command}: --host is required (an ssh config alias, user@host[:port], a distillery.json host name, or local)`);
  let resolved: ReturnType<typeof resolveHostArg>;
  try {
    resolved = resolveHostArg(values.host);
  } catch (e) {
    throw new UserError((e as Error).message, EXIT.usage);
  }
  const remoteHome = values['remote-home'] ?? resolved.remoteHome;
  try {
    const host = openHost(resolved.target, {
      acceptNewHostKey: !!values['accept-new-host-key'],
      ...(remoteHome ? { remoteHome } : {}),
      ...(resolved.identityFile ? { identityFile: resolved.identityFile } : {}),
      ...(resolved.scheduler ? { scheduler: resolved.scheduler } : {}),
      // Passphrase and keyboard-interactive prompts need a terminal; the CLI relies on ssh-agent
      // or unencrypted keys (CI) and says so when authentication fails.
      log: (line) => process.stderr.write(`distillery: ${line}\n`),
    });
    return { host, ...(resolved.python ? { python: resolved.python } : {}) };
  } catch (e) {
    throw new UserError((e as Error).message, EXIT.failed);
  }
}

/** Maps remote failures to the CLI's exit codes: host key → 4, the rest → 1. */
export function remoteError(e: unknown): never {
  if (e instanceof HostKeyError) throw new UserError(e.message, EXIT.hostKey);
  if (e instanceof AuthError) throw new UserError(e.message, EXIT.failed);
  if (e instanceof UsageError || e instanceof UserError) throw e;
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'ECONNREFUSED' || err?.code === 'ENOTFOUND' || err?.code === 'ETIMEDOUT') throw new UserError(`cannot reach the host: ${err.message}`, EXIT.failed);
  if (err instanceof Error) throw new UserError(err.message, EXIT.failed);
  throw e;
}

export function exitFor(status: RunStatus): number {
  return status === 'done' ? EXIT.ok : status === 'cancelled' ? EXIT.cancelled : EXIT.failed;
}

/** Writes to stdout and waits for it to drain, so piped followers see every line promptly. */
export function out(text: string): Promise<void> {
  return new Promise((resolve) => {
    if (process.stdout.write(text)) resolve();
    else process.stdout.once('drain', resolve);
  });
}

const HELP = `usage: distillery train --host H --config RUN.json [--python P] [--follow] [--run-id ID]
                       [--sweep GRID [--gpus auto|0,1,3|none]] [--accept-new-host-key]

  --host H               ssh config alias, user@host[:port], a distillery.json host name, or local
  --config RUN.json      run config (Runner contract); data paths are relative to its folder
  --python P             python on the host (default: the host profile's, else
                         ~/.distillery/venv/bin/python when it exists, else python3)
  --follow               print the runner's events until done or error; exit code follows the run
  --run-id ID            name the run (default: time-modality-supervision-rank-random)
  --sweep GRID           queue a grid, e.g. "modality=lora,qlora;supervision=dss,label_only;rank=8,16;lr=1e-4"
  --gpus auto|LIST|none  sweep points at once, one per GPU: auto (default) uses the GPUs of the
                         host's runner \`env\` with ≥ ${Math.round(FREE_FRACTION * 100)} % memory free when it has two or
                         more; 0,1,3 those GPUs; none one after another (Slurm/Ray hosts: ignored)
  --accept-new-host-key  add an unknown host key to known_hosts (a changed key is always refused)
  --remote-home DIR      directory holding .distillery/ on the host (default: its $HOME)

exit: 0 done, 1 failed, 2 usage, 3 cancelled, 4 host key refused`;

export function parseGrid(text: string): SweepGrid {
  try {
    return parseSweepGrid(text);
  } catch (e) {
    throw new UsageError(`distillery train --sweep: ${(e as Error).message}`);
  }
}

export function parseGpus(text: string): GpuChoice {
  try {
    return parseGpuChoice(text);
  } catch (e) {
    throw new UsageError(`distillery train --gpus: ${(e as Error).message}`);
  }
}

/** The GPU slots of a sweep on a host without a scheduler; [] is one point after another. */
async function sweepSlots(host: Host, choice: GpuChoice, python: string | undefined): Promise<string[]> {
  if (choice.kind === 'none') return [];
  if (choice.kind === 'list') return choice.gpus;
  const report = await preflight(host, defaultRunnerDir(), python ? { python } : {});
  if (!report.env) {
    process.stderr.write(`distillery: --gpus auto: the runner's env failed on ${host.label}, so the points run one after another (${report.envError ?? 'no report'})\n`);
    return [];
  }
  const slots = autoSlots(report.env);
  if (gpuCount(report.env) >= 2 && !slots.length)
    process.stderr.write(`distillery: --gpus auto: fewer than two of ${gpuCount(report.env)} GPUs are free (${freeGpus(report.env).join(',') || 'none'}), so the points run one after another\n`);
  return slots;
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parse('train', argv, {
    ...hostOptions,
    config: { type: 'string' },
    python: { type: 'string' },
    follow: { type: 'boolean' },
    'run-id': { type: 'string' },
    sweep: { type: 'string' },
    gpus: { type: 'string' },
  });
  if (values.help) {
    await out(HELP + '\n');
    return 0;
  }
  if (!values.config) throw new UsageError('distillery train: --config RUN.json is required. Run `distillery train --help` for the flags.');
  const grid = values.sweep !== undefined ? parseGrid(values.sweep) : undefined;
  if (values.gpus !== undefined && !grid) throw new UsageError('distillery train: --gpus goes with --sweep (a single run names its GPUs in RUN.json "gpus")');
  const gpuChoice = parseGpus(values.gpus ?? 'auto');
  if (grid && values['run-id']) throw new UsageError('distillery train: --run-id and --sweep cannot be combined (sweep runs are named after the sweep)');
  const configPath = resolve(values.config);
  let config: Record<string, unknown>;
  try {
    config = await readRunConfig(configPath);
  } catch (e) {
    throw new UsageError(`distillery train: ${(e as Error).message}`);
  }
  // The same zod schema as the runner's checks: a bad key fails here, before anything is uploaded.
  for (const candidate of grid ? planSweep(config, grid) : [config]) {
    const checked = checkRunConfig(candidate);
    if (!checked.ok) throw new UsageError(`distillery train: ${configPath}: ${checked.error.message}${checked.error.hint ? ` (${checked.error.hint})` : ''}`);
  }
  const { host, python: profilePython } = openCliHost('train', values);
  const python = values.python ?? profilePython;
  try {
    const base = {
      configDir: dirname(configPath),
      runnerDir: defaultRunnerDir(),
      ...(python ? { python } : {}),
      onProgress: (msg: string) => process.stderr.write(`distillery: ${msg}\n`),
    };
    if (grid) {
      // Slurm and Ray hosts fan a sweep out themselves (job array, jobs under a cap).
      const scheduled = !!host.scheduler && host.scheduler.kind !== 'none';
      if (scheduled && values.gpus !== undefined) process.stderr.write(`distillery: --gpus is ignored on ${host.label}: its ${host.scheduler!.kind} scheduler places the points\n`);
      const slots = scheduled ? [] : await sweepSlots(host, gpuChoice, python);
      const points = planSweep(config, grid);
      const sweep = await launchSweep(host, base, points, undefined, slots);
      for (const id of sweep.runIds) await out(`run ${id}\n`);
      if (slots.length)
        process.stderr.write(`distillery: ${points.length} point(s) on GPUs ${slots.join(',')}, ${slots.length} at once; each GPU takes the next point when its run ends\n`);
      if (!values.follow) return 0;
      let worst = 0;
      for (const id of sweep.runIds) {
        const res = await followRun(host, id, { onLine: (line) => void out(line + '\n') });
        // The slot that took the point wrote its GPU into the run directory.
        if (slots.length) process.stderr.write(`distillery: run ${id} ran on GPU ${(await runStatus(host, id)).gpu ?? '?'}\n`);
        worst = Math.max(worst, exitFor(res.status) === 0 ? 0 : 1);
      }
      return worst;
    }
    const launched = await launchRun(host, { ...base, config, ...(values['run-id'] ? { runId: values['run-id'] } : {}) });
    await out(`run ${launched.runId}\n`);
    process.stderr.write(`distillery: uploaded ${launched.sync.uploadedFiles} file(s), ${launched.sync.uploadedBytes} bytes; reused ${launched.sync.reusedFiles}\n`);
    if (!values.follow) return 0;
    const res = await followRun(host, launched.runId, {
      onLine: (line) => void out(line + '\n'),
      onReconnect: (n, e) => process.stderr.write(`distillery: connection lost (${e.message}); re-attaching (${n})\n`),
    });
    if (!res.final) process.stderr.write(`distillery: run ${launched.runId} ended without a done event (${res.status}); see stderr.log in its run directory\n`);
    return exitFor(res.status);
  } catch (e) {
    return remoteError(e);
  } finally {
    closeAllConnections();
  }
}
