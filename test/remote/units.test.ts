// Pure pieces of the remote code: line splitting by byte offset, run ids, sweep grids and the
// comparison table.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LineSplitter, parseEvent, terminalStatus } from '../../src/core/remote/events';
import { checkRunId, newRunId } from '../../src/core/remote/layout';
import { parseSweepGrid, planSweep } from '../../src/core/remote/sweep';
import { compareMarkdown, compareRows } from '../../src/core/remote/compare';

describe('remote units', () => {
  test('LineSplitter yields complete lines with their byte lengths, across chunk and UTF-8 boundaries', () => {
    const s = new LineSplitter();
    const text = Buffer.from('{"a":"ü"}\n{"b":2}\npartial');
    const out = [...s.push(text.subarray(0, 7)), ...s.push(text.subarray(7, 20)), ...s.push(text.subarray(20))];
    assert.deepEqual(out.map((o) => o.line), ['{"a":"ü"}', '{"b":2}']);
    assert.equal(out[0]!.bytes, Buffer.byteLength('{"a":"ü"}\n'));
    assert.deepEqual(s.push(Buffer.from(' end\n')).map((o) => o.line), ['partial end']);
    s.push(Buffer.from('dangling'));
    s.reset();
    assert.deepEqual(s.push(Buffer.from('x\n')).map((o) => o.line), ['x']);
  });

  test('events and terminal statuses', () => {
    assert.equal(parseEvent('not json'), undefined);
    assert.equal(parseEvent('{"no":"event"}'), undefined);
    assert.equal(terminalStatus(parseEvent('{"event":"done","status":"ok"}')!), 'done');
    assert.equal(terminalStatus(parseEvent('{"event":"done","status":"cancelled"}')!), 'cancelled');
    assert.equal(terminalStatus(parseEvent('{"event":"error","kind":"oom"}')!), 'failed');
    assert.equal(terminalStatus(parseEvent('{"event":"step","step":1}')!), undefined);
  });

  test('run ids: readable defaults; hostile but usable names allowed; path tricks refused', () => {
    assert.match(newRunId({ modality: 'lora', supervision: 'label_only', lora: { r: 16 } }, new Date('2026-11-29T10:45:12Z')), /^20261129-104512-lora-label-only-r16-[a-z0-9]{1,4}$/);
    assert.equal(checkRunId(`it's "$(x)" ü`), `it's "$(x)" ü`);
    for (const bad of ['', '.', '..', 'a/b', 'a\nb', 'x'.repeat(201)]) assert.throws(() => checkRunId(bad), /run id/);
  });

  test('sweep grids: alpha = 4 × rank, full ignores rank, label only sets dssWeight 1', () => {
    const grid = parseSweepGrid('modality=full,lora;supervision=dss,label_only;rank=8,16;lr=1e-4');
    const plan = planSweep({ baseModel: 'm', train: { epochs: 1 } }, grid);
    assert.equal(plan.length, 2 + 4);
    const lora16 = plan.find((c) => c['modality'] === 'lora' && (c['lora'] as { r: number }).r === 16)!;
    assert.equal((lora16['lora'] as { alpha: number }).alpha, 64);
    assert.equal((lora16['train'] as { lr: number; epochs: number }).lr, 1e-4);
    assert.equal((lora16['train'] as { epochs: number }).epochs, 1);
    assert.ok(plan.filter((c) => c['supervision'] === 'label_only').every((c) => c['dssWeight'] === 1));
    assert.ok(plan.filter((c) => c['modality'] === 'full').every((c) => c['lora'] === undefined));
    // A base that is itself a label-only LoRA run: full points drop its lora block, DSS points its weight of 1.
    const fromLabelLora = planSweep({ baseModel: 'm', modality: 'lora', supervision: 'label_only', dssWeight: 1, lora: { r: 4, dropout: 0.1 } }, parseSweepGrid('modality=full,lora;supervision=dss'));
    assert.equal(fromLabelLora.find((c) => c['modality'] === 'full')!['lora'], undefined);
    assert.ok(fromLabelLora.every((c) => c['dssWeight'] === undefined));
    assert.deepEqual(fromLabelLora.find((c) => c['modality'] === 'lora')!['lora'], { r: 4, dropout: 0.1, alpha: 16 });
    assert.throws(() => parseSweepGrid('modality=huge'), /modality/);
    assert.throws(() => parseSweepGrid('rank=-1'), /positive/);
    assert.throws(() => parseSweepGrid('beta=1'), /unknown key/);
  });

  test('the comparison table orders by modality and bolds the best exact match', () => {
    const rows = compareRows('gpu', [
      { runId: 'b', status: 'done', startedAt: null, config: { modality: 'qlora', supervision: 'dss', lora: { r: 8 } }, metrics: { exactMatch: 0.61, validDsl: 0.97, peakMemGiB: 7.5, wallSec: 900 } },
      { runId: 'a', status: 'done', startedAt: null, config: { modality: 'full', supervision: 'label_only' }, metrics: { exactMatch: 0.7, validDsl: 0.99, peakMemGiB: 40.2, wallSec: 3600 } },
      { runId: 'c|pipe', status: 'running', startedAt: null, config: { modality: 'lora', supervision: 'dss' }, metrics: null },
    ]);
    const md = compareMarkdown(rows);
    const body = md.trim().split('\n').slice(2);
    assert.match(body[0]!, /^\| full \| label only \| — \|.*\*\*70\.0%\*\* \| 99\.0% \| 40\.2 GiB \| 60\.0 min \| done \| a \| gpu \|$/);
    assert.match(body[1]!, /^\| lora \| DSS \| 16 \|.*\| running \| c\\\|pipe \|/);
    assert.match(body[2]!, /^\| qlora \| DSS \| 8 \|.*61\.0% \| 97\.0% \| 7\.5 GiB \| 15\.0 min \|/);
  });
});

describe('distillery train: usage errors before connecting', () => {
  test('a RUN.json with an unknown key exits 2 naming the key; a missing --host exits 2', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const { runCli } = await import('./cli-helpers');
    const dir = mkdtempSync(join(tmpdir(), 'distillery-cli-'));
    const cfg = join(dir, 'RUN.json');
    writeFileSync(cfg, JSON.stringify({ baseModel: 'm', data: { train: 't.jsonl' }, lora: { rank: 8 } }));
    const bad = await runCli(['train', '--host', 'local', '--config', cfg], {});
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /lora\.rank/);
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify({ baseModel: 'm', data: { train: 't.jsonl' } }));
    const noHost = await runCli(['train', '--config', good], {});
    assert.equal(noHost.code, 2);
    assert.match(noHost.stderr, /--host is required/);
  });
});
