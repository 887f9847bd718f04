// The review panel's Run and Run all against a real Elasticsearch node seeded with the examples'
// orders, in real headless Chromium (the panel harness with the host's cluster hook): the list
// gains a hits column, "Returns nothing" and "Cluster error" filter on it, and Run in the detail
// shows hits and took inline.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext } from 'playwright-core';
import { noSecrets, ReadOnlyCluster, resolveCluster } from '../../src/core/elasticsearch';
import { runRecords } from '../../src/extension/elasticsearch/run-records';
import { engineUnavailable, examplesSeed, sharedEngine, type TestEngine } from '../helpers/es-engine';
import { ARTIFACTS, launchChromium, openPanel, recordLine, type PanelPage } from '../webview/harness';

const unavailable = engineUnavailable();

describe('review panel Run / Run all on the local engine', { skip: unavailable ? `no local Elasticsearch: ${unavailable}` : false, timeout: 240_000 }, () => {
  let engine: TestEngine;
  let cluster: ReadOnlyCluster;
  let context: BrowserContext;
  let p: PanelPage;
  const sentBodies: number[] = [];

  before(async () => {
    engine = await sharedEngine({ seed: examplesSeed() });
    cluster = await ReadOnlyCluster.connect(resolveCluster(engine.url, []), noSecrets);
    context = await launchChromium();
    p = await openPanel(context, {
      datasetText: [
        recordLine('shipped', { dsl: { query: { term: { status: 'shipped' } } } }),
        recordLine('nothing', { dsl: { query: { term: { status: 'teleported' } } } }),
        recordLine('refused', { dsl: { size: 0, aggs: { by_note: { terms: { field: 'notes' } } } } }),
        recordLine('no-dsl', { dsl: null, status: 'pending' }),
      ].join('\n') + '\n',
      runOnCluster: async (records, options) => {
        sentBodies.push(records.length);
        return { cluster: 'local/orders', outcomes: await runRecords(cluster, 'orders', records, options) };
      },
    });
  });

  after(async () => {
    await p?.close();
    await context?.close();
    await cluster?.close();
    await engine?.stop();
  });

  it('Run all fills the hits column; the filters keep the records that return nothing or that the cluster refuses', async () => {
    const { page } = p;
    await page.waitForSelector('.row[data-id="shipped"]');
    await page.locator('.cluster-run-all').click();
    await page.waitForFunction(() => /^Ran 3 on local\/orders/.test(document.querySelector('.cluster-status')?.textContent ?? ''));
    assert.match(await page.locator('.cluster-status').innerText(), /1 return nothing, 1 cluster error$/);
    const shippedCount = await cluster.count('orders', { term: { status: 'shipped' } });
    await page.waitForSelector(`.row[data-id="shipped"][data-cluster="${shippedCount} hits"]`);
    assert.equal(await page.locator('.row[data-id="nothing"]').getAttribute('data-cluster'), '0 hits');
    assert.equal(await page.locator('.row[data-id="refused"]').getAttribute('data-cluster'), 'cluster error');
    assert.equal(await page.locator('.row[data-id="no-dsl"]').getAttribute('data-cluster'), null, 'a record without DSL is not sent');
    await page.screenshot({ path: join(ARTIFACTS, 'panel-run-all.png') });

    await page.locator('.cluster-filter-nothing').click();
    await page.waitForFunction(() => document.querySelectorAll('.row[data-id]:not([data-id=""])').length === 1);
    assert.equal(await page.locator('.row[data-id]:not([data-id=""])').first().getAttribute('data-id'), 'nothing');
    await page.locator('.cluster-filter-error').click();
    await page.waitForFunction(() => document.querySelectorAll('.row[data-id]:not([data-id=""])').length === 2);
    await page.locator('.cluster-filter-nothing').click();
    await page.locator('.cluster-filter-error').click();
    await page.waitForFunction(() => document.querySelectorAll('.row[data-id]:not([data-id=""])').length === 4);
  });

  it('Run all over many records shows its progress and can be cancelled; what came back is kept', async () => {
    // A cluster that takes 400 ms per _msearch batch (of 50), so the run can be watched and stopped.
    let batches = 0;
    const slow = Object.create(cluster) as ReadOnlyCluster;
    slow.msearch = async (index, bodies, options) => {
      batches++;
      await new Promise((resolve) => setTimeout(resolve, 400));
      return cluster.msearch(index, bodies, options);
    };
    const count = 260;
    const many = await openPanel(context, {
      datasetText: Array.from({ length: count }, (_, i) => recordLine(`r-${i}`, { dsl: { query: { term: { status: i % 2 ? 'shipped' : 'teleported' } } } })).join('\n') + '\n',
      runOnCluster: async (records, options) => ({ cluster: 'local/orders', outcomes: await runRecords(slow, 'orders', records, options) }),
    });
    try {
      const { page } = many;
      await page.waitForSelector('.row[data-id="r-0"]');
      await page.locator('.cluster-run-all').click();
      await page.waitForFunction(() => /^Running… 50 of 260$/.test(document.querySelector('.cluster-status')?.textContent ?? ''));
      assert.ok(await page.locator('.cluster-cancel').isVisible(), 'Cancel shows while the run goes');
      assert.ok(await page.locator('.cluster-run-all').isDisabled(), 'Run all waits for the run in progress');
      await page.screenshot({ path: join(ARTIFACTS, 'panel-run-all-progress.png') });
      await page.locator('.cluster-cancel').click();
      await page.waitForFunction(() => /^Cancelled after \d+ on local\/orders: \d+ return nothing, 0 cluster errors$/.test(document.querySelector('.cluster-status')?.textContent ?? ''));
      const status = await page.locator('.cluster-status').innerText();
      const kept = Number(/after (\d+)/.exec(status)![1]);
      assert.ok(kept >= 50 && kept < count, `${kept} of ${count} kept`);
      assert.equal(batches, kept / 50, 'no batch was sent after the cancel');
      assert.equal(await page.locator('.row[data-id="r-1"]').getAttribute('data-cluster') !== null, true, 'the first batch\'s hits are in the list');
      assert.equal(await page.locator('.cluster-cancel').isVisible(), false);
      assert.equal(await page.locator('.cluster-run-all').isDisabled(), false, 'Run all is available again');
      assert.deepEqual(many.cspViolations, []);
    } finally {
      await many.close();
    }
  });

  it('Run in the detail shows hits and took, or the cluster\'s reason', async () => {
    const { page } = p;
    await page.locator('.row[data-id="refused"]').click();
    await page.locator('.cluster-run').click();
    await page.waitForFunction(() => /Fielddata is disabled on \[notes\]/.test(document.querySelector('.cluster-outcome')?.textContent ?? ''));
    await page.locator('.row[data-id="shipped"]').click();
    await page.locator('.cluster-run').click();
    await page.waitForFunction(() => /hits · took \d+ ms/.test(document.querySelector('.cluster-outcome')?.textContent ?? ''));
    assert.equal(sentBodies.at(-1), 1, 'Run sends just the one record');
    await page.screenshot({ path: join(ARTIFACTS, 'panel-run-detail.png') });
    assert.deepEqual(p.cspViolations, []);
    assert.deepEqual(p.hostLog.filter((l) => /pageerror|console/.test(l)), []);
  });
});
