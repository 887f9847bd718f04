// The review panel in real headless Chromium: the bundled app over the real protocol, session,
// model and dataset store (see harness.ts). Keyboard review, filters, live diagnostics while
// editing, XSS payloads staying inert text, malformed messages ignored, constant DOM row count.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext } from 'playwright-core';
import { ARTIFACTS, launchChromium, openPanel, recordLine, type PanelPage, until } from './harness';

const XSS_QUESTION = '<script>window.__xss = "script"</script> orders';
const XSS_IMG = '<img src=x onerror="window.__xss = \'img\'"> refunds';
const XSS_LINK = '<a href="javascript:window.__xss=\'link\'">click me</a>';

function dataset(): string {
  const lines: string[] = [];
  for (let i = 0; i < 40; i++) {
    const id = `q-${String(i).padStart(3, '0')}`;
    const fields: Record<string, unknown> = {};
    if (i % 10 === 9) fields['dsl'] = { query: { mtach: { customer_name: 'x' } } };
    if (i === 5) fields['status'] = 'accepted';
    if (i === 6) Object.assign(fields, { status: 'accepted', split: 'train' });
    if (i === 7) fields['dsl'] = null;
    if (i === 11) Object.assign(fields, { question: XSS_QUESTION, rationale: XSS_LINK, dsl: { query: { match: { title: '<img src=x onerror="window.__xss=1">' } } } });
    if (i === 12) Object.assign(fields, { question: XSS_IMG, rationale: 'javascript:alert(1)', extra: { keep: true } });
    if (i === 13) fields['dsl'] = { size: 0, aggs: { by_day: { date_histogram: { field: 'order_date', calendar_interval: 'day' } } } };
    lines.push(recordLine(id, fields));
  }
  lines.splice(20, 0, '{"id": "broken line, kept as is"');
  return lines.join('\n') + '\n';
}

/** Waits (without sleeping blindly) until `check` holds, polling the page or the host. */
function diskStatuses(path: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    try {
      const r = JSON.parse(line) as { id: string; status: string };
      out[r.id] = r.status;
    } catch {
      // broken lines stay broken
    }
  }
  return out;
}

