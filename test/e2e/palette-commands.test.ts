// Every contributed command, executed from the palette in a clean copy of the sample workspace:
// none may be "not found" (declared in package.json but never registered) and none may end in an
// error notification or a "failed" line in the extension's log. Commands that ask (quick pick,
// input box, dialog) are answered with Escape, which must end them quietly.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { checkRunConfig } from '../../src/core/training/run-config';
import { clearNotifications, findExtensionLog, findFrame, manifest, notificationTexts, openFile, openPalette, openWorkbench, runCommand, showDistilleryContainer, screenshotOnFailure, waitFor, waitForActivation, type Workbench } from './harness';

/** Error toasts on screen, as text. */
async function errorToasts(page: Page): Promise<string[]> {
  const toasts = page.locator('.notifications-toasts .notification-toast', { has: page.locator('.codicon-error') });
  return (await toasts.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
}

/** What a command put up for the user to answer, if anything. */
async function prompt(page: Page): Promise<'quick-input' | 'dialog' | undefined> {
  if (await page.locator('.monaco-dialog-box').isVisible()) return 'dialog';
  if (await page.locator('.quick-input-widget').isVisible()) return 'quick-input';
  return undefined;
}

describe('every contributed command runs from the palette', { timeout: 600_000 }, () => {
  let wb: Workbench;

  before(async () => {
    wb = await openWorkbench({
      name: 'palette-commands',
      env: { OPENAI_API_KEY: '' },
      prepareWorkspace(dir) {
        // Two slips the RUN.json schema catches in the editor, before any launch.
        // Export suggests <dataset folder>/export: here it does not exist yet.
        rmSync(join(dir, 'export'), { recursive: true, force: true });
        writeFileSync(join(dir, 'slip.run.json'), JSON.stringify({ baseModel: 'google/flan-t5-small', modality: 'lroa', trian: {}, data: { train: 'export/train.jsonl' } }, null, 2));
      },
    });
    await waitForActivation(wb);
  });

  afterEach(screenshotOnFailure(() => wb));

  after(async () => {
    await wb?.close();
  });

  it('finds each command and ends without an error when its questions are dismissed', async () => {
    const { page } = wb;
    const problems: string[] = [];
    for (const c of manifest.contributes.commands) {
      const label = `Distillery: ${c.title}`;
      const row = await openPalette(page, label, label, 10_000);
      await row.click();
      // A command either asks something (answered with Escape), or shows its result, or does its
      // work quietly; a palette that is still open means the click did not land.
      await waitFor(`"${label}" to take the palette away`, async () => {
        const widget = page.locator('.quick-input-widget');
        if (!(await widget.isVisible())) return true;
        return !(await widget.locator('.quick-input-box input').inputValue().catch(() => '')).startsWith('>');
      }, 5000, 50);
      // Each question is dismissed; a command may ask a few in a row (host, then config…), each Escape ends it.
      for (let i = 0; i < 4; i++) {
        const asked = await waitFor(`"${label}" to ask or settle`, async () => (await prompt(page)) ?? ((await errorToasts(page)).length ? 'error' : undefined), 1500, 100).catch(() => undefined);
        if (!asked || asked === 'error') break;
        if (asked === 'dialog') {
          // A failing palette command is reported in a modal ("Command '…' resulted in an error").
          const dialog = page.locator('.monaco-dialog-box');
          const text = (await dialog.innerText()).replace(/\s+/g, ' ').trim();
          if ((await dialog.locator('.codicon-error').count()) > 0 || /resulted in an error|not found/i.test(text)) problems.push(`${c.command}: ${text}`);
        }
        await page.keyboard.press('Escape');
        await waitFor(`"${label}"'s ${asked} to close`, async () => (await prompt(page)) !== asked, 5000, 50).catch(() => undefined);
      }
      for (const t of await errorToasts(page)) problems.push(`${c.command}: ${t}`);
      // Clear notifications so the next command starts from an empty corner.
      const clear = page.locator('.notifications-toasts .notification-toast .codicon-notifications-clear');
      while ((await clear.count()) > 0) await clear.first().click({ timeout: 2000 }).catch(() => page.keyboard.press('Escape'));
    }
    await wb.screenshot('after-all');
    const log = readFileSync(findExtensionLog(wb)!, 'utf8');
    for (const line of log.split('\n')) if (/\[error\]/.test(line) && /failed/.test(line)) problems.push(`log: ${line}`);
    assert.deepEqual(problems, [], `commands that failed:\n${problems.join('\n')}`);
  });

  it('checks run configs against the RUN.json schema in the editor', async () => {
    const { page } = wb;
    await openFile(page, 'slip.run.json');
    await page.keyboard.press('Control+Shift+M');
    const rows = page.locator('.markers-panel .monaco-list-row');
    await waitFor('the Problems view to flag the misspelt modality and the unknown key', async () => {
      const texts = (await rows.allInnerTexts()).join('\n');
      return /full.*lora.*qlora|lroa/.test(texts) && /trian/.test(texts);
    }, 60_000, 250);
    await wb.screenshot('run-schema');
  });

  it('saving invalid JSON from a record editor says what is wrong with the JSON', async () => {
    const { page } = wb;
    await showDistilleryContainer(page);
    const frame = await findFrame(page, 'button:has-text("Open in editor")', 'the review panel with a record open', 60_000);
    await frame.locator('button:has-text("Open in editor")').first().click();
    const tab = page.locator('.tabs-container .tab', { hasText: /\.querydsl/ }).first();
    await tab.waitFor({ timeout: 30_000 });
    await tab.click();
    await page.locator('.editor-group-container.active .editor-instance .monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('{"query": {"match": ');
    await page.keyboard.press('Control+S');
    const toasts = page.locator('.notifications-toasts .notification-toast');
    await waitFor('a notification naming the JSON error', async () => (await toasts.allInnerTexts()).some((t) => /was not saved: the DSL is not valid JSON/.test(t)), 30_000, 250);
    const texts = (await toasts.allInnerTexts()).join('\n');
    assert.doesNotMatch(texts, /NoPermissions/, `no permission problem is claimed:\n${texts}`);
    await wb.screenshot('record-save-error');
  });

  it('Generate asks for the API key before confirming a cost', async () => {
    const { page } = wb;
    // Earlier commands' notices (a cluster that does not answer the first test's Pull Mapping
    // arrives seconds later) would crowd the corner: start from none, and read the center too.
    await clearNotifications(page);
    await runCommand(page, 'Distillery: Generate Pairs');
    await waitFor('the notice asking for the API key', async () => (await notificationTexts(page)).some((t) => /no teacher API key is set/.test(t)), 30_000, 500);
    assert.equal(await page.locator('.monaco-dialog-box').isVisible(), false, 'no cost confirmation before the key');
    await wb.screenshot('generate-no-key');
    await clearNotifications(page);
  });

  it('Export creates the folder it suggests and offers a run on the new splits', async () => {
    const { page } = wb;
    await runCommand(page, 'Distillery: Export Dataset');
    const rows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
    await rows.filter({ hasText: /^dss/ }).first().click();
    // code-server's folder dialog is a quick input holding the suggested path.
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await waitFor('the folder dialog on the suggested export folder', async () => (await input.inputValue()).includes('/export'), 30_000, 100);
    const ok = page.locator('.quick-input-widget .monaco-button', { hasText: 'Export here' }).first();
    await ok.click();
    const toast = page.locator('.notifications-toasts .notification-toast', { hasText: /Exported \d+ train/ }).first();
    await toast.waitFor({ timeout: 30_000 });
    assert.ok(existsSync(join(wb.workspace, 'export', 'train.jsonl')), 'the splits were written into the suggested folder');
    assert.equal(await toast.locator('.monaco-button', { hasText: 'Launch a Run on These Splits' }).count(), 1, 'the next step is offered');
    await wb.screenshot('export-next-step');
  });

  it('Recommend Training Modality reports the advice for a model on a GPU', async () => {
    const { page } = wb;
    const rows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
    await runCommand(page, 'Distillery: Recommend Training Modality');
    await rows.filter({ hasText: 'google/flan-t5-large' }).first().click();
    await rows.filter({ hasText: 'A10G' }).first().click();
    await page.locator('.tabs-container .tab', { hasText: /Recommend Training Modality — google.flan-t5-large/ }).first().waitFor({ timeout: 30_000 });
    await waitFor('the advice in the report', async () => {
      const text = (await page.locator('.editor-group-container.active .view-lines').allInnerTexts()).join('\n').replace(/\u00a0/g, ' ');
      return /Recommended: (full|lora|qlora)/.test(text) && /24 GiB/.test(text);
    }, 30_000, 250);
    await wb.screenshot('plan');
    await page.keyboard.press('Escape');
  });

  it('New Run Config writes a RUN.json the launch accepts, on the tiny model', async () => {
    const { page } = wb;
    const rows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
    await runCommand(page, 'Distillery: New Run Config');
    await rows.filter({ hasText: 'Tiny random T5' }).first().click();
    // The sample already has RUN.json: the new one gets a name of its own.
    const file = join(wb.workspace, 'run-2.run.json');
    await waitFor('the new run config on disk', () => existsSync(file), 30_000, 100);
    const config = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    const checked = checkRunConfig(config);
    assert.ok(checked.ok, checked.ok ? '' : checked.error.message);
    assert.equal(config['baseModel'], './models/tiny-random-t5');
    assert.deepEqual(config['data'], { train: 'export/train.jsonl', val: 'export/val.jsonl', test: 'export/test.jsonl' });
    await page.locator('.tabs-container .tab', { hasText: 'run-2.run.json' }).first().waitFor({ timeout: 15_000 });
  });
});
