// The runner's stdout events (docs/ARCHITECTURE.md, "Runner contract") as the remote code reads
// them: lenient on purpose (extra keys kept, unknown events passed through), since the CLI prints
// lines exactly as written and only needs to know when a run has ended.

export interface RunnerEvent {
  event: string;
  [key: string]: unknown;
}

export type RunStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

/** Parses one events.jsonl line; undefined for a line that is not a JSON object with "event". */
export function parseEvent(line: string): RunnerEvent | undefined {
  try {
    const v: unknown = JSON.parse(line);
    if (v && typeof v === 'object' && !Array.isArray(v) && typeof (v as { event?: unknown }).event === 'string') return v as RunnerEvent;
  } catch {
    /* not an event line */
  }
  return undefined;
}

/** The status a terminal event means; undefined while the run goes on. */
export function terminalStatus(e: RunnerEvent): RunStatus | undefined {
  if (e.event === 'error') return 'failed';
  if (e.event === 'done') return e['status'] === 'cancelled' ? 'cancelled' : e['status'] === 'ok' || e['status'] === undefined ? 'done' : 'failed';
  return undefined;
}

/** Splits a byte stream into complete lines; keeps the unfinished tail for the next chunk. */
export class LineSplitter {
  private partial = Buffer.alloc(0);

  /** Returns the complete lines in this chunk with the byte length each consumed (newline included). */
  push(chunk: Buffer): { line: string; bytes: number }[] {
    const data = this.partial.length ? Buffer.concat([this.partial, chunk]) : chunk;
    const out: { line: string; bytes: number }[] = [];
    let start = 0;
    for (;;) {
      const nl = data.indexOf(0x0a, start);
      if (nl < 0) break;
      out.push({ line: data.subarray(start, nl).toString('utf8'), bytes: nl + 1 - start });
      start = nl + 1;
    }
    this.partial = Buffer.from(data.subarray(start));
    return out;
  }

  /** Drops the unfinished tail (after a reconnect it is read again from the committed offset). */
  reset(): void {
    this.partial = Buffer.alloc(0);
  }
}
