// A real OpenSSH server for tests (TESTING.md, "A real SSH server"): a fresh host key and client
// key in a temp dir, sshd on 127.0.0.1 at a free port, a known_hosts file holding its key and an
// ssh config file (DISTILLERY_SSH_CONFIG) with aliases:
//   testhost       direct, IdentitiesOnly, UserKnownHostsFile in the temp dir
//   testhost-jump  the same server reached through ProxyJump testhost (a two-hop chain)
// Every wait is on a condition (the "Server listening" line, a process exit), never a sleep.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SSHD = '/usr/sbin/sshd';

export interface SshdServer {
  port: number;
  dir: string;
  pid: number;
  /** "ssh-ed25519 AAAA…" of the server. */
  hostKeyPublic: string;
  clientKey: string;
  knownHosts: string;
  sshConfig: string;
  /** Environment for a client (CLI subprocess or in-process): config file, no agent. */
  env: Record<string, string>;
  /** Kills the sshd processes serving current sessions (the listener stays): a dropped link. */
  killSessions(): number;
  stop(): Promise<void>;
}

/** Why a real sshd cannot run here, or undefined when it can. */
export function sshdUnavailable(): string | undefined {
  if (!existsSync(SSHD)) return `${SSHD} is missing: apt-get install openssh-server (.ci/run does)`;
  if (spawnSync('ssh-keygen', ['-?']).error) return 'ssh-keygen is missing: apt-get install openssh-client';
  if (!existsSync('/run/sshd')) {
    try {
      mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    } catch {
      return '/run/sshd does not exist and cannot be created (run the tests as root or create it)';
    }
  }
  return undefined;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export function keygen(file: string, type = 'ed25519', passphrase = ''): string {
  const r = spawnSync('ssh-keygen', ['-q', '-t', type, '-N', passphrase, '-C', 'distillery-test', '-f', file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ssh-keygen failed: ${r.stderr}`);
  return readFileSync(`${file}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
}

function children(pid: number): number[] {
  const r = spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' });
  return r.stdout.split('\n').filter(Boolean).map(Number);
}

/** The command name of a live process; '' for one that is gone or a zombie. */
function comm(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return '';
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

export async function startSshd(opts: { extraConfig?: string[] } = {}): Promise<SshdServer> {
  const reason = sshdUnavailable();
  if (reason) throw new Error(reason);
  const dir = mkdtempSync(join(tmpdir(), 'distillery-sshd-'));
  const hostKey = join(dir, 'host_ed25519');
  const clientKey = join(dir, 'client_ed25519');
  const hostKeyPublic = keygen(hostKey);
  const clientPublic = keygen(clientKey);
  writeFileSync(join(dir, 'authorized_keys'), `${clientPublic}\n`, { mode: 0o600 });
  const port = await freePort();
  const cfg = join(dir, 'sshd_config');
  writeFileSync(
    cfg,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'StrictModes no',
      'UsePAM no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      'AllowTcpForwarding yes',
      'MaxSessions 64',
      'MaxStartups 64',
      'Subsystem sftp internal-sftp',
      ...(opts.extraConfig ?? []),
      '',
    ].join('\n'),
  );
  const check = spawnSync(SSHD, ['-t', '-f', cfg], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`sshd -t rejected the test config: ${check.stderr}`);
  const knownHosts = join(dir, 'known_hosts');
  writeFileSync(knownHosts, `[127.0.0.1]:${port} ${hostKeyPublic}\n`);
  const sshConfig = join(dir, 'ssh_config');
  writeFileSync(
    sshConfig,
    [
      'Host testhost',
      '  HostName 127.0.0.1',
      `  Port ${port}`,
      '  User root',
      `  IdentityFile ${clientKey}`,
      '  IdentitiesOnly yes',
      `  UserKnownHostsFile ${knownHosts}`,
      '',
      'Host testhost-jump',
      '  HostName 127.0.0.1',
      `  Port ${port}`,
      '  User root',
      '  ProxyJump testhost',
      `  IdentityFile ${clientKey}`,
      `  UserKnownHostsFile ${knownHosts}`,
      '',
    ].join('\n'),
  );
  const proc: ChildProcess = spawn(SSHD, ['-D', '-e', '-f', cfg], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    proc.stderr!.on('data', (d: Buffer) => {
      log += d.toString();
      if (log.includes('Server listening')) resolve();
    });
    proc.once('exit', (code) => reject(new Error(`sshd exited with ${code} before listening: ${log}`)));
  });
  const pid = proc.pid!;
  return {
    port,
    dir,
    pid,
    hostKeyPublic,
    clientKey,
    knownHosts,
    sshConfig,
    env: { DISTILLERY_SSH_CONFIG: sshConfig, SSH_AUTH_SOCK: '' },
    killSessions(): number {
      // The listener's children are per-connection monitors; their sshd children serve the
      // session. SIGKILL both: the client sees the TCP connection die mid-stream.
      const victims: number[] = [];
      for (const c of children(pid)) {
        if (comm(c) !== 'sshd') continue;
        victims.push(c, ...children(c).filter((g) => comm(g) === 'sshd'));
      }
      for (const v of victims) {
        try {
          process.kill(v, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
      return victims.length;
    },
    stop: async () => {
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
