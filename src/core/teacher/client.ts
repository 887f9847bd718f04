// The teacher endpoint: the `openai` package pointed at any OpenAI-compatible base URL, with our
// own retry loop (the package's is switched off) so that every attempt passes the rate limiter,
// waits honour Retry-After / retry-after-ms exactly, and no error text ever carries the API key.
import OpenAI from 'openai';
import type { ChatMessage } from './prompts';
import type { RateLimiter } from './limiter';

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  temperature?: number | undefined;
  max_tokens?: number | undefined;
}

export interface Usage {
  input: number;
  output: number;
}

export interface ChatResponse {
  content: string | null;
  finishReason: string | null;
  usage: Usage;
}

export type TeacherErrorKind = 'auth' | 'config' | 'rejected' | 'exhausted' | 'aborted';

/** A failure talking to the teacher; `kind` says whether the run can go on. The message never holds the key. */
export class TeacherError extends Error {
  constructor(readonly kind: TeacherErrorKind, message: string, readonly status?: number) {
    super(message);
  }
}

export interface TeacherClientOptions {
  apiKey: string;
  baseUrl?: string | undefined;
  timeoutMs: number;
  maxRetries: number;
  limiter: RateLimiter;
  /** First backoff step; doubles per attempt, with full jitter. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  onRetry?: (info: { attempt: number; delayMs: number; reason: string }) => void;
  /** For tests and odd environments: a fetch implementation. */
  fetch?: typeof fetch;
}

/** Replaces every occurrence of the secrets (and any bearer token) in a text. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('[redacted]');
  return out.replace(/(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi, '$1[redacted]');
}

/** Seconds or milliseconds from Retry-After / retry-after-ms, capped; undefined when absent or unreadable. */
export function retryAfterMs(headers: Headers | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get('retry-after-ms');
  if (ms !== null && Number.isFinite(Number(ms)) && Number(ms) >= 0) return Number(ms);
  const ra = headers.get('retry-after');
  if (ra === null) return undefined;
  if (Number.isFinite(Number(ra)) && Number(ra) >= 0) return Number(ra) * 1000;
  const date = Date.parse(ra);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export function estimateTokens(messages: readonly ChatMessage[]): number {
  // About four characters a token for English and JSON; only used for rate limits and estimates.
  return Math.ceil(messages.reduce((n, m) => n + m.content.length + 8, 0) / 4);
}

function abortableDelay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export class TeacherClient {
  readonly openai: OpenAI;
  private readonly secrets: string[];

  constructor(private readonly opts: TeacherClientOptions) {
    this.secrets = [opts.apiKey];
    this.openai = new OpenAI({
      apiKey: opts.apiKey,
      baseURL: opts.baseUrl ?? null,
      maxRetries: 0,
      timeout: opts.timeoutMs,
      ...(opts.fetch ? { fetch: opts.fetch } : {}),
    });
  }

  redact(text: string): string {
    return redact(text, this.secrets);
  }

  /** Turns any thrown value into a TeacherError with a safe message, or undefined when it is worth retrying. */
  classify(e: unknown, signal: AbortSignal | undefined): { retry: true; reason: string; delayMs?: number | undefined } | { retry: false; error: TeacherError } {
    if (signal?.aborted || e instanceof OpenAI.APIUserAbortError) return { retry: false, error: new TeacherError('aborted', 'cancelled') };
    if (e instanceof OpenAI.APIConnectionTimeoutError) return { retry: true, reason: `no answer within ${this.opts.timeoutMs / 1000}s` };
    if (e instanceof OpenAI.APIConnectionError) return { retry: true, reason: `connection failed: ${this.redact(e.message)}` };
    if (e instanceof OpenAI.APIError) {
      const status = e.status ?? 0;
      const msg = this.redact(e.message);
      if (status === 408 || status === 409 || status === 429 || status >= 500) {
        return { retry: true, reason: `HTTP ${status}: ${msg}`, delayMs: retryAfterMs(e.headers) };
      }
      if (status === 401 || status === 403) {
        return { retry: false, error: new TeacherError('auth', `the teacher endpoint refused the API key (HTTP ${status}: ${msg}); set a valid key (OPENAI_API_KEY, or "Distillery: Set Teacher API Key")`, status) };
      }
      if (status === 404) {
        return { retry: false, error: new TeacherError('config', `the teacher endpoint answered 404 (${msg}); check the model name and baseUrl`, status) };
      }
      return { retry: false, error: new TeacherError('rejected', `the teacher rejected the request (HTTP ${status}: ${msg})`, status) };
    }
    const text = e instanceof Error ? e.message : String(e);
    return { retry: false, error: new TeacherError('rejected', this.redact(text)) };
  }

  /**
   * Sends `body` with retries: exponential backoff with full jitter, or exactly the server's
   * Retry-After when it gives one. Each attempt waits for the rate limiter first.
   */
  async withRetries<T>(tokens: number, signal: AbortSignal | undefined, attemptFn: () => Promise<{ value: T; tokens?: number }>): Promise<T> {
    const base = this.opts.retryBaseMs ?? 500;
    const cap = this.opts.retryMaxMs ?? 60_000;
    for (let attempt = 0; ; attempt++) {
      const release = await this.opts.limiter.acquire(tokens, signal);
      let outcome: ReturnType<TeacherClient['classify']>;
      try {
        const { value, tokens: used } = await attemptFn();
        release(used);
        return value;
      } catch (e) {
        release();
        outcome = this.classify(e, signal);
      }
      if (!outcome.retry) throw outcome.error;
      if (attempt >= this.opts.maxRetries) {
        throw new TeacherError('exhausted', `gave up after ${attempt + 1} attempts; last: ${outcome.reason}`);
      }
      const delayMs = outcome.delayMs ?? Math.random() * Math.min(cap, base * 2 ** attempt);
      this.opts.onRetry?.({ attempt: attempt + 1, delayMs, reason: outcome.reason });
      try {
        await abortableDelay(Math.min(delayMs, cap), signal);
      } catch {
        throw new TeacherError('aborted', 'cancelled');
      }
    }
  }

  async chat(request: ChatRequest, signal?: AbortSignal): Promise<ChatResponse> {
    const tokens = estimateTokens(request.messages) + (request.max_tokens ?? 600);
    return this.withRetries(tokens, signal, async () => {
      const completion = await this.openai.chat.completions.create(
        { model: request.model, messages: request.messages, stream: false, ...(request.temperature !== undefined ? { temperature: request.temperature } : {}), ...(request.max_tokens !== undefined ? { max_tokens: request.max_tokens } : {}) },
        signal ? { signal } : {},
      );
      const value = chatResponseFromBody(completion);
      return { value, tokens: value.usage.input + value.usage.output };
    });
  }
}

/** Reads a Chat Completions response body (also the body inside a Batch API output line). */
export function chatResponseFromBody(body: unknown): ChatResponse {
  const b = (body ?? {}) as { choices?: { message?: { content?: string | null }; finish_reason?: string | null }[]; usage?: { prompt_tokens?: number; completion_tokens?: number } };
  const choice = b.choices?.[0];
  return {
    content: choice?.message?.content ?? null,
    finishReason: choice?.finish_reason ?? null,
    usage: { input: b.usage?.prompt_tokens ?? 0, output: b.usage?.completion_tokens ?? 0 },
  };
}
