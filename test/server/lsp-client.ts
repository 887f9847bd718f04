// A minimal LSP client for tests and the benchmark: it starts the real bundle `dist/server.js
// --stdio`, answers the server's requests (workspace/configuration from a settings object the test
// controls, client/registerCapability) and turns publishDiagnostics into promises to wait on.
// Nothing here sleeps: every wait is on a condition, with a generous guard that fails loudly.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import {
  createMessageConnection,
  NotificationType,
  RequestType,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageConnection,
} from 'vscode-jsonrpc/node';

export const ROOT = resolve(import.meta.dirname, '../..');
/** The bundle `npm run build` ships (scripts/build.mjs). */
export const SHIPPED_SERVER = join(ROOT, 'dist/server.js');

let bundled: Promise<string> | undefined;

/**
 * Bundles src/server/main.ts with the esbuild options scripts/build.mjs uses for dist/server.js,
 * into a file of this test process, so the tests drive the bundle of the current sources and no
 * concurrent `npm run build`/packaging in the same tree can swap the file under them.
 * `mainFields` prefers ES modules: jsonc-parser's UMD `main` loads its parts with a require()
 * esbuild cannot follow, and such a bundle fails at start with "Cannot find module './impl/format'".
 */
export function ensureServerBundle(): Promise<string> {
  bundled ??= (async () => {
    const outfile = join(mkdtempSync(join(tmpdir(), 'distillery-server-')), 'server.js');
    await build({
      entryPoints: [join(ROOT, 'src/server/main.ts')],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'es2022',
      sourcemap: false,
      mainFields: ['module', 'main'],
      logLevel: 'warning',
      external: ['vscode', 'cpu-features', '*/sshcrypto.node'],
    });
    return outfile;
  })();
  return bundled;
}

export interface Position {
  line: number;
  character: number;
}
export interface Range {
  start: Position;
  end: Position;
}
export interface Diagnostic {
  range: Range;
  severity?: number;
  code?: string | number;
  source?: string;
  message: string;
  data?: unknown;
}
export interface PublishDiagnosticsParams {
  uri: string;
  version?: number;
  diagnostics: Diagnostic[];
}
export interface TextEdit {
  range: Range;
  newText: string;
}

const publishDiagnostics = new NotificationType<PublishDiagnosticsParams>('textDocument/publishDiagnostics');
const configurationRequest = new RequestType<{ items: { scopeUri?: string; section?: string }[] }, unknown[], void>('workspace/configuration');

export interface ClientOptions {
  /** Workspace folder (a directory path); its URI is sent in initialize. */
  workspace?: string;
  /** The `distillery` section the client answers workspace/configuration with. */
  settings?: Record<string, unknown>;
  initializationOptions?: Record<string, unknown>;
  /** The server bundle to run; default: a fresh bundle of the current sources (ensureServerBundle). */
  bundle?: string;
}

interface Waiter {
  uri: string;
  predicate: (p: PublishDiagnosticsParams) => boolean;
  resolve: (p: PublishDiagnosticsParams) => void;
}

export class LspClient {
  readonly latest = new Map<string, PublishDiagnosticsParams>();
  readonly messages: { type: number; message: string }[] = [];
  readonly registrations: { method: string; registerOptions?: unknown }[] = [];
  /** How many times each scopeUri was asked for its configuration. */
  readonly configurationRequests: string[] = [];
  settings: Record<string, unknown>;
  initializeResult: { capabilities: { semanticTokensProvider?: { legend: { tokenTypes: string[] } } } & Record<string, unknown> } = { capabilities: {} };
  private waiters: Waiter[] = [];
  private stderr = '';

  private constructor(
    readonly connection: MessageConnection,
    private readonly proc: ChildProcessWithoutNullStreams,
    options: ClientOptions,
  ) {
    this.settings = options.settings ?? {};
    proc.stderr.on('data', (d: Buffer) => {
      this.stderr += d.toString();
    });
    connection.onNotification(publishDiagnostics, (p) => {
      this.latest.set(p.uri, p);
      const ready = this.waiters.filter((w) => w.uri === p.uri && w.predicate(p));
      this.waiters = this.waiters.filter((w) => !ready.includes(w));
      for (const w of ready) w.resolve(p);
    });
    connection.onRequest(configurationRequest, ({ items }) =>
      items.map((item) => {
        this.configurationRequests.push(item.scopeUri ?? '');
        return item.section === 'distillery' ? this.settings : null;
      }),
    );
    connection.onRequest('client/registerCapability', (params: { registrations: { method: string; registerOptions?: unknown }[] }) => {
      this.registrations.push(...params.registrations);
      return null;
    });
    connection.onNotification('window/showMessage', (p: { type: number; message: string }) => this.messages.push(p));
    connection.onNotification('window/logMessage', (p: { type: number; message: string }) => this.messages.push(p));
    connection.onRequest('window/showMessageRequest', (p: { type: number; message: string }) => {
      this.messages.push(p);
      return null;
    });
  }

