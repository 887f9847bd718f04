// The language server's wiring: LSP handlers on one side, the open documents, settings resolver
// and validation scheduler on the other. Each feature lives in its own file; this one only routes.
import { basename, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CodeActionKind,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  TextDocumentSyncKind,
  type Connection,
  type Diagnostic,
  type InitializeParams,
  type InitializeResult,
} from 'vscode-languageserver';
import { canonicalJson } from '../core/dsl';
import {
  documentStatsRequest,
  isDocumentStatsParams,
  isNormalizeParams,
  isServerInitializationOptions,
  normalizeRequest,
  type DocumentStats,
  type NormalizeResult,
} from '../shared/lsp-protocol';
import { codeActions, FIX_ALL_KIND } from './code-actions';
import { complete } from './completion';
import { createDocument, DatasetDocument, type OpenDocument } from './documents';
import { formatDataset, formatQueryDsl, formattingRefusal } from './formatting';
import { hover } from './hover';
import { SEMANTIC_TOKENS_LEGEND, semanticTokens } from './semantic-tokens';
import { SettingsResolver } from './settings';
import { ValidationScheduler } from './validation';
import { WorkspaceFolders } from './workspace';

/** Default for ServerInitializationOptions.validationThrottleMs. */
export const DEFAULT_THROTTLE_MS = 150;

export class DistilleryServer {
  private readonly documents = new Map<string, OpenDocument>();
  private readonly folders = new WorkspaceFolders();
  private readonly settings: SettingsResolver;
  private validation: ValidationScheduler;
  private canPullConfiguration = false;
  private canWatchFiles = false;
  private relativePatterns = false;
  private workspaceFolderEvents = false;
  private initialized = false;
  private readonly watched = new Set<string>();
  private readonly pendingWatches: string[] = [];

  constructor(private readonly connection: Connection) {
    this.settings = new SettingsResolver(
      {
        fetchConfiguration: async (scopeUri) => (this.canPullConfiguration ? this.connection.workspace.getConfiguration({ scopeUri, section: 'distillery' }) : undefined),
        warn: (message) => {
          this.connection.console.warn(message);
          void this.connection.window.showWarningMessage(`Distillery: ${message}`);
        },
        watch: (file) => this.watch(file),
      },
      this.folders,
    );
    this.validation = this.createScheduler(DEFAULT_THROTTLE_MS);
  }

  listen(): void {
    const c = this.connection;
    c.onInitialize((params) => this.initialize(params));
    c.onInitialized(() => this.onInitialized());
    c.onDidOpenTextDocument(({ textDocument: td }) => {
      const doc = createDocument(td.uri, td.languageId, td.version, td.text);
      if (!doc) return;
      this.documents.set(td.uri, doc);
      this.validation.schedule(td.uri);
    });
    c.onDidChangeTextDocument(({ textDocument, contentChanges }) => {
      const doc = this.documents.get(textDocument.uri);
      if (!doc) return;
      doc.applyChanges(contentChanges, textDocument.version);
      this.validation.schedule(doc.uri);
    });
    c.onDidCloseTextDocument(({ textDocument }) => {
      this.documents.delete(textDocument.uri);
      this.validation.forget(textDocument.uri);
      this.settings.forget(textDocument.uri);
      void c.sendDiagnostics({ uri: textDocument.uri, diagnostics: [] });
    });
    c.onDidChangeConfiguration(() => {
      this.settings.clearSettings();
      this.revalidateAll();
    });
    c.onDidChangeWatchedFiles(({ changes }) => {
      let relevant = false;
      for (const change of changes) {
        if (!change.uri.startsWith('file:')) continue;
        if (this.settings.fileChanged(fileURLToPath(change.uri))) relevant = true;
      }
      if (relevant) this.revalidateAll();
    });

    c.onCompletion(async ({ textDocument, position }) => {
      const doc = this.documents.get(textDocument.uri);
      return doc ? complete(doc, position, await this.settings.get(doc.uri)) : null;
    });
    c.onHover(async ({ textDocument, position }) => {
      const doc = this.documents.get(textDocument.uri);
      return doc ? hover(doc, position, await this.settings.get(doc.uri)) : null;
    });
    c.onDocumentFormatting(({ textDocument, options }) => {
      const doc = this.documents.get(textDocument.uri);
      if (!doc) return null;
      if (doc instanceof DatasetDocument) return formatDataset(doc);
      return this.refuseFormatting(doc.textDocument.getText()) ?? formatQueryDsl(doc, options);
    });
    c.onDocumentRangeFormatting(({ textDocument, options, range }) => {
      const doc = this.documents.get(textDocument.uri);
      if (!doc) return null;
      if (doc instanceof DatasetDocument) return formatDataset(doc, range);
      return this.refuseFormatting(doc.textDocument.getText()) ?? formatQueryDsl(doc, options, range);
    });
    c.onCodeAction((params) => {
      const doc = this.documents.get(params.textDocument.uri);
      return doc ? codeActions(doc, params) : null;
    });

    c.languages.semanticTokens.onRange(({ textDocument, range }) => {
      const doc = this.documents.get(textDocument.uri);
      return doc ? semanticTokens(doc, range) : { data: [] };
    });

    c.onRequest(documentStatsRequest, (params): DocumentStats | null => {
      if (!isDocumentStatsParams(params)) return null;
      const doc = this.documents.get(params.uri);
      if (!doc) return null;
      const k = doc.counters;
      return {
        uri: doc.uri,
        languageId: doc.languageId,
        version: k.validatedVersion,
        lines: doc.lineCount,
        passes: k.passes,
        lastPassValidated: k.lastPassValidated,
        lastPassReused: k.lastPassReused,
        totalValidated: k.totalValidated,
        diagnostics: k.diagnostics,
        lastPassMs: Math.round(k.lastPassMs * 100) / 100,
      };
    });
    c.onRequest(normalizeRequest, (params): NormalizeResult => {
      if (!isNormalizeParams(params)) return { ok: false, message: 'distillery/normalize expects {text: string}' };
      let body: unknown;
      try {
        body = JSON.parse(params.text);
      } catch (e) {
        return { ok: false, message: `not valid JSON: ${(e as Error).message}` };
      }
      return { ok: true, text: JSON.stringify(JSON.parse(canonicalJson(body)), null, 2) };
    });

    c.listen();
  }

