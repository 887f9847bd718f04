// The extension in a real VS Code (code-server + headless Chromium), on a copy of examples/:
// activation, the view container, every command in the palette, inline diagnostics with a quick
// fix, and the review panel. One code-server and one browser serve every test in this file.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import {
  findFrame,
  isPlaceholder,
  manifest,
  openFile,
  openPalette,
  openWorkbench,
  readRecords,
  repoRoot,
  runCommand,
  screenshotOnFailure,
  showDistilleryContainer,
  statusItem,
  waitFor,
  waitForActivation,
  type Workbench,
} from './harness';

describe('Distillery in VS Code (code-server)', { timeout: 300_000 }, () => {
  let wb: Workbench;

  before(async () => {
    wb = await openWorkbench({ name: 'workbench' });
  });

  afterEach(screenshotOnFailure(() => wb));

  after(async () => {
    await wb?.close();
  });

  let activationMs = Number.NaN;
  it('activates on the sample workspace and shows its status bar item', async () => {
    activationMs = await waitForActivation(wb);
    console.log(`# activation: Distillery activated in ${activationMs} ms (activate() wall time in the extension host)`);
    await statusItem(wb.page).waitFor({ timeout: 15_000 });
  });

  it('activates within 100 ms of extension-host time', () => {
    // activate() must only wire; anything slow (starting the language server) runs after it returns.
    assert.ok(activationMs < 100, `activate() took ${activationMs} ms; the budget is 100 ms`);
  });

  it('opens the Distillery view container from the activity bar', async () => {
    const { page } = wb;
    await showDistilleryContainer(page);
    const sidebar = page.locator('.part.sidebar');
    await sidebar.locator('.pane-header', { hasText: /Review/i }).first().waitFor({ timeout: 15_000 });
    await sidebar.locator('.pane-header', { hasText: /Runs/i }).first().waitFor({ timeout: 15_000 });
    await wb.screenshot('view-container');
  });

  it('lists every contributed command in the palette under "Distillery"', async () => {
    const { page } = wb;
    const missing: string[] = [];
    for (const c of manifest.contributes.commands) {
      assert.equal(c.category, 'Distillery', `${c.command} must have the category "Distillery"`);
      const label = `Distillery: ${c.title}`;
      try {
        // The palette stays open between commands; only the query changes.
        await openPalette(page, label, label, 8_000);
      } catch {
        missing.push(`${c.command} (${label})`);
      }
    }
    await page.keyboard.press('Escape');
    assert.deepEqual(missing, [], `commands missing from the palette:\n${missing.join('\n')}`);
  });

  it('offers the getting-started walkthrough with its five steps', async () => {
    const { page } = wb;
    await runCommand(page, 'Welcome: Open Walkthrough...');
    const pick = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'Get started with Distillery' }).first();
    await pick.waitFor({ timeout: 15_000 });
    await pick.click();
    for (const title of ['Open an index mapping', 'Generate pairs with a teacher', 'Review the pairs', 'Export a training set', 'Launch a training run']) {
      await page.locator('.gettingStartedContainer .getting-started-step', { hasText: title }).first().waitFor({ timeout: 15_000 });
    }
    await wb.screenshot('walkthrough');
    // Later tests start from an empty editor area.
    await runCommand(page, 'View: Close All Editors');
    await page.locator('.gettingStartedContainer').waitFor({ state: 'detached', timeout: 10_000 });
  });

  const languageMissing = isPlaceholder('src/extension/features/language.ts') && 'the language feature (src/extension/features/language.ts) is still the scaffold placeholder: no language client, so no diagnostics';
  it('shows diagnostics for demo.querydsl in the Problems view and applies a quick fix', { skip: languageMissing }, async () => {
    const { page } = wb;
    await openFile(page, 'demo.querydsl');
    await page.keyboard.press('Control+Shift+M');
    const problems = page.locator('.markers-panel .monaco-list-row');
    const typo = problems.filter({ hasText: /mtach/ }).first();
    await typo.waitFor({ timeout: 60_000 });
    // The demo file carries six deliberate mistakes (examples/README.md); each must be reported.
    const expected = ['unknown-query', 'field-type-mismatch', 'invalid-enum', 'term-query-on-text', 'nested-field-outside-nested', 'unknown-field'];
    await waitFor(`the Problems view to list ${expected.join(', ')}`, async () => {
      const texts = (await problems.allInnerTexts()).join('\n');
      return expected.every((code) => texts.includes(code));
    }, 30_000);
    const texts = await problems.allInnerTexts();
    assert.ok(texts.some((t) => /did you mean/i.test(t) && /match/.test(t)), `no "did you mean match" problem in:\n${texts.join('\n')}`);
    await wb.screenshot('problems');

    // Jump to the typo from the Problems view, then apply the "did you mean" fix with Ctrl+.
    await typo.dblclick();
    await page.locator('.monaco-editor.focused').first().waitFor({ timeout: 10_000 });
    await page.keyboard.press('Control+.');
    const actions = page.locator('.action-widget .monaco-list-row.action');
    await actions.filter({ hasText: /match/ }).first().waitFor({ timeout: 15_000 });
    // The code action menu is driven by keyboard (it sits under a pointer block): move to the fix, Enter.
    await waitFor('the "did you mean match" fix to be selected in the code action menu', async () => {
      const focused = await actions.and(page.locator('.focused')).getAttribute('aria-label').catch(() => null);
      if (focused && /match/.test(focused)) return true;
      await page.keyboard.press('ArrowDown');
      return false;
    }, 10_000, 50);
    await page.keyboard.press('Enter');
    await page.keyboard.press('Control+S');
    const file = join(wb.workspace, 'demo.querydsl');
    await waitFor('the quick fix to replace "mtach" with "match" on disk', () => {
      const text = readFileSync(file, 'utf8');
      return !text.includes('"mtach"') && text.includes('"match"');
    }, 15_000);
    await waitFor('the typo problem to disappear', async () => (await typo.count()) === 0, 30_000);
  });

  const panelMissing = isPlaceholder('src/extension/features/panel.ts') && 'the review panel (src/extension/features/panel.ts) is still the scaffold placeholder: no webview to list or accept records';
  it('lists the sample records in the review panel', { skip: panelMissing }, async () => {
    const { page } = wb;
    const records = readRecords(join(wb.workspace, 'dataset.dss.jsonl'));
    await showDistilleryContainer(page);
    const frame = await findFrame(page, '[role="listbox"][aria-label="Records"] .row', 'the review panel to list records', 60_000);
    const list = frame.locator('[role="listbox"][aria-label="Records"]');
    // The list is virtualised: it reports every record in aria-rowcount and draws the visible rows.
    await waitFor(`the panel to report ${records.length} records`, async () => (await list.getAttribute('aria-rowcount')) === String(records.length), 30_000);
    await frame.locator('.row .row-question', { hasText: records[0]!['question'] as string }).first().waitFor({ timeout: 15_000 });
    const drawn = await frame.locator('.row[aria-label]').evaluateAll((rows) => rows.map((r) => r.getAttribute('aria-label') ?? ''));
    assert.ok(drawn.length >= 5, `only ${drawn.length} rows are drawn`);
    await wb.screenshot('panel');
  });

  it('accepts a generated record by keyboard and writes the dataset file', { skip: panelMissing }, async () => {
    const { page } = wb;
    const file = join(wb.workspace, 'dataset.dss.jsonl');
    const target = readRecords(file).find((r) => r.status === 'generated')!;
    const question = target['question'] as string;
    const frame = await findFrame(page, '[role="listbox"][aria-label="Records"] .row', 'the review panel to list records', 30_000);
    // Narrow the list to the target with the search box ("/"), then act on it from the keyboard.
    await frame.locator('[role="listbox"][aria-label="Records"]').focus();
    await page.keyboard.press('/');
    await page.keyboard.type(question);
    const row = frame.locator('.row', { has: frame.locator('.row-question', { hasText: question }) }).first();
    await row.waitFor({ timeout: 15_000 });
    await row.click();
    await page.keyboard.press('a');
    await waitFor(`${target.id} to be saved as accepted`, () => readRecords(file).find((r) => r.id === target.id)?.status === 'accepted', 15_000);
    // Every other line is untouched.
    const before = readFileSync(join(repoRoot, 'examples', 'dataset.dss.jsonl'), 'utf8').split('\n');
    const after = readFileSync(file, 'utf8').split('\n');
    assert.equal(after.length, before.length);
    assert.deepEqual(after.filter((l) => !l.includes(`"${target.id}"`)), before.filter((l) => !l.includes(`"${target.id}"`)));
  });
});
