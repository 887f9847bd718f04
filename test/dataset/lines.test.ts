import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseEntries, recordEntryFromJson } from '../../src/core/dataset/lines';
import { recordSchema } from '../../src/core/dataset/record';

// The store checks the common record shape by hand and only falls back to zod otherwise; both
// must accept exactly the same records and yield the same value.
const variants: Record<string, unknown[]> = {
  id: ['q-1', '', 7, undefined],
  question: ['how many', '', null, undefined],
  rationale: ['because', null, undefined, 3],
  dsl: [{ query: { match_all: {} } }, null, undefined, [], 'x'],
  status: ['accepted', 'pending', undefined, 'maybe', null],
  split: ['train', null, undefined, 'dev'],
  source: [
    undefined,
    { kind: 'teacher', model: 'm', promptHash: 'h', usage: { input: 1, output: 2, extra: true }, costUsd: 0.1, x: 1 },
    { kind: 'human' },
    { kind: 'robot' },
    { kind: 'import', usage: { input: -1, output: 0 } },
    { kind: 'import', usage: { input: 1 } },
    { kind: 'import', costUsd: -2 },
    { kind: 'import', model: 5 },
    null,
  ],
  notes: ['', undefined, 5],
  updatedAt: ['2026-11-29T10:00:00Z', undefined, 0],
  extra: [undefined, { nested: [1, 2] }],
};

function accepts(json: Record<string, unknown>): { ok: boolean; value?: unknown } {
  try {
    return { ok: true, value: recordEntryFromJson(json).record };
  } catch {
    return { ok: false };
  }
}

describe('record lines', () => {
  test('the fast shape check agrees with the zod schema on every variant', () => {
    const base: Record<string, unknown> = { id: 'q-1', question: 'how many', status: 'accepted' };
    let checked = 0;
    for (const [key, values] of Object.entries(variants)) {
      for (const v of values) {
        const json = { ...base };
        if (v === undefined) delete json[key];
        else json[key] = v;
        const zod = recordSchema.safeParse(json);
        const ours = accepts(JSON.parse(JSON.stringify(json)) as Record<string, unknown>);
        assert.equal(ours.ok, zod.success, `${key}=${JSON.stringify(v)}`);
        if (zod.success) assert.deepEqual(ours.value, zod.data, `${key}=${JSON.stringify(v)}`);
        checked++;
      }
    }
    assert.ok(checked > 40);
  });

  test('broken, blank, BOM and duplicate lines', () => {
    const entries = parseEntries('\uFEFF{"id":"a","question":"x"}\n\n[1]\n{"id":"a","question":"y"}\n{"id":"b"}');
    assert.deepEqual(
      entries.map((e) => e.kind),
      ['record', 'blank', 'broken', 'broken', 'broken'],
    );
    assert.equal(entries[0]!.raw.charCodeAt(0), 0xfeff, 'the BOM stays in the raw text');
    assert.match((entries[2] as { error: string }).error, /not a JSON object/);
    assert.equal((entries[3] as { duplicateOf?: string }).duplicateOf, 'a');
    assert.match((entries[4] as { error: string }).error, /question/);
  });
});
