// "Show gold in review panel" (distillery.revealRecord): a record the host reveals wins over the
// selection a webview restores from its saved state when it (re)loads — the wide Review tab used
// to come up on its old (or first) record. The real session, model and store; the webview's
// boot sequence (saved filter, saved selection, ready) played as the app sends it.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DatasetStore } from '../../src/core/dataset/store';
import { PanelConnection } from '../../src/extension/panel/connection';
import { createPanelEngine } from '../../src/extension/panel/engine';
import { PanelModel } from '../../src/extension/panel/model';
import { StoreAdapter } from '../../src/extension/panel/store-adapter';
import { DEFAULT_SORT, EMPTY_FILTER, type ToWebviewMessage } from '../../src/shared/webview-protocol';
import { recordLine } from './harness';

describe('revealing a record', () => {
  let dir: string;
  let model: PanelModel;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'distillery-reveal-'));
    const path = join(dir, 'd.dss.jsonl');
    writeFileSync(path, Array.from({ length: 40 }, (_, i) => recordLine(`q-${String(i).padStart(2, '0')}`)).join('\n') + '\n');
    model = new PanelModel({ store: new StoreAdapter(await DatasetStore.open(path)), engine: createPanelEngine(), saveDelayMs: 0 });
  });
  after(() => {
    model.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  function connect(sent: ToWebviewMessage[]): PanelConnection {
    const connection = new PanelConnection({ post: (m) => sent.push(m), log: () => undefined, confirm: () => Promise.resolve(false) });
    connection.use(model, { dataset: { name: 'd.dss.jsonl', path: 'd.dss.jsonl' } });
    return connection;
  }
  /** What the app sends when it loads with a saved selection. */
  function boot(connection: PanelConnection, savedId: string | null): void {
    connection.receive({ method: 'setView', params: { filter: EMPTY_FILTER, sort: DEFAULT_SORT, anchorId: savedId } });
    if (savedId) connection.receive({ method: 'select', params: { id: savedId, restore: true } });
    connection.receive({ method: 'ready', params: {} });
  }
  const lastView = (sent: ToWebviewMessage[]) => sent.filter((m) => m.method === 'view').at(-1);
  const lastDetail = (sent: ToWebviewMessage[]) => sent.filter((m) => m.method === 'detail').at(-1);

  it('lands a webview that loads after the request on the revealed record', () => {
    const sent: ToWebviewMessage[] = [];
    const connection = connect(sent);
    connection.current!.reveal('q-30');
    boot(connection, 'q-05');
    assert.deepEqual(sent.find((m) => m.method === 'focus'), { method: 'focus', params: { id: 'q-30' } });
    const view = lastView(sent);
    assert.ok(view?.method === 'view');
    assert.deepEqual([view.params.anchorId, view.params.anchorPosition], ['q-30', 30]);
    const detail = lastDetail(sent);
    assert.equal(detail?.method === 'detail' && detail.params.detail?.id, 'q-30');
    connection.dispose();
  });

  it('survives the webview reloading (a hidden tab brought forward), until the person picks another record', () => {
    const sent: ToWebviewMessage[] = [];
    const connection = connect(sent);
    boot(connection, 'q-05');
    connection.current!.reveal('q-12');
    // The tab was hidden: it reloads and restores its old selection.
    sent.length = 0;
    boot(connection, 'q-05');
    assert.equal(lastDetail(sent)?.method === 'detail' && lastDetail(sent)?.params.detail?.id, 'q-12');
    // The person moves on; a later reload restores their choice.
    connection.receive({ method: 'select', params: { id: 'q-13' } });
    sent.length = 0;
    boot(connection, 'q-13');
    const view = lastView(sent);
    assert.ok(view?.method === 'view');
    assert.equal(view.params.anchorId, 'q-13');
    assert.equal(sent.some((m) => m.method === 'focus'), false);
    connection.dispose();
  });
});
