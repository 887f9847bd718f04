// The review panel as the sidebar shows it: 300 px wide, 600 px high, in real headless Chromium.
// Nothing scrolls sideways, the title and the Filters button are whole, more than five rows are in
// sight, clipped questions have their text as a tooltip, statuses are compact icons with their
// word as a tooltip, the detail folds away, and nothing inside the detail scrolls on its own.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { ARTIFACTS, launchChromium, openPanel, recordLine, type PanelPage } from './harness';

const LONG_QUESTION = 'orders from customers in Berlin who paid with PayPal over the last fourteen days and returned at least one pair of shoes';
// A DSL with a line far wider than the sidebar: the editor must wrap it, not scroll.
const WIDE_DSL = { query: { bool: { filter: [{ term: { 'customer.city.keyword_with_a_very_long_multi_field_name': 'Berlin-Charlottenburg-Wilmersdorf-and-more' } }] } } };

function dataset(): string {
  const lines: string[] = [];
  for (let i = 0; i < 60; i++) {
    const id = `q-${String(i).padStart(3, '0')}`;
    const fields: Record<string, unknown> = {};
    if (i === 1) fields['question'] = LONG_QUESTION;
    if (i === 2) Object.assign(fields, { status: 'accepted' });
    if (i === 3) Object.assign(fields, { status: 'needs_fix', dsl: WIDE_DSL });
    lines.push(recordLine(id, fields));
  }
  return lines.join('\n') + '\n';
}

/** Elements that scroll sideways, or scroll vertically inside the detail pane (the one scroll area there). */
function scrollProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const doc = document.documentElement;
    if (doc.scrollWidth > doc.clientWidth) problems.push(`page scrolls sideways: ${doc.scrollWidth} > ${doc.clientWidth}`);
    const pane = document.querySelector('.detail-pane');
    for (const e of document.querySelectorAll('#app *')) {
      const el = e as HTMLElement;
      if (el.closest('[hidden]') || el.offsetParent === null) continue;
      const name = `${el.tagName.toLowerCase()}.${[...el.classList].join('.')}`;
      const style = getComputedStyle(el);
      const scrollsX = ['auto', 'scroll'].includes(style.overflowX) && el.scrollWidth > el.clientWidth + 1;
      if (scrollsX) problems.push(`${name} scrolls sideways: ${el.scrollWidth} > ${el.clientWidth}`);
      const rect = el.getBoundingClientRect();
      if (rect.right > doc.clientWidth + 0.5 && style.position !== 'fixed') problems.push(`${name} sticks out to ${Math.round(rect.right)} px`);
      if (pane && el !== pane && pane.contains(el) && ['auto', 'scroll'].includes(style.overflowY) && el.scrollHeight > el.clientHeight + 1) {
        problems.push(`${name} scrolls inside the detail pane: ${el.scrollHeight} > ${el.clientHeight}`);
      }
    }
    return problems;
  });
}

/** Rows wholly inside the list's visible box. */
function visibleRows(page: Page): Promise<number> {
  return page.evaluate(() => {
    const list = document.querySelector('.list')!.getBoundingClientRect();
    return [...document.querySelectorAll<HTMLElement>('.list .row:not([hidden])')].filter((r) => {
      const b = r.getBoundingClientRect();
      return r.dataset['id'] && b.top >= list.top - 0.5 && b.bottom <= list.bottom + 0.5;
    }).length;
  });
}

/** True when the element shows all of its content (no ellipsis, nothing past the viewport). */
function fullyShown(page: Page, selector: string): Promise<{ whole: boolean; text: string }> {
  return page.locator(selector).evaluate((el) => {
    const b = el.getBoundingClientRect();
    return { whole: el.scrollWidth <= el.clientWidth && b.left >= 0 && b.right <= document.documentElement.clientWidth, text: el.textContent ?? '' };
  });
}

