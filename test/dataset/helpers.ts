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

const WORDS =
  'orders customers products revenue shipped cancelled paid refunded europe asia london paris monday weekly monthly average total count maximum minimum price category brand discount premium returned pending express email phone mobile desktop coupon gift winter summer spring autumn new old cheap expensive vip first last top bottom'.split(
    ' ',
  );

/** A question of `n` words drawn by `random`: unrelated questions are far from near-duplicates. */
export function randomQuestion(random: () => number, n = 7): string {
  return Array.from({ length: n }, () => WORDS[Math.floor(random() * WORDS.length)]).join(' ');
}
