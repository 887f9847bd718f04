// The panel's DSL editor (CodeMirror 6) in real headless Chromium over the real host: typing with
// auto-indent and bracket closing, a lint mark from the engine on a misspelt query name, its
// one-click fix, and completion from the language server's provider — all under the strict CSP
// (the editor's injected styles carry the page nonce; a violation fails the test).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext } from 'playwright-core';
import { ARTIFACTS, launchChromium, openPanel, recordLine, type PanelPage, until } from './harness';

describe('DSL editor (CodeMirror) in Chromium', { timeout: 60_000 }, () => {
  let context: BrowserContext;
  let p: PanelPage;
  const editorText = () => p.page.evaluate(() => document.querySelector('.cm-content')?.textContent ?? '');
  /** The editor's document, lines joined with \n (CodeMirror keeps one element per line). */
  const editorValue = () =>
    p.page.evaluate(() =>
      [...document.querySelectorAll('.cm-content .cm-line')]
        .map((line) => {
          // The placeholder ("{"query": …}") is a widget inside the empty line, not text.
          const copy = line.cloneNode(true) as Element;
          copy.querySelectorAll('.cm-placeholder').forEach((w) => w.remove());
          return copy.textContent ?? '';
        })
        .join('\n'),
    );

  before(async () => {
    context = await launchChromium();
    const lines = [recordLine('q-000'), recordLine('q-001', { dsl: { query: { mtach: { title: 'shoes' } } } }), recordLine('q-002', { dsl: null })];
    p = await openPanel(context, { datasetText: lines.join('\n') + '\n', width: 1000, height: 800 });
    await p.page.waitForSelector('.row[data-id="q-000"]');
  });

  after(async () => {
    await p?.close();
    await context?.close();
  });

  async function clearEditor(): Promise<void> {
    await p.page.locator('.cm-content').click();
    await p.page.keyboard.press('Control+a');
    await p.page.keyboard.press('Delete');
    await until(async () => (await editorValue()) === '', 'editor emptied');
  }

  it('auto-indents and closes brackets and quotes while typing', async () => {
    const { page } = p;
    await page.locator('.row[data-id="q-002"]').click();
    await page.waitForSelector('.detail-id:text-is("q-002")');
    await clearEditor();
    // `{` closes itself; Enter between the braces opens an indented line.
    await page.keyboard.type('{');
    assert.equal(await editorValue(), '{}');
    await page.keyboard.press('Enter');
    assert.equal(await editorValue(), '{\n  \n}');
    // A quote closes itself, and typing the closing one steps over it instead of doubling it.
    await page.keyboard.type('"size": 5');
    assert.equal(await editorValue(), '{\n  "size": 5\n}');
    await until(async () => ((await page.locator('.dirty-note').textContent()) ?? '') === 'Unsaved edits', 'the edit counts as a draft');
    await page.locator('button', { hasText: 'Revert' }).click();
    await until(async () => (await editorValue()) === '', 'reverted');
  });

  it('marks a misspelt query name from the engine and fixes it in one click', async () => {
    const { page } = p;
    await page.locator('.row[data-id="q-001"]').click();
    await page.waitForSelector('.detail-id:text-is("q-001")');
    const mark = page.locator('.cm-lintRange-error');
    await mark.first().waitFor();
    assert.equal(await mark.first().textContent(), '"mtach"');
    // Hovering the mark shows the engine's message and its quick fix.
    await mark.first().hover();
    const tooltip = page.locator('.cm-tooltip-lint');
    await tooltip.waitFor();
    assert.match((await tooltip.textContent()) ?? '', /unknown query \[mtach\]; did you mean \[match\]/);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'panel-editor-lint.png') });
    await tooltip.locator('.cm-diagnosticAction', { hasText: 'Change to "match"' }).click();
    await until(async () => (await editorText()).includes('"match"') && !(await editorText()).includes('mtach'), 'the fix replaced the key');
    await until(async () => (await page.locator('.cm-lintRange-error').count()) === 0, 'the mark clears once the host revalidates');
    await page.locator('.cm-content').press('Control+s');
    await until(() => JSON.stringify(p.store.get('q-001')?.dsl) === '{"query":{"match":{"title":"shoes"}}}', 'the fixed DSL saved to the record');
  });

  it('completes query names from the engine (the list offers match) and inserts the snippet', async () => {
    const { page } = p;
    await page.locator('.row[data-id="q-002"]').click();
    await page.waitForSelector('.detail-id:text-is("q-002")');
    await clearEditor();
    await page.keyboard.type('{"query": {"ma');
    const list = page.locator('.cm-tooltip-autocomplete');
    await list.waitFor();
    const labels = await list.locator('.cm-completionLabel').allTextContents();
    assert.ok(labels.includes('match'), `completion offers match: ${labels.join(', ')}`);
    assert.ok(labels.includes('match_phrase'), `and the other ma… queries: ${labels.join(', ')}`);
    await page.screenshot({ path: join(ARTIFACTS, 'panel-editor-completion.png') });
    // Pick `match` itself (the list may put match_all first).
    await list.locator('li', { has: page.locator('.cm-completionLabel', { hasText: /^match$/ }) }).click();
    await until(async () => (await editorValue()).replace(/\s+/g, '') === '{"query":{"match":{}}}', 'the item replaced the typed name, quotes included');
    // The editor keeps focus and the caret sits inside the new object.
    await page.keyboard.type('"title": "x"');
    await until(async () => (await editorValue()).replace(/\s+/g, '') === '{"query":{"match":{"title":"x"}}}', 'typing continues inside the snippet');
    await page.locator('button', { hasText: 'Revert' }).click();
    assert.deepEqual(p.cspViolations, []);
    assert.deepEqual(p.hostLog.filter((l) => l.startsWith('pageerror') || l.startsWith('console')), []);
  });
});
