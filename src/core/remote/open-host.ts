// From a --host value (or a distillery.json host profile) to a Host: "local" or a pooled SSH
// connection to the endpoint the ssh config resolves.
import type { Host } from './host';
import type { SchedulerSettings } from './schedulers/settings';
import { LocalHost } from './local-host';
import { pooledConnection, type ConnectOptions } from './ssh-connection';
import { SshHost } from './ssh-host';
import { resolveTarget } from './ssh-target';

export interface OpenHostOptions extends ConnectOptions {
  /** Overrides where .distillery/ lives on the host (else DISTILLERY_REMOTE_HOME, else $HOME). */
  remoteHome?: string;
  /** Host profile identityFile, tried before the ssh config's. */
  identityFile?: string;
  /** The host profile's scheduler (none, slurm, ray); jobs.ts submits through it. */
  scheduler?: SchedulerSettings;
}

export function openHost(target: string, opts: OpenHostOptions = {}): Host {
  const t = resolveTarget(target, opts.identityFile ? { identityFile: opts.identityFile } : {});
  const host: Host = t.kind === 'local' ? new LocalHost(opts.remoteHome) : new SshHost(target, pooledConnection(t.endpoint, opts), opts.remoteHome);
  if (opts.scheduler && opts.scheduler.kind !== 'none') host.scheduler = opts.scheduler;
  return host;
}
