// Opening a large dataset: the panel paints a read-only preview of the file's head first and swaps
// the full dataset in without reloading the webview (preview.ts, connection.ts). In Node over the
// real store for the connection's rules, and in real headless Chromium for the whole path.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext } from 'playwright-core';
import { DatasetStore } from '../../src/core/dataset/store';
import { PanelConnection } from '../../src/extension/panel/connection';
import { createPanelEngine } from '../../src/extension/panel/engine';
import { PanelModel } from '../../src/extension/panel/model';
import { previewModel, readDatasetHead } from '../../src/extension/panel/preview';
import { StoreAdapter } from '../../src/extension/panel/store-adapter';
import { DEFAULT_SORT, EMPTY_FILTER, type ToWebviewMessage } from '../../src/shared/webview-protocol';
import { launchChromium, openPanel, recordLine, type PanelPage, until } from './harness';

const N = 3000;
const text = Array.from({ length: N }, (_, i) => recordLine(`r-${String(i).padStart(4, '0')}`)).join('\n') + '\n';

describe('opening a dataset in two steps', () => {
  let dir: string;
  let path: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'distillery-stream-'));
    path = join(dir, 'big.dss.jsonl');
    writeFileSync(path, text);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads only whole lines of the head, and says when the head is the whole file', async () => {
    const head = await readDatasetHead(path, 64 * 1024);
    assert.equal(head.whole, false);
    assert.ok(head.records.length > 50 && head.records.length < N, `${head.records.length} records in 64 KiB`);
    assert.deepEqual(head.records.map((r) => r.id).slice(0, 2), ['r-0000', 'r-0001']);
    // The last record is complete (not a cut line), and it is the one before the cut.
    const last = head.records.at(-1)!;
    assert.equal(last.question, `question ${last.id}`);
    const all = await readDatasetHead(path, 10 * 1024 * 1024);
    assert.deepEqual([all.whole, all.records.length], [true, N]);
  });

  it('refuses changes during the preview, then replays the webview state into the full session', async () => {
    const sent: ToWebviewMessage[] = [];
    const connection = new PanelConnection({ post: (m) => sent.push(m), log: () => undefined, confirm: () => Promise.resolve(true) });
    const engine = createPanelEngine();
    const preview = previewModel(await readDatasetHead(path, 64 * 1024), engine, path);
    connection.use(preview, { dataset: { name: 'big.dss.jsonl', path }, loading: 'Opening big.dss.jsonl…' });
    connection.receive({ method: 'ready', params: {} });
    connection.receive({ method: 'setView', params: { filter: { ...EMPTY_FILTER, text: 'r-0007' }, sort: DEFAULT_SORT, anchorId: null } });
    connection.receive({ method: 'select', params: { id: 'r-0007' } });
    await connection.firstRowsServed;
    const previewView = sent.filter((m) => m.method === 'view').at(-1)!;
    assert.equal(previewView.method === 'view' && previewView.params.loading, true);
    connection.receive({ method: 'review', params: { action: 'accept', target: { kind: 'ids', ids: ['r-0007'] } } });
    assert.match(JSON.stringify(sent.at(-1)), /Opening big\.dss\.jsonl… Try again in a moment/);

    const store = await DatasetStore.open(path);
    const model = new PanelModel({ store: new StoreAdapter(store), engine, saveDelayMs: 0 });
    const lastVersion = connection.current!.viewVersion;
    sent.length = 0;
    connection.use(model, { dataset: { name: 'big.dss.jsonl', path } });
    const view = sent.filter((m) => m.method === 'view').at(-1);
    assert.ok(view && view.method === 'view');
    // The filter the webview had set carries over, the numbering continues, and it is complete now.
    assert.equal(view.params.counts.total, N);
    assert.equal(view.params.counts.matching, 1);
    assert.equal(view.params.loading, false);
    assert.ok(view.params.version > lastVersion, `${view.params.version} > ${lastVersion}`);
    assert.ok(sent.some((m) => m.method === 'detail' && m.params.detail?.id === 'r-0007'), 'the selection carried over');
    connection.receive({ method: 'review', params: { action: 'accept', target: { kind: 'ids', ids: ['r-0007'] } } });
    assert.equal(store.get('r-0007')?.status, 'accepted');
    connection.dispose();
    preview.dispose();
    model.dispose();
  });
});

describe('streamed open in Chromium', { timeout: 60_000 }, () => {
  let context: BrowserContext;
  let p: PanelPage;

  before(async () => {
    context = await launchChromium();
  });
  after(async () => {
    await p?.close();
    await context?.close();
  });

  it('paints the head first, then shows the whole dataset in the same page', async () => {
    p = await openPanel(context, { datasetText: text, width: 1000, height: 700, stream: true });
    const { page } = p;
    assert.ok(p.timings.firstPaintMs !== undefined && p.timings.headMs !== undefined);
    // The page saw the preview (loading) before the full view.
    assert.ok(p.sent.some((m) => m.method === 'view' && m.params.loading), 'a loading view was sent first');
    await until(async () => (await page.locator('.filters .summary').textContent()) === `${N.toLocaleString('en-US')} of ${N.toLocaleString('en-US')}`, 'the full count');
    assert.equal(await page.evaluate(() => document.documentElement.dataset['loading']), 'false');
    await page.locator('.row[data-id="r-0002"]').click();
    await page.waitForSelector('.detail-id:text-is("r-0002")');
    await page.keyboard.press('a');
    await until(() => p.store.get('r-0002')?.status === 'accepted', 'the full dataset takes actions');
    assert.deepEqual(p.hostLog.filter((l) => l.startsWith('pageerror') || l.startsWith('console')), []);
  });
});
