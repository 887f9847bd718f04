// The webview protocol's schemas: valid messages pass, anything malformed or unknown is refused
// with a reason (and is then logged and ignored by whichever side received it).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  EMPTY_FILTER,
  DEFAULT_SORT,
  GetRows,
  Review,
  Rows,
  SetView,
  parseToHost,
  parseToWebview,
  webviewStateSchema,
} from '../../src/shared/webview-protocol';

const row = { id: 'q-1', status: 'accepted', validity: 'clean', queryType: 'match', split: null, question: 'orders' };

describe('webview protocol', () => {
  it('accepts well-formed messages in both directions', () => {
    for (const m of [
      { method: 'ready', params: {} },
      SetView.make({ filter: { ...EMPTY_FILTER, status: ['accepted'], validity: ['error'], text: '<script>' }, sort: DEFAULT_SORT, anchorId: null }),
      GetRows.make({ version: 3, start: 100, count: 100 }),
      Review.make({ action: 'accept', target: { kind: 'ids', ids: ['q-1', 'q-2'] } }),
      Review.make({ action: 'reject', target: { kind: 'view' } }),
      { method: 'edit', params: { id: 'q-1', dslText: '{"query":{}}' } },
      { method: 'validate', params: { requestId: 1, text: '{' } },
      { method: 'complete', params: { requestId: 2, text: '{"query": {"ma"}}', offset: 14 } },
      { method: 'watchStats', params: { visible: true } },
      Review.make({ action: 'delete', target: { kind: 'ids', ids: ['q-1', 'q-2'] } }),
      { method: 'log', params: { level: 'warn', message: 'x' } },
    ]) {
      const r = parseToHost(m);
      assert.ok(r.ok, `${JSON.stringify(m)}: ${r.ok ? '' : r.reason}`);
    }
    assert.ok(parseToWebview(Rows.make({ version: 1, start: 0, rows: [row as never] })).ok);
    assert.ok(parseToWebview({ method: 'notice', params: { level: 'info', message: 'saved' } }).ok);
    assert.ok(parseToWebview({ method: 'clearSelection', params: {} }).ok);
    const completions = { requestId: 2, from: 11, to: 15, items: [{ label: 'match', detail: 'full-text query', info: null, kind: 'query', apply: '"match": {${1}}', snippet: true, deprecated: false }] };
    assert.ok(parseToWebview({ method: 'completions', params: completions }).ok);
    const range = { start: { line: 0, character: 11 }, end: { line: 0, character: 18 } };
    const diagnostic = { severity: 'error', code: 'unknown-query', message: 'unknown query [mtach]', range, fix: { kind: 'renameKey', replacement: 'match' } };
    assert.ok(parseToWebview({ method: 'diagnostics', params: { requestId: 1, diagnostics: [diagnostic], normalizedText: null, queryType: null } }).ok);
  });

  it('rejects malformed host-bound messages with a reason', () => {
    const bad: [unknown, RegExp][] = [
      [null, /not an object/],
      ['review', /not an object/],
      [[{ method: 'ready', params: {} }], /not an object/],
      [{ params: {} }, /no method/],
      [{ method: 'eval', params: { code: 'alert(1)' } }, /unknown method "eval"/],
      [{ method: '__proto__', params: {} }, /unknown method/],
      [{ method: 'ready' }, /malformed ready/],
      [{ method: 'ready', params: {}, extra: true }, /malformed ready/],
      [{ method: 'ready', params: { sneaky: 1 } }, /malformed ready/],
      [{ method: 'review', params: { action: 'nuke', target: { kind: 'view' } } }, /malformed review: params\.action/],
      [{ method: 'review', params: { action: 'accept', target: { kind: 'ids', ids: [] } } }, /malformed review/],
      [{ method: 'review', params: { action: 'accept', target: { kind: 'everything' } } }, /malformed review/],
      [{ method: 'getRows', params: { version: 1, start: -1, count: 10 } }, /malformed getRows/],
      [{ method: 'getRows', params: { version: 1, start: 0, count: 100_000 } }, /malformed getRows/],
      [{ method: 'getRows', params: { version: '1', start: 0, count: 10 } }, /malformed getRows/],
      [{ method: 'select', params: { id: '' } }, /malformed select/],
      [{ method: 'setView', params: { filter: { ...EMPTY_FILTER, status: ['deleted'] }, sort: DEFAULT_SORT, anchorId: null } }, /malformed setView/],
      [{ method: 'setView', params: { filter: { ...EMPTY_FILTER, text: 'x'.repeat(5000) }, sort: DEFAULT_SORT, anchorId: null } }, /malformed setView/],
      [{ method: 'edit', params: { id: 'q-1', dsl: { query: {} } } }, /malformed edit/],
      [{ method: 'log', params: { level: 'fatal', message: 'x' } }, /malformed log/],
      // Deleting "everything in the view" cannot be asked for: delete needs an explicit selection.
      [{ method: 'review', params: { action: 'delete', target: { kind: 'view' } } }, /malformed review: params\.target: delete needs an explicit selection/],
      [{ method: 'getStats', params: {} }, /unknown method/],
      [{ method: 'complete', params: { requestId: 1, text: '{', offset: -1 } }, /malformed complete/],
      [{ method: 'watchStats', params: { visible: 'yes' } }, /malformed watchStats/],
    ];
    for (const [message, reason] of bad) {
      const r = parseToHost(message);
      assert.equal(r.ok, false, JSON.stringify(message));
      if (!r.ok) assert.match(r.reason, reason);
    }
  });

  it('rejects malformed webview-bound messages, and host-bound ones sent the wrong way', () => {
    assert.equal(parseToWebview({ method: 'rows', params: { version: 1, start: 0, rows: [{ ...row, status: 'hacked' }] } }).ok, false);
    assert.equal(parseToWebview({ method: 'rows', params: { version: 1, start: 0, rows: [{ ...row, html: '<b>' }] } }).ok, false);
    assert.equal(parseToWebview({ method: 'detail', params: { detail: { id: 'q-1' } } }).ok, false);
    assert.equal(parseToWebview({ method: 'view', params: {} }).ok, false);
    assert.equal(parseToWebview({ method: 'completions', params: { requestId: 1, from: 0, to: 0, items: [{ label: 'x', kind: 'script', apply: 'x' }] } }).ok, false);
    // Direction matters: a webview-bound method is unknown to the host and vice versa.
    assert.equal(parseToHost({ method: 'rows', params: { version: 1, start: 0, rows: [] } }).ok, false);
    assert.equal(parseToWebview({ method: 'ready', params: {} }).ok, false);
  });

  it('validates persisted webview state', () => {
    assert.ok(webviewStateSchema.safeParse({ filter: EMPTY_FILTER, sort: DEFAULT_SORT, selectedId: null, tab: 'review', drafts: {} }).success);
    assert.equal(webviewStateSchema.safeParse({ filter: EMPTY_FILTER, sort: DEFAULT_SORT, selectedId: null, tab: 'admin', drafts: {} }).success, false);
    assert.equal(webviewStateSchema.safeParse('garbage').success, false);
  });
});