describe('review panel at sidebar width (300 px)', { timeout: 60_000 }, () => {
  let context: BrowserContext;
  let p: PanelPage;

  before(async () => {
    context = await launchChromium();
    p = await openPanel(context, { datasetText: dataset(), width: 300, height: 600 });
    await p.page.waitForSelector('.row[data-id="q-000"]');
    p.model.validateAll();
    await p.page.locator('.row[data-id="q-003"]').click();
    await p.page.waitForSelector('.detail-id:text-is("q-003")');
    await p.page.locator('.cm-content').waitFor();
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  after(async () => {
    await p?.close();
    await context?.close();
  });

  it('has no horizontal scroll anywhere and no scroll area inside the detail pane', async () => {
    assert.deepEqual(await scrollProblems(p.page), []);
    // The long DSL line wraps inside the editor instead.
    const wraps = await p.page.locator('.cm-line', { hasText: 'keyword_with_a_very_long' }).evaluate((l) => l.getBoundingClientRect().height > 30);
    assert.ok(wraps, 'the long DSL line wraps');
    await p.page.screenshot({ path: join(ARTIFACTS, 'panel-narrow-300.png') });
  });

  it('shows the title and the Filters button whole, and the filters open without overflowing', async () => {
    const { page } = p;
    assert.deepEqual(await fullyShown(page, '.toolbar .title'), { whole: true, text: 'dataset' });
    assert.equal(await page.locator('.toolbar .title').getAttribute('title'), p.datasetPath);
    assert.deepEqual(await fullyShown(page, '.filters-toggle'), { whole: true, text: 'Filters' });
    assert.equal((await fullyShown(page, '.filters .summary')).whole, true);
    await page.locator('.filters-toggle').click();
    await page.waitForSelector('.facets .chip[data-value="accepted"]', { state: 'visible' });
    assert.deepEqual(await scrollProblems(page), []);
    await page.screenshot({ path: join(ARTIFACTS, 'panel-narrow-300-filters.png') });
    await page.locator('.filters-toggle').click();
    await page.waitForSelector('.facets', { state: 'hidden' });
  });

  it('shows more than five rows beside an open detail, and the whole height once it is folded', async () => {
    const { page } = p;
    const open = await visibleRows(page);
    assert.ok(open > 5, `rows in sight with the detail open: ${open}`);
    await page.locator('.detail-toggle').click();
    await page.waitForSelector('.detail-content', { state: 'hidden' });
    assert.equal(await page.locator('.detail-toggle').getAttribute('aria-expanded'), 'false');
    await p.page.waitForFunction((n) => document.querySelectorAll('.list .row:not([hidden])').length > n, open);
    const folded = await visibleRows(page);
    assert.ok(folded >= 15, `rows in sight with the detail folded: ${folded} (was ${open})`);
    assert.deepEqual(await scrollProblems(page), []);
    await page.screenshot({ path: join(ARTIFACTS, 'panel-narrow-300-folded.png') });
    // Editing unfolds it again (e), and the choice is kept in the webview state.
    await page.locator('.list').focus();
    await page.keyboard.press('e');
    await page.waitForSelector('.detail-content', { state: 'visible' });
    await page.keyboard.press('Escape');
  });

  it('keeps at least eight rows in sight in a short sidebar (380 px, as beside the Runs view)', async () => {
    const { page } = p;
    await page.setViewportSize({ width: 300, height: 380 });
    await page.waitForFunction(() => document.querySelector('.list')!.getBoundingClientRect().height < 300);
    const rows = await visibleRows(page);
    assert.ok(rows >= 8, `rows in sight at 380 px: ${rows}`);
    assert.deepEqual(await scrollProblems(page), []);
    await page.screenshot({ path: join(ARTIFACTS, 'panel-narrow-300x380.png') });
    await page.setViewportSize({ width: 300, height: 600 });
  });

  it('gives clipped questions their text as a tooltip and statuses as compact icons with words in tooltips', async () => {
    const { page } = p;
    const question = page.locator('.row[data-id="q-001"] .row-question');
    const clipped = await question.evaluate((e) => e.scrollWidth > e.clientWidth);
    assert.ok(clipped, 'the long question is clipped at 300 px');
    assert.equal(await question.getAttribute('title'), LONG_QUESTION);
    for (const [id, word] of [['q-000', 'Generated'], ['q-002', 'Accepted'], ['q-003', 'Needs fix']] as const) {
      const status = page.locator(`.row[data-id="${id}"] .row-status`);
      assert.equal(await status.getAttribute('title'), word);
      const width = await status.evaluate((e) => e.getBoundingClientRect().width);
      assert.ok(width <= 16, `${id} status takes ${width} px`);
    }
    // The question gets the room: at least 60% of the row.
    const share = await page.locator('.row[data-id="q-000"]').evaluate((r) => r.querySelector('.row-question')!.getBoundingClientRect().width / r.getBoundingClientRect().width);
    assert.ok(share > 0.6, `question share of the row: ${share}`);
  });

  it('keeps the bulk bar away until something is selected, and it fits', async () => {
    const { page } = p;
    assert.equal(await page.locator('.bulk').isHidden(), true);
    await page.locator('.row[data-id="q-004"]').click();
    await page.locator('.row[data-id="q-006"]').click({ modifiers: ['Shift'] });
    await page.waitForSelector('.bulk:not([hidden])');
    assert.equal(await page.locator('.bulk-label').textContent(), '3 selected');
    assert.deepEqual(await scrollProblems(page), []);
    await page.screenshot({ path: join(ARTIFACTS, 'panel-narrow-300-selection.png') });
    await page.keyboard.press('Escape');
    await page.waitForSelector('.bulk', { state: 'hidden' });
    assert.deepEqual(p.cspViolations, []);
    assert.deepEqual(p.hostLog.filter((l) => l.startsWith('pageerror') || l.startsWith('console')), []);
  });
});
