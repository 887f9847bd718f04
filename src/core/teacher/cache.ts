// The response cache: one file per request under `<dataset dir>/.distillery/cache/`, named by a
// hash of everything that decides the answer (endpoint, model, messages, temperature, max tokens,
// sample number). It is written the moment a response arrives, before anything else, so a run
// killed at any point resumes without paying for a response it already received.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChatRequest, ChatResponse } from './client';
import { canonicalJson } from './dsl-checks';

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
    this.ready ??= mkdir(this.dir, { recursive: true });
    await this.ready;
    const file = this.file(key);
    const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(tmp, JSON.stringify({ savedAt: new Date().toISOString(), response }));
    await rename(tmp, file);
  }
}
