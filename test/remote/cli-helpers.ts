// Runs the `distillery` CLI (src/cli/main.ts under tsx) as a subprocess and collects its output;
// also the small workspaces the remote tests train in.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const repoRoot = join(import.meta.dirname, '..', '..');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], env: Record<string, string>, opts: { onStdout?: (text: string) => void } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'src', 'cli', 'main.ts'), ...args], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      opts.onStdout?.(stdout);
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Waits for a condition by polling an engine (not a fixed sleep); fails with what it last saw. */
export async function pollUntil<T>(what: string, probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() - start > timeoutMs) throw new Error(`${what}: still ${JSON.stringify(v)} after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * A workspace for a real runner: a tiny T5 built locally in `work/model` (no downloads) and
 * train/val splits of eight range-query records in `work/train.jsonl` and `work/val.jsonl`.
 */
export function makeTinyRunWorkspace(work: string, python = join(repoRoot, 'python-runner', '.venv', 'bin', 'python')): void {
  const made = spawnSync(python, ['-m', 'distillery_runner', 'make-tiny-model', '--arch', 't5', '--out', join(work, 'model')], {
    cwd: join(repoRoot, 'python-runner'),
    encoding: 'utf8',
  });
  assert.equal(made.status, 0, made.stderr);
  const rows = Array.from({ length: 8 }, (_, i) => ({ id: `q-${i}`, question: `orders over ${i * 10}`, rationale: `range on total ${i}`, dsl: { query: { range: { total: { gt: i * 10 } } } } }));
  writeFileSync(join(work, 'train.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  writeFileSync(join(work, 'val.jsonl'), rows.slice(0, 2).map((r) => JSON.stringify(r)).join('\n') + '\n');
}
