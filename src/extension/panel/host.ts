// The panel's VS Code side: finds and opens the dataset, builds the shared model, serves the
// sidebar webview view and the editor-area review panel (same app, layout by width), merges
// external edits and asks the person about conflicts, and serves record documents.
import { existsSync } from 'node:fs';
import { basename, isAbsolute, join } from 'node:path';
import * as vscode from 'vscode';
import { DatasetStore, watch, type Conflict } from '../../core/dataset/store';
import type { ValidateOptions } from '../../core/dsl';
import type { ProjectConfig } from '../../core/project/config';
import type { Context } from '../ctx';
import { RECORD_SCHEME } from '../features/language';
import { workspaceProject, workspaceValidateOptions } from '../project';
import { runRecordsOnActiveCluster } from '../elasticsearch/panel-run';
import { PanelConnection, type SessionMeta } from './connection';
import { createPanelEngine, type PanelEngine } from './engine';
import { renderPanelHtml } from './html';
import { PanelModel } from './model';
import { previewModel, readDatasetHead } from './preview';
import { recordUri, RecordFileSystem } from './record-fs';
import { StoreAdapter } from './store-adapter';

export const VIEW_ID = 'distillery.panel';
const REVIEW_PANEL_TYPE = 'distillery.review';

export interface LoadedDataset {
  uri: vscode.Uri;
  store: DatasetStore;
  adapter: StoreAdapter;
  model: PanelModel;
  validateOptions: ValidateOptions;
  dispose(): void;
}

