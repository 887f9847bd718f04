// A mismatched prediction's results side by side, in real headless Chromium with the results
// view's real HTML and CSP, rendered from two real responses of a real Elasticsearch node (the
// shop seed: shipped = ids 1–5, pending = 6–9), and the run view's "Compare results on <cluster>"
// action that asks the host for it. A stand-in for acquireVsCodeApi hands messages to the test.
import assert from 'node:assert/strict';
import * as esbuild from 'esbuild';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { noSecrets, ReadOnlyCluster, resolveCluster, summarizeExec } from '../../src/core/elasticsearch';
import { compareBodies } from '../../src/extension/elasticsearch/result-comparison';
import { renderWebviewHtml } from '../../src/extension/panel/html';
import { execPairsFrom, withExecution } from '../../src/extension/runs/exec-scoring';
import { predictionRows } from '../../src/extension/runs/predictions';
import { renderRunViewHtml } from '../../src/extension/runs/run-view-html';
import { ShowResultComparison } from '../../src/shared/query-results-protocol';
import { Predictions, RunViewInit } from '../../src/shared/run-view-protocol';
import { engineUnavailable, sharedEngine, type TestEngine } from '../helpers/es-engine';
import { writeShopSeed } from '../elasticsearch/shop-seed';
import { ARTIFACTS, launchChromium, ROOT } from '../webview/harness';
import { STAND_IN, waitUntil } from './stand-in';

const skip = engineUnavailable();

interface Loaded {
  page: Page;
  toHost: { method?: string; params?: unknown }[];
  csp: string[];
  errors: string[];
  post(m: unknown): Promise<void>;
}

