// Elasticsearch in a real VS Code (code-server + headless Chromium) against a real local node
// seeded with the examples' orders: "▶ Run on local" on a .querydsl body shows the cluster's hits in
// the results webview, and Ctrl+Enter on a body the cluster refuses puts the cluster's error in
// the Problems view. The workspace's distillery.json points its "local" cluster at the test's node.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { noSecrets, ReadOnlyCluster, resolveCluster } from '../../src/core/elasticsearch';
import { engineUnavailable, examplesSeed, startEngine, type TestEngine } from '../helpers/es-engine';
import { findExtensionLog, findFrame, openFile, openWorkbench, runCommand, screenshotOnFailure, waitFor, waitForActivation, type Workbench } from './harness';

const unavailable = engineUnavailable();

const SHIPPED = '{\n  "query": { "term": { "status": "shipped" } },\n  "size": 5\n}\n';
// A terms aggregation on a text field: Elasticsearch refuses it (fielddata is disabled on text fields).
const BAD_FIELD = '{\n  "size": 0,\n  "aggs": {\n    "by_note": { "terms": { "field": "notes" } }\n  }\n}\n';

describe('Elasticsearch in VS Code (code-server, local engine)', { skip: unavailable ? `no local Elasticsearch: ${unavailable}` : false, timeout: 420_000 }, () => {
  let engine: TestEngine;
  let wb: Workbench;
  // A second cluster that needs an API key: a small HTTP server answering _search as Elasticsearch
  // does (with its product header, which the official client checks) and recording each request's headers.
  let secured: Server;
  const securedRequests: IncomingHttpHeaders[] = [];

  before(async () => {
    secured = createServer((req, res) => {
      securedRequests.push(req.headers);
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch' });
      res.end(JSON.stringify({ took: 3, timed_out: false, _shards: { total: 1, successful: 1, skipped: 0, failed: 0 }, hits: { total: { value: 42, relation: 'eq' }, max_score: 1, hits: [{ _index: 'orders', _id: 'from-secured', _score: 1, _source: { status: 'shipped' } }] } }));
    });
    await new Promise<void>((resolve) => secured.listen(0, '127.0.0.1', resolve));
    const securedUrl = `http://127.0.0.1:${(secured.address() as AddressInfo).port}`;
    engine = await startEngine({ seed: examplesSeed() });
    wb = await openWorkbench({
      name: 'elasticsearch',
      prepareWorkspace(dir) {
        const file = join(dir, 'distillery.json');
        const project = JSON.parse(readFileSync(file, 'utf8')) as { clusters: { name: string; url: string; index: string }[] };
        project.clusters = [{ name: 'local', url: engine.url, index: 'orders' }, { name: 'secured', url: securedUrl, index: 'orders' }];
        writeFileSync(file, JSON.stringify(project, null, 2) + '\n');
        writeFileSync(join(dir, 'shipped.querydsl'), SHIPPED);
        writeFileSync(join(dir, 'bad-field.querydsl'), BAD_FIELD);
      },
    });
    await waitForActivation(wb);
  });

  afterEach(screenshotOnFailure(() => wb));

  after(async () => {
    await wb?.close();
    await engine?.stop();
    await new Promise((resolve) => secured?.close(resolve));
  });

  it('"▶ Run on local" on a .querydsl body shows the hits in the results view', async () => {
    const { page } = wb;
    await openFile(page, 'shipped.querydsl');
    const lens = page.locator('.contentWidgets .codelens-decoration a, .codelens-decoration a', { hasText: 'Run on local' }).first();
    await lens.waitFor({ timeout: 30_000 });
    await lens.click();
    const frame = await findFrame(page, '.query-results .summary .total', 'the results view to show a total', 60_000);
    const shown = Number(await frame.locator('.summary .total').getAttribute('data-total'));
    const cluster = await ReadOnlyCluster.connect(resolveCluster(engine.url, []), noSecrets);
    const expected = await cluster.count('orders', { term: { status: 'shipped' } }).finally(() => cluster.close());
    assert.ok(expected > 0, 'the seed has shipped orders');
    assert.equal(shown, expected);
    const hits = frame.locator('section.result-table[data-title="hits"]');
    const headers = await hits.locator('th').allInnerTexts();
    const statusColumn = headers.indexOf('status');
    assert.ok(statusColumn > 0, `hits columns: ${headers.join(', ')}`);
    const rows = hits.locator('tbody tr');
    assert.equal(await rows.count(), 5);
    assert.equal((await rows.first().locator('td').nth(statusColumn).innerText()).trim(), 'shipped');
    await wb.screenshot('run-results');
  });

  it('Ctrl+Enter on a body the cluster refuses puts its error in the Problems view', async () => {
    const { page } = wb;
    await openFile(page, 'bad-field.querydsl');
    await page.locator('.monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+Enter');
    const frame = await findFrame(page, '.query-results[data-state="error"]', 'the results view to show the cluster error', 60_000);
    assert.match(await frame.locator('.error').innerText(), /notes/);
    await page.keyboard.press('Control+Shift+M');
    const problem = page.locator('.markers-panel .monaco-list-row').filter({ hasText: /cluster "local" rejects this/ }).first();
    await problem.waitFor({ timeout: 30_000 });
    const text = await problem.innerText();
    assert.match(text, /notes/);
    assert.match(text, /cluster-rejected/);
    // Placed on the field name the reason names: line 4 of the file, where "notes" is.
    await waitFor('the problem to sit on line 4 (the "notes" value)', async () => /\[Ln 4, Col \d+\]/.test(await problem.innerText()), 10_000);
    await wb.screenshot('cluster-error');
    // The cluster spoke about the text it was sent: an edit clears its word (the static checks stay).
    await page.locator('.monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type(' ');
    await waitFor('the cluster problem to be cleared by the edit', async () => (await problem.count()) === 0, 15_000);
  });

  it('"Pull Mapping from Cluster" writes the mapping file from the cluster and keeps the previous one', async () => {
    const { page } = wb;
    const mappingFile = join(wb.workspace, 'mapping.json');
    await runCommand(page, 'Distillery: Pull Mapping from Cluster');
    const pulled = await waitFor('mapping.json to be rewritten from the cluster', () => {
      const json = JSON.parse(readFileSync(mappingFile, 'utf8')) as { mappings?: { properties?: Record<string, unknown> }; _distillery?: { pulledFrom: { cluster: string; index: string } } };
      return json._distillery ? json : undefined;
    }, 60_000);
    assert.deepEqual(pulled._distillery!.pulledFrom.cluster, 'local');
    assert.ok(pulled.mappings?.properties?.['status'], 'the pulled mapping has the orders fields');
    // The engine drops the example's scripted runtime field, so the fields differ: drift keeps the old file.
    await waitFor('mapping.previous.json to be kept', () => existsSync(join(wb.workspace, 'mapping.previous.json')), 15_000);
    // q-000022 aggregates on that runtime field: the drift list names it, and picking it opens its line.
    const broken = page.locator('.quick-input-widget .monaco-list-row', { hasText: 'q-000022' }).first();
    await broken.waitFor({ timeout: 30_000 });
    assert.match(await broken.innerText(), /order_hour/);
    await wb.screenshot('pull-mapping');
    await page.keyboard.press('Enter');
    await page.locator('.tabs-container .tab[aria-label^="dataset.dss.jsonl"]').first().waitFor({ timeout: 15_000 });
    await waitFor('the cursor on line 22 of the dataset', async () => /Ln 22,/.test(await page.locator('.statusbar').innerText()), 10_000);
  });

  it('an API key set with "Set Elasticsearch Credentials" goes to the cluster and nowhere else', async () => {
    const { page } = wb;
    const key = 'c2VjcmV0LWtleS1mb3ItdGVzdHM=';
    await runCommand(page, 'Distillery: Select Elasticsearch Cluster');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'secured' }).first().waitFor({ timeout: 10_000 });
    await input.fill('secured');
    await page.keyboard.press('Enter');
    await runCommand(page, 'Distillery: Set Elasticsearch Credentials');
    // Two clusters: which one first, then how.
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'secured' }).first().waitFor({ timeout: 10_000 });
    await input.fill('secured');
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'API key' }).first().waitFor({ timeout: 10_000 });
    await input.fill('API key');
    await page.keyboard.press('Enter');
    await waitFor('the API key input box (a password box)', async () => (await input.getAttribute('type')) === 'password', 10_000);
    await input.fill(key);
    await page.keyboard.press('Enter');
    await page.locator('.notifications-toasts', { hasText: 'credentials for "secured" saved' }).first().waitFor({ timeout: 15_000 });
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
    // Only shipped.querydsl open, so the lens clicked is its own (the dataset has lenses too).
    await runCommand(page, 'View: Close All Editors');
    await waitFor('every editor to close', async () => (await page.locator('.tabs-container .tab').count()) === 0, 10_000);
    // From the Explorer: Quick Open's Enter can still act on the recent-files row it showed first.
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'shipped.querydsl' }).first().dblclick();
    await page.locator('.tabs-container .tab[aria-label^="shipped.querydsl"]').first().waitFor({ timeout: 15_000 });
    const lens = page.locator('.editor-instance .codelens-decoration a', { hasText: 'Run on secured' }).first();
    await lens.waitFor({ timeout: 30_000 });
    await lens.click();
    await waitFor('the secured cluster to receive a search with the API key', () => securedRequests.some((h) => h.authorization === `ApiKey ${key}`), 30_000);
    const frame = await findFrame(page, '.query-results .summary .total[data-total="42"]', 'the results view to show the secured cluster\'s 42 hits', 30_000);
    assert.equal(await frame.locator('section[data-title="hits"] tbody td').first().innerText(), 'from-secured');
    // Never in a file of the workspace or in the extension's log.
    for (const file of ['distillery.json', 'shipped.querydsl']) assert.ok(!readFileSync(join(wb.workspace, file), 'utf8').includes(key), `${file} holds the key`);
    const log = findExtensionLog(wb);
    assert.ok(log && !readFileSync(log, 'utf8').includes(key), 'the log holds the key');
    await wb.screenshot('secured-run');
  });
});
