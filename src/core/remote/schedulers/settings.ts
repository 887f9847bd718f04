// What a Host carries about the scheduler in front of it (docs/ARCHITECTURE.md, "Scheduler
// contract"): taken from the distillery.json host profile by openHost, read by jobs.ts.
import type { HostProfile } from '../../project/config';

export type SchedulerKind = 'none' | 'slurm' | 'ray';
export type SlurmSettings = NonNullable<HostProfile['slurm']>;
export type RaySettings = NonNullable<HostProfile['ray']>;

export type SchedulerSettings = { kind: 'none' } | { kind: 'slurm'; slurm: SlurmSettings } | { kind: 'ray'; ray: RaySettings };

/** The scheduler settings a host profile asks for; `none` when it names no scheduler. */
export function schedulerSettingsOf(profile: Pick<HostProfile, 'scheduler' | 'slurm' | 'ray'> | undefined): SchedulerSettings {
  switch (profile?.scheduler ?? 'none') {
    case 'slurm':
      return { kind: 'slurm', slurm: profile?.slurm ?? {} };
    case 'ray':
      return { kind: 'ray', ray: profile?.ray ?? { address: 'http://127.0.0.1:8265' } };
    default:
      return { kind: 'none' };
  }
}

/** "PENDING (Priority)": the scheduler's own state and reason for a run view; undefined for none. */
export function schedulerLabel(run: { schedulerState?: string; schedulerReason?: string }): string | undefined {
  if (!run.schedulerState && !run.schedulerReason) return undefined;
  return [run.schedulerState, run.schedulerReason ? `(${run.schedulerReason})` : undefined].filter(Boolean).join(' ');
}
