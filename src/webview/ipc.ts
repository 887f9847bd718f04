// The webview's end of the protocol: posts typed messages to the host, and validates everything
// that arrives before anyone acts on it (malformed or unknown messages are reported and dropped).
import { Log, parseToWebview, webviewStateSchema, type IpcMessage, type ToHostMessage, type ToWebviewMessage, type WebviewState } from '../shared/webview-protocol';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export class Ipc {
  private readonly api: VsCodeApi = acquireVsCodeApi();
  private readonly handlers = new Set<(m: ToWebviewMessage) => void>();
  /** Messages that failed validation (the tests read this count). */
  rejected = 0;

  constructor() {
    window.addEventListener('message', (event: MessageEvent<unknown>) => {
      const parsed = parseToWebview(event.data);
      if (!parsed.ok) {
        this.rejected++;
        document.documentElement.dataset['rejectedMessages'] = String(this.rejected);
        this.post(Log.make({ level: 'warn', message: `ignored a message from the host (${parsed.reason})`.slice(0, 4000) }));
        return;
      }
      for (const h of this.handlers) h(parsed.message);
    });
  }

  post<M extends ToHostMessage>(message: M & IpcMessage): void {
    this.api.postMessage(message);
  }

  onMessage(handler: (m: ToWebviewMessage) => void): void {
    this.handlers.add(handler);
  }

  loadState(): WebviewState | null {
    const parsed = webviewStateSchema.safeParse(this.api.getState());
    return parsed.success ? parsed.data : null;
  }

  saveState(state: WebviewState): void {
    this.api.setState(state);
  }
}
