// The stats view in real headless Chromium over the real host: it follows changes by itself while
// shown (no Refresh button), and its bars are buttons that filter the review list.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext } from 'playwright-core';
import { launchChromium, openPanel, recordLine, type PanelPage, until } from './harness';

describe('stats view in Chromium', { timeout: 60_000 }, () => {
  let context: BrowserContext;
  let p: PanelPage;

  before(async () => {
    context = await launchChromium();
    const lines = Array.from({ length: 20 }, (_, i) => {
      const fields: Record<string, unknown> = {};
      if (i < 3) fields['status'] = 'accepted';
      if (i >= 10) fields['dsl'] = { query: { bool: { filter: [{ term: { city: 'berlin' } }] } } };
      if (i % 4 === 0) fields['split'] = 'train';
      return recordLine(`q-${String(i).padStart(2, '0')}`, fields);
    });
    p = await openPanel(context, { datasetText: lines.join('\n') + '\n', width: 1000, height: 800 });
    await p.page.waitForSelector('.row[data-id="q-00"]');
    p.model.validateAll();
  });

  after(async () => {
    await p?.close();
    await context?.close();
  });

  const barTitle = (facet: string, value: string) => p.page.locator(`.bar-link[data-facet="${facet}"][data-value="${value}"] rect.bar title`).textContent();

  it('follows changes while shown, with no Refresh button', async () => {
    const { page } = p;
    await page.locator('#tab-stats').click();
    await page.waitForSelector('.bar-link[data-facet="status"][data-value="accepted"]');
    assert.match((await barTitle('status', 'accepted')) ?? '', /^accepted: 3\b/);
    assert.equal(await page.locator('.stats button', { hasText: 'Refresh' }).count(), 0);
    // Another panel (or the command palette) accepts two more: the chart follows by itself.
    p.model.review('accept', ['q-05', 'q-06']);
    await until(async () => /^accepted: 5\b/.test((await barTitle('status', 'accepted')) ?? ''), 'the accepted bar shows 5');
  });

  it('filters the list by the status bar clicked', async () => {
    const { page } = p;
    await page.locator('.bar-link[data-facet="status"][data-value="accepted"]').click();
    await page.waitForSelector('#pane-review:not([hidden])');
    await until(async () => (await page.locator('.filters .summary').textContent()) === '5 of 20', 'the list shows the 5 accepted records');
    assert.equal(await page.locator('.chip[data-facet="status"][data-value="accepted"]').getAttribute('aria-pressed'), 'true');
    const statuses = await page.locator('.row:not([hidden])').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset['status']));
    assert.deepEqual(statuses, ['accepted', 'accepted', 'accepted', 'accepted', 'accepted']);
  });

  it('filters by query type and split bars too, by keyboard as well', async () => {
    const { page } = p;
    await page.locator('#tab-stats').click();
    await page.waitForSelector('.bar-link[data-facet="queryType"][data-value="bool"]');
    await page.locator('.bar-link[data-facet="queryType"][data-value="bool"]').focus();
    await page.keyboard.press('Enter');
    await until(async () => (await page.locator('.filters .summary').textContent()) === '10 of 20', 'the list shows the 10 bool queries');
    assert.equal(await page.locator('.type-select').inputValue(), 'bool');
    // A stats filter replaces the previous one rather than adding to it.
    assert.equal(await page.locator('.chip[data-facet="status"][data-value="accepted"]').getAttribute('aria-pressed'), 'false');
    await page.locator('#tab-stats').click();
    await page.locator('.bar-link[data-facet="split"][data-value="train"]').click();
    await until(async () => (await page.locator('.filters .summary').textContent()) === '5 of 20', 'the list shows the 5 train records');
    assert.deepEqual(p.cspViolations, []);
  });
});
