// A local OpenAI-compatible teacher for the e2e suite: answers POST /v1/chat/completions (plain or
// streamed as SSE) with a rationale and a valid request body in the shape the default prompt asks
// for. `hold()` keeps answers back until `release()`, so a test can look at the progress UI while
// generation is provably still running, without timing guesses.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeTeacher {
  baseUrl: string;
  /** Questions the teacher has been asked, in arrival order. */
  readonly requests: { model: string; stream: boolean; lastMessage: string }[];
  hold(): void;
  release(): void;
  close(): Promise<void>;
}

const answer = (question: string) =>
  [
    '<rationale>',
    `1. The question "${question.slice(0, 60)}" is answered from the orders index.`,
    '2. No field constraint is needed for this fixture, so match_all returns the documents.',
    '</rationale>',
    '<answer>',
    JSON.stringify({ query: { match_all: {} }, size: 10 }),
    '</answer>',
  ].join('\n');

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

export async function startFakeTeacher(): Promise<FakeTeacher> {
  const requests: FakeTeacher['requests'] = [];
  let held = false;
  let waiting: (() => void)[] = [];

  const respond = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'GET' && req.url?.endsWith('/models')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', data: [{ id: 'fake-teacher', object: 'model', owned_by: 'e2e' }] }));
      return;
    }
    if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `no route ${req.method} ${req.url}` } }));
      return;
    }
    const body = JSON.parse(await readBody(req)) as { model: string; stream?: boolean; messages: { content: unknown }[] };
    const last = body.messages.at(-1)?.content;
    const lastMessage = typeof last === 'string' ? last : JSON.stringify(last);
    requests.push({ model: body.model, stream: Boolean(body.stream), lastMessage });
    if (held) await new Promise<void>((r) => waiting.push(r));
    const content = answer(lastMessage);
    const usage = { prompt_tokens: 900, completion_tokens: 120, total_tokens: 1020 };
    const base = { id: `chatcmpl-${requests.length}`, created: Math.floor(Date.now() / 1000), model: body.model };
    if (body.stream) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      const chunk = (delta: object, finish: string | null, extra: object = {}) =>
        res.write(`data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`);
      chunk({ role: 'assistant', content: '' }, null);
      for (const piece of content.match(/[\s\S]{1,80}/g) ?? []) chunk({ content: piece }, null);
      chunk({}, 'stop', { usage });
      res.end('data: [DONE]\n\n');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ...base, object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }], usage }));
  };

  const server: Server = createServer((req, res) => {
    respond(req, res).catch((e: unknown) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: String(e) } }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const release = () => {
    held = false;
    const w = waiting;
    waiting = [];
    for (const r of w) r();
  };
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    hold() {
      held = true;
    },
    release,
    close() {
      release();
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}
