// The run view in real headless Chromium: the bundled app (src/webview/run-view.ts), the real HTML
// and CSP (renderRunViewHtml), and a stand-in for `acquireVsCodeApi` that hands messages to the
// test. A stream of runner events goes through the host's own path (pointFromEvent → RunEvents);
// the polylines must gain points, hostile names must stay text, malformed messages must be dropped.
import assert from 'node:assert/strict';
import * as esbuild from 'esbuild';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { renderRunViewHtml } from '../../src/extension/runs/run-view-html';
import { predictionRows } from '../../src/extension/runs/predictions';
import { CompareTable, Predictions, RunEvents, RunStatusMsg, RunViewInit, type ChartPoint } from '../../src/shared/run-view-protocol';
import { pointFromEvent } from '../../src/webview/run-view/series';
import { ARTIFACTS, launchChromium, ROOT } from '../webview/harness';

const XSS_RUN = '<script>window.__xss = "run"</script><img src=x onerror="window.__xss=1">';

async function bundle(dir: string): Promise<string> {
  const outfile = join(dir, 'run-view.js');
  await esbuild.build({ entryPoints: [join(ROOT, 'src/webview/run-view.ts')], outfile, bundle: true, format: 'iife', platform: 'browser', target: 'es2022', logLevel: 'warning', sourcemap: 'inline' });
  return outfile;
}

const STAND_IN = `
(() => {
  let state;
  window.acquireVsCodeApi = () => ({
    postMessage: (m) => window.__toHost(m),
    getState: () => state,
    setState: (s) => { state = s; },
  });
  document.addEventListener('securitypolicyviolation', (e) => window.__csp(e.violatedDirective + ' ' + e.blockedURI));
})();
`;

function stepEvents(from: number, to: number): ChartPoint[] {
  const out: ChartPoint[] = [];
  for (let s = from; s <= to; s++) {
    const line = JSON.stringify({ event: 'step', step: s, loss: 2 / Math.sqrt(s), lossLabel: 1.5 / Math.sqrt(s), lossRationale: 2.5 / Math.sqrt(s), lr: 2e-4 * Math.min(1, s / 20), gpuMemGiB: 11 + (s % 5) * 0.1 });
    out.push(pointFromEvent(JSON.parse(line) as { event: string })!);
    if (s % 50 === 0) out.push(pointFromEvent({ event: 'eval', step: s, valLoss: 1 / Math.sqrt(s), exactMatch: Math.min(0.9, s / 300), validDsl: 0.95 })!);
  }
  return out;
}

