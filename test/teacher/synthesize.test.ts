// Question synthesis through the fake teacher: gaps in the prompt, duplicates dropped, pending records appended.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { FakeTeacher } from './fake-server';
import { API_KEY, makeSession, readRecords, tempDir, writeRecords } from './helpers';
import { createClient } from '../../src/core/teacher/session';
import { synthesizeQuestions } from '../../src/core/teacher/synthesize';

test('synthesis proposes questions aimed at the gaps and drops duplicates', async () => {
  let prompt = '';
  const fake = await FakeTeacher.start((ctx) => {
    prompt = ctx.body.messages[0]!.content;
    return { content: '1. Cancelled orders\n2. orders paid by card in 2024\n3. average rating per city\n4. orders paid by card in 2024' };
  });
  const { dir, cleanup } = tempDir();
  try {
    writeFileSync(join(dir, 'mapping.json'), JSON.stringify({ orders: { mappings: { properties: { status: { type: 'keyword' }, rating: { type: 'byte' } } } } }));
    writeFileSync(join(dir, 'distillery.json'), JSON.stringify({ mapping: 'mapping.json' }));
    writeRecords(join(dir, 'data.dss.jsonl'), [{ id: 'q-1', question: 'cancelled orders', status: 'accepted', dsl: { query: { term: { status: 'cancelled' } } } }]);
    const session = await makeSession(fake, dir);
    const result = await synthesizeQuestions(session, createClient(session, { apiKey: API_KEY }), { count: 5 });
    assert.deepEqual(result.added.map((r) => r.question), ['orders paid by card in 2024', 'average rating per city']);
    assert.equal(result.duplicates, 2);
    assert.match(prompt, /Fields no question uses yet: rating/);
    assert.match(prompt, /- cancelled orders/);
    assert.match(prompt, /"rating"/);
    const records = readRecords(session.datasetPath);
    assert.equal(records.length, 3);
    assert.ok(records.slice(1).every((r) => r.status === 'pending' && r.dsl === null));
  } finally {
    await fake.close();
    cleanup();
  }
});
