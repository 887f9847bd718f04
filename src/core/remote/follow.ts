// Following a run: events.jsonl is streamed with `tail -c +<offset+1> -F` (inotify on the host,
// so a line arrives within milliseconds), split into complete lines only, and the byte offset
// of the last complete line is the resume point. When the link drops, the same command is
// started again from that offset after the connection comes back: no line is lost or repeated.
import { posix } from 'node:path';
import { ConnectionLostError, type Host, type StreamHandle } from './host';
import { hostLayout, runStatus, type RunSummary } from './jobs';
import { runDir } from './layout';
import { shellQuote } from './shell-quote';
import { LineSplitter, parseEvent, terminalStatus, type RunnerEvent, type RunStatus } from './events';

export interface FollowOptions {
  /** Byte offset to start from (0 = the whole log); the `offset` passed to onLine resumes after that line. */
  fromOffset?: number;
  /** Called once per complete line, in order, with the offset just after it. */
  onLine: (line: string, offsetAfter: number, event: RunnerEvent | undefined) => void;
  /** Called when the connection dropped and following resumes. */
  onReconnect?: (attempt: number, error: Error) => void;
  /** How long without new bytes before the job's liveness is checked (ms). */
  idleCheckMs?: number;
  /** Give up after this many reconnects in a row without progress. */
  maxReconnects?: number;
  signal?: AbortSignal;
}

export interface FollowResult {
  status: RunStatus;
  offset: number;
  final?: RunnerEvent;
  summary?: RunSummary;
  reconnects: number;
}

class Aborted extends Error {}

export async function followRun(host: Host, runId: string, opts: FollowOptions): Promise<FollowResult> {
  const layout = await hostLayout(host);
  const file = posix.join(runDir(layout, runId), 'events.jsonl');
  let offset = opts.fromOffset ?? 0;
  let final: RunnerEvent | undefined;
  let reconnects = 0;
  let failuresInRow = 0;
  const splitter = new LineSplitter();
  const idleMs = opts.idleCheckMs ?? 1000;

  const deliver = (chunk: Buffer): boolean => {
    for (const { line, bytes } of splitter.push(chunk)) {
      offset += bytes;
      const event = parseEvent(line);
      opts.onLine(line, offset, event);
      failuresInRow = 0;
      if (event && terminalStatus(event)) {
        final = event;
        return true;
      }
    }
    return false;
  };

  /** Reads whatever is left after `offset` in one go (after the job has ended). */
  const drain = async (): Promise<void> => {
    const r = await host.exec(`tail -c +${offset + 1} ${shellQuote(file)}`);
    if (r.code === 0) deliver(Buffer.from(r.stdout, 'utf8'));
  };

  for (;;) {
    if (opts.signal?.aborted) throw new Aborted('following was stopped');
    splitter.reset();
    let handle: StreamHandle | undefined;
    let idleTimer: NodeJS.Timeout | undefined;
    try {
      const ended = await new Promise<'terminal' | 'exited' | 'stream-ended'>((resolve, reject) => {
        let lastData = Date.now();
        let checking = false;
        const finish = (why: 'terminal' | 'exited' | 'stream-ended'): void => {
          if (idleTimer) clearInterval(idleTimer);
          handle?.stop();
          resolve(why);
        };
        const onAbort = (): void => {
          if (idleTimer) clearInterval(idleTimer);
          handle?.stop();
          reject(new Aborted('following was stopped'));
        };
        opts.signal?.addEventListener('abort', onAbort, { once: true });
        host
          .stream(`exec tail -c +${offset + 1} -F ${shellQuote(file)} 2>/dev/null`, (chunk) => {
            lastData = Date.now();
            if (deliver(chunk)) finish('terminal');
          })
          .then((h) => {
            handle = h;
            h.done.then(() => finish('stream-ended'), reject);
            // Liveness checks back off while the log is quiet (1 s, 2 s, 4 s … 15 s) and reset
            // when bytes arrive, so a slow real run does not cost an exec per second.
            let wait = idleMs;
            let lastCheck = 0;
            idleTimer = setInterval(() => {
              const now = Date.now();
              if (lastData > lastCheck) wait = idleMs;
              if (checking || now - Math.max(lastData, lastCheck) < wait) return;
              checking = true;
              lastCheck = now;
              wait = Math.min(wait * 2, 15_000);
              runStatus(host, runId).then(
                (s) => {
                  checking = false;
                  if (s.status !== 'running' && s.status !== 'queued') finish('exited');
                },
                (e: unknown) => {
                  checking = false;
                  if (e instanceof ConnectionLostError) reject(e);
                },
              );
            }, Math.max(100, Math.floor(idleMs / 2)));
          }, reject);
      });
      if (ended === 'terminal') {
        return { status: terminalStatus(final!)!, offset, final: final!, reconnects };
      }
      // The job ended (or tail did): read what is left, then report its status.
      await drain();
      const summary = await runStatus(host, runId);
      if (final) return { status: terminalStatus(final)!, offset, final, summary, reconnects };
      if (summary.status === 'running' || summary.status === 'queued') continue;
      return { status: summary.status, offset, summary, reconnects };
    } catch (e) {
      if (idleTimer) clearInterval(idleTimer);
      if (e instanceof Aborted) throw e;
      const lost = e instanceof ConnectionLostError || /closed|lost|reset|ECONN|socket|Not connected|No response/i.test((e as Error)?.message ?? '');
      if (!lost) throw e;
      failuresInRow++;
      reconnects++;
      if (failuresInRow > (opts.maxReconnects ?? 10)) throw e;
      opts.onReconnect?.(reconnects, e as Error);
      // The connection's own backoff runs inside the next host call.
    }
  }
}
