// The review panel's bulk delete in a real VS Code (code-server + headless Chromium): nothing bulk
// shows without a selection; deleting a selection asks in VS Code's own modal, which names the
// count; Cancel deletes nothing; confirming deletes exactly the selection on disk; undo restores it.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { findFrame, isPlaceholder, openWorkbench, readRecords, screenshotOnFailure, showDistilleryContainer, waitFor, type Workbench } from './harness';

const panelMissing = isPlaceholder('src/extension/features/panel.ts') && 'the review panel is still the scaffold placeholder';

describe('review panel bulk delete in VS Code (code-server)', { timeout: 300_000, skip: panelMissing }, () => {
  let wb: Workbench;

  before(async () => {
    wb = await openWorkbench({ name: 'panel' });
  });
  afterEach(screenshotOnFailure(() => wb));
  after(async () => {
    await wb?.close();
  });

  it('deletes a selection only after the modal that names the count, and undo brings it back', async () => {
    const { page } = wb;
    const file = join(wb.workspace, 'dataset.dss.jsonl');
    const records = readRecords(file);
    const [first, second] = [records[1]!.id, records[2]!.id];
    await showDistilleryContainer(page);
    const frame = await findFrame(page, '[role="listbox"][aria-label="Records"] .row', 'the review panel to list records', 60_000);
    await frame.locator(`.row[data-id="${first}"]`).waitFor({ timeout: 30_000 });
    assert.equal(await frame.locator('.bulk').isHidden(), true, 'no bulk actions without a selection');
    await frame.locator(`.row[data-id="${first}"]`).click({ modifiers: ['Control'] });
    await frame.locator(`.row[data-id="${second}"]`).click({ modifiers: ['Control'] });
    await frame.locator('.bulk:not([hidden])').waitFor({ timeout: 10_000 });
    assert.equal(await frame.locator('.bulk-label').textContent(), '2 selected');

    const dialog = page.locator('.monaco-dialog-box');
    await frame.locator('.bulk-delete').click();
    await dialog.waitFor({ timeout: 15_000 });
    assert.match((await dialog.innerText()).replace(/\s+/g, ' '), /Delete 2 records\?/);
    await wb.screenshot('delete-confirm');
    await dialog.locator('.dialog-buttons .monaco-button', { hasText: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await frame.locator('.status-line', { hasText: 'Nothing deleted.' }).waitFor({ timeout: 10_000 });
    assert.equal(readRecords(file).length, records.length);

    await frame.locator('.bulk-delete').click();
    await dialog.waitFor({ timeout: 15_000 });
    await dialog.locator('.dialog-buttons .monaco-button', { hasText: 'Delete 2 Records' }).click();
    await waitFor('the two records to leave the file', () => readRecords(file).length === records.length - 2, 15_000);
    assert.deepEqual(readRecords(file).filter((r) => r.id === first || r.id === second), []);

    await frame.locator('[role="listbox"][aria-label="Records"]').focus();
    await page.keyboard.press('u');
    await waitFor('undo to restore both records on disk', () => readRecords(file).length === records.length, 15_000);
    assert.deepEqual(readRecords(file).map((r) => r.id), records.map((r) => r.id));
  });
});
