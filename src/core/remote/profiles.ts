// --host names a distillery.json host profile ({name, target, python, identityFile, remoteHome})
// or is a target itself (ssh config alias, user@host[:port], local).
import { findProjectFile, loadProject } from '../project/files';
import type { HostProfile } from '../project/config';
import { schedulerSettingsOf, type SchedulerSettings } from './schedulers/settings';

/**
 * The host profile called `name` in the nearest distillery.json at or above `workspace`. A
 * project file that cannot be read is an error, never silently skipped: the user meant it.
 */
export function findProfile(name: string, workspace = process.cwd()): HostProfile | undefined {
  const file = findProjectFile(workspace);
  if (!file) return undefined;
  return loadProject(file).config.hosts.find((h) => h.name === name);
}

/** The target, python, identity file and remote base dir for a --host value. */
export function resolveHostArg(host: string, workspace?: string): { target: string; python?: string; identityFile?: string; remoteHome?: string; scheduler?: SchedulerSettings } {
  const p = findProfile(host, workspace);
  if (!p) return { target: host };
  return {
    target: p.target,
    ...(p.python ? { python: p.python } : {}),
    ...(p.identityFile ? { identityFile: p.identityFile } : {}),
    ...(p.remoteHome ? { remoteHome: p.remoteHome } : {}),
    ...(p.scheduler && p.scheduler !== 'none' ? { scheduler: schedulerSettingsOf(p) } : {}),
  };
}
