// Destructive bulk actions in real headless Chromium over the real host and store: nothing bulk is
// offered without an explicit selection, Delete of a selection waits for a confirmation that
// names the count (the VS Code modal in the extension; the harness answers it here), cancelling
// deletes nothing and keeps the selection, confirming deletes exactly the selection as one undo
// step, and "delete everything in the view" cannot be asked for at all.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext } from 'playwright-core';
import { launchChromium, openPanel, recordLine, type PanelPage, until } from './harness';

describe('bulk actions in Chromium', { timeout: 60_000 }, () => {
  let context: BrowserContext;
  let p: PanelPage;
  const ids = () => p.store.records().map((r) => r.id);

  before(async () => {
    context = await launchChromium();
    const lines = Array.from({ length: 12 }, (_, i) => recordLine(`q-${String(i).padStart(2, '0')}`));
    p = await openPanel(context, { datasetText: lines.join('\n') + '\n', width: 1000, height: 700 });
    await p.page.waitForSelector('.row[data-id="q-00"]');
  });

  after(async () => {
    await p?.close();
    await context?.close();
  });

  it('offers no bulk actions without a selection, and A once only asks', async () => {
    const { page } = p;
    await page.locator('.row[data-id="q-00"]').click();
    await page.waitForSelector('.detail-id:text-is("q-00")');
    assert.equal(await page.locator('.bulk').isHidden(), true);
    assert.equal(await page.locator('.bulk-delete').isVisible(), false);
    await page.keyboard.press('Shift+A');
    await until(async () => ((await page.locator('.status-line').textContent()) ?? '').includes('Press A again'), 'A asks for a second press');
    assert.equal(p.store.records().filter((r) => r.status === 'accepted').length, 0);
    assert.deepEqual(p.confirmations, []);
  });

  it('asks before deleting a selection, naming the count; cancelling deletes nothing and keeps the selection', async () => {
    const { page } = p;
    await page.locator('.row[data-id="q-02"]').click({ modifiers: ['Control'] });
    await page.locator('.row[data-id="q-03"]').click({ modifiers: ['Control'] });
    await page.locator('.row[data-id="q-05"]').click({ modifiers: ['Shift'] });
    await page.waitForSelector('.bulk:not([hidden])');
    assert.equal(await page.locator('.bulk-label').textContent(), '4 selected');
    p.answerConfirm = false;
    await page.locator('.bulk-delete').click();
    await until(() => p.confirmations.length === 1, 'the host asked');
    assert.deepEqual(p.confirmations[0], {
      message: 'Delete 4 records?',
      detail: 'They are removed from dataset.dss.jsonl. Undo (u, or "Distillery: Undo Last Review Action") brings them back.',
      confirm: 'Delete 4 Records',
    });
    await until(async () => (await page.locator('.status-line').textContent()) === 'Nothing deleted.', 'cancel reported');
    assert.equal(p.store.size, 12);
    assert.equal(await page.locator('.bulk-label').textContent(), '4 selected');
  });

  it('deletes exactly the selection once confirmed (Delete key), and one undo brings it all back', async () => {
    const { page } = p;
    p.answerConfirm = true;
    await page.locator('.list').focus();
    await page.keyboard.press('Delete');
    await until(() => p.store.size === 8, 'four records deleted');
    assert.equal(p.confirmations.length, 2);
    assert.deepEqual(ids().filter((id) => ['q-02', 'q-03', 'q-04', 'q-05'].includes(id)), []);
    await page.waitForSelector('.bulk', { state: 'hidden' });
    await until(async () => (await page.locator('.status-line').textContent()) === 'Deleted 4 records (u to undo).', 'delete reported');
    await page.keyboard.press('u');
    await until(() => p.store.size === 12, 'one undo restores all four');
    assert.deepEqual(ids(), Array.from({ length: 12 }, (_, i) => `q-${String(i).padStart(2, '0')}`));
  });

  it('refuses a delete of "everything in the view" at the protocol edge', () => {
    const before = p.hostLog.length;
    p.session.receive({ method: 'review', params: { action: 'delete', target: { kind: 'view' } } });
    assert.equal(p.store.size, 12);
    assert.match(p.hostLog.slice(before).join('\n'), /ignored a message from the webview \(malformed review: params.target: delete needs an explicit selection/);
  });
});
