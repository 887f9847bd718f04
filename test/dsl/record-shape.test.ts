// The fast record check must never accept what zod's recordSchema rejects.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { recordSchema } from '../../src/shared/dataset-record';
import { quickRecordCheck } from '../../src/core/dsl/record-shape';

const VALID = {
  id: 'q-1', question: 'q', rationale: 'r', dsl: { query: { match_all: {} } }, status: 'accepted', split: 'train',
  source: { kind: 'teacher', model: 'm', promptHash: 'h', usage: { input: 1, output: 2 }, costUsd: 0.5 }, notes: '', updatedAt: '2026-01-01T00:00:00Z',
};

const VARIANTS: Record<string, unknown>[] = [
  {}, { id: '' }, { id: 1 }, { question: 1 }, { question: undefined }, { rationale: null }, { rationale: 3 }, { dsl: null }, { dsl: [] }, { dsl: 'x' },
  { status: 'done' }, { status: undefined }, { split: null }, { split: 'dev' }, { notes: 1 }, { updatedAt: 5 }, { extra: { kept: true } },
  { source: undefined }, { source: null }, { source: { kind: 'robot' } }, { source: { kind: 'human' } }, { source: { kind: 'import', usage: { input: -1, output: 0 } } },
  { source: { kind: 'import', usage: { input: 1 } } }, { source: { kind: 'import', costUsd: -0.1 } }, { source: { kind: 'import', model: 3 } }, { source: { kind: 'human', extra: 1 } },
];

test('quickRecordCheck agrees with recordSchema where it accepts', () => {
  assert.equal(quickRecordCheck(VALID), true);
  for (const v of VARIANTS) {
    const record = { ...VALID, ...v };
    for (const k of Object.keys(v)) if (v[k] === undefined) delete (record as Record<string, unknown>)[k];
    const zod = recordSchema.safeParse(record).success;
    const quick = quickRecordCheck(record);
    assert.ok(!quick || zod, `quick check accepted what zod rejects: ${JSON.stringify(v)}`);
    assert.equal(quick, zod, `quick check and zod disagree on ${JSON.stringify(v)}`);
  }
});
