// The e2e harness: packages the extension once, starts a private code-server with the .vsix
// installed (the same launcher `npm start` uses), opens a copy of examples/ in headless Chromium
// and gives the tests small, condition-waiting helpers for the workbench. No fixed sleeps: every
// wait polls a condition with a deadline and says what it was waiting for when it gives up.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Frame, type Locator, type Page } from 'playwright-core';
import { repoRoot, startCodeServer, type CodeServer } from '../../scripts/code-server.mjs';

export { repoRoot };

export const artifactsDir = join(repoRoot, 'test-artifacts');
export const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  name: string;
  publisher: string;
  version: string;
  contributes: { commands: { command: string; title: string; category?: string }[] };
};
export const extensionId = `${manifest.publisher}.${manifest.name}`;

/** True while a feature file is still the scaffold's placeholder, i.e. the feature has not landed. */
export function isPlaceholder(relativePath: string): boolean {
  const p = join(repoRoot, relativePath);
  return !existsSync(p) || readFileSync(p, 'utf8').includes('Placeholder wiring; the owning work item replaces it.');
}

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  let newest = s.mtimeMs;
  for (const name of readdirSync(path)) {
    if (name === 'node_modules' || name === '__pycache__' || name.startsWith('.')) continue;
    newest = Math.max(newest, newestMtime(join(path, name)));
  }
  return newest;
}

/**
 * The packaged .vsix, rebuilt by scripts/package.mjs when any input is newer than it.
 * DISTILLERY_VSIX=path tests a given package instead (e.g. the one a release build produced).
 */
