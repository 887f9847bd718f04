import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/cli';

const cli = (...args: string[]) => runCli(args);

test('plan --format json recommends a modality and gives a breakdown', () => {
  const r = cli('plan', '--model', 'Qwen/Qwen2.5-7B', '--gpu-mem', '24', '--batch', '2', '--format', 'json');
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.model.id, 'Qwen/Qwen2.5-7B');
  assert.equal(out.settings.loraAlpha, 64);
  assert.equal(out.candidates.length, 6);
  assert.ok(['lora', 'qlora'].includes(out.recommended.modality), 'a 7B full fine-tune cannot fit 24 GiB');
  assert.ok(out.recommended.peakGiB <= 24 * 0.9);
  assert.equal(out.candidates.find((c: { modality: string }) => c.modality === 'full').fits, false);
});

test('plan exits 1 when nothing fits and 2 on bad usage, with messages naming the flag', () => {
  const none = cli('plan', '--params', '70B', '--gpu-mem', '4');
  assert.equal(none.status, 1);
  assert.match(none.stdout, /nothing fits in 4 GiB/);
  const bad = cli('plan', '--model', 'google/flan-t5-small', '--batch', 'many');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--batch must be an integer/);
  assert.doesNotMatch(bad.stderr, /at .*\.ts:\d+/, 'no stack trace');
  const unknown = cli('plan', '--model', 'acme/secret-model');
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /add --params N/);
});
