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
  /** Extra body fields (distillery.json `teacher.extraBody`): sampling fields a server needs. */
  extraBody?: Record<string, unknown> | undefined;
}

export interface Usage {
  input: number;
  output: number;
}

export interface ChatResponse {
  content: string | null;
  finishReason: string | null;
  usage: Usage;
  /** The server sent no `usage`: the tokens are estimated from the text's length. */
  usageEstimated?: boolean;
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

const DECIMAL = /^\s*\d+(?:\.\d+)?\s*$/;
// RFC 9110 IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"); Date.parse alone reads "-5" as a year.
const HTTP_DATE = /^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/;

/**
 * Milliseconds from retry-after-ms or Retry-After (seconds or an HTTP date); undefined when
 * absent or invalid (negative, garbage), so the caller falls back to its backoff.
 */
export function retryAfterMs(headers: Headers | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get('retry-after-ms');
  if (ms !== null && DECIMAL.test(ms)) return Number(ms);
  const ra = headers.get('retry-after')?.trim();
  if (ra === undefined) return undefined;
  if (DECIMAL.test(ra)) return Number(ra) * 1000;
  if (!HTTP_DATE.test(ra)) return undefined;
  const date = Date.parse(ra);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * The message out of an error body of any shape servers use: OpenAI's {"error": {"message"}},
 * FastAPI's {"detail": "…"} or {"detail": [{loc, msg}]}, {"error": "…"}, {"message": "…"}, or
 * plain text. Undefined for an empty body.
 */
export function errorBodyMessage(text: string): string | undefined {
  const trimmed = text.trim();
  if (!trimmed) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(trimmed);
  } catch {
    return trimmed.length > 500 ? `${trimmed.slice(0, 500)}…` : trimmed;
  }
  const o = (json && typeof json === 'object' ? json : {}) as Record<string, unknown>;
  const error = o['error'];
  if (error && typeof error === 'object' && typeof (error as Record<string, unknown>)['message'] === 'string') return (error as Record<string, string>)['message'];
  if (typeof error === 'string') return error;
  const detail = o['detail'];
  if (typeof detail === 'string') return detail;
  if (Array.isArray(detail)) {
    return detail
      .map((d) => {
        const item = (d ?? {}) as { loc?: unknown; msg?: unknown };
        const loc = Array.isArray(item.loc) ? item.loc.join('.') : '';
        return typeof item.msg === 'string' ? (loc ? `${loc}: ${item.msg}` : item.msg) : JSON.stringify(d);
      })
      .join('; ');
  }
  if (detail !== undefined) return JSON.stringify(detail);
  if (typeof o['message'] === 'string') return o['message'];
  return trimmed.length > 500 ? `${trimmed.slice(0, 500)}…` : trimmed;
}

/**
 * Rewrites every error response into OpenAI's shape before the SDK reads it: the SDK only looks
 * at `error.message` and otherwise says "400 status code (no body)", losing FastAPI's `detail`.
 */
export function normalizingFetch(inner: typeof fetch): typeof fetch {
  return async (input, init) => {
    const res = await inner(input, init);
    if (res.ok) return res;
    const message = errorBodyMessage(await res.text());
    const headers = new Headers(res.headers);
    headers.delete('content-length');
    headers.delete('content-encoding');
    headers.set('content-type', 'application/json');
    const body = message === undefined ? '' : JSON.stringify({ error: { message } });
    return new Response(body, { status: res.status, statusText: res.statusText, headers });
  };
}

/** The base URL a client can use, or an error naming the problem (checked before anything is sent). */
export function checkBaseUrl(baseUrl: string): string | undefined {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return `the teacher base URL "${baseUrl}" is not a URL; give one like http://localhost:8000/v1`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `the teacher base URL "${baseUrl}" must start with http:// or https://`;
  return undefined;
}

/** A 200 whose body was cut off or is not a completion: the network's fault, asked again. */
export class TransportFault extends Error {}

// 400s that concern one question (its content), not the run's configuration.
const PER_QUESTION_CODES = new Set(['content_policy_violation', 'content_filter', 'invalid_prompt']);

/** OpenAI's reasoning models refuse `max_tokens` and take `max_completion_tokens` instead. */
export function outputLimitField(model: string): 'max_tokens' | 'max_completion_tokens' {
  return /^(o\d|gpt-5)/.test(model) ? 'max_completion_tokens' : 'max_tokens';
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
      fetch: normalizingFetch(opts.fetch ?? ((input, init) => fetch(input, init))),
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
    if (e instanceof TransportFault) return { retry: true, reason: this.redact(e.message) };
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
      if (PER_QUESTION_CODES.has(String(e.code ?? ''))) {
        return { retry: false, error: new TeacherError('rejected', `the teacher rejected the request (HTTP ${status}: ${msg})`, status) };
      }
      // A wrong model, a proxy's "No connected db." for a bad key, a context window exceeded, an
      // unsupported parameter: the same for every question, so the run stops and nothing is recorded.
      return { retry: false, error: new TeacherError('config', `the teacher refused the request (HTTP ${status}: ${msg}); fix the teacher settings (model, baseUrl, key, maxTokens, extraBody) and rerun`, status) };
    }
    // A body cut off mid-way surfaces as a fetch TypeError ("terminated") or a JSON SyntaxError.
    const text = e instanceof Error ? e.message : String(e);
    if (e instanceof SyntaxError || e instanceof TypeError) return { retry: true, reason: `the response was cut off or is not valid JSON: ${this.redact(text)}` };
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
      const asked = outcome.delayMs;
      const delayMs = asked !== undefined ? Math.min(asked, cap) : Math.random() * Math.min(cap, base * 2 ** attempt);
      // The log says what is really waited; a longer Retry-After than the cap is named as such.
      const reason = asked !== undefined && asked > cap ? `${outcome.reason} (the server asked for ${Math.round(asked / 1000)}s; waiting at most ${Math.round(cap / 1000)}s)` : outcome.reason;
      this.opts.onRetry?.({ attempt: attempt + 1, delayMs, reason });
      try {
        await abortableDelay(delayMs, signal);
      } catch {
        throw new TeacherError('aborted', 'cancelled');
      }
    }
  }

  async chat(request: ChatRequest, signal?: AbortSignal): Promise<ChatResponse> {
    const tokens = estimateTokens(request.messages) + (request.max_tokens ?? 600);
    return this.withRetries(tokens, signal, async () => {
      const body = {
        ...request.extraBody,
        model: request.model,
        messages: request.messages,
        stream: false as const,
        ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
        ...(request.max_tokens !== undefined ? { [outputLimitField(request.model)]: request.max_tokens } : {}),
      };
      const completion: unknown = await this.openai.chat.completions.create(body, signal ? { signal } : {});
      if (!completion || typeof completion !== 'object' || !Array.isArray((completion as { choices?: unknown }).choices)) {
        throw new TransportFault('the teacher answered 200 without a completion (no "choices"); the body was cut off or is not a Chat Completions response');
      }
      const value = chatResponseFromBody(completion, request.messages);
      return { value, tokens: value.usage.input + value.usage.output };
    });
  }
}

/**
 * Reads a Chat Completions response body (also the body inside a Batch API output line). Without
 * `usage` (some servers send none) the tokens are estimated from the prompt and answer length.
 */
export function chatResponseFromBody(body: unknown, messages?: readonly ChatMessage[]): ChatResponse {
  const b = (body ?? {}) as { choices?: { message?: { content?: string | null }; finish_reason?: string | null }[]; usage?: { prompt_tokens?: number; completion_tokens?: number } };
  const choice = b.choices?.[0];
  const content = choice?.message?.content ?? null;
  const response: ChatResponse = {
    content,
    finishReason: choice?.finish_reason ?? null,
    usage: { input: b.usage?.prompt_tokens ?? 0, output: b.usage?.completion_tokens ?? 0 },
  };
  if (!b.usage || typeof b.usage.prompt_tokens !== 'number' || typeof b.usage.completion_tokens !== 'number') {
    response.usage = { input: messages ? estimateTokens(messages) : 0, output: Math.ceil((content ?? '').length / 4) };
    response.usageEstimated = true;
  }
  return response;
}