export function ensureVsix(): string {
  if (process.env['DISTILLERY_VSIX']) return process.env['DISTILLERY_VSIX'];
  const vsix = join(repoRoot, 'out', `${manifest.name}-${manifest.version}.vsix`);
  const inputs = ['src', 'media', 'syntaxes', 'python-runner/distillery_runner', 'package.json', 'README.md', 'CHANGELOG.md', '.vscodeignore'];
  const stale = !existsSync(vsix) || inputs.some((p) => newestMtime(join(repoRoot, p)) > statSync(vsix).mtimeMs);
  if (stale) {
    const r = spawnSync(process.execPath, ['scripts/package.mjs'], { cwd: repoRoot, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`npm run package failed:\n${r.stdout}\n${r.stderr}`);
  }
  return vsix;
}

/** Polls `condition` until it returns a truthy value; throws naming `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, condition: () => T | Promise<T>, timeoutMs = 30_000, intervalMs = 100): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await condition();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      lastError = e;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
}

export interface Workbench {
  server: CodeServer;
  context: BrowserContext;
  page: Page;
  /** The copy of examples/ the workbench has open; tests may change it freely. */
  workspace: string;
  /** Saves a full-page screenshot to test-artifacts/<name>.png and returns its path. */
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

export interface WorkbenchOptions {
  /** Names the scratch folder (.e2e/<name>) and the screenshots. */
  name: string;
  settings?: Record<string, unknown>;
  env?: Record<string, string>;
  /** Runs on the workspace copy before code-server opens it. */
  prepareWorkspace?: (dir: string) => void;
}

/** Starts code-server + Chromium on a fresh copy of examples/ and waits for the workbench. */
export async function openWorkbench(options: WorkbenchOptions): Promise<Workbench> {
  const t0 = Date.now();
  const vsix = ensureVsix();
  const tPackaged = Date.now();
  const base = join(repoRoot, '.e2e', options.name);
  rmSync(base, { recursive: true, force: true });
  const workspace = join(base, 'workspace');
  cpSync(join(repoRoot, 'examples'), workspace, { recursive: true });
  options.prepareWorkspace?.(workspace);
  mkdirSync(artifactsDir, { recursive: true });

  const server = await startCodeServer({
    base: join(base, 'code-server'),
    vsix,
    workspace,
    settings: options.settings ?? {},
    env: options.env ?? {},
  });
  const tServer = Date.now();
  let context: BrowserContext | undefined;
  try {
    context = await chromium.launchPersistentContext(join(base, 'chromium'), {
      executablePath: '/usr/bin/chromium',
      headless: true,
      viewport: { width: 1400, height: 900 },
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(server.folderUrl());
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    console.log(`# ${options.name}: package ${tPackaged - t0} ms, code-server + extension install ${tServer - tPackaged} ms, workbench ${Date.now() - tServer} ms`);
    const ctx = context;
    return {
      server,
      context: ctx,
      page,
      workspace,
      async screenshot(name) {
        const file = join(artifactsDir, `${options.name}-${name}.png`);
        await page.screenshot({ path: file });
        return file;
      },
      async close() {
        await ctx.close().catch(() => undefined);
        await server.stop();
      },
    };
  } catch (e) {
    await context?.close().catch(() => undefined);
    await server.stop();
    throw e;
  }
}

/**
 * An afterEach hook that saves a screenshot named after a failed test (test-artifacts/<file>-failed-<test>.png),
 * so a failure on CI shows what the workbench looked like.
 */
export function screenshotOnFailure(get: () => Workbench | undefined): (t: { name: string; passed?: boolean }) => Promise<void> {
  return async (t) => {
    const wb = get();
    if (!wb || t.passed !== false) return;
    const slug = t.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').slice(0, 60);
    await wb.screenshot(`failed-${slug}`).catch(() => undefined);
  };
}

/** The extension's own log file (its LogOutputChannel "Distillery"), once the extension has written it. */
export function findExtensionLog(wb: Workbench): string | undefined {
  const logs = join(wb.server.dirs.userDataDir, 'logs');
  const stack = [logs];
  while (stack.length) {
    const dir = stack.pop()!;
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) stack.push(p);
      else if (p.includes(extensionId) && name.endsWith('Distillery.log')) return p;
    }
  }
  return undefined;
}

/** Waits for "Distillery activated in N ms" in the extension's log and returns N. */
export async function waitForActivation(wb: Workbench, timeoutMs = 60_000): Promise<number> {
  return waitFor('the extension to log "Distillery activated in N ms"', () => {
    const log = findExtensionLog(wb);
    if (!log) return undefined;
    const text = readFileSync(log, 'utf8');
    const failed = /activation failed: (.*)/.exec(text);
    if (failed) throw new Error(`activation failed: ${failed[1]}`);
    const m = /Distillery activated in (\d+) ms/.exec(text);
    return m ? Number(m[1]) : undefined;
  }, timeoutMs, 250);
}

/** Gives the workbench keyboard focus (the editor area), so shortcuts reach VS Code. */
export async function focusWorkbench(page: Page): Promise<void> {
  await page.locator('.monaco-workbench').focus().catch(() => undefined);
}

/**
 * Opens the command palette with `query` typed. Retries once on the known flake where the palette
 * reads an empty command list ("No matching commands") right after activation.
 */
export async function openPalette(page: Page, query: string, expectRow?: RegExp | string, timeoutMs = 15_000): Promise<Locator> {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  const rows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
  return waitFor(`the command palette to show ${expectRow ?? 'rows'} for "${query}"`, async () => {
    if (!(await input.isVisible())) {
      await page.keyboard.press('F1');
      await input.waitFor({ state: 'visible', timeout: 5000 });
    }
    // A short timeout: the palette may be closing (a previous Escape, a notification taking focus)
    // between isVisible() and fill(); the next round reopens it instead of waiting out 30 s here.
    await input.fill(`>${query}`, { timeout: 2000 });
    const want = expectRow === undefined ? rows.first() : rows.filter({ hasText: expectRow }).first();
    try {
      await want.waitFor({ state: 'visible', timeout: 3000 });
      return want;
    } catch {
      await page.keyboard.press('Escape');
      return undefined;
    }
  }, timeoutMs, 50);
}

/** Runs a command through the palette by its "Category: Title" label. */
export async function runCommand(page: Page, label: string): Promise<void> {
  // The row can go away between showing and the click (the palette re-filters or closes): retry
  // the whole open-and-click rather than wait out a click on a detached row.
  await waitFor(`"${label}" to run from the command palette`, async () => {
    const row = await openPalette(page, label, label);
    await row.click({ timeout: 2000 });
    return true;
  }, 30_000, 50);
}

/**
 * Every notification's text: the toasts on screen and, through the notification center, those
 * VS Code keeps out of sight (it shows a few toasts at once; a late notice from an earlier command
 * can push a new one out of the corner).
 */
export async function notificationTexts(page: Page): Promise<string[]> {
  const toasts = await page.locator('.notifications-toasts .notification-toast').allInnerTexts();
  const center = page.locator('.notifications-center');
  if (!(await center.isVisible())) await runCommand(page, 'Notifications: Show Notifications');
  const listed = await page.locator('.notifications-center .notification-list-item').allInnerTexts();
  return [...toasts, ...listed].map((t) => t.replace(/\s+/g, ' ').trim());
}

/** Clears every notification (toasts and the notification center) and closes the center. */
export async function clearNotifications(page: Page): Promise<void> {
  await runCommand(page, 'Notifications: Clear All Notifications');
  if (await page.locator('.notifications-center').isVisible()) await page.keyboard.press('Escape');
}

/** Opens a workspace file through Quick Open (Ctrl+P) and waits for its editor tab. */
export async function openFile(page: Page, fileName: string): Promise<void> {
  await runCommand(page, 'Go to File...');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.fill(fileName);
  const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row').filter({ hasText: fileName }).first();
  await row.waitFor({ state: 'visible', timeout: 15_000 });
  await page.keyboard.press('Enter');
  await page.locator(`.tabs-container .tab[aria-label^="${fileName}"]`).first().waitFor({ timeout: 15_000 });
}

/** The first frame (webviews live in nested iframes) in which `selector` matches. */
export async function findFrame(page: Page, selector: string, what: string, timeoutMs = 30_000): Promise<Frame> {
  return waitFor(what, async () => {
    for (const frame of page.frames()) {
      try {
        if ((await frame.locator(selector).count()) > 0) return frame;
      } catch {
        // frame detached while we looked
      }
    }
    return undefined;
  }, timeoutMs, 200);
}

/** Shows the Distillery view container (clicking its activity-bar item only when it is not already shown: a second click hides it). */
export async function showDistilleryContainer(page: Page): Promise<void> {
  const item = page.locator('.activitybar .action-item', { has: page.locator('[aria-label^="Distillery"]') }).first();
  await item.waitFor({ timeout: 15_000 });
  const shown = (await item.getAttribute('class'))?.includes('checked') && (await page.locator('.part.sidebar').isVisible());
  if (!shown) await item.locator('[aria-label^="Distillery"]').first().click();
  await page.locator('.part.sidebar .pane-header', { hasText: /Review/i }).first().waitFor({ timeout: 15_000 });
}

/**
 * Answers what a command asks before it gets going until `done()` holds: a modal dialog by the
 * button whose label matches `button` (never a guess: other labels fail the wait with their names),
 * a quick pick or input box with its default (Enter).
 */
export async function answerPrompts(page: Page, what: string, button: RegExp, done: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  let unexpected = '';
  await waitFor(what, async () => {
    if (await done()) return true;
    const dialog = page.locator('.monaco-dialog-box');
    if (await dialog.isVisible()) {
      const buttons = dialog.locator('.dialog-buttons .monaco-button');
      const labels = (await buttons.allInnerTexts()).map((t) => t.trim());
      const index = labels.findIndex((l) => button.test(l));
      if (index < 0) {
        unexpected = `a dialog offered only [${labels.join(', ')}]`;
        throw new Error(unexpected);
      }
      await buttons.nth(index).click();
      return false;
    }
    if (await page.locator('.quick-input-widget').isVisible()) await page.keyboard.press('Enter');
    return false;
  }, timeoutMs, 300);
}

/** The Distillery status bar item (one item, rendered from one state). */
export function statusItem(page: Page): Locator {
  return page.locator(`[id="${extensionId}.distillery.status"], .statusbar-item[aria-label*="Distillery"]`).first();
}

/** Reads a dataset file into records (the lines that parse). */
export function readRecords(file: string): { id: string; status: string; dsl: unknown; rationale?: string; [k: string]: unknown }[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .flatMap((l) => {
      try {
        return [JSON.parse(l)];
      } catch {
        return [];
      }
    });
}
