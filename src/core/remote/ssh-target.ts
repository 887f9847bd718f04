// Turns what the user typed for --host (an ssh_config alias, user@host[:port], or "local") into
// the concrete connection settings: HostName, Port, User, IdentityFile, IdentitiesOnly,
// UserKnownHostsFile and the ProxyJump chain, using the maintained `ssh-config` parser.
import { readFileSync, existsSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import SSHConfig from 'ssh-config';

export interface SshEndpoint {
  /** What the user named this hop (alias or user@host:port); used in messages. */
  label: string;
  host: string;
  port: number;
  user: string;
  identityFiles: string[];
  /** ssh_config IdentitiesOnly: only the identity files, no other agent keys. */
  identitiesOnly: boolean;
  knownHostsFiles: string[];
  /** HostKeyAlias when the config sets one: the name looked up in known_hosts. */
  hostKeyAlias?: string;
  /** Hops to go through first, outermost first (ProxyJump). */
  jumps: SshEndpoint[];
}

export type HostTarget = { kind: 'local' } | { kind: 'ssh'; endpoint: SshEndpoint };

/** The ssh config file: DISTILLERY_SSH_CONFIG, else ~/.ssh/config (missing file = empty config). */
export function sshConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return env['DISTILLERY_SSH_CONFIG'] || join(homedir(), '.ssh', 'config');
}

export function loadSshConfig(path = sshConfigPath()): SSHConfig {
  if (!existsSync(path)) return SSHConfig.parse('');
  return SSHConfig.parse(readFileSync(path, 'utf8'));
}

/** Hosts named in the ssh config without wildcards: what the host picker offers. */
export function listConfiguredHosts(config: SSHConfig = loadSshConfig()): string[] {
  const names: string[] = [];
  for (const line of config) {
    if (line.type !== SSHConfig.DIRECTIVE || line.param.toLowerCase() !== 'host' || !('config' in line)) continue;
    const values = typeof line.value === 'string' ? line.value.split(/\s+/) : line.value.map((v) => v.val);
    for (const v of values) if (v && !/[*?!]/.test(v) && !names.includes(v)) names.push(v);
  }
  return names;
}

function expandPath(p: string, vars: { host: string; user: string; port: number; alias: string }): string {
  let out = p.replace(/%([%dhpruln])/g, (_m, c: string) => {
    switch (c) {
      case '%': return '%';
      case 'd': return homedir();
      case 'h': return vars.host;
      case 'p': return String(vars.port);
      case 'r': return vars.user;
      case 'u': return userInfo().username;
      case 'n': return vars.alias;
      default: return '';
    }
  });
  if (out === '~' || out.startsWith('~/')) out = join(homedir(), out.slice(1));
  return out;
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function all(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).flatMap((x) => x.split(/\s+/)).filter(Boolean);
}

/** Splits user@host[:port] (IPv6 in brackets: user@[::1]:22). */
export function parseUserHostPort(text: string): { user?: string; host: string; port?: number } {
  const m = /^(?:([^@\s]+)@)?(\[[^\]]+\]|[^:@\s]+)(?::(\d+))?$/.exec(text);
  if (!m) throw new Error(`"${text}" is not a host: use an ssh config alias, user@host[:port] or local`);
  const host = m[2]!.startsWith('[') ? m[2]!.slice(1, -1) : m[2]!;
  const port = m[3] ? Number(m[3]) : undefined;
  if (port !== undefined && (port < 1 || port > 65535)) throw new Error(`port ${port} in "${text}" is out of range`);
  return { ...(m[1] ? { user: m[1] } : {}), host, ...(port ? { port } : {}) };
}

/**
 * Resolves a --host value. Aliases are looked up in the ssh config the way OpenSSH does (first
 * value wins, Host patterns with wildcards apply); user@host:port is looked up too, so a
 * `Host *` block still supplies IdentityFile and the known-hosts file.
 */
export function resolveTarget(text: string, opts: { config?: SSHConfig; identityFile?: string; depth?: number } = {}): HostTarget {
  if (text === 'local') return { kind: 'local' };
  const config = opts.config ?? loadSshConfig();
  const depth = opts.depth ?? 0;
  if (depth > 8) throw new Error(`ProxyJump chain for "${text}" is longer than 8 hops (a loop in the ssh config?)`);
  const parsed = parseUserHostPort(text);
  const computed = config.compute(parsed.host, { matchExec: false }) as Record<string, string | string[]>;
  const get = (k: string) => computed[k] ?? computed[k.toLowerCase()];
  const host = first(get('HostName'))?.replace(/%h/g, parsed.host) ?? parsed.host;
  const port = parsed.port ?? (first(get('Port')) ? Number(first(get('Port'))) : 22);
  const user = parsed.user ?? first(get('User')) ?? userInfo().username;
  const vars = { host, user, port, alias: parsed.host };
  const configured = all(get('IdentityFile')).map((p) => expandPath(p, vars));
  const identityFiles = opts.identityFile ? [expandPath(opts.identityFile, vars), ...configured] : configured;
  if (identityFiles.length === 0) {
    for (const name of ['id_ed25519', 'id_ecdsa', 'id_rsa']) {
      const p = join(homedir(), '.ssh', name);
      if (existsSync(p)) identityFiles.push(p);
    }
  }
  const knownConfigured = all(get('UserKnownHostsFile')).filter((p) => p !== '/dev/null').map((p) => expandPath(p, vars));
  const knownHostsFiles = knownConfigured.length ? knownConfigured : [join(homedir(), '.ssh', 'known_hosts')];
  const proxyJump = first(get('ProxyJump'));
  const jumps: SshEndpoint[] = [];
  if (proxyJump && proxyJump.toLowerCase() !== 'none') {
    for (const hop of proxyJump.split(',').map((h) => h.trim()).filter(Boolean)) {
      const hopText = hop.replace(/^ssh:\/\//, '');
      const t = resolveTarget(hopText, { config, depth: depth + 1 });
      if (t.kind !== 'ssh') throw new Error(`ProxyJump hop "${hop}" cannot be local`);
      // A hop's own jumps come before it (OpenSSH resolves ProxyJump recursively).
      jumps.push(...t.endpoint.jumps, { ...t.endpoint, jumps: [] });
    }
  }
  const alias = first(get('HostKeyAlias'));
  return {
    kind: 'ssh',
    endpoint: {
      label: text,
      host,
      port,
      user,
      identityFiles,
      identitiesOnly: (first(get('IdentitiesOnly')) ?? 'no').toLowerCase() === 'yes',
      knownHostsFiles,
      ...(alias ? { hostKeyAlias: alias } : {}),
      jumps,
    },
  };
}
