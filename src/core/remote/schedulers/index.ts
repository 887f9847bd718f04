// The scheduler in front of a host (docs/schedulers.md). `none` is jobs.ts itself (a detached
// process group); Slurm and Ray get a driver that submits, reads state, cancels and fans sweeps
// out through the engine, while the run directory layout and following by byte offset stay the
// same for all three.
import type { Host } from '../host';
import type { LaunchOptions, LaunchResult, ProbedSummary, RunSummary } from '../jobs';
import type { SweepLaunch } from '../sweep';
import { rayScheduler } from './ray';
import { slurmScheduler } from './slurm';

export interface SchedulerDriver {
  readonly kind: 'slurm' | 'ray';
  launch(host: Host, opts: LaunchOptions): Promise<LaunchResult>;
  /** Shell for statusScript: a prelude run once and a probe per run directory $d with job id $jid. */
  statusProbe(): { prelude: string; perRun: string };
  /** Sets status, schedulerState and schedulerReason of runs submitted through this scheduler. */
  resolve(host: Host, runs: ProbedSummary[]): Promise<void>;
  cancel(host: Host, run: RunSummary, dir: string, graceSec: number): Promise<'cancelled' | 'not-running'>;
  launchSweep(host: Host, base: Omit<LaunchOptions, 'config' | 'runId'>, configs: Record<string, unknown>[], sweepId: string): Promise<SweepLaunch>;
}

/** The driver for the host's scheduler; undefined for `none` (jobs.ts starts the process itself). */
export function schedulerFor(host: Host): SchedulerDriver | undefined {
  const s = host.scheduler;
  if (!s || s.kind === 'none') return undefined;
  return s.kind === 'slurm' ? slurmScheduler(s.slurm) : rayScheduler(s.ray);
}
