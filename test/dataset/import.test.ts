import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseCsv, CsvError } from '../../src/core/dataset/csv';
import { findDuplicateClusters, normalizeQuestion } from '../../src/core/dataset/dedup';
import { importQuestions, importQuestionsFile, ImportError, questionId } from '../../src/core/dataset/import';
import type { DatasetRecord } from '../../src/core/dataset/record';
import { fixedNow, tempDir } from './helpers';

describe('CSV reader (RFC 4180)', () => {
  test('quotes, doubled quotes, embedded commas and newlines, CRLF, BOM, blank lines', () => {
    const text = '\uFEFFid,question\r\n1,"orders, last week"\r\n2,"say ""hi"""\n\n3,"two\nlines"\n4,plain';
    assert.deepEqual(parseCsv(text), [
      { line: 1, fields: ['id', 'question'] },
      { line: 2, fields: ['1', 'orders, last week'] },
      { line: 3, fields: ['2', 'say "hi"'] },
      { line: 5, fields: ['3', 'two\nlines'] },
      { line: 7, fields: ['4', 'plain'] },
    ]);
    assert.deepEqual(parseCsv('a,,""\n'), [{ line: 1, fields: ['a', '', ''] }]);
  });

  test('an unclosed quote or text after a closing quote names the line', () => {
    assert.throws(() => parseCsv('a\n"never closed'), (e: unknown) => e instanceof CsvError && e.line === 2);
    assert.throws(() => parseCsv('x\n"a"b'), /line 2: unexpected character "b" after a closing quote/);
  });
});

describe('question normalisation and duplicate clusters', () => {
  test('normalises case, whitespace, punctuation and Unicode compatibility forms', () => {
    assert.equal(normalizeQuestion('  Orders,   OVER  $100!? '), 'orders over $100');
    assert.equal(normalizeQuestion('ｏｒｄｅｒｓ　ﬁle'), 'orders file'); // full-width letters, ideographic space, ﬁ ligature
  });

  test('exact and near duplicates form clusters; different questions do not', () => {
    const items = [
      { id: 'a', text: 'orders over $100 from last week' },
      { id: 'b', text: 'show cancelled orders' },
      { id: 'c', text: 'Orders over $100, from last week!' },
      { id: 'd', text: 'orders over $100 from the last week' },
      { id: 'e', text: 'how many orders were paid with paypal' },
      { id: 'f', text: 'Show cancelled orders.' },
      { id: 'g', text: 'how many orders were paid with paypal today' },
      { id: 'h', text: 'average price per category' },
    ];
    const clusters = findDuplicateClusters(items);
    assert.deepEqual(
      clusters.map((c) => [c.kind, c.ids]),
      [
        ['near', ['a', 'c', 'd']],
        ['exact', ['b', 'f']],
        ['near', ['e', 'g']],
      ],
    );
    assert.ok(clusters[0]!.similarity >= 0.7 && clusters[0]!.similarity < 1);
    assert.deepEqual(findDuplicateClusters(items, { threshold: 1 }).map((c) => c.ids), [['a', 'c'], ['b', 'f']]);
  });

  test('scales to many near-identical templated questions', () => {
    const items = Array.from({ length: 8_000 }, (_, i) => ({ id: `t${i}`, text: `orders from customer number ${i % 2000} in ${['march', 'april', 'may', 'june'][i % 4]}` }));
    const t = performance.now();
    const clusters = findDuplicateClusters(items);
    assert.ok(performance.now() - t < 10_000);
    assert.ok(clusters.length > 0);
  });
});

describe('import', () => {
  const existing: DatasetRecord[] = [{ id: 'q-old', question: 'Show cancelled orders', status: 'accepted', dsl: null }];

  test('.txt: one question per line; exact duplicates of each other and of the dataset are skipped', () => {
    const r = importQuestions('orders over $100 from last week\n\n  show CANCELLED orders.  \norders over $100 from last week!\nOrders over $100 from the last week\n', { existing, now: fixedNow });
    assert.deepEqual(r.records.map((x) => x.question), ['orders over $100 from last week', 'Orders over $100 from the last week']);
    assert.deepEqual(r.records[0], { id: questionId('orders over $100 from last week'), question: 'orders over $100 from last week', dsl: null, status: 'pending', source: { kind: 'import' }, updatedAt: fixedNow() });
    assert.deepEqual(
      r.skipped.map((s) => [s.line, s.duplicateOf]),
      [
        [3, 'q-old'],
        [4, r.records[0]!.id],
      ],
    );
    assert.deepEqual(r.clusters.map((c) => [c.kind, c.ids]), [['near', [r.records[0]!.id, r.records[1]!.id]]]);
    assert.equal(questionId('Orders over $100, from last week!'), r.records[0]!.id, 'ids are stable: derived from the normalised question');
  });

  test('.csv: column by header name or by index; a missing column names the ones there are', () => {
    const csv = 'id,question,notes\n1,"orders, last week",x\n2,"say ""hi""",y\n3\n';
    const byName = importQuestions(csv, { format: 'csv', column: 'question' });
    assert.deepEqual(byName.records.map((x) => x.question), ['orders, last week', 'say "hi"']);
    assert.deepEqual(byName.errors, [{ line: 4, message: 'row has 1 column(s), no column 1' }]);
    assert.deepEqual(importQuestions(csv, { format: 'csv' }).records.map((x) => x.question), ['orders, last week', 'say "hi"'], 'a "question" column is the default');
    assert.deepEqual(importQuestions(csv, { format: 'csv', column: 2 }).records.map((x) => x.question), ['x', 'y']);
    assert.deepEqual(importQuestions('a\nb\n', { format: 'csv', column: 0, header: false }).records.map((x) => x.question), ['a', 'b']);
    assert.throws(() => importQuestions(csv, { format: 'csv', column: 'text' }), (e: unknown) => e instanceof ImportError && /no column "text"; the columns are "id", "question", "notes"/.test(e.message));
    assert.throws(() => importQuestions('"open', { format: 'csv' }), /not valid CSV: line 1/);
  });

  test('.jsonl: a chosen field; bad lines are reported with their line number and the rest imported', () => {
    const text = ['{"q":"first question"}', 'not json', '{"other":1}', '{"q":"second question"}'].join('\n');
    const r = importQuestions(text, { format: 'jsonl', field: 'q' });
    assert.deepEqual(r.records.map((x) => x.question), ['first question', 'second question']);
    assert.deepEqual(r.errors.map((e) => e.line), [2, 3]);
    assert.match(r.errors[1]!.message, /no string field "q"/);
  });

  test('importQuestionsFile picks the format from the extension and reports unreadable paths', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'q.csv'), 'question\n"a, b"\n');
    writeFileSync(join(dir, 'q.jsonl'), '{"question":"from jsonl"}\n');
    writeFileSync(join(dir, 'q.txt'), 'from txt\n');
    assert.deepEqual((await importQuestionsFile(join(dir, 'q.csv'))).records.map((r) => r.question), ['a, b']);
    assert.deepEqual((await importQuestionsFile(join(dir, 'q.jsonl'))).records.map((r) => r.question), ['from jsonl']);
    assert.deepEqual((await importQuestionsFile(join(dir, 'q.txt'))).records.map((r) => r.question), ['from txt']);
    await assert.rejects(importQuestionsFile(join(dir, 'missing.txt')), /no such file/);
    await assert.rejects(importQuestionsFile(dir), /is a directory/);
  });
});
