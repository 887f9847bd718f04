// The response cache: one file per request under `<dataset dir>/.distillery/cache/`, named by a
// hash of everything that decides the answer (endpoint, model, messages, temperature, max tokens,
// sample number). It is written the moment a response arrives, before anything else, so a run
// killed at any point resumes without paying for a response it already received.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChatRequest, ChatResponse } from './client';
import { canonicalJson } from './dsl-checks';
import { isProcessAlive } from '../system/process';

export function cacheKey(baseUrl: string | undefined, request: ChatRequest, sample: number): string {
  return createHash('sha256')
    .update(canonicalJson({ baseUrl: baseUrl ?? 'https://api.openai.com/v1', request, sample }))
    .digest('hex');
}

export class ResponseCache {
  constructor(readonly dir: string) {}

  private file(key: string): string {
    return join(this.dir, `${key}.json`);
  }

  // Synchronous on purpose: a miss (the common case) is a failed open answered from the dentry
  // cache, cheaper than a trip through the thread pool.
  get(key: string): ChatResponse | undefined {
    try {
      const v = JSON.parse(readFileSync(this.file(key), 'utf8')) as { response?: ChatResponse };
      return v.response;
    } catch {
      return undefined; // missing or half-written: ask again
    }
  }

  private ready: Promise<unknown> | undefined;

  /** Asynchronous, so a slow disk delays only this request, never the event loop. */
  async put(key: string, response: ChatResponse): Promise<void> {
    this.ready ??= mkdir(this.dir, { recursive: true }).then(() => this.removeStaleTemps());
    await this.ready;
    const file = this.file(key);
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(tmp, JSON.stringify({ savedAt: new Date().toISOString(), response }));
    await rename(tmp, file);
  }

  /**
   * Temp files of writers that were killed between write and rename: those of dead processes,
   * and any older than an hour (a pid can be reused; no put takes that long).
   */
  async removeStaleTemps(): Promise<number> {
    let removed = 0;
    for (const name of await readdir(this.dir).catch(() => [] as string[])) {
      if (!name.endsWith('.tmp')) continue;
      const pid = Number(name.split('.').at(-3));
      const file = join(this.dir, name);
      let stale = !Number.isInteger(pid) || pid <= 0 || !isProcessAlive(pid);
      if (!stale && pid !== process.pid) stale = Date.now() - (await stat(file).then((s) => s.mtimeMs, () => Date.now())) > 3_600_000;
      if (stale && (await unlink(file).then(() => true, () => false))) removed++;
    }
    return removed;
  }
}
