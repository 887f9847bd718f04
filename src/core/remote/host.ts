// What the job code needs from a machine, whether reached over SSH or this one ("local"): run a
// shell command string (built only with shellQuote), stream a command's output, and move files.
// Keeping both behind one interface means the job layout, follow and cancel code is the same.
import type { SchedulerSettings } from './schedulers/settings';

export interface ExecResult {
  code: number | null;
  signal?: string;
  stdout: string;
  stderr: string;
}

export interface StreamHandle {
  /** Resolves with the exit code once the command ends; rejects if the connection is lost. */
  readonly done: Promise<number | null>;
  /** Stops the command (closes its channel or kills the local process). */
  stop(): void;
}

export interface TransferProgress {
  (bytesSent: number, total: number): void;
}

export interface Host {
  /** How the user named the host (alias, user@host:port or "local"). */
  readonly label: string;
  readonly isLocal: boolean;
  /** Who starts jobs there (distillery.json host profile); absent means `none`, a detached process. */
  scheduler?: SchedulerSettings;
  /** The absolute directory that holds `.distillery/` on the host. */
  baseDir(): Promise<string>;
  /**
   * Runs a POSIX sh script (always /bin/sh, whatever the login shell: over SSH the script goes
   * to `sh -s` on stdin, so fish or csh never parse it). Build it only with shellQuote.
   */
  exec(script: string): Promise<ExecResult>;
  /** Runs a script and hands its stdout to onData as it arrives (stderr to onStderr). */
  stream(script: string, onData: (chunk: Buffer) => void, onStderr?: (chunk: Buffer) => void): Promise<StreamHandle>;
  upload(localPath: string, remotePath: string, onProgress?: TransferProgress): Promise<void>;
  writeFile(remotePath: string, data: string | Buffer): Promise<void>;
  /** Renames over an existing file (POSIX rename semantics). */
  rename(from: string, to: string): Promise<void>;
  readFile(remotePath: string): Promise<Buffer>;
  download(remotePath: string, localPath: string): Promise<void>;
  close(): void;
}

/** The connection to the host went away (network, sshd restart, sleep). Callers may reconnect. */
export class ConnectionLostError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConnectionLostError';
  }
}

/** Runs a command and throws with its stderr when it exits non-zero. */
export async function execOk(host: Host, command: string, what: string): Promise<string> {
  const r = await host.exec(command);
  if (r.code !== 0) {
    const detail = (r.stderr || r.stdout).trim().split('\n').slice(-5).join('\n');
    throw new Error(`${what} failed on ${host.label} (exit ${r.code ?? r.signal ?? '?'})${detail ? `: ${detail}` : ''}`);
  }
  return r.stdout;
}

/** The base dir from DISTILLERY_REMOTE_HOME, when set (tests point it at a temp dir). */
export function remoteHomeOverride(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env['DISTILLERY_REMOTE_HOME'] || undefined;
}
