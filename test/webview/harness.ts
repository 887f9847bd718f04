// A test page for the review panel in real headless Chromium: the bundled webview app, the real
// HTML and CSP, and a stand-in for `acquireVsCodeApi` that carries messages to an in-test host —
// the real PanelSession and PanelModel over the real DatasetStore on a temp dataset. Only the
// VS Code webview transport is replaced; the protocol, the store and the app are the real ones.
import * as esbuild from 'esbuild';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { DatasetStore } from '../../src/core/dataset/store';
import { createPanelEngine, type PanelEngine } from '../../src/extension/panel/engine';
import { renderPanelHtml } from '../../src/extension/panel/html';
import { PanelConnection } from '../../src/extension/panel/connection';
import { PanelModel } from '../../src/extension/panel/model';
import { previewModel, readDatasetHead } from '../../src/extension/panel/preview';
import type { PanelSession, SessionHooks } from '../../src/extension/panel/session';
import { StoreAdapter } from '../../src/extension/panel/store-adapter';
import type { ToWebviewMessage } from '../../src/shared/webview-protocol';

export const ROOT = resolve(__dirname, '../..');
export const ARTIFACTS = join(ROOT, 'test-artifacts');

const bundled = new Map<boolean, Promise<string>>();

/**
 * Bundles src/webview/main.ts into a temp dir once per process (never a stale dist/). Tests get
 * an inline source map for readable stack traces; `minify` builds what the packaged extension
 * ships (`scripts/build.mjs --minify`), which the benchmark loads.
 */
export function bundleWebview(minify = false): Promise<string> {
  let bundle = bundled.get(minify);
  if (!bundle) {
    bundle = (async () => {
      const dir = mkdtempSync(join(tmpdir(), 'distillery-webview-bundle-'));
      const outfile = join(dir, 'webview.js');
      await esbuild.build({ entryPoints: [join(ROOT, 'src/webview/main.ts')], outfile, bundle: true, format: 'iife', platform: 'browser', target: 'es2022', logLevel: 'warning', minify, sourcemap: minify ? false : 'inline' });
      return outfile;
    })();
    bundled.set(minify, bundle);
  }
  return bundle;
}

