// What the Launch and Launch Sweep dialogs offer, decided without VS Code so it is unit-tested:
// where one launch runs when the host profile carries Slurm/Ray options, and whether a sweep's
// points run in parallel on the free GPUs the last preflight found (src/core/remote/gpu-slots.ts).
import type { HostProfile } from '../../core/project/config';
import { autoSlots } from '../../core/remote/gpu-slots';
import type { SchedulerSettings } from '../../core/remote/schedulers/settings';

export interface SchedulerChoice {
  label: string;
  description?: string;
  settings: SchedulerSettings;
}

/**
 * The "Run on" choices for one launch, the profile's own scheduler first; [] (ask nothing) for a
 * host without a scheduler. Only the profile's scheduler and "directly" are offered: the Runs view
 * follows a host's runs through the profile's scheduler, so a run sent to the other engine for
 * one launch could not be followed or cancelled from there.
 */
export function schedulerChoices(profile: Pick<HostProfile, 'scheduler' | 'slurm' | 'ray'> | undefined): SchedulerChoice[] {
  const direct: SchedulerChoice = { label: 'This host directly', description: 'a detached process over SSH, no scheduler', settings: { kind: 'none' } };
  switch (profile?.scheduler) {
    case 'slurm': {
      const s = profile.slurm ?? {};
      const detail = [s.partition ? `partition ${s.partition}` : undefined, s.account ? `account ${s.account}` : undefined, s.gres ? `--gres=${s.gres}` : undefined].filter(Boolean).join(', ');
      return [{ label: 'Slurm', ...(detail ? { description: detail } : {}), settings: { kind: 'slurm', slurm: s } }, direct];
    }
    case 'ray': {
      const r = profile.ray ?? { address: 'http://127.0.0.1:8265' };
      return [{ label: 'Ray', description: r.address, settings: { kind: 'ray', ray: r } }, direct];
    }
    default:
      return [];
  }
}

export type SweepPlan =
  | { kind: 'sequential'; question: string; action: string }
  | { kind: 'ask'; gpus: string[]; question: string; parallel: string; sequential: string };

/**
 * How Launch Sweep asks: with two or more free GPUs in the host's preflight `env` (Launch Sweep
 * checks the host itself when this session has not), "Run N points on GPUs 0,1 in parallel / one
 * after another"; otherwise (the check failed, one GPU, a scheduler host) "queue one after another".
 */
export function sweepPlan(points: number, hostName: string, env: Record<string, unknown> | undefined, scheduled: boolean, checkFailed?: string): SweepPlan {
  const sequential = { kind: 'sequential' as const, question: `Queue ${points} runs on ${hostName}, one after another?`, action: 'Queue' };
  if (scheduled) return { ...sequential, question: `Submit ${points} runs on ${hostName} to its scheduler?`, action: 'Submit' };
  if (!env) {
    const why = checkFailed ? `its GPUs could not be checked (${checkFailed.split('\n')[0]!.slice(0, 200)})` : 'Check GPU Host first to run points on its free GPUs in parallel';
    return { ...sequential, question: `${sequential.question} (${why}.)` };
  }
  const gpus = autoSlots(env);
  if (gpus.length < 2 || points < 2) return sequential;
  return {
    kind: 'ask',
    gpus,
    question: `Run ${points} points on ${hostName}: GPUs ${gpus.join(',')} are free.`,
    parallel: `In parallel on GPUs ${gpus.join(',')}`,
    sequential: 'One after another',
  };
}