  static async start(options: ClientOptions = {}): Promise<LspClient> {
    const bundle = options.bundle ?? (await ensureServerBundle());
    const proc = spawn(process.execPath, [bundle, '--stdio'], { stdio: 'pipe' });
    const connection = createMessageConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
    const client = new LspClient(connection, proc, options);
    const died = new Promise<never>((_, reject) => {
      proc.once('exit', (code) => reject(new Error(`the server exited with code ${code} during initialize:\n${client.stderr.slice(-2000)}`)));
    });
    connection.listen();
    const workspaceUri = options.workspace ? pathToFileURL(options.workspace).href : null;
    const initialized = connection.sendRequest<LspClient['initializeResult']>('initialize', {
      processId: process.pid,
      rootUri: workspaceUri,
      workspaceFolders: workspaceUri ? [{ uri: workspaceUri, name: 'test' }] : null,
      initializationOptions: options.initializationOptions ?? {},
      capabilities: {
        workspace: { configuration: true, didChangeWatchedFiles: { dynamicRegistration: true, relativePatternSupport: true }, didChangeConfiguration: { dynamicRegistration: true } },
        textDocument: {
          synchronization: { dynamicRegistration: false },
          completion: { completionItem: { snippetSupport: true } },
          publishDiagnostics: { versionSupport: true },
        },
      },
    });
    client.initializeResult = await Promise.race([initialized, died]);
    died.catch(() => undefined);
    await connection.sendNotification('initialized', {});
    return client;
  }

  /** The server process's id (bench/lsp-memory.ts reads its peak memory from /proc). */
  get pid(): number | undefined {
    return this.proc.pid;
  }

  /** Resolves with the first publishDiagnostics for `uri` (the latest one included) that satisfies `predicate`. */
  waitForDiagnostics(uri: string, predicate: (p: PublishDiagnosticsParams) => boolean = () => true, guardMs = 120_000): Promise<PublishDiagnosticsParams> {
    const latest = this.latest.get(uri);
    if (latest && predicate(latest)) return Promise.resolve(latest);
    return new Promise((resolve, reject) => {
      const guard = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`no matching publishDiagnostics for ${uri} within ${guardMs} ms; last: ${JSON.stringify(this.latest.get(uri))?.slice(0, 500)}\nserver stderr: ${this.stderr.slice(-2000)}`));
      }, guardMs);
      const waiter: Waiter = {
        uri,
        predicate,
        resolve: (p) => {
          clearTimeout(guard);
          resolve(p);
        },
      };
      this.waiters.push(waiter);
    });
  }

  /** Diagnostics of document version `version`. */
  diagnosticsOf(uri: string, version: number): Promise<PublishDiagnosticsParams> {
    return this.waitForDiagnostics(uri, (p) => p.version === version);
  }

  open(uri: string, languageId: string, text: string, version = 1): Promise<void> {
    return this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version, text } });
  }

  change(uri: string, version: number, contentChanges: ({ range: Range; text: string } | { text: string })[]): Promise<void> {
    return this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges });
  }

  close(uri: string): Promise<void> {
    return this.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  request<R>(method: string, params: unknown): Promise<R> {
    return this.connection.sendRequest(method, params);
  }

  async stop(): Promise<void> {
    const exited = new Promise<void>((resolve) => this.proc.once('exit', () => resolve()));
    try {
      await this.connection.sendRequest('shutdown');
      await this.connection.sendNotification('exit');
    } catch {
      this.proc.kill();
    }
    await exited;
    this.connection.dispose();
  }
}

/** A URI for a test document that need not exist on disk. */
export function docUri(dir: string, name: string): string {
  return pathToFileURL(join(dir, name)).href;
}