export function launchChromium(): Promise<BrowserContext> {
  const profile = mkdtempSync(join(tmpdir(), 'distillery-chromium-'));
  return chromium.launchPersistentContext(profile, {
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export interface PanelPage {
  page: Page;
  dir: string;
  datasetPath: string;
  store: DatasetStore;
  model: PanelModel;
  session: PanelSession;
  /** Messages the host logged as malformed, webview errors, CSP violations, dialogs. */
  hostLog: string[];
  cspViolations: string[];
  dialogs: string[];
  /** Every message the host sent. */
  sent: ToWebviewMessage[];
  /** Questions the host asked (the VS Code modal in the extension), and the answer the test gives next. */
  confirmations: { message: string; detail: string; confirm: string }[];
  answerConfirm: boolean;
  /**
   * How long opening the store and building the panel index took; with `stream`, also reading the
   * file's head and the time from the start of openPanel to the first rows painted in the page.
   */
  timings: { storeOpenMs: number; indexMs: number; headMs?: number; pageReadyMs?: number; loadedMs?: number; firstPaintMs?: number };
  /** Posts a raw value to the webview as the host would (tests send malformed ones too). */
  postRaw(value: unknown): Promise<void>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** JSONL text of the dataset, or a path to an existing file. */
  datasetText?: string;
  datasetFile?: string;
  width?: number;
  height?: number;
  engine?: PanelEngine;
  saveDelayMs?: number;
  /** The host's cluster hook (the Elasticsearch tests pass one over a real engine). */
  runOnCluster?: SessionHooks['runOnCluster'];
  /**
   * Open as the extension does: paint a read-only preview of the file's head first, then open the
   * store once those rows are painted, and swap the full dataset in (preview.ts, connection.ts).
   */
  stream?: boolean;
  /** Load the minified bundle the packaged extension ships (the benchmark does). */
  minified?: boolean;
}

/** Opens the panel app in a new page of `context` over a dataset in a fresh temp dir. */
export async function openPanel(context: BrowserContext, options: OpenOptions): Promise<PanelPage> {
  const dir = mkdtempSync(join(tmpdir(), 'distillery-panel-'));
  const datasetPath = options.datasetFile ?? join(dir, 'dataset.dss.jsonl');
  if (!options.datasetFile) writeFileSync(datasetPath, options.datasetText ?? '');
  const script = await bundleWebview(options.minified ?? false);
  const style = join(ROOT, 'media/panel.css');
  // The page is a file: URL, so `file:` plays the part of webview.cspSource.
  const html = renderPanelHtml({ cspSource: 'file:', scriptUri: pathToFileURL(script).href, styleUri: pathToFileURL(style).href, layout: (options.width ?? 1200) < 720 ? 'narrow' : 'wide' });
  const htmlPath = join(dir, 'panel.html');
  writeFileSync(htmlPath, html);

  const hostLog: string[] = [];
  const log = (level: string, message: string) => hostLog.push(`${level}: ${message}`);
  const engine = options.engine ?? createPanelEngine();
  const dataset = { name: 'dataset.dss.jsonl', path: datasetPath };
  const sent: ToWebviewMessage[] = [];
  const confirmations: PanelPage['confirmations'] = [];
  const answers = { confirm: false };
  // Host → webview in order, batched: messages posted in one host turn travel in one CDP call
  // (VS Code's own postMessage is a cheap IPC; one CDP round trip per message would not be).
  let page: Page | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  let batch: unknown[] | null = null;
  const postRaw = (value: unknown): Promise<void> => {
    if (!batch) {
      const messages: unknown[] = (batch = []);
      queue = queue.then(async () => {
        await new Promise((r) => setImmediate(r));
        batch = null;
        await page?.evaluate((ms) => ms.forEach((m) => window.postMessage(m, '*')), messages).catch(() => undefined);
      });
    }
    batch.push(value);
    return queue as Promise<void>;
  };
  const connection = new PanelConnection({
    post: (m) => {
      sent.push(m);
      void postRaw(m);
    },
    log,
    ...(options.runOnCluster ? { runOnCluster: options.runOnCluster } : {}),
    confirm: (question) => {
      confirmations.push(question);
      return Promise.resolve(answers.confirm);
    },
  });

  const t0 = performance.now();
  const timings: PanelPage['timings'] = { storeOpenMs: 0, indexMs: 0 };
  let preview: PanelModel | undefined;
  if (options.stream) {
    const head = await readDatasetHead(datasetPath);
    preview = previewModel(head, engine, datasetPath);
    connection.use(preview, { dataset, loading: `Opening ${dataset.name}… showing its first ${head.records.length.toLocaleString('en-US')} records.` });
    timings.headMs = Math.round(performance.now() - t0);
  }
  const openStore = async () => {
    const t1 = performance.now();
    const store = await DatasetStore.open(datasetPath);
    const t2 = performance.now();
    const adapter = new StoreAdapter(store);
    const model = new PanelModel({ store: adapter, engine, saveDelayMs: options.saveDelayMs ?? 0, log });
    const unsubscribe = adapter.onExternalChange(() => model.externalChange());
    timings.storeOpenMs = Math.round(t2 - t1);
    timings.indexMs = Math.round(performance.now() - t2);
    return { store, model, unsubscribe };
  };
  let opened = options.stream ? undefined : await openStore();
  if (opened) connection.use(opened.model, { dataset });

  page = await context.newPage();
  page.setDefaultTimeout(15_000);
  await page.setViewportSize({ width: options.width ?? 1200, height: options.height ?? 800 });
  const cspViolations: string[] = [];
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  page.on('pageerror', (e) => hostLog.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') hostLog.push(`console: ${m.text()}`);
  });
  await page.exposeBinding('__distilleryToHost', (_source, message: unknown) => connection.receive(message));
  await page.exposeBinding('__distilleryCsp', (_source, what: string) => cspViolations.push(what));
  // A string, not a function: tsx's name-keeping helpers do not exist in the page.
  await page.addInitScript({ content: STAND_IN });
  timings.pageReadyMs = Math.round(performance.now() - t0);
  await page.goto(pathToFileURL(htmlPath).href);
  timings.loadedMs = Math.round(performance.now() - t0);
  if (!opened) {
    // The preview's rows are on screen; only now does the (blocking) full parse start.
    await page.waitForFunction(() => [...document.querySelectorAll<HTMLElement>('.list .row')].some((r) => r.dataset['id']), undefined, { polling: 'raf', timeout: 30_000 });
    timings.firstPaintMs = Math.round(performance.now() - t0);
    opened = await openStore();
    connection.use(opened.model, { dataset });
    preview?.dispose();
  }
  const { store, model, unsubscribe } = opened;
  const session = connection.current!;
  return {
    page,
    dir,
    confirmations,
    get answerConfirm() {
      return answers.confirm;
    },
    set answerConfirm(value: boolean) {
      answers.confirm = value;
    },
    datasetPath,
    store,
    model,
    session,
    hostLog,
    cspViolations,
    dialogs,
    sent,
    postRaw,
    timings,
    async close() {
      connection.dispose();
      unsubscribe();
      await model.flush().catch(() => undefined);
      model.dispose();
      await page.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The stand-in for VS Code's `acquireVsCodeApi`, installed before the app's script runs. */
const STAND_IN = `
(() => {
  let state;
  window.acquireVsCodeApi = () => ({
    postMessage: (m) => window.__distilleryToHost(m),
    getState: () => state,
    setState: (s) => { state = s; },
  });
  document.addEventListener('securitypolicyviolation', (e) => window.__distilleryCsp(e.violatedDirective + ' ' + e.blockedURI));
})();
`;

/** A record line for test datasets. */
export function recordLine(id: string, fields: Record<string, unknown> = {}): string {
  return JSON.stringify({
    id,
    question: `question ${id}`,
    rationale: `rationale for ${id}`,
    dsl: { query: { match: { title: id } } },
    status: 'generated',
    split: null,
    source: { kind: 'teacher', model: 'gpt-4o-mini', usage: { input: 100, output: 20 }, costUsd: 0.0012 },
    updatedAt: '2026-11-20T10:00:00Z',
    ...fields,
  });
}

/** Polls `check` every 10 ms until it holds; throws naming `what` after `timeoutMs`. */
export async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