describe('mismatched results side by side', { timeout: 180_000, skip }, () => {
  let context: BrowserContext;
  let dir: string;
  let seedDir: string;
  let es: TestEngine;
  let cluster: ReadOnlyCluster;

  async function load(entry: string, html: (script: string) => string): Promise<Loaded> {
    const outfile = join(dir, `${entry.replace(/\W+/g, '-')}.js`);
    await esbuild.build({ entryPoints: [join(ROOT, entry)], outfile, bundle: true, format: 'iife', platform: 'browser', target: 'es2022', logLevel: 'warning' });
    const file = join(dir, `${entry.replace(/\W+/g, '-')}.html`);
    writeFileSync(file, html(pathToFileURL(outfile).href));
    const page = await context.newPage();
    page.setDefaultTimeout(8000);
    const loaded: Loaded = { page, toHost: [], csp: [], errors: [], post: (m) => page.evaluate((msg) => window.postMessage(msg, '*'), m) };
    page.on('pageerror', (e) => loaded.errors.push(e.message));
    await page.exposeBinding('__toHost', (_s, m: { method?: string }) => loaded.toHost.push(m));
    await page.exposeBinding('__csp', (_s, what: string) => loaded.csp.push(what));
    await page.addInitScript({ content: STAND_IN });
    await page.goto(pathToFileURL(file).href);
    await page.waitForFunction(() => document.readyState === 'complete');
    return loaded;
  }

  const resultsView = () =>
    load('src/webview/query-results/main.ts', (script) =>
      renderWebviewHtml({ cspSource: 'file:', scriptUri: script, styleUri: pathToFileURL(join(ROOT, 'media/query-results.css')).href, title: 'Query Results', appClass: 'query-results' }),
    );

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'distillery-side-by-side-'));
    mkdirSync(ARTIFACTS, { recursive: true });
    seedDir = writeShopSeed();
    [es, context] = await Promise.all([sharedEngine({ seed: seedDir }), launchChromium()]);
    cluster = await ReadOnlyCluster.connect(resolveCluster(es.url, []), noSecrets);
  });

  after(async () => {
    await cluster?.close();
    await context?.close();
    await es?.stop();
    for (const d of [dir, seedDir]) if (d) rmSync(d, { recursive: true, force: true });
  });

  it('shows gold and prediction results in two columns with the differing part named, and asks for the gold record', async () => {
    const gold = { query: { term: { status: 'shipped' } }, sort: [{ price: 'asc' }], aggs: { by_seller: { terms: { field: 'seller.name' } } } };
    const prediction = { query: { term: { status: 'pending' } }, sort: [{ price: 'asc' }], aggs: { by_seller: { terms: { field: 'seller.name' } } } };
    const comparison = await compareBodies(cluster, 'shop', 'q-17', JSON.stringify(gold, null, 2), JSON.stringify(prediction, null, 2));
    assert.equal(comparison.verdict, 'mismatch');
    assert.equal(comparison.reason, 'total differs: gold 5, prediction 4');

    const v = await resultsView();
    await waitUntil(() => v.toHost.some((m) => m.method === 'queryResultsReady'), 'the view to say it is ready');
    await v.post(ShowResultComparison.make(comparison));
    await v.page.waitForSelector('#app[data-layout="side-by-side"] .column[data-side="prediction"] .summary');
    assert.equal(await v.page.locator('.comparison-head .verdict').innerText(), 'Different results');
    assert.equal(await v.page.locator('.comparison-head .reason').innerText(), 'total differs: gold 5, prediction 4');
    assert.equal(await v.page.locator('.column[data-side="gold"] .total').getAttribute('data-total'), '5');
    assert.equal(await v.page.locator('.column[data-side="prediction"] .total').getAttribute('data-total'), '4');
    const ids = (side: string) => v.page.locator(`.column[data-side="${side}"] section[data-title="hits"] tbody tr td:first-child`).allInnerTexts();
    assert.deepEqual(await ids('gold'), ['1', '2', '3', '4', '5']);
    assert.deepEqual(await ids('prediction'), ['6', '7', '8', '9']);
    // The hits table shows the fields the body touches; the aggregation has one table per side.
    assert.ok((await v.page.locator('.column[data-side="gold"] section[data-title="hits"] th').allInnerTexts()).includes('status'));
    const buckets = (side: string) => v.page.locator(`.column[data-side="${side}"] section.result-table:not([data-title="hits"]) tbody tr`).allInnerTexts();
    // Sellers: acme holds ids 1–6, globex 7–12.
    assert.deepEqual((await buckets('gold')).map((r) => r.split('\t').slice(0, 2)), [['acme', '5']]);
    assert.deepEqual((await buckets('prediction')).map((r) => r.split('\t').slice(0, 2)), [['globex', '3'], ['acme', '1']]);
    // The two columns really sit side by side.
    const [left, right] = await v.page.locator('.column').evaluateAll((cs) => cs.map((c) => c.getBoundingClientRect().left));
    assert.ok(right! > left! + 100, `prediction column at x=${right}, gold at x=${left}: not side by side`);
    await v.page.screenshot({ path: join(ARTIFACTS, 'query-results-side-by-side.png'), fullPage: true });

    await v.page.click('.comparison-head .reveal');
    await waitUntil(() => v.toHost.some((m) => m.method === 'queryResultsRevealGold'), 'the reveal request');
    assert.deepEqual(v.toHost.find((m) => m.method === 'queryResultsRevealGold')?.params, { id: 'q-17' });

    // A prediction the cluster refuses: its column shows the cluster's reason; same ids but another order under a sorting gold is named too.
    const refused = await compareBodies(cluster, 'shop', 'q-18', JSON.stringify(gold), JSON.stringify({ query: { no_such_query: {} } }));
    assert.equal(refused.verdict, 'predictionError');
    await v.post(ShowResultComparison.make(refused));
    await v.page.waitForSelector('.column[data-side="prediction"][data-state="error"] .error');
    assert.match(await v.page.locator('.column[data-side="prediction"] .error').innerText(), /no_such_query/);
    assert.equal(await v.page.locator('.column[data-side="gold"] .total').getAttribute('data-total'), '5');
    const reordered = await compareBodies(cluster, 'shop', 'q-19', JSON.stringify(gold), JSON.stringify({ ...gold, sort: [{ price: 'desc' }] }));
    assert.equal(reordered.verdict, 'mismatch');
    assert.match(reordered.reason ?? '', /another order/);

    await v.post({ method: 'showResultComparison', params: { id: 'x', verdict: 'mismatch' } });
    await v.page.waitForFunction(() => document.documentElement.dataset['rejectedMessages'] === '1');
    assert.match(await v.page.locator('.column[data-side="prediction"] .error').innerText(), /no_such_query/, 'a malformed message changes nothing');
    assert.deepEqual(v.csp, []);
    assert.deepEqual(v.errors, []);
  });

  it('the run view offers "Compare results on <cluster>" only where results differ, and asks the host for that record', async () => {
    const v = await load('src/webview/run-view.ts', (script) => renderRunViewHtml({ cspSource: 'file:', scriptUri: script, styleUri: pathToFileURL(join(ROOT, 'media/run-view.css')).href }));
    await v.post(RunViewInit.make({ mode: 'run', title: 'r1', host: 'local', runId: 'r1' }));
    const shipped = JSON.stringify({ query: { term: { status: 'shipped' } } });
    const jsonl = [
      JSON.stringify({ id: 'same', question: 'shipped', prediction: JSON.stringify({ query: { match: { status: 'shipped' } } }), gold: shipped }),
      JSON.stringify({ id: 'other', question: 'shipped', prediction: JSON.stringify({ query: { term: { status: 'pending' } } }), gold: shipped }),
    ].join('\n');
    const rows = predictionRows(jsonl);
    const { rowOf } = execPairsFrom(jsonl);
    const records = [{ id: 'same', exec: 'match' as const }, { id: 'other', exec: 'mismatch' as const, reason: 'total differs: gold 5, prediction 4' }];
    const merged = withExecution(rows, { summary: summarizeExec(records), records }, rowOf);
    await v.post(Predictions.make({ source: 'outputs/predictions.jsonl', summary: merged.summary, rows: merged.rows, truncated: 0, execCluster: 'local' }));
    await v.page.waitForSelector('.prediction[data-id="other"] .compare-results');
    assert.equal(await v.page.locator('.prediction[data-id="other"] .compare-results').innerText(), 'Compare results on local');
    assert.equal(await v.page.locator('.prediction[data-id="same"] .compare-results').count(), 0);
    await v.page.click('.prediction[data-id="other"] .compare-results');
    await waitUntil(() => v.toHost.some((m) => m.method === 'compareResults'), 'the compare request');
    assert.deepEqual(v.toHost.find((m) => m.method === 'compareResults')?.params, { id: 'other' });
    assert.deepEqual(v.csp, []);
    assert.deepEqual(v.errors, []);
  });
});
