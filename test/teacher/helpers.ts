// Shared set-up for the teacher tests: a temp workspace, a session pointed at the fake server.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatasetRecord } from '../../src/core/dataset/record';
import type { TeacherSettings } from '../../src/core/project/config';
import { createClient, createGenerator, openSession, type TeacherSession } from '../../src/core/teacher/session';
import type { Generator, GeneratorOptions } from '../../src/core/teacher/generator';
import { FakeTeacher, type Script } from './fake-server';

export const API_KEY = 'sk-test-SECRET-0123456789abcdef';
/** 1000 input + 200 output tokens at $1 per million tokens each. */
export const PRICE = { 'test-model': { inputPerMTok: 1, outputPerMTok: 1 } };
export const COST_PER_REQUEST = 0.0012;

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'distillery-teacher-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function readRecords(path: string): DatasetRecord[] {
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as DatasetRecord);
}

export function writeRecords(path: string, records: Partial<DatasetRecord>[]): void {
  writeFileSync(path, records.map((r) => JSON.stringify(r)).join('\n') + (records.length ? '\n' : ''));
}

export async function makeSession(
  fake: FakeTeacher,
  dir: string,
  settings: Partial<TeacherSettings> = {},
): Promise<TeacherSession> {
  return openSession({
    datasetPath: join(dir, 'data.dss.jsonl'),
    cwd: dir,
    overrides: { model: 'test-model', baseUrl: fake.url, prices: PRICE, concurrency: 4, timeoutSec: 5, maxRetries: 3, repair: true, repairRounds: 1, ...settings },
  });
}

export async function makeGenerator(
  fake: FakeTeacher,
  dir: string,
  settings: Partial<TeacherSettings> = {},
  extra: Partial<GeneratorOptions> = {},
): Promise<{ session: TeacherSession; generator: Generator; retries: { delayMs: number; reason: string }[] }> {
  const session = await makeSession(fake, dir, settings);
  const retries: { delayMs: number; reason: string }[] = [];
  const client = createClient(session, { apiKey: API_KEY, retryBaseMs: 5, onRetry: (r) => retries.push(r) });
  return { session, generator: createGenerator(session, client, extra), retries };
}

/** A fake teacher on a free port and a temp workspace for `fn`; both are gone afterwards. */
export async function withFake(script: Script | undefined, fn: (fake: FakeTeacher, dir: string) => Promise<void>): Promise<void> {
  const fake = await FakeTeacher.start(script);
  const { dir, cleanup } = tempDir();
  try {
    await fn(fake, dir);
  } finally {
    await fake.close();
    cleanup();
  }
}
