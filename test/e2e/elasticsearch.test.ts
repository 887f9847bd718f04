// Elasticsearch in a real VS Code (code-server + headless Chromium) against a real local node
// seeded with the examples' orders: "▶ Run on local" on a .querydsl body shows the cluster's hits in
// the results webview, and Ctrl+Enter on a body the cluster refuses puts the cluster's error in
// the Problems view. The workspace's distillery.json points its "local" cluster at the test's node.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { noSecrets, ReadOnlyCluster, resolveCluster } from '../../src/core/elasticsearch';
import { engineUnavailable, examplesSeed, startEngine, type TestEngine } from '../helpers/es-engine';
import { findFrame, openFile, openWorkbench, screenshotOnFailure, waitFor, waitForActivation, type Workbench } from './harness';

const unavailable = engineUnavailable();

const SHIPPED = '{\n  "query": { "term": { "status": "shipped" } },\n  "size": 5\n}\n';
// A terms aggregation on a text field: Elasticsearch refuses it (fielddata is disabled on text fields).
const BAD_FIELD = '{\n  "size": 0,\n  "aggs": {\n    "by_note": { "terms": { "field": "notes" } }\n  }\n}\n';

describe('Elasticsearch in VS Code (code-server, local engine)', { skip: unavailable ? `no local Elasticsearch: ${unavailable}` : false, timeout: 420_000 }, () => {
  let engine: TestEngine;
  let wb: Workbench;

  before(async () => {
    engine = await startEngine({ seed: examplesSeed() });
    wb = await openWorkbench({
      name: 'elasticsearch',
      prepareWorkspace(dir) {
        const file = join(dir, 'distillery.json');
        const project = JSON.parse(readFileSync(file, 'utf8')) as { clusters: { name: string; url: string; index: string }[] };
        project.clusters = [{ name: 'local', url: engine.url, index: 'orders' }];
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
});
