// From a --host value (or a distillery.json host profile) to a Host: "local" or a pooled SSH
// connection to the endpoint the ssh config resolves.
import type { Host } from './host';
import { LocalHost } from './local-host';
import { pooledConnection, type ConnectOptions } from './ssh-connection';
import { SshHost } from './ssh-host';
import { resolveTarget } from './ssh-target';

export interface OpenHostOptions extends ConnectOptions {
  /** Overrides where .distillery/ lives on the host (else DISTILLERY_REMOTE_HOME, else $HOME). */
  remoteHome?: string;
  /** Host profile identityFile, tried before the ssh config's. */
  identityFile?: string;
}

export function openHost(target: string, opts: OpenHostOptions = {}): Host {
  const t = resolveTarget(target, opts.identityFile ? { identityFile: opts.identityFile } : {});
  if (t.kind === 'local') return new LocalHost(opts.remoteHome);
  return new SshHost(target, pooledConnection(t.endpoint, opts), opts.remoteHome);
}