describe('review panel in Chromium', { timeout: 80_000 }, () => {
  let context: BrowserContext;
  let p: PanelPage;

  before(async () => {
    context = await launchChromium();
    p = await openPanel(context, { datasetText: dataset(), width: 1200, height: 820 });
    await p.page.waitForSelector('.row[data-id="q-000"]');
    p.model.validateAll();
    await p.page.waitForSelector('.row[data-id="q-009"][data-validity="error"]');
  });

  after(async () => {
    await p?.close();
    await context?.close();
  });

  it('reviews by keyboard: j/k move, a/r/f decide and advance, u/U undo and redo, all saved to disk', async () => {
    const { page } = p;
    await page.locator('.row[data-id="q-000"]').click();
    await page.waitForSelector('.detail-id:text-is("q-000")');
    await page.keyboard.press('j');
    await page.waitForSelector('.detail-id:text-is("q-001")');
    await page.keyboard.press('k');
    await page.waitForSelector('.detail-id:text-is("q-000")');
    await page.keyboard.press('j');
    await page.waitForSelector('.detail-id:text-is("q-001")');
    await page.keyboard.press('a');
    await page.waitForSelector('.row[data-id="q-001"][data-status="accepted"]');
    await page.waitForSelector('.detail-id:text-is("q-002")');
    await page.keyboard.press('r');
    await page.waitForSelector('.row[data-id="q-002"][data-status="rejected"]');
    await page.keyboard.press('f');
    await page.waitForSelector('.row[data-id="q-003"][data-status="needs_fix"]');
    await page.waitForSelector('.detail-id:text-is("q-004")');
    assert.equal(p.store.get('q-001')?.status, 'accepted');
    assert.equal(p.store.get('q-002')?.status, 'rejected');
    assert.equal(p.store.get('q-003')?.status, 'needs_fix');

    await page.keyboard.press('u');
    await page.waitForSelector('.row[data-id="q-003"][data-status="generated"]');
    await page.keyboard.press('Shift+U');
    await page.waitForSelector('.row[data-id="q-003"][data-status="needs_fix"]');

    await p.model.flush();
    const disk = diskStatuses(p.datasetPath);
    assert.deepEqual([disk['q-001'], disk['q-002'], disk['q-003']], ['accepted', 'rejected', 'needs_fix']);
    // The broken line and unknown keys survived the rewrite.
    const text = readFileSync(p.datasetPath, 'utf8');
    assert.ok(text.includes('{"id": "broken line, kept as is"'));
    assert.ok(text.includes('"extra":{"keep":true}'));
  });

  it('filters by status, validity and text with per-facet counts', async () => {
    const { page } = p;
    const summary = page.locator('.filters .summary');
    await page.locator('.chip[data-facet="status"][data-value="accepted"]').click();
    // q-001 (accepted by the previous test), q-005, q-006.
    await until(async () => (await summary.textContent()) === '3 of 40', 'accepted filter');
    await page.waitForSelector('.row[data-id="q-005"]');
    assert.equal(await page.locator('.row:not([hidden])').count(), 3);
    await page.locator('.chip[data-facet="status"][data-value="accepted"]').click();

    await page.locator('.chip[data-facet="validity"][data-value="error"]').click();
    await until(async () => (await summary.textContent()) === '4 of 40', 'error filter');
    const ids = await page.locator('.row:not([hidden])').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset['id']));
    assert.deepEqual(ids, ['q-009', 'q-019', 'q-029', 'q-039']);
    // Facet counts: with "errors" selected, the status facet counts only records with errors.
    assert.equal(await page.locator('.chip[data-facet="status"][data-value="generated"] .chip-count').textContent(), '4');
    assert.equal(await page.locator('.chip[data-facet="validity"][data-value="clean"] .chip-count').textContent(), '35');
    await page.locator('.chip[data-facet="validity"][data-value="error"]').click();

    await page.keyboard.press('/');
    await page.keyboard.type('date_histogram');
    await until(async () => (await summary.textContent()) === '1 of 40', 'text search over the DSL');
    await page.waitForSelector('.row[data-id="q-013"]');
    await page.locator('.search').fill('');
    await until(async () => (await summary.textContent()) === '40 of 40', 'search cleared');
  });

  it('shows live diagnostics at the exact spot while editing the DSL, and saves the edit', async () => {
    const { page } = p;
    await page.locator('.row[data-id="q-010"]').click();
    await page.waitForSelector('.detail-id:text-is("q-010")');
    await page.locator('body').focus();
    await page.keyboard.press('e');
    const editor = page.locator('.cm-content');
    await until(() => editor.evaluate((t) => t === document.activeElement), 'e focuses the DSL editor');
    await page.keyboard.press('Control+a');
    await page.keyboard.press('Delete');
    await page.keyboard.type('{"query": {"mtach": {"customer_name": "ann"}}}');
    const mark = page.locator('.cm-lintRange-error');
    await mark.first().waitFor();
    const marked = (await mark.allTextContents()).join('');
    assert.match(marked, /mtach/);
    assert.ok(!marked.includes('customer_name'), `only the bad key is marked, got ${marked}`);
    assert.match((await page.locator('.diagnostics .diagnostic-message').first().textContent()) ?? '', /did you mean \[match\]/);

    await page.keyboard.press('Control+a');
    await page.keyboard.press('Delete');
    await page.keyboard.type('{"query": {"match": {"customer_name": "ann"}}}');
    await until(async () => (await page.locator('.cm-lintRange-error').count()) === 0, 'diagnostics clear after the fix');
    await page.keyboard.press('Control+s');
    await until(() => JSON.stringify(p.store.get('q-010')?.dsl) === '{"query":{"match":{"customer_name":"ann"}}}', 'edit saved to the record');
    await page.keyboard.press('Escape');
  });

  it('keeps XSS payloads in question, rationale and DSL inert text', async () => {
    const { page } = p;
    for (const id of ['q-011', 'q-012']) {
      await page.locator(`.row[data-id="${id}"]`).click();
      await page.waitForSelector(`.detail-id:text-is("${id}")`);
    }
    await page.locator('.row[data-id="q-011"]').click();
    await page.waitForSelector('.detail-id:text-is("q-011")');
    assert.equal(await page.locator('#field-question').inputValue(), XSS_QUESTION);
    assert.equal(await page.locator('#field-rationale').inputValue(), XSS_LINK);
    assert.equal(await page.locator('.row[data-id="q-011"] .row-question').textContent(), XSS_QUESTION);
    assert.equal(await page.locator('.row[data-id="q-012"] .row-question').textContent(), XSS_IMG);
    assert.match((await page.locator('.cm-content').textContent()) ?? '', /<img src=x onerror/);
    // Search for markup works literally too.
    await page.locator('.search').fill('<script>');
    await until(async () => (await page.locator('.filters .summary').textContent()) === '1 of 40', 'literal search');
    await page.locator('.search').fill('');
    await until(async () => (await page.locator('.filters .summary').textContent()) === '40 of 40', 'search cleared');

    const state = await page.evaluate(() => ({
      xss: (window as unknown as { __xss?: unknown }).__xss ?? null,
      injected: document.querySelectorAll('#app script, #app img, #app a, #app iframe, #app [onerror], #app [href^="javascript"]').length,
      scripts: document.scripts.length,
    }));
    assert.deepEqual(state, { xss: null, injected: 0, scripts: 1 });
    assert.deepEqual(p.dialogs, []);
  });

  it('ignores malformed and unknown messages both ways', async () => {
    const { page } = p;
    const before = p.hostLog.length;
    await p.postRaw({ method: 'rows', params: { version: 'x', start: 0, rows: [] } });
    await p.postRaw({ method: 'evalThis', params: {} });
    await p.postRaw('<img src=x onerror=alert(1)>');
    await p.postRaw({ method: 'detail', params: { detail: { id: 'q-000', status: 'hacked' } } });
    await until(() => page.evaluate(() => document.documentElement.dataset['rejectedMessages'] === '4'), 'webview rejected 4 messages');
    p.session.receive({ method: 'review', params: { action: 'nuke', target: { kind: 'view' } } });
    p.session.receive({ method: 'review', params: { action: 'delete', target: { kind: 'ids', ids: [] } } });
    p.session.receive({ method: 'select', params: { id: 'q-000' }, extra: 1 });
    p.session.receive(null);
    assert.equal(p.store.size, 40);
    const ignored = p.hostLog.slice(before).filter((l) => l.includes('ignored'));
    // 4 host-side drops plus the webview's 4 reports of what it dropped.
    assert.equal(ignored.length, 8, ignored.join('\n'));
    assert.deepEqual(p.dialogs, []);
  });

  it('accepts all clean ones in a filter with A A, as one undo step', async () => {
    const { page } = p;
    const summary = page.locator('.filters .summary');
    const accepted = () => p.store.records().filter((r) => r.status === 'accepted').length;
    const before = accepted();
    await page.locator('.chip[data-facet="validity"][data-value="clean"]').click();
    await page.locator('.chip[data-facet="status"][data-value="generated"]').click();
    await until(async () => /^[1-9]\d* of 40$/.test((await summary.textContent()) ?? ''), 'clean + generated filter');
    const n = Number(((await summary.textContent()) ?? '').split(' ')[0]);
    await page.keyboard.press('Shift+A');
    await until(async () => ((await page.locator('.status-line').textContent()) ?? '').includes('again'), 'bulk asks for a second press');
    assert.equal(accepted(), before);
    await page.keyboard.press('Shift+A');
    await until(() => accepted() === before + n, `${n} records accepted`);
    await until(async () => (await summary.textContent()) === '0 of 40', 'the filtered view empties');
    await page.keyboard.press('u');
    await until(() => accepted() === before, 'one undo restores them all');
    await page.locator('.link-button', { hasText: 'Clear filters' }).click();
    await until(async () => (await summary.textContent()) === '40 of 40', 'filters cleared');
  });

  it('runs under the CSP with no violations and saves screenshots', async () => {
    const { page } = p;
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.locator('.row[data-id="q-009"]').click();
    await page.waitForSelector('.detail-id:text-is("q-009")');
    await page.locator('.cm-lintRange-error').first().waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'panel-wide.png') });
    await page.setViewportSize({ width: 300, height: 800 });
    await page.screenshot({ path: join(ARTIFACTS, 'panel-narrow.png') });
    await page.keyboard.press('?');
    await page.waitForSelector('.help-overlay:not([hidden])');
    await page.screenshot({ path: join(ARTIFACTS, 'panel-help.png') });
    await page.keyboard.press('Escape');
    await page.waitForSelector('.help-overlay', { state: 'hidden' });
    await page.setViewportSize({ width: 1200, height: 820 });
    await page.keyboard.press('s');
    await page.waitForSelector('.stats .chart-card svg rect');
    await page.screenshot({ path: join(ARTIFACTS, 'panel-stats.png') });
    await page.keyboard.press('s');
    assert.deepEqual(p.cspViolations, []);
    assert.deepEqual(p.hostLog.filter((l) => l.startsWith('pageerror') || l.startsWith('console')), []);
  });
});

