// Temp directories and small dataset builders shared by the dataset tests.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'distillery-dataset-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function writeDataset(dir: string, lines: string[], name = 'data.dss.jsonl'): string {
  const path = join(dir, name);
  writeFileSync(path, lines.map((l) => l + '\n').join(''));
  return path;
}

export function rec(id: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ id, question: `question ${id}`, status: 'pending', ...extra });
}

export const fixedNow = () => '2026-11-29T10:00:00.000Z';
