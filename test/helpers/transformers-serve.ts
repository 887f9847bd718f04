// A real OpenAI-compatible teacher: `transformers serve` from python-runner/.venv (the runner's
// `serving` extra, installed by scripts/setup-python.sh) on 127.0.0.1 at a free port, offline
// (HF_HUB_OFFLINE=1: models are local paths given per request in the `model` field). It runs in its
// own process group so stop() also ends whatever it forked.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { repoRoot } from './cli';

export const venvBin = join(repoRoot, 'python-runner', '.venv', 'bin');
const transformersCli = join(venvBin, 'transformers');

/** Why the suite cannot run at all (no runner venv), or undefined. A venv without the extra is a failure, not a skip. */
export function runnerVenvMissing(): string | undefined {
  return existsSync(join(venvBin, 'python')) ? undefined : 'python-runner/.venv is missing: run `bash scripts/setup-python.sh` to test against a real `transformers serve`';
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface TransformersServe {
  /** The OpenAI base URL, e.g. http://127.0.0.1:PORT/v1 */
  baseUrl: string;
  /** Everything the server printed so far (for failure messages). */
  log: () => string;
  stop: () => Promise<void>;
}

export async function startTransformersServe(options: { readyTimeoutMs?: number } = {}): Promise<TransformersServe> {
  if (!existsSync(transformersCli)) {
    throw new Error(`${transformersCli} is missing: the runner venv lacks the 'serving' extra; run \`bash scripts/setup-python.sh\``);
  }
  const port = await freePort();
  const child: ChildProcess = spawn(transformersCli, ['serve', '--host', '127.0.0.1', '--port', String(port), '--device', 'cpu', '--log-level', 'info'], {
    cwd: repoRoot,
    env: { ...process.env, HF_HUB_OFFLINE: '1', TRANSFORMERS_OFFLINE: '1', HF_HUB_DISABLE_TELEMETRY: '1', TOKENIZERS_PARALLELISM: 'false' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const collect = (d: Buffer) => {
    output = (output + d.toString()).slice(-20_000);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => resolve(`transformers serve exited (code ${code}, signal ${signal}) before it was ready:\n${output}`));
    child.once('error', (e) => resolve(`transformers serve could not start: ${e.message}`));
  });
  let exitedWith: string | undefined;
  void exited.then((why) => (exitedWith = why));

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    process.kill(-child.pid, 'SIGTERM');
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 10_000);
    await gone;
    clearTimeout(timer);
  };

  // Ready when /health answers 200; each poll is a real request, the pause between them only paces it.
  const deadline = Date.now() + (options.readyTimeoutMs ?? 120_000);
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (exitedWith) throw new Error(exitedWith);
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`transformers serve did not answer ${url}/health within ${(options.readyTimeoutMs ?? 120_000) / 1000}s:\n${output}`);
    }
    await Promise.race([new Promise((r) => setTimeout(r, 200)), exited]);
  }
  return { baseUrl: `${url}/v1`, log: () => output, stop };
}