describe('virtual list in Chromium', { timeout: 60_000 }, () => {
  it('keeps the DOM row count constant while scrolling 5,000 records', async () => {
    const context = await launchChromium();
    const lines = Array.from({ length: 5000 }, (_, i) => recordLine(`r-${i}`));
    const p = await openPanel(context, { datasetText: lines.join('\n') + '\n', width: 1000, height: 700 });
    try {
      const { page } = p;
      await page.waitForSelector('.row[data-id="r-0"]');
      const counts: number[] = [];
      for (const top of [0, 20_000, 70_000, 139_000]) {
        await page.locator('.list').evaluate((el, t) => el.scrollTo(0, t), top);
        const first = Math.floor(top / 28);
        await page.waitForSelector(`.row[data-id="r-${first + 1}"]`);
        counts.push(await page.locator('.list .row').count());
      }
      assert.equal(new Set(counts).size, 1, `row counts ${counts.join(',')}`);
      assert.ok(counts[0]! < 60, `only the visible rows are in the DOM (${counts[0]})`);
      // Keyboard to the end: G jumps to the last record.
      await page.locator('.list').focus();
      await page.keyboard.press('G');
      await page.waitForSelector('.detail-id:text-is("r-4999")');
    } finally {
      await p.close();
      await context.close();
    }
  });
});