export class PanelHost implements vscode.WebviewViewProvider, vscode.Disposable {
  private loading: Promise<LoadedDataset | null> | null = null;
  private loaded: LoadedDataset | null = null;
  private reviewPanel: vscode.WebviewPanel | undefined;
  private readonly recordFs: RecordFileSystem;
  private asking = false;
  /** Reconnects each attached webview (after the dataset was switched). */
  private readonly attached = new Set<() => void>();
  /** One per attached webview: its session now (a preview while the dataset opens, then the dataset). */
  private readonly connections = new Set<PanelConnection>();
  /** While a large dataset opens: a read-only model over the head of its file (preview.ts). */
  private preview: { model: PanelModel; meta: SessionMeta } | null = null;
  /** A record to select in sessions that are still connecting. */
  private pendingReveal: string | null = null;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly ctx: Context) {
    this.recordFs = new RecordFileSystem(() => this.loaded?.model);
    this.disposables.push(
      this.recordFs,
      vscode.workspace.registerFileSystemProvider(RECORD_SCHEME, this.recordFs, { isCaseSensitive: true }),
      vscode.window.registerWebviewViewProvider(VIEW_ID, this),
    );
  }

  /** The dataset, opened once and shared by every panel; null when the workspace has none. */
  dataset(): Promise<LoadedDataset | null> {
    this.loading ??= this.open().catch((e: unknown) => {
      this.loading = null;
      throw e;
    });
    return this.loading;
  }

  /**
   * Switches to another dataset file (`openReview` on a file in the explorer, or the file an
   * import just created); `create` starts an empty one when it does not exist yet.
   */
  async switchTo(uri: vscode.Uri, create = false): Promise<LoadedDataset | null> {
    if (this.loaded?.uri.fsPath === uri.fsPath) return this.loaded;
    await this.loaded?.model.flush();
    this.loaded?.dispose();
    this.loaded = null;
    this.loading = this.open(uri, create);
    const loaded = await this.loading;
    for (const reconnect of this.attached) reconnect();
    this.ctx.log.info(`panel: showing ${uri.fsPath}`);
    return loaded;
  }

  /** Where a new dataset goes: distillery.json's `dataset`, else dataset.dss.jsonl at the root. */
  defaultDatasetUri(): vscode.Uri | undefined {
    const root = this.ctx.workspaceRoot;
    if (!root || root.scheme !== 'file') return undefined;
    const name = this.projectConfig()?.dataset ?? 'dataset.dss.jsonl';
    return vscode.Uri.file(isAbsolute(name) ? name : join(root.fsPath, name));
  }

  // ---- webviews

  resolveWebviewView(view: vscode.WebviewView): void {
    this.attach(view.webview, 'narrow', view.onDidDispose);
  }

  openReviewPanel(): void {
    if (this.reviewPanel) {
      this.reviewPanel.reveal();
      return;
    }
    const panel = vscode.window.createWebviewPanel(REVIEW_PANEL_TYPE, 'Distillery Review', vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: this.resourceRoots(),
    });
    panel.iconPath = vscode.Uri.joinPath(this.ctx.extension.extensionUri, 'media', 'distillery.svg');
    this.reviewPanel = panel;
    panel.onDidDispose(() => (this.reviewPanel = undefined));
    this.attach(panel.webview, 'wide', panel.onDidDispose);
  }

  /** Opens the wide review panel with record `id` selected (also in the sidebar view, if open). */
  revealRecord(id: string): void {
    this.pendingReveal = id;
    this.openReviewPanel();
    for (const c of this.connections) c.current?.reveal(id);
  }

  private resourceRoots(): vscode.Uri[] {
    const root = this.ctx.extension.extensionUri;
    return [vscode.Uri.joinPath(root, 'dist'), vscode.Uri.joinPath(root, 'media')];
  }

  /**
   * Loads the app into a webview and connects it to a session once the dataset is open. When the
   * dataset is switched, every attached webview is loaded afresh against the new one.
   */
  private attach(webview: vscode.Webview, layout: 'narrow' | 'wide', onDispose: vscode.Event<void>): void {
    webview.options = { enableScripts: true, localResourceRoots: this.resourceRoots() };
    const root = this.ctx.extension.extensionUri;
    let connection: PanelConnection | undefined;
    let generation = 0;
    const subscription = webview.onDidReceiveMessage((m: unknown) => connection?.receive(m));
    const connect = () => {
      const mine = ++generation;
      if (connection) this.connections.delete(connection);
      connection?.dispose();
      // Messages that arrive while the dataset is still opening are kept by the connection.
      const current = (connection = new PanelConnection(this.connectionHooks(webview)));
      this.connections.add(current);
      // A fresh nonce per load; the app boots, says `ready` and sends its saved filter.
      webview.html = renderPanelHtml({
        cspSource: webview.cspSource,
        scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(root, 'dist', 'webview.js')).toString(),
        styleUri: webview.asWebviewUri(vscode.Uri.joinPath(root, 'media', 'panel.css')).toString(),
        layout,
      });
      if (this.preview) current.use(this.preview.model, this.preview.meta);
      void this.dataset().then(
        (loaded) => {
          if (mine !== generation) return;
          const session = current.use(loaded?.model ?? emptyModel(), this.sessionMeta(loaded));
          if (this.pendingReveal) {
            session.reveal(this.pendingReveal);
            this.pendingReveal = null;
          }
        },
        (e: unknown) => {
          this.ctx.fail('the review panel could not open the dataset', e);
          if (mine !== generation) return;
          current.use(emptyModel(), this.sessionMeta(null, e instanceof Error ? e.message : String(e)));
        },
      );
    };
    this.attached.add(connect);
    onDispose(() => {
      generation++;
      this.attached.delete(connect);
      subscription.dispose();
      if (connection) this.connections.delete(connection);
      connection?.dispose();
    });
    connect();
  }

  private connectionHooks(webview: vscode.Webview): ConstructorParameters<typeof PanelConnection>[0] {
    return {
      post: (m) => void webview.postMessage(m),
      log: (level, text) => this.ctx.log[level === 'warn' ? 'warn' : level](text),
      openInEditor: (id) => this.openRecord(id),
      runOnCluster: (records, options) => runRecordsOnActiveCluster(this.ctx, records, options),
      // A modal, not a toast: a bulk delete waits for an explicit yes that names the count.
      confirm: async ({ message, detail, confirm }) => (await vscode.window.showWarningMessage(message, { modal: true, detail }, confirm)) === confirm,
    };
  }

  private sessionMeta(loaded: LoadedDataset | null, error?: string): SessionMeta {
    const message = loaded
      ? null
      : (error ?? 'No dataset found. Put a *.dss.jsonl file in the workspace (or set "dataset" in distillery.json), or run "Distillery: Import Questions".');
    return { dataset: loaded ? { name: basename(loaded.uri.fsPath), path: vscode.workspace.asRelativePath(loaded.uri) } : null, message };
  }

  /**
   * With a panel on screen and a file larger than its head, shows the head read-only first and
   * waits (briefly) until those rows were sent, because the full parse below blocks the extension
   * host for a while on a large file (about 2 s for 100,000 records).
   */
  private async showPreview(uri: vscode.Uri, engine: PanelEngine): Promise<void> {
    if (this.connections.size === 0 || !existsSync(uri.fsPath)) return;
    try {
      const head = await readDatasetHead(uri.fsPath);
      if (head.whole) return;
      const model = previewModel(head, engine, uri.fsPath);
      const name = basename(uri.fsPath);
      const meta: SessionMeta = {
        dataset: { name, path: vscode.workspace.asRelativePath(uri) },
        loading: `Opening ${name}… showing its first ${head.records.length.toLocaleString('en-US')} records.`,
      };
      this.preview = { model, meta };
      for (const c of this.connections) if (!c.current) c.use(model, meta);
      await Promise.race([Promise.any([...this.connections].map((c) => c.firstRowsServed)), delay(1500)]);
      // Let the posted rows leave the process before the parse holds it.
      await delay(50);
    } catch (e) {
      this.ctx.log.warn(`panel: no preview of ${uri.fsPath}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  async openRecord(id: string): Promise<void> {
    const doc = await vscode.workspace.openTextDocument(recordUri(id));
    if (doc.languageId !== 'querydsl') await vscode.languages.setTextDocumentLanguage(doc, 'querydsl');
    await vscode.window.showTextDocument(doc, { preview: false, viewColumn: vscode.ViewColumn.Beside });
  }

  // ---- the dataset

  private async open(explicit?: vscode.Uri, create = false): Promise<LoadedDataset | null> {
    const uri = explicit ?? (await this.findDataset());
    if (!uri) return null;
    const validateOptions = this.validateOptions();
    const engine = createPanelEngine(validateOptions);
    await this.showPreview(uri, engine);
    let store: DatasetStore;
    try {
      store = await DatasetStore.open(uri.fsPath, { create });
    } finally {
      // Connections move on to the dataset (or its error) as `dataset()` settles.
      const preview = this.preview;
      this.preview = null;
      if (preview) setTimeout(() => preview.model.dispose(), 0);
    }
    const adapter = new StoreAdapter(store);
    const model = new PanelModel({
      store: adapter,
      engine,
      log: (level, text) => this.ctx.log[level === 'warn' ? 'warn' : level](text),
      saved: () => void this.resolveConflicts(),
    });
    const unsubscribe = adapter.onExternalChange(() => model.externalChange());
    const modelSub = model.subscribe({ changed: () => this.recordFs.recordsChanged(), validated: () => undefined, history: () => undefined });
    const watcher = watch(uri.fsPath, () => void this.reload());
    const broken = store.brokenLines();
    if (broken.length) this.ctx.log.warn(`${uri.fsPath}: ${broken.length} line(s) are not valid records (kept as they are): ${broken.slice(0, 5).map((b) => `line ${b.line}: ${b.error}`).join('; ')}`);
    const loaded: LoadedDataset = {
      uri,
      store,
      adapter,
      model,
      validateOptions,
      dispose: () => {
        watcher.close();
        unsubscribe();
        modelSub.dispose();
        model.dispose();
      },
    };
    this.loaded = loaded;
    this.ctx.log.info(`panel: opened ${uri.fsPath} (${store.size} records)`);
    return loaded;
  }

  private projectConfig(): ProjectConfig | null {
    return workspaceProject(this.ctx);
  }

  private async findDataset(): Promise<vscode.Uri | undefined> {
    const root = this.ctx.workspaceRoot;
    const project = this.projectConfig();
    if (root && project) {
      const path = isAbsolute(project.dataset) ? project.dataset : join(root.fsPath, project.dataset);
      if (existsSync(path)) return vscode.Uri.file(path);
    }
    const found = await vscode.workspace.findFiles('**/*.dss.jsonl', '**/node_modules/**', 1);
    return found[0];
  }

  private validateOptions(): ValidateOptions {
    return workspaceValidateOptions(this.ctx, 'field checks are off in the panel');
  }

  /** The file changed on disk: merge it, then ask about records that changed on both sides. */
  async reload(): Promise<void> {
    const loaded = this.loaded;
    if (!loaded) return;
    try {
      await loaded.store.reload();
    } catch (e) {
      this.ctx.log.error(`reloading ${loaded.uri.fsPath} failed: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    await this.resolveConflicts();
  }

  /**
   * Asks the person about each record that changed both in the panel and on disk. The store keeps
   * both versions until then, so dismissing the question loses nothing (it is asked again later).
   */
  async resolveConflicts(): Promise<void> {
    const loaded = this.loaded;
    if (!loaded || this.asking) return;
    const conflicts = loaded.store.conflicts();
    if (conflicts.length === 0) return;
    this.asking = true;
    try {
      const choices = { mine: 'Keep mine', theirs: 'Take theirs', both: 'Keep both' } as const;
      let all: 'mine' | 'theirs' | 'both' | undefined;
      if (conflicts.length > 3) {
        const pick = await vscode.window.showWarningMessage(
          `${conflicts.length} records in ${basename(loaded.uri.fsPath)} changed on disk while you had unsaved edits to them.`,
          { modal: true, detail: '"Keep both" keeps the disk version and adds yours as a copy right after it.' },
          'Keep mine for all',
          'Take theirs for all',
          'Keep both for all',
          'Decide one by one',
        );
        if (!pick) return;
        all = pick.startsWith('Keep mine') ? 'mine' : pick.startsWith('Take') ? 'theirs' : pick.startsWith('Keep both') ? 'both' : undefined;
      }
      for (const c of conflicts) {
        const choice = all ?? (await this.askOne(c, loaded, choices));
        if (!choice) return;
        loaded.store.resolveConflict(c.id, choice);
      }
      await loaded.model.flush();
    } finally {
      this.asking = false;
    }
  }

  private async askOne(c: Conflict, loaded: LoadedDataset, choices: Record<'mine' | 'theirs' | 'both', string>): Promise<'mine' | 'theirs' | 'both' | undefined> {
    const describe = (r: Conflict['mine']) => (r ? `status ${r.status}, question "${r.question.slice(0, 80)}"` : 'deleted');
    const pick = await vscode.window.showWarningMessage(
      `Record ${c.id} in ${basename(loaded.uri.fsPath)} changed on disk and in the panel.`,
      { modal: true, detail: `Yours: ${describe(c.mine)}\nOn disk: ${describe(c.theirs)}\n\n"Keep both" keeps the disk version and adds yours as a copy right after it.` },
      choices.mine,
      choices.theirs,
      choices.both,
    );
    return pick === choices.mine ? 'mine' : pick === choices.theirs ? 'theirs' : pick === choices.both ? 'both' : undefined;
  }

  dispose(): void {
    const loaded = this.loaded;
    if (loaded) void loaded.model.flush().finally(() => loaded.dispose());
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A model over no records, for panels shown before any dataset exists. */
function emptyModel(): PanelModel {
  return new PanelModel({
    store: {
      path: '',
      records: () => [],
      get: () => undefined,
      indexOf: () => -1,
      isConflicted: () => false,
      replaceMany: () => undefined,
      insert: () => undefined,
      removeMany: () => undefined,
      appendMany: () => undefined,
      save: () => Promise.resolve(),
    },
    engine: createPanelEngine(),
  });
}
