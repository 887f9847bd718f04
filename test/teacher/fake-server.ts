// An OpenAI-compatible teacher of the test's own: Chat Completions (JSON, or SSE with stream:true)
// plus the Files and Batches endpoints, with faults scripted per question and per attempt.
// It counts requests per question so tests can assert that nothing was paid for twice.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  /** An error body or a raw body for non-200 replies; a raw string is sent as is (malformed JSON). */
  body?: unknown;
  content?: string | null;
  finishReason?: string;
  usage?: { prompt_tokens: number; completion_tokens: number };
  /** Wait this long before answering (for timeouts). */
  delayMs?: number;
  /** Send a 200 completion without `usage` (some servers do). */
  noUsage?: boolean;
  /** Send half of the 200 body (with the full Content-Length), then drop the connection. */
  cutOff?: boolean;
}

export interface ChatContext {
  question: string;
  /** 1-based count of chat requests seen for this question, including this one. */
  n: number;
  /** A repair round: the conversation already holds an assistant answer. */
  repair: boolean;
  body: { model: string; messages: { role: string; content: string }[]; temperature?: number; stream?: boolean; max_tokens?: number; [field: string]: unknown };
  authorization: string | undefined;
  batch: boolean;
}

export type Script = (ctx: ChatContext) => Reply;

export function answer(dsl: unknown, rationale = 'Step 1. Pick the field. Step 2. Build the query.'): string {
  return `<rationale>\n${rationale}\n</rationale>\n<answer>\n${JSON.stringify(dsl, null, 2)}\n</answer>`;
}

/** The default: a valid term query that names the question, so answers differ per question. */
export const goodScript: Script = (ctx) => ({ content: answer({ query: { term: { question: ctx.question } } }) });

export function questionOf(messages: { role: string; content: string }[]): string {
  const firstUser = messages.find((m) => m.role === 'user')?.content ?? '';
  const all = [...firstUser.matchAll(/^Question: (.*)$/gm)];
  return all.length ? all[all.length - 1]![1]!.trim() : '';
}

interface BatchState {
  id: string;
  input_file_id: string;
  output_file_id: string | null;
  error_file_id: string | null;
  status: string;
  polls: number;
  created_at: number;
}

export class FakeTeacher {
  server!: Server;
  url = '';
  script: Script = goodScript;
  latencyMs = 0;
  /** Chat requests received, per question (sync and batch lines). */
  readonly perQuestion = new Map<string, number>();
  /** Chat requests answered with 200 per question. */
  readonly answered = new Map<string, number>();
  chatRequests = 0;
  inFlight = 0;
  maxInFlight = 0;
  readonly files = new Map<string, string>();
  readonly batches = new Map<string, BatchState>();
  /** How many retrieves a batch stays in_progress before it completes. */
  batchPolls = 1;
  /** Answer /files and /batches with 404, as vLLM, Ollama and `transformers serve` do. */
  noBatchApi = false;
  private seq = 0;
  private listeners: (() => void)[] = [];

