// The Elasticsearch views in real headless Chromium with their real HTML and CSP: the query results
// webview (bundled src/webview/query-results/main.ts) and the run view's execution verdicts. A
// stand-in for acquireVsCodeApi hands the webview's messages to the test.
import assert from 'node:assert/strict';
import * as esbuild from 'esbuild';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { summarizeExec } from '../../src/core/elasticsearch';
import { renderWebviewHtml } from '../../src/extension/panel/html';
import { renderRunViewHtml } from '../../src/extension/runs/run-view-html';
import { execPairsFrom, withExecution } from '../../src/extension/runs/exec-scoring';
import { predictionRows } from '../../src/extension/runs/predictions';
import { CompareTable, Predictions, RunViewInit } from '../../src/shared/run-view-protocol';
import { ShowQueryResult } from '../../src/shared/query-results-protocol';
import { ARTIFACTS, launchChromium, ROOT } from '../webview/harness';
import { STAND_IN, waitUntil } from './stand-in';

interface Loaded {
  page: Page;
  toHost: unknown[];
  csp: string[];
  errors: string[];
  post(m: unknown): Promise<void>;
}

describe('Elasticsearch views in Chromium', { timeout: 90_000 }, () => {
  let context: BrowserContext;
  let dir: string;

  async function load(entry: string, html: (script: string) => string): Promise<Loaded> {
    const outfile = join(dir, `${entry.replace(/\W+/g, '-')}.js`);
    await esbuild.build({ entryPoints: [join(ROOT, entry)], outfile, bundle: true, format: 'iife', platform: 'browser', target: 'es2022', logLevel: 'warning' });
    const file = join(dir, `${entry.replace(/\W+/g, '-')}.html`);
    writeFileSync(file, html(pathToFileURL(outfile).href));
    const page = await context.newPage();
    page.setDefaultTimeout(8000);
    const loaded: Loaded = { page, toHost: [], csp: [], errors: [], post: (m) => page.evaluate((msg) => window.postMessage(msg, '*'), m) };
    page.on('pageerror', (e) => loaded.errors.push(e.message));
    await page.exposeBinding('__toHost', (_s, m: unknown) => loaded.toHost.push(m));
    await page.exposeBinding('__csp', (_s, what: string) => loaded.csp.push(what));
    await page.addInitScript({ content: STAND_IN });
    await page.goto(pathToFileURL(file).href);
    await page.waitForFunction(() => document.readyState === 'complete');
    return loaded;
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'distillery-es-views-'));
    mkdirSync(ARTIFACTS, { recursive: true });
    context = await launchChromium();
  });

  after(async () => {
    await context?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the results view shows total, took, hit rows and bucket bars; hostile values stay text; bad messages are dropped', async () => {
    const v = await load('src/webview/query-results/main.ts', (script) =>
      renderWebviewHtml({ cspSource: 'file:', scriptUri: script, styleUri: pathToFileURL(join(ROOT, 'media/query-results.css')).href, title: 'Query Results', appClass: 'query-results' }),
    );
    await waitUntil(() => v.toHost.some((m) => (m as { method?: string }).method === 'queryResultsReady'), 'the view to say it is ready');
    await v.post(
      ShowQueryResult.make({
        kind: 'result', cluster: 'local', index: 'orders', source: 'shipped.querydsl', total: 10_000, totalRelation: 'gte', tookMs: 12, timedOut: false, terminatedEarly: true,
        tables: [
          { title: 'hits', columns: ['_id', '_score', 'status', 'notes'], rows: [['o1', 1.5, 'shipped', '<img src=x onerror="window.__xss=1">']] },
          { title: 'by_country', columns: ['key', 'doc_count'], rows: [['DE', 300], ['FR', 100]] },
        ],
      }),
    );
    await v.page.waitForSelector('.summary .total');
    assert.equal(await v.page.locator('.summary .total').innerText(), '≥ 10,000');
    assert.match(await v.page.locator('.summary').innerText(), /took 12 ms.*partial results \(terminated early/);
    assert.equal(await v.page.locator('section[data-title="hits"] tbody td').nth(3).innerText(), '<img src=x onerror="window.__xss=1">');
    const widths = await v.page.locator('section[data-title="by_country"] .bar').evaluateAll((bars) => bars.map((b) => parseFloat((b as HTMLElement).style.width)));
    assert.equal(widths[0], 100);
    assert.ok(Math.abs(widths[1]! - 100 / 3) < 0.01, `second bar ${widths[1]}% wide, want a third of the first`);
    await v.page.screenshot({ path: join(ARTIFACTS, 'query-results-view.png') });

    await v.post({ method: 'showQueryResult', params: { kind: 'result', cluster: 'x' } });
    await v.page.waitForFunction(() => document.documentElement.dataset['rejectedMessages'] === '1');
    assert.equal(await v.page.locator('.summary .total').innerText(), '≥ 10,000', 'a malformed message changes nothing');
    await v.post(ShowQueryResult.make({ kind: 'error', cluster: 'local', index: 'orders', source: 'bad.querydsl', message: 'cluster "local" rejected the search: Fielddata is disabled on [notes]' }));
    await v.page.waitForSelector('#app[data-state="error"] .error');
    assert.match(await v.page.locator('.error').innerText(), /Fielddata is disabled on \[notes\]/);
    assert.equal(await v.page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss), undefined);
    assert.deepEqual(v.csp, []);
    assert.deepEqual(v.errors, []);
  });

  it('the run view shows execution accuracy and each prediction\'s verdict, and filters to different results', async () => {
    const v = await load('src/webview/run-view.ts', (script) => renderRunViewHtml({ cspSource: 'file:', scriptUri: script, styleUri: pathToFileURL(join(ROOT, 'media/run-view.css')).href }));
    await v.post(RunViewInit.make({ mode: 'run', title: 'r1', host: 'local', runId: 'r1' }));
    const shipped = JSON.stringify({ query: { term: { status: 'shipped' } } });
    const jsonl = [
      JSON.stringify({ id: 'same', question: 'shipped', prediction: JSON.stringify({ query: { match: { status: 'shipped' } } }), gold: shipped }),
      JSON.stringify({ id: 'other', question: 'shipped', prediction: JSON.stringify({ query: { term: { status: 'returned' } } }), gold: shipped }),
    ].join('\n');
    const rows = predictionRows(jsonl);
    const { rowOf } = execPairsFrom(jsonl);
    const records = [{ id: 'same', exec: 'match' as const }, { id: 'other', exec: 'mismatch' as const, reason: 'different hits' }];
    const merged = withExecution(rows, { summary: summarizeExec(records), records }, rowOf);
    await v.post(Predictions.make({ source: 'outputs/predictions.jsonl', summary: merged.summary, rows: merged.rows, truncated: 0 }));
    await v.page.waitForSelector('.predictions .exec-accuracy');
    assert.match(await v.page.locator('.exec-accuracy').innerText(), /execution accuracy 50\.0%/);
    assert.equal(await v.page.locator('.prediction[data-id="same"] .badge.exec').innerText(), 'same results');
    assert.equal(await v.page.locator('.prediction[data-id="other"] .badge.exec').innerText(), 'different results');
    await v.page.selectOption('.predictions select', 'execMismatch');
    await v.page.waitForFunction(() => document.querySelectorAll('.prediction').length === 1);
    assert.equal(await v.page.locator('.prediction').getAttribute('data-id'), 'other');
    await v.page.screenshot({ path: join(ARTIFACTS, 'run-view-exec.png'), fullPage: true });
    assert.deepEqual(v.csp, []);
    assert.deepEqual(v.errors, []);
  });

  it('the comparison table has an exec accuracy column, empty for runs no cluster scored, marked stale when scored elsewhere', async () => {
    const v = await load('src/webview/run-view.ts', (script) => renderRunViewHtml({ cspSource: 'file:', scriptUri: script, styleUri: pathToFileURL(join(ROOT, 'media/run-view.css')).href }));
    await v.post(RunViewInit.make({ mode: 'compare', title: 'Compare runs', host: null, runId: null }));
    const row = (runId: string, execAccuracy?: number, execStale?: string) => ({ host: 'local', runId, status: 'done', modality: 'lora', supervision: 'dss', rank: '8', lr: '2e-4', exactMatch: 0.5, ...(execAccuracy === undefined ? {} : { execAccuracy }), ...(execStale ? { execStale } : {}) });
    await v.post(CompareTable.make({ rows: [row('scored', 0.75), row('unscored'), row('elsewhere', 0.6, 'scored on index orders, the active index is shop')] }));
    await v.page.waitForSelector('button.sort[data-key="execAccuracy"]');
    const cell = async (runId: string) => {
      const index = await v.page.locator('.compare-table thead th').evaluateAll((ths) => ths.findIndex((th) => th.querySelector('[data-key="execAccuracy"]')));
      return v.page.locator(`.compare-table tbody tr[data-run="${runId}"] td`).nth(index).innerText();
    };
    assert.equal(await cell('scored'), '75.0%');
    assert.equal(await cell('unscored'), '—');
    assert.equal(await cell('elsewhere'), '60.0% (stale)');
    assert.equal(await v.page.locator('.compare-table tbody tr[data-run="elsewhere"] td[data-stale="true"]').getAttribute('title'), 'scored on index orders, the active index is shop');
    assert.equal(await v.page.locator('.compare-table tbody tr[data-run="scored"] td[data-stale]').count(), 0);
    assert.deepEqual(v.errors, []);
  });
});
