// The run view's messages: well-formed ones pass, malformed or unknown ones are refused with a
// reason on both sides of the boundary.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseToRunHost, parseToRunView, RevealGold, RunEvents, RunViewInit, RunViewReady } from '../../src/shared/run-view-protocol';
import { sortRows } from '../../src/webview/run-view/compare-table';

describe('run view protocol', () => {
  it('accepts what the descriptors make', () => {
    const init = parseToRunView(RunViewInit.make({ mode: 'run', title: '<script>x</script>', host: 'gpu', runId: 'r1' }));
    assert.ok(init.ok && RunViewInit.is(init.message));
    const events = parseToRunView(RunEvents.make({ reset: false, points: [{ kind: 'step', step: 1, values: { loss: 1.2, lr: 1e-4 } }] }));
    assert.ok(events.ok && RunEvents.is(events.message));
    assert.ok(parseToRunHost(RunViewReady.make({})).ok);
    assert.ok(parseToRunHost(RevealGold.make({ id: 'q-1' })).ok);
  });

  const refusedByView: [string, unknown][] = [
    ['not an object', 'init'],
    ['an array', []],
    ['no method', { params: {} }],
    ['unknown method', { method: 'eval', params: {} }],
    ['a host-bound method', { method: 'revealGold', params: { id: 'x' } }],
    ['extra key', { method: 'events', params: { reset: false, points: [], html: '<b>' } }],
    ['unknown series', { method: 'events', params: { reset: false, points: [{ kind: 'step', step: 1, values: { gradNorm: 1 } }] } }],
    ['NaN value', { method: 'events', params: { reset: false, points: [{ kind: 'step', step: 1, values: { loss: Number.NaN } }] } }],
    ['negative step', { method: 'events', params: { reset: false, points: [{ kind: 'step', step: -3, values: {} }] } }],
    ['rate above 1', { method: 'compare', params: { rows: [{ host: 'h', runId: 'r', status: 'done', modality: 'lora', supervision: 'dss', rank: '8', lr: '1e-4', exactMatch: 7 }] } }],
    ['bad mode', { method: 'init', params: { mode: 'html', title: 't', host: null, runId: null } }],
    ['bad status', { method: 'status', params: { status: 'exploded', message: null } }],
  ];
  for (const [what, raw] of refusedByView) {
    it(`the view refuses ${what}`, () => {
      const r = parseToRunView(raw);
      assert.equal(r.ok, false);
      assert.ok(!r.ok && r.reason.length > 0);
    });
  }

  it('the host refuses malformed messages', () => {
    assert.equal(parseToRunHost({ method: 'revealGold', params: { id: '' } }).ok, false);
    assert.equal(parseToRunHost({ method: 'revealGold', params: { id: 5 } }).ok, false);
    assert.equal(parseToRunHost({ method: 'log', params: { level: 'fatal', message: 'x' } }).ok, false);
    assert.equal(parseToRunHost({ method: 'init', params: { mode: 'run', title: '', host: null, runId: null } }).ok, false);
  });
});

describe('comparison sort', () => {
  const row = (runId: string, modality: string, rank: string, exactMatch?: number) => ({ host: 'h', runId, status: 'done', modality, supervision: 'dss', rank, lr: '2e-4', ...(exactMatch === undefined ? {} : { exactMatch }) });
  const rows = [row('a', 'qlora', '8', 0.5), row('b', 'full', '—', 0.7), row('c', 'lora', '16'), row('d', 'lora', '8', 0.6)];

  it('sorts by a metric either way with missing values last', () => {
    assert.deepEqual(sortRows(rows, 'exactMatch', true).map((r) => r.runId), ['b', 'd', 'a', 'c']);
    assert.deepEqual(sortRows(rows, 'exactMatch', false).map((r) => r.runId), ['a', 'd', 'b', 'c']);
  });

  it('sorts modality as full, LoRA, QLoRA, then rank', () => {
    assert.deepEqual(sortRows(rows, 'modality', false).map((r) => r.runId), ['b', 'd', 'c', 'a']);
  });
});
