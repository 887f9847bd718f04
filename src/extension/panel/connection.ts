// One webview's connection to the panel, across the sessions it sees in turn: a read-only preview
// of the file's head while the dataset opens, then the dataset itself (and another one after a
// switch). The webview never reloads for that: the connection remembers the messages that set up
// its state (ready, filter and sort, selection, stats shown) and replays them to the new session,
// whose view versions continue after the old one's so late rows of the old view are dropped.
// Pure TypeScript (no `vscode`): host.ts wires it to a webview, the Chromium tests to a page.
import { parseToHost, type ToWebviewMessage } from '../../shared/webview-protocol';
import type { PanelModel } from './model';
import { PanelSession, type SessionHooks } from './session';

/** Messages whose latest copy describes the webview's state; replayed in this order (`ready` last, as the app sends it). */
const SETUP = ['setView', 'select', 'watchStats', 'ready'] as const;

export type ConnectionHooks = Omit<SessionHooks, 'dataset' | 'message' | 'loading'>;

export interface SessionMeta {
  dataset: SessionHooks['dataset'];
  message?: string | null;
  /** Set while showing a preview: what the status line says, and review actions wait. */
  loading?: string | null;
}

export class PanelConnection {
  private session: PanelSession | null = null;
  private readonly early: unknown[] = [];
  private readonly setup = new Map<string, unknown>();
  private rowsServed!: () => void;
  /** Resolves once the webview has been sent rows to paint (the first screenful is on its way). */
  readonly firstRowsServed = new Promise<void>((resolve) => (this.rowsServed = resolve));

  constructor(private readonly hooks: ConnectionHooks) {}

  get current(): PanelSession | null {
    return this.session;
  }

  /** Whatever the webview posted. */
  receive(raw: unknown): void {
    const parsed = parseToHost(raw);
    if (parsed.ok && (SETUP as readonly string[]).includes(parsed.message.method)) this.setup.set(parsed.message.method, raw);
    if (this.session) this.session.receive(raw);
    else this.early.push(raw);
  }

  /** Connects the webview to `model` from now on. */
  use(model: PanelModel, meta: SessionMeta): PanelSession {
    const previous = this.session;
    previous?.dispose();
    const post = (m: ToWebviewMessage) => {
      if (m.method === 'rows') this.rowsServed();
      this.hooks.post(m);
    };
    const session = new PanelSession(model, { ...this.hooks, ...meta, post }, { firstVersion: previous ? previous.viewVersion + 1 : 0 });
    this.session = session;
    if (previous) {
      for (const method of SETUP) {
        const raw = this.setup.get(method);
        if (raw !== undefined) session.receive(raw);
      }
    } else {
      for (const raw of this.early.splice(0)) session.receive(raw);
    }
    return session;
  }

  dispose(): void {
    this.session?.dispose();
    this.session = null;
  }
}
