// The language client: starts dist/server.js for Query DSL bodies (files, untitled buffers and the
// `distillery-record:` documents the review panel opens) and dataset files, mirrors its state into
// the one status bar item, and restarts it on `distillery.restartServer`. A start failure is shown
// to the user (ctx.fail) and the status turns to error; it never passes silently.
import * as vscode from 'vscode';
import { LanguageClient, State, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import type { ServerInitializationOptions } from '../../shared/lsp-protocol';
import type { Context, Feature } from '../ctx';

/** Scheme of the virtual documents holding one record's `dsl`, opened with language `querydsl`. */
export const RECORD_SCHEME = 'distillery-record';

const DOCUMENT_SELECTOR = [
  { scheme: 'file', language: 'querydsl' },
  { scheme: 'untitled', language: 'querydsl' },
  { scheme: RECORD_SCHEME, language: 'querydsl' },
  { scheme: 'file', language: 'distillery-dataset' },
  { scheme: 'untitled', language: 'distillery-dataset' },
];

export function createLanguageFeature(ctx: Context): Feature {
  let client: LanguageClient | undefined;
  /** True while we stop the client ourselves, so only an unexpected stop turns the status to error. */
  let stopping = false;

  function createClient(): LanguageClient {
    const module = ctx.extension.asAbsolutePath('dist/server.js');
    const serverOptions: ServerOptions = {
      run: { module, transport: TransportKind.stdio },
      debug: { module, transport: TransportKind.stdio, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
    };
    const initializationOptions: ServerInitializationOptions = {};
    const clientOptions: LanguageClientOptions = {
      documentSelector: DOCUMENT_SELECTOR,
      outputChannel: ctx.log,
      initializationOptions,
      // Settings are pulled by the server (workspace/configuration); nothing is pushed here.
    };
    const c = new LanguageClient('distillery', 'Distillery Language Server', serverOptions, clientOptions);
    ctx.push(
      c.onDidChangeState(({ newState }) => {
        if (newState === State.Running) ctx.setStatus({ server: 'ready', serverMessage: undefined });
        else if (newState === State.Starting) ctx.setStatus({ server: 'starting' });
        else if (stopping) ctx.setStatus({ server: 'stopped' });
        else if (ctx.status.server !== 'error') {
          // vscode-languageclient has given up restarting a crashing server and said so itself.
          ctx.setStatus({ server: 'error', serverMessage: 'the language server stopped; run "Distillery: Restart Language Server"' });
          ctx.log.error('the language server stopped unexpectedly');
        }
      }),
    );
    return c;
  }

  async function start(): Promise<void> {
    client ??= createClient();
    ctx.setStatus({ server: 'starting', serverMessage: undefined });
    try {
      await client.start();
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      ctx.setStatus({ server: 'error', serverMessage: message });
      throw ctx.fail('the language server failed to start', e);
    }
  }

  async function dispose(): Promise<void> {
    const old = client;
    client = undefined;
    if (!old) return;
    stopping = true;
    try {
      await old.dispose(2000);
    } catch (e) {
      ctx.log.warn(`stopping the language server failed: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      stopping = false;
    }
  }

  async function restart(): Promise<void> {
    await dispose();
    await start();
    ctx.log.info('language server restarted');
  }

  return {
    commands: {
      'distillery.restartServer': restart,
    },
    activate() {
      ctx.push(new vscode.Disposable(() => void dispose()));
      // Activation does not wait for the server's handshake (hundreds of ms): the client is built
      // and started on the next turn of the event loop. A failing server must not fail activation
      // either: the panel, the CLI-backed commands and the run views work without it. The failure
      // has been shown by start().
      const timer = setTimeout(() => void start().catch(() => undefined), 0);
      ctx.push(new vscode.Disposable(() => clearTimeout(timer)));
    },
  };
}
