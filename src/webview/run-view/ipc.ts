// The run view's end of its protocol: posts typed messages to the host and validates everything
// that arrives before anyone acts on it (malformed or unknown messages are counted and dropped).
import { parseToRunView, RunViewLog, runViewStateSchema, type RunViewState, type ToRunHostMessage, type ToRunViewMessage } from '../../shared/run-view-protocol';
import type { IpcMessage } from '../../shared/webview-protocol';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export class RunViewIpc {
  private readonly api: VsCodeApi = acquireVsCodeApi();
  private readonly handlers = new Set<(m: ToRunViewMessage) => void>();
  /** Messages that failed validation (the tests read it from data-rejected-messages). */
  rejected = 0;

  constructor() {
    window.addEventListener('message', (event: MessageEvent<unknown>) => {
      const parsed = parseToRunView(event.data);
      if (!parsed.ok) {
        this.rejected++;
        document.documentElement.dataset['rejectedMessages'] = String(this.rejected);
        this.post(RunViewLog.make({ level: 'warn', message: `ignored a message from the host (${parsed.reason})`.slice(0, 4000) }));
        return;
      }
      for (const h of this.handlers) h(parsed.message);
    });
  }

  post<M extends ToRunHostMessage>(message: M & IpcMessage): void {
    this.api.postMessage(message);
  }

  onMessage(handler: (m: ToRunViewMessage) => void): void {
    this.handlers.add(handler);
  }

  loadState(): RunViewState | null {
    const parsed = runViewStateSchema.safeParse(this.api.getState());
    return parsed.success ? parsed.data : null;
  }

  saveState(state: RunViewState): void {
    this.api.setState(state);
  }
}