  static async start(script?: Script): Promise<FakeTeacher> {
    const t = new FakeTeacher();
    if (script) t.script = script;
    t.server = createServer((req, res) => {
      void t.handle(req, res).catch((e: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: String(e) } }));
      });
    });
    t.server.keepAliveTimeout = 1000;
    await new Promise<void>((r) => t.server.listen(0, '127.0.0.1', r));
    t.url = `http://127.0.0.1:${(t.server.address() as AddressInfo).port}/v1`;
    return t;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  /** Resolves once `pred` holds; checked after every request event (no polling sleeps). */
  waitFor(pred: () => boolean): Promise<void> {
    if (pred()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => {
        if (pred()) {
          this.listeners = this.listeners.filter((l) => l !== check);
          resolve();
        }
      };
      this.listeners.push(check);
    });
  }

  private changed(): void {
    for (const l of [...this.listeners]) l();
  }

  totalFor(question: string): number {
    return this.perQuestion.get(question) ?? 0;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const path = (req.url ?? '').replace(/^\/v1/, '');
    if (req.method === 'POST' && path === '/chat/completions') return this.chat(req, res, JSON.parse(raw.toString('utf8')) as ChatContext['body']);
    if (this.noBatchApi && (path.startsWith('/files') || path.startsWith('/batches'))) return json(res, 404, { detail: 'Not Found' });
    if (req.method === 'POST' && path === '/files') {
      const form = await new Request('http://fake/files', { method: 'POST', headers: req.headers as Record<string, string>, body: raw }).formData();
      const file = form.get('file') as File;
      const id = `file-${++this.seq}`;
      this.files.set(id, await file.text());
      return json(res, 200, { id, object: 'file', bytes: file.size, created_at: 0, filename: file.name, purpose: 'batch', status: 'processed' });
    }
    if (req.method === 'POST' && path === '/batches') {
      const body = JSON.parse(raw.toString('utf8')) as { input_file_id: string };
      const b: BatchState = { id: `batch_${++this.seq}`, input_file_id: body.input_file_id, output_file_id: null, error_file_id: null, status: 'validating', polls: 0, created_at: 0 };
      this.batches.set(b.id, b);
      return json(res, 200, batchObject(b));
    }
    const batchMatch = /^\/batches\/([\w-]+)$/.exec(path);
    if (req.method === 'GET' && batchMatch) {
      const b = this.batches.get(batchMatch[1]!);
      if (!b) return json(res, 404, { error: { message: 'no such batch' } });
      if (b.status !== 'completed' && ++b.polls > this.batchPolls) this.completeBatch(b, req.headers.authorization);
      else if (b.status === 'validating') b.status = 'in_progress';
      return json(res, 200, batchObject(b));
    }
    const fileMatch = /^\/files\/([\w-]+)\/content$/.exec(path);
    if (req.method === 'GET' && fileMatch) {
      const text = this.files.get(fileMatch[1]!);
      if (text === undefined) return json(res, 404, { error: { message: 'no such file' } });
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(text);
      return;
    }
    json(res, 404, { error: { message: `no route ${req.method} ${path}` } });
  }

  private count(body: ChatContext['body'], authorization: string | undefined, batch: boolean): ChatContext {
    const question = questionOf(body.messages);
    const n = (this.perQuestion.get(question) ?? 0) + 1;
    this.perQuestion.set(question, n);
    this.chatRequests++;
    return { question, n, repair: body.messages.some((m) => m.role === 'assistant' && body.messages.indexOf(m) > 1), body, authorization, batch };
  }

  private completeBatch(b: BatchState, authorization: string | undefined): void {
    const lines = (this.files.get(b.input_file_id) ?? '').split('\n').filter((l) => l.trim());
    const out: string[] = [];
    for (const line of lines) {
      const item = JSON.parse(line) as { custom_id: string; body: ChatContext['body'] };
      const ctx = this.count(item.body, authorization, true);
      const reply = this.script(ctx);
      const status = reply.status ?? 200;
      if (status === 200) this.answered.set(ctx.question, (this.answered.get(ctx.question) ?? 0) + 1);
      out.push(JSON.stringify({ id: `resp-${++this.seq}`, custom_id: item.custom_id, response: { status_code: status, request_id: 'r', body: status === 200 ? completion(item.body.model, reply) : reply.body ?? { error: { message: 'failed' } } }, error: null }));
    }
    const id = `file-${++this.seq}`;
    this.files.set(id, out.join('\n') + '\n');
    b.output_file_id = id;
    b.status = 'completed';
    this.changed();
  }

  private async chat(req: IncomingMessage, res: ServerResponse, body: ChatContext['body']): Promise<void> {
    const ctx = this.count(body, req.headers.authorization, false);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    this.changed();
    let closed = false;
    res.on('close', () => {
      closed = true;
    });
    try {
      const reply = this.script(ctx);
      const wait = (reply.delayMs ?? 0) + this.latencyMs;
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (closed) return;
      const status = reply.status ?? 200;
      if (status !== 200) {
        res.writeHead(status, { 'content-type': 'application/json', ...reply.headers });
        res.end(typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body ?? { error: { message: `scripted ${status}` } }));
        return;
      }
      this.answered.set(ctx.question, (this.answered.get(ctx.question) ?? 0) + 1);
      if (body.stream) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        const c = completion(body.model, reply);
        const content = c.choices[0]!.message.content ?? '';
        for (let i = 0; i < content.length; i += 40) {
          res.write(`data: ${JSON.stringify({ id: c.id, object: 'chat.completion.chunk', created: 0, model: body.model, choices: [{ index: 0, delta: { content: content.slice(i, i + 40) }, finish_reason: null }] })}\n\n`);
        }
        res.write(`data: ${JSON.stringify({ id: c.id, object: 'chat.completion.chunk', created: 0, model: body.model, choices: [{ index: 0, delta: {}, finish_reason: c.choices[0]!.finish_reason }], usage: c.usage })}\n\n`);
        res.end('data: [DONE]\n\n');
        return;
      }
      const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(completion(body.model, reply));
      if (reply.cutOff) {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...reply.headers });
        res.write(text.slice(0, Math.floor(text.length / 2)), () => res.destroy());
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json', ...reply.headers });
      res.end(text);
    } finally {
      this.inFlight--;
      this.changed();
    }
  }
}

function completion(model: string, reply: Reply) {
  const usage = reply.usage ?? { prompt_tokens: 1000, completion_tokens: 200 };
  return {
    id: 'chatcmpl-fake',
    object: 'chat.completion',
    created: 0,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: reply.content === undefined ? '' : reply.content }, finish_reason: reply.finishReason ?? 'stop' }],
    ...(reply.noUsage ? {} : { usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens } }),
  };
}

function batchObject(b: BatchState) {
  return {
    id: b.id,
    object: 'batch',
    endpoint: '/v1/chat/completions',
    input_file_id: b.input_file_id,
    completion_window: '24h',
    status: b.status,
    output_file_id: b.output_file_id,
    error_file_id: b.error_file_id,
    created_at: b.created_at,
    request_counts: { total: 0, completed: 0, failed: 0 },
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
