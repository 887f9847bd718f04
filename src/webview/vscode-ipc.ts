// The webview's end of a typed protocol (review panel and run view alike): posts messages to the
// host, and validates everything that arrives before anyone acts on it; a malformed or unknown
// message is counted, reported to the host's log and dropped.
import type { z } from 'zod';
import type { IpcMessage, ParseResult } from '../shared/ipc';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export class WebviewIpc<In extends IpcMessage, Out extends IpcMessage, State> {
  private readonly api: VsCodeApi = acquireVsCodeApi();
  private readonly handlers = new Set<(m: In) => void>();
  /** Messages that failed validation (the tests read it from data-rejected-messages). */
  rejected = 0;

  constructor(
    parse: (raw: unknown) => ParseResult<In>,
    /** The log message that tells the host what was dropped. */
    rejectedNotice: (reason: string) => Out,
    private readonly stateSchema: z.ZodType<State>,
  ) {
    window.addEventListener('message', (event: MessageEvent<unknown>) => {
      const parsed = parse(event.data);
      if (!parsed.ok) {
        this.rejected++;
        document.documentElement.dataset['rejectedMessages'] = String(this.rejected);
        this.post(rejectedNotice(`ignored a message from the host (${parsed.reason})`.slice(0, 4000)));
        return;
      }
      for (const h of this.handlers) h(parsed.message);
    });
  }

  post(message: Out): void {
    this.api.postMessage(message);
  }

  onMessage(handler: (m: In) => void): void {
    this.handlers.add(handler);
  }

  loadState(): State | null {
    const parsed = this.stateSchema.safeParse(this.api.getState());
    return parsed.success ? parsed.data : null;
  }

  saveState(state: State): void {
    this.api.setState(state);
  }
}
