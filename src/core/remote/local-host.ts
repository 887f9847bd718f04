// "local": the same job layout and shell commands, run on this machine without SSH.
import { spawn } from 'node:child_process';
import { copyFile, mkdir, readFile, rename, writeFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname } from 'node:path';
import { type ExecResult, type Host, type StreamHandle, type TransferProgress, remoteHomeOverride } from './host';

export class LocalHost implements Host {
  readonly label = 'local';
  readonly isLocal = true;

  constructor(private readonly home?: string) {}

  async baseDir(): Promise<string> {
    return this.home ?? remoteHomeOverride() ?? homedir();
  }

  exec(script: string): Promise<ExecResult> {
    return new Promise((resolve, reject) => {
      const child = spawn('/bin/sh', ['-c', script], { stdio: ['ignore', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (d: Buffer) => out.push(d));
      child.stderr.on('data', (d: Buffer) => err.push(d));
      child.on('error', reject);
      child.on('close', (code, signal) =>
        resolve({ code, ...(signal ? { signal } : {}), stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }),
      );
    });
  }

  async stream(script: string, onData: (chunk: Buffer) => void, onStderr?: (chunk: Buffer) => void): Promise<StreamHandle> {
    const child = spawn('/bin/sh', ['-c', script], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    child.stdout.on('data', onData);
    child.stderr.on('data', (d: Buffer) => onStderr?.(d));
    const done = new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code) => resolve(code));
    });
    return {
      done,
      stop: () => {
        // The shell and what it started (tail) form their own group: end them together.
        try {
          if (child.pid) process.kill(-child.pid, 'SIGTERM');
        } catch {
          /* already gone */
        }
      },
    };
  }

  async upload(localPath: string, remotePath: string, onProgress?: TransferProgress): Promise<void> {
    await mkdir(dirname(remotePath), { recursive: true });
    await copyFile(localPath, remotePath);
    const size = (await stat(remotePath)).size;
    onProgress?.(size, size);
  }

  async writeFile(remotePath: string, data: string | Buffer): Promise<void> {
    await mkdir(dirname(remotePath), { recursive: true });
    await writeFile(remotePath, data);
  }

  rename(from: string, to: string): Promise<void> {
    return rename(from, to);
  }

  readFile(remotePath: string): Promise<Buffer> {
    return readFile(remotePath);
  }

  async download(remotePath: string, localPath: string): Promise<void> {
    await mkdir(dirname(localPath), { recursive: true });
    await copyFile(remotePath, localPath);
  }

  close(): void {}
}
