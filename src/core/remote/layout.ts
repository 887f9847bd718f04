// Where things live on a host (docs/ARCHITECTURE.md, "Remote job contract"):
//   <base>/.distillery/runs/<runId>/   runner copy, data, run.json, events.jsonl, stdout.log,
//                                      stderr.log, pid, exit_code, outputs/
//   <base>/.distillery/blobs/<sha256>  content-addressed uploads (the hash manifest of the host)
//   <base>/.distillery/venv/           the environment made by "set up Python"
//   <base>/.distillery/runner/         the runner used by preflight
import { posix } from 'node:path';

export interface Layout {
  base: string;
  root: string;
  runs: string;
  blobs: string;
  venv: string;
  venvPython: string;
  runner: string;
  queues: string;
}

export function layoutFor(base: string): Layout {
  const root = posix.join(base, '.distillery');
  return {
    base,
    root,
    runs: posix.join(root, 'runs'),
    blobs: posix.join(root, 'blobs'),
    venv: posix.join(root, 'venv'),
    venvPython: posix.join(root, 'venv', 'bin', 'python'),
    runner: posix.join(root, 'runner'),
    queues: posix.join(root, 'queues'),
  };
}

/**
 * Run ids become directory names and appear in messages: anything but "/", control characters,
 * "." and "..". Spaces, quotes and shell characters are allowed (every use is quoted).
 */
export function checkRunId(runId: string): string {
  if (!runId || runId === '.' || runId === '..' || runId.includes('/') || /[\x00-\x1f\x7f]/.test(runId) || runId.length > 200) {
    throw new Error(`"${runId}" is not a usable run id: use up to 200 characters without "/" or control characters`);
  }
  return runId;
}

export function runDir(layout: Layout, runId: string): string {
  return posix.join(layout.runs, checkRunId(runId));
}

/** A readable, sortable, unique run id: 20261129-104512-lora-dss-r16-a1b2. */
export function newRunId(config: Record<string, unknown>, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const modality = typeof config['modality'] === 'string' ? config['modality'] : 'run';
  const supervision = typeof config['supervision'] === 'string' ? config['supervision'].replace('_', '-') : undefined;
  const lora = config['lora'] as { r?: unknown } | undefined;
  const rank = modality !== 'full' && typeof lora?.r === 'number' ? `r${lora.r}` : undefined;
  const rand = Math.random().toString(36).slice(2, 6);
  return [stamp, modality, supervision, rank, rand].filter(Boolean).join('-');
}
