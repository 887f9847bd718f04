// A Host reached over SSH: commands on exec channels, files over SFTP, all on the pooled
// connection. A channel cut by a dropped link rejects with ConnectionLostError.
import type { ClientChannel } from 'ssh2';
import { shellQuote } from './shell-quote';
import { ConnectionLostError, type ExecResult, type Host, type StreamHandle, type TransferProgress, remoteHomeOverride } from './host';
import type { SshConnection } from './ssh-connection';

export class SshHost implements Host {
  readonly isLocal = false;
  private base: string | undefined;

  constructor(readonly label: string, readonly connection: SshConnection, private readonly home?: string) {}

  async baseDir(): Promise<string> {
    if (this.base) return this.base;
    const override = this.home ?? remoteHomeOverride();
    if (override) return (this.base = override);
    const r = await this.exec('printf %s "$HOME"');
    if (r.code !== 0 || !r.stdout.startsWith('/')) throw new Error(`cannot find the home directory on ${this.label}: ${r.stderr.trim()}`);
    return (this.base = r.stdout);
  }

  /** Opens `sh -s` and feeds it the script: the login shell only ever parses "sh -s". */
  private async channel(script: string): Promise<ClientChannel> {
    const client = await this.connection.client();
    const ch = await new Promise<ClientChannel>((resolve, reject) =>
      client.exec('sh -s', (err, c) => (err ? reject(new ConnectionLostError(`cannot run a command on ${this.label}: ${err.message}`)) : resolve(c))),
    );
    ch.end(script.endsWith('\n') ? script : `${script}\n`);
    return ch;
  }

  async exec(script: string): Promise<ExecResult> {
    const ch = await this.channel(script);
    return new Promise((resolve, reject) => {
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let code: number | null = null;
      let signal: string | undefined;
      let exited = false;
      ch.on('data', (d: Buffer) => out.push(d));
      ch.stderr.on('data', (d: Buffer) => err.push(d));
      ch.on('exit', (c: number | null, s?: string) => {
        exited = true;
        code = c;
        signal = s;
      });
      ch.on('close', () => {
        if (!exited) return reject(new ConnectionLostError(`connection to ${this.label} was lost while running a command`));
        resolve({ code, ...(signal ? { signal } : {}), stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
      });
    });
  }

  async stream(script: string, onData: (chunk: Buffer) => void, onStderr?: (chunk: Buffer) => void): Promise<StreamHandle> {
    const ch = await this.channel(script);
    let stopped = false;
    const done = new Promise<number | null>((resolve, reject) => {
      let code: number | null = null;
      let exited = false;
      ch.on('data', onData);
      ch.stderr.on('data', (d: Buffer) => onStderr?.(d));
      ch.on('exit', (c: number | null) => {
        exited = true;
        code = c;
      });
      ch.on('close', () => {
        if (!exited && !stopped) return reject(new ConnectionLostError(`connection to ${this.label} was lost while following`));
        resolve(code);
      });
    });
    return {
      done,
      stop: () => {
        stopped = true;
        // Closing the channel makes sshd hang up the command (tail gets SIGPIPE/SIGHUP).
        ch.signal('TERM');
        ch.close();
      },
    };
  }

  async upload(localPath: string, remotePath: string, onProgress?: TransferProgress): Promise<void> {
    const sftp = await this.connection.sftp();
    await new Promise<void>((resolve, reject) =>
      sftp.fastPut(localPath, remotePath, { concurrency: 64, chunkSize: 32 * 1024, ...(onProgress ? { step: (sent: number, _c: number, total: number) => onProgress(sent, total) } : {}) }, (err) =>
        err ? reject(new Error(`upload of ${localPath} to ${this.label}:${remotePath} failed: ${err.message}`)) : resolve(),
      ),
    );
  }

  async writeFile(remotePath: string, data: string | Buffer): Promise<void> {
    const sftp = await this.connection.sftp();
    await new Promise<void>((resolve, reject) =>
      sftp.writeFile(remotePath, data, (err) => (err ? reject(new Error(`cannot write ${this.label}:${remotePath}: ${err.message}`)) : resolve())),
    );
  }

  async rename(from: string, to: string): Promise<void> {
    const sftp = await this.connection.sftp();
    // posix-rename@openssh.com replaces the target atomically; plain SFTP rename refuses to.
    await new Promise<void>((resolve, reject) =>
      sftp.ext_openssh_rename(from, to, (err) => (err ? reject(new Error(`cannot rename ${this.label}:${from}: ${err.message}`)) : resolve())),
    );
  }

  async readFile(remotePath: string): Promise<Buffer> {
    const sftp = await this.connection.sftp();
    return new Promise((resolve, reject) =>
      sftp.readFile(remotePath, (err, data) => (err ? reject(new Error(`cannot read ${this.label}:${remotePath}: ${err.message}`)) : resolve(data))),
    );
  }

  async download(remotePath: string, localPath: string): Promise<void> {
    const sftp = await this.connection.sftp();
    const { mkdir } = await import('node:fs/promises');
    const { dirname } = await import('node:path');
    await mkdir(dirname(localPath), { recursive: true });
    await new Promise<void>((resolve, reject) =>
      sftp.fastGet(remotePath, localPath, { concurrency: 64, chunkSize: 32 * 1024 }, (err) =>
        err ? reject(new Error(`download of ${this.label}:${shellQuote(remotePath)} failed: ${err.message}`)) : resolve(),
      ),
    );
  }

  close(): void {
    this.connection.close();
  }
}