describe('run view in Chromium', { timeout: 60_000 }, () => {
  let context: BrowserContext;
  let page: Page;
  let dir: string;
  const toHost: unknown[] = [];
  const csp: string[] = [];
  const errors: string[] = [];

  const post = (m: unknown) => page.evaluate((msg) => window.postMessage(msg, '*'), m);
  const count = (series: string) => page.locator(`polyline[data-series="${series}"]`).evaluate((e) => (e.getAttribute('points') ?? '').split(' ').filter(Boolean).length);
  const until = async (check: () => Promise<boolean>, what: string, ms = 5000) => {
    const end = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await page.waitForTimeout(10);
    }
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'distillery-run-view-'));
    const script = await bundle(dir);
    const html = renderRunViewHtml({ cspSource: 'file:', scriptUri: pathToFileURL(script).href, styleUri: pathToFileURL(join(ROOT, 'media/run-view.css')).href });
    writeFileSync(join(dir, 'run-view.html'), html);
    context = await launchChromium();
    page = await context.newPage();
    page.setDefaultTimeout(8000);
    await page.setViewportSize({ width: 1100, height: 900 });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.exposeBinding('__toHost', (_s, m: unknown) => toHost.push(m));
    await page.exposeBinding('__csp', (_s, what: string) => csp.push(what));
    await page.addInitScript({ content: STAND_IN });
    await page.goto(pathToFileURL(join(dir, 'run-view.html')).href);
    await until(async () => toHost.some((m) => (m as { method?: string }).method === 'ready'), 'ready');
  });

  after(async () => {
    await context?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('draws a live chart that gains points as step events stream in', async () => {
    await post(RunViewInit.make({ mode: 'run', title: XSS_RUN, host: 'gpu-box', runId: XSS_RUN }));
    await post(RunStatusMsg.make({ status: 'running', message: null }));
    await post(RunEvents.make({ reset: true, points: stepEvents(1, 20) }));
    await page.waitForSelector('.chart[data-last-step="20"]');
    const first = await count('loss');
    assert.equal(first, 20);
    let last = first;
    for (let batch = 1; batch <= 10; batch++) {
      await post(RunEvents.make({ reset: false, points: stepEvents(20 * batch + 1, 20 * (batch + 1)) }));
      await page.waitForSelector(`.chart[data-last-step="${20 * (batch + 1)}"]`);
      const now = await count('loss');
      assert.ok(now > last, `batch ${batch}: ${now} > ${last}`);
      last = now;
    }
    assert.equal(last, 220);
    assert.equal(await count('lr'), 220);
    assert.equal(await count('gpuMemGiB'), 220);
    assert.equal(await count('exactMatch'), 4);
    assert.equal(await count('valLoss'), 4);
    assert.match(await page.locator('.legend-item[data-series="loss"]').innerText(), /loss 0\.13/);
    assert.equal(await page.locator('.status').getAttribute('data-status'), 'running');
  });

  it('shows a <script> in a run name as text, never as markup', async () => {
    assert.equal(await page.locator('.title').innerText(), XSS_RUN);
    assert.equal(await page.locator('.head script, .head img').count(), 0);
    assert.equal(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss), undefined);
  });

  it('drops malformed messages and keeps drawing', async () => {
    await post({ method: 'events', params: { reset: true, points: [{ kind: 'step', step: 1, values: { loss: 'NaN' } }] } });
    await post({ method: 'nope', params: {} });
    await page.waitForSelector('html[data-rejected-messages="2"]');
    assert.equal(await count('loss'), 220);
    const warnings = toHost.filter((m) => (m as { method?: string }).method === 'log');
    assert.equal(warnings.length, 2);
  });

  it('shows predictions next to gold and asks the host to reveal the gold record', async () => {
    const gold = { query: { term: { status: 'paid' } } };
    const jsonl = [
      JSON.stringify({ id: 'q-1', question: 'paid ones', prediction: JSON.stringify(gold), gold: JSON.stringify(gold) }),
      JSON.stringify({ id: 'q-2', question: '<img src=x onerror="window.__xss=2">', prediction: '{"query":{"mtach":{"status":"paid"}}}', gold: JSON.stringify(gold) }),
    ].join('\n');
    const r = predictionRows(jsonl);
    await post(Predictions.make({ source: 'outputs/predictions.jsonl', summary: r.summary, rows: r.rows, truncated: r.truncated }));
    await page.waitForSelector('.prediction[data-id="q-2"][data-valid="false"]');
    assert.match(await page.locator('.prediction[data-id="q-2"] .errors').innerText(), /mtach/);
    assert.equal(await page.locator('.prediction[data-id="q-2"] .question').innerText(), '<img src=x onerror="window.__xss=2">');
    await page.selectOption('.predictions select', 'wrong');
    await until(async () => (await page.locator('.prediction').count()) === 1, 'filter to the wrong one');
    await page.locator('.prediction[data-id="q-2"] .reveal').click();
    await until(async () => toHost.some((m) => JSON.stringify(m) === JSON.stringify({ method: 'revealGold', params: { id: 'q-2' } })), 'revealGold');
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'run-view.png'), fullPage: true });
  });

  it('has no CSP violations or page errors', () => {
    assert.deepEqual(csp, []);
    assert.deepEqual(errors, []);
    assert.equal(toHost.filter((m) => (m as { method?: string }).method === 'log').length, 2);
  });

  it('keeps at most 2,000 points per polyline on a long run', async () => {
    await post(RunEvents.make({ reset: true, points: [] }));
    for (let from = 1; from <= 12_000; from += 3000) await post(RunEvents.make({ reset: false, points: stepEvents(from, from + 2999) }));
    await page.waitForSelector('.chart[data-last-step="12000"]');
    const kept = await count('loss');
    assert.ok(kept <= 2000 && kept >= 1000, `kept ${kept}`);
    assert.match(await page.locator('.tick:text("step 12000")').first().innerHTML(), /12000/);
  });

  it('switches to the comparison table and sorts it by clicking a header', async () => {
    const row = (runId: string, modality: string, rank: string, exactMatch: number) => ({ host: 'gpu', runId, status: 'done', modality, supervision: 'dss', rank, lr: '2e-4', exactMatch, validDsl: 0.9, peakMemGiB: 12, wallSec: 900 });
    await post(RunViewInit.make({ mode: 'compare', title: 'Compare runs', host: null, runId: null }));
    await post(CompareTable.make({ rows: [row('r-a', 'qlora', '8', 0.5), row('r-b', 'full', '—', 0.7), row('r-c', 'lora', '16', 0.6)] }));
    const order = () => page.locator('.compare-table tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-run')));
    await until(async () => (await order()).length === 3, 'table rows');
    assert.deepEqual(await order(), ['r-b', 'r-c', 'r-a']);
    assert.equal(await page.locator('td.best').innerText(), '70.0%');
    await page.locator('button.sort[data-key="modality"]').click();
    await until(async () => (await order()).join() === 'r-b,r-c,r-a' && (await page.locator('th[aria-sort="ascending"] button[data-key="modality"]').count()) === 1, 'sorted by modality');
    await page.locator('button.sort[data-key="exactMatch"]').click();
    await until(async () => (await order()).join() === 'r-b,r-c,r-a', 'sorted by exact match, descending');
    await page.locator('button.sort[data-key="exactMatch"]').click();
    await until(async () => (await order()).join() === 'r-a,r-c,r-b', 'sorted by exact match, ascending');
  });
});
