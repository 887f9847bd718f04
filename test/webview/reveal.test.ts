// "Show gold in review panel" opens (or brings forward) the wide Review tab on the gold record.
// A new tab's session is asked to reveal the record before its webview has booted: the webview
// must learn the record before its first view, and its own saved selection must not win.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DatasetStore } from '../../src/core/dataset/store';
import { createPanelEngine } from '../../src/extension/panel/engine';
import { PanelModel } from '../../src/extension/panel/model';
import { PanelSession } from '../../src/extension/panel/session';
import { StoreAdapter } from '../../src/extension/panel/store-adapter';
import { DEFAULT_SORT, EMPTY_FILTER, Ready, SetView, type ToWebviewMessage } from '../../src/shared/webview-protocol';
import { recordLine } from './harness';

async function session(): Promise<{ session: PanelSession; sent: ToWebviewMessage[]; close(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'distillery-reveal-'));
  const file = join(dir, 'd.dss.jsonl');
  writeFileSync(file, Array.from({ length: 30 }, (_, i) => recordLine(`q-${String(i).padStart(3, '0')}`)).join('\n') + '\n');
  const store = await DatasetStore.open(file);
  const model = new PanelModel({ store: new StoreAdapter(store), engine: createPanelEngine(), saveDelayMs: 0, log: () => undefined });
  const sent: ToWebviewMessage[] = [];
  const s = new PanelSession(model, { post: (m) => sent.push(m), log: () => undefined, dataset: { name: 'd.dss.jsonl', path: file } });
  return { session: s, sent, close: () => (s.dispose(), model.dispose()) };
}

const method = (m: ToWebviewMessage): string => (m as { method: string }).method;
const params = (m: ToWebviewMessage): Record<string, unknown> => (m as unknown as { params: Record<string, unknown> }).params;

describe('revealing a record in a Review tab that is still booting', () => {
  it('focuses the record before the first view and keeps it over the saved selection', async () => {
    const { session: s, sent, close } = await session();
    s.reveal('q-021');
    s.receive(Ready.make({}));
    // The webview's first request carries the selection it had saved (here the first record).
    s.receive(SetView.make({ filter: EMPTY_FILTER, sort: DEFAULT_SORT, anchorId: 'q-000' }));
    const focus = sent.findIndex((m) => method(m) === 'focus');
    const firstView = sent.findIndex((m) => method(m) === 'view');
    assert.ok(focus >= 0 && params(sent[focus]!)['id'] === 'q-021', `a focus on q-021 was sent: ${sent.map(method).join(', ')}`);
    assert.ok(focus < firstView, 'the focus comes before the first view');
    const views = sent.filter((m) => method(m) === 'view');
    assert.equal(params(views.at(-1)!)['anchorId'], 'q-021', 'the last view is anchored on the revealed record');
    close();
  });
});