  private initialize(params: InitializeParams): InitializeResult {
    const caps = params.capabilities;
    this.canPullConfiguration = caps.workspace?.configuration === true;
    this.canWatchFiles = caps.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
    this.relativePatterns = caps.workspace?.didChangeWatchedFiles?.relativePatternSupport === true;
    this.workspaceFolderEvents = caps.workspace?.workspaceFolders === true;
    this.folders.set(params.workspaceFolders, params.rootUri);
    const init: unknown = params.initializationOptions;
    if (isServerInitializationOptions(init) && init.validationThrottleMs !== undefined) {
      this.validation = this.createScheduler(init.validationThrottleMs);
    }
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        completionProvider: { triggerCharacters: ['"', ':', '{', ','], resolveProvider: false },
        hoverProvider: true,
        documentFormattingProvider: true,
        documentRangeFormattingProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND] },
        semanticTokensProvider: { legend: SEMANTIC_TOKENS_LEGEND, range: true, full: false },
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: 'distillery-language-server', version: '0.1.0' },
    };
  }

  private onInitialized(): void {
    this.initialized = true;
    if (this.canPullConfiguration) {
      void this.connection.client.register(DidChangeConfigurationNotification.type, { section: 'distillery' }).catch(() => undefined);
    }
    if (this.workspaceFolderEvents) {
      this.connection.workspace.onDidChangeWorkspaceFolders((e) => {
        this.folders.change(e.added, e.removed);
        this.settings.clearSettings();
        this.revalidateAll();
      });
    }
    for (const file of this.pendingWatches.splice(0)) this.registerWatch(file);
  }

  private createScheduler(throttleMs: number): ValidationScheduler {
    return new ValidationScheduler(
      {
        settings: this.settings,
        document: (uri) => this.documents.get(uri),
        publish: (uri, version, diagnostics: Diagnostic[]) => void this.connection.sendDiagnostics({ uri, version, diagnostics }),
        reportBug: (message, error) => this.connection.console.error(`${message}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`),
      },
      throttleMs,
    );
  }

  /** No edits and a message when the body is too deep or too big to format (formattingRefusal). */
  private refuseFormatting(text: string): [] | undefined {
    const refusal = formattingRefusal(text);
    if (refusal === undefined) return undefined;
    void this.connection.window.showWarningMessage(refusal);
    return [];
  }

  private revalidateAll(): void {
    for (const uri of this.documents.keys()) this.validation.schedule(uri);
  }

  /** Asks the client to report changes of a file settings depend on (mapping, distillery.json). */
  private watch(file: string): void {
    if (this.watched.has(file)) return;
    this.watched.add(file);
    if (this.initialized) this.registerWatch(file);
    else this.pendingWatches.push(file);
  }

  private registerWatch(file: string): void {
    if (!this.canWatchFiles) return;
    const globPattern = this.relativePatterns ? { baseUri: pathToFileURL(dirname(file)).href, pattern: basename(file) } : `**/${basename(file)}`;
    void this.connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern }] }).catch(() => undefined);
  }
}
