// A real HTTP proxy for the Elasticsearch tests: forwards every request to the current upstream
// and records method, path and body. The read-only test asserts on what reached the wire; the
// interrupt test swaps the upstream (an engine restarted behind the same address) and can hold a
// request while it stops the engine. When the upstream does not answer, the client's socket is
// destroyed, as a dying node would leave it.
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  method: string;
  path: string;
  query: string;
  body: string;
}

export interface RecordingProxy {
  url: string;
  recorded: Recorded[];
  /** Where requests go now. */
  upstream: string;
  /** Called before a request is forwarded (await it to act first, e.g. stop the engine). */
  beforeForward?: (r: Recorded) => Promise<void> | void;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startRecordingProxy(upstream: string): Promise<RecordingProxy> {
  const proxy: RecordingProxy = { url: '', recorded: [], upstream, close: async () => {} };
  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const url = new URL(req.url ?? '/', 'http://proxy');
      const entry: Recorded = { method: req.method ?? 'GET', path: url.pathname, query: url.search.slice(1), body: body.toString('utf8') };
      proxy.recorded.push(entry);
      await proxy.beforeForward?.(entry);
      const target = new URL(req.url ?? '/', proxy.upstream);
      const headers = { ...req.headers, host: target.host };
      const forward = request(target, { method: req.method, headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      forward.on('error', () => res.destroy());
      forward.end(body);
    })().catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return proxy;
}
