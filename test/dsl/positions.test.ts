import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { canonicalJson, normalizeBody, problemRange, validateBody, validateDatasetLine, validateText } from '../../src/core/dsl';
import { locatePointers, locatePointersJsonc } from '../../src/core/dsl/positions';
import { escapePointerSegment } from '../../src/core/dsl/validator';
import { corpusPath } from '../helpers/corpus';
import type { CorpusRecord } from './corpus-bodies';

/** The text a range covers (single- or multi-line). */
function slice(text: string, r: { start: { line: number; character: number }; end: { line: number; character: number } }): string {
  const lines = text.split('\n');
  const offset = (p: { line: number; character: number }) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  return text.slice(offset(r.start), offset(r.end));
}

test('validateText: a clean body has no problems', () => {
  assert.deepEqual(validateText('{"query": {"match_all": {}}}'), []);
});

test('validateText: unknown keys are ranged on the key, bad values on the value', () => {
  const text = [
    '{',
    '  "query": {',
    '    "bool": {',
    '      "must": [',
    '        { "mtach": { "title": "red" } }',
    '      ]',
    '    }',
    '  },',
    '  "size": "ten"',
    '}',
  ].join('\n');
  const problems = validateText(text);
  assert.deepEqual(problems.map((p) => p.code), ['unknown-query', 'invalid-type']);
  const [unknown, size] = problems;
  assert.deepEqual(unknown!.range, { start: { line: 4, character: 10 }, end: { line: 4, character: 17 } });
  assert.equal(slice(text, unknown!.range), '"mtach"');
  assert.equal(slice(text, size!.range), '"ten"');
  assert.equal(size!.range.start.line, 8);
});

test('validateText: a missing param is placed on its parent; escaped keys are found', () => {
  const text = '{"query": {"nested": {"path": "lines"}}, "aggs": {"a/b": {"avg": {"feld": "x"}}}}';
  const problems = validateText(text);
  const missing = problems.find((p) => p.code === 'missing-param')!;
  assert.equal(missing.pointer, '/query/nested');
  assert.equal(slice(text, missing.range), '"nested"');
  const unknown = problems.find((p) => p.code === 'unknown-param')!;
  assert.equal(unknown.pointer, '/aggs/a~1b/avg/feld');
  assert.equal(slice(text, unknown.range), '"feld"');
});

test('validateText: syntax errors name the line and column', () => {
  const text = '{\n  "size": 1,\n  "from" 2\n}';
  const [p] = validateText(text);
  assert.equal(p!.code, 'json-syntax');
  assert.match(p!.message, /line 3, column 10: expected a colon/);
  assert.deepEqual(p!.range.start, { line: 2, character: 9 });
});

test('validateDatasetLine: dsl problems are prefixed with /dsl and ranged on the line', () => {
  const line = '{"id":"q-7","question":"red shoes","dsl":{"query":{"mtach":{"title":"red"}}},"status":"generated"}';
  const { recordId, problems } = validateDatasetLine(line, 41);
  assert.equal(recordId, 'q-7');
  assert.deepEqual(problems.map((p) => [p.code, p.pointer]), [['unknown-query', '/dsl/query/mtach']]);
  assert.equal(problems[0]!.range.start.line, 41);
  assert.equal(line.slice(problems[0]!.range.start.character, problems[0]!.range.end.character), '"mtach"');
});

test('validateDatasetLine: null dsl, shape errors, bad JSON, blank lines', () => {
  assert.deepEqual(validateDatasetLine('{"id":"a","question":"q","dsl":null}', 0), { recordId: 'a', problems: [] });
  const bad = validateDatasetLine('{"id":"a","question":"q","status":"done","dsl":{"size":"x"}}', 3);
  assert.deepEqual(bad.problems.map((p) => [p.code, p.pointer]), [['record-shape', '/status'], ['invalid-type', '/dsl/size']]);
  assert.equal(bad.recordId, 'a');
  const status = bad.problems[0]!;
  assert.equal('{"id":"a","question":"q","status":"done","dsl":{"size":"x"}}'.slice(status.range.start.character, status.range.end.character), '"done"');
  const broken = validateDatasetLine('{"id":"a", "question": ', 9);
  assert.equal(broken.recordId, undefined);
  assert.deepEqual(broken.problems.map((p) => [p.code, p.range.start.line]), [['json-syntax', 9]]);
  assert.deepEqual(validateDatasetLine('   ', 2), { problems: [] });
});

test('problemRange finds keys and values', () => {
  const text = '{"query": {"term": {"status": "paid"}}}';
  assert.equal(text.slice(problemRange(text, '/query/term/status', true).start.character, problemRange(text, '/query/term/status', true).end.character), '"status"');
  const r = problemRange(text, '/query/term/status');
  assert.equal(text.slice(r.start.character, r.end.character), '"paid"');
});

function deepBool(levels: number): string {
  return '{"query":' + '{"bool":{"must":'.repeat(levels) + '{"match_all":{}}' + '}}'.repeat(levels) + '}';
}

test('10,000 levels of nesting: one clear problem, no stack overflow', () => {
  const text = deepBool(10_000);
  const body = JSON.parse(text) as unknown;
  const problems = validateBody(body);
  assert.deepEqual(problems.map((p) => p.code), ['max-depth']);
  assert.match(problems[0]!.message, /nested more than 30 levels/);
  const positioned = validateText(text);
  assert.equal(positioned.length, 1);
  assert.equal(text.slice(positioned[0]!.range.start.character, positioned[0]!.range.end.character), '"bool"');
  // the normaliser and canonical string cope too
  assert.ok(canonicalJson(body).length > 10_000 * 10);
  assert.ok(normalizeBody(body) !== null);
});

test('10,000 levels of non-query nesting (aggs, arrays) stop at the JSON depth guard', () => {
  let aggs: unknown = { leaf: { max: { field: 'p' } } };
  for (let i = 0; i < 10_000; i++) aggs = { [`a${i}`]: { terms: { field: 'f' }, aggs } };
  const problems = validateBody({ aggs });
  assert.deepEqual(problems.map((p) => p.code), ['max-depth']);
  const arrays = '{"search_after":' + '['.repeat(10_000) + ']'.repeat(10_000) + ',"size":"x"}';
  assert.deepEqual(validateText(arrays).map((p) => p.code), ['invalid-type']);
  assert.deepEqual(validateText('{"size": ' + '['.repeat(10_000)).map((p) => p.code), ['json-syntax']);
});

test('ranges stay right when the scan stops early, with CR, CRLF and LF line ends, and for a missing key after a found one', () => {
  // The scan stops once every problem's value has ended; a problem late in the text (and one that
  // falls back to its parent) must still be found, on every kind of line end.
  const body = { query: { match: { title: { query: 'x', operatr: 'and' } } }, aggs: { a: { terms: { fieldd: 'f' } } }, size: 'ten' };
  for (const eol of ['\n', '\r\n', '\r']) {
    const text = JSON.stringify(body, null, 2).replace(/\n/g, eol);
    const problems = validateText(text);
    const lines = text.split(/\r\n?|\n/);
    const at = (code: string, pointer: string) => {
      const p = problems.find((q) => q.code === code && q.pointer === pointer);
      assert.ok(p, `${code} at ${pointer} in ${JSON.stringify(problems.map((q) => [q.code, q.pointer]))}`);
      assert.equal(p.range.start.line, p.range.end.line);
      return lines[p.range.start.line]!.slice(p.range.start.character, p.range.end.character);
    };
    assert.equal(at('unknown-param', '/query/match/title/operatr'), '"operatr"', JSON.stringify(eol));
    assert.equal(at('unknown-param', '/aggs/a/terms/fieldd'), '"fieldd"');
    assert.equal(at('invalid-type', '/size'), '"ten"');
  }
});

test('validateDatasetLine: lines of Unicode whitespace are blank, as trim() says', () => {
  for (const line of ['', ' ', '\t', '\u00a0', '\ufeff  ', '\u2003']) assert.deepEqual(validateDatasetLine(line, 0), { problems: [] }, JSON.stringify(line));
  assert.equal(validateDatasetLine('\u00a0{', 0).problems[0]?.code, 'json-syntax');
});

test('the strict-JSON scanner locates every pointer of every corpus body exactly where jsonc-parser’s does, compact and indented', () => {
  const pointers = (v: unknown, at: string, into: string[]): void => {
    into.push(at);
    if (Array.isArray(v)) v.forEach((x, i) => pointers(x, `${at}/${i}`, into));
    else if (typeof v === 'object' && v !== null) for (const [k, x] of Object.entries(v)) pointers(x, `${at}/${escapePointerSegment(k)}`, into);
  };
  const bodies = readFileSync(corpusPath(), 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as CorpusRecord).body);
  assert.ok(bodies.length > 500);
  // Escapes, non-ASCII and odd numbers, which the corpus has few of.
  bodies.push({ query: { term: { 'a"b\\c/d~e': { value: 'é\u2028\\"x"' } } }, size: 1e3, from: -0.5e-2, track_total_hits: true, post_filter: null, ['ü\n']: [[], {}, [1, [2, { '': 3 }]]] });
  let compared = 0;
  for (const body of bodies) {
    const all: string[] = [];
    pointers(body, '', all);
    const wanted = new Set(all);
    for (const text of [JSON.stringify(body), JSON.stringify(body, null, 2).replace(/\n/g, '\r\n')]) {
      assert.deepEqual(locatePointers(text, wanted), locatePointersJsonc(text, wanted), text.slice(0, 200));
      // With targets the scan stops early: the same spans for each target.
      const target = new Set([all[all.length - 1]!]);
      const fast = locatePointers(text, wanted, target);
      const reference = locatePointersJsonc(text, wanted, target);
      assert.deepEqual(fast.get(all[all.length - 1]!), reference.get(all[all.length - 1]!));
      compared += all.length;
    }
  }
  assert.ok(compared > 10_000, `${compared} pointers compared`);
});

test('text that is not strict JSON (comments, trailing commas) is still located, by jsonc-parser’s scanner', () => {
  const text = '{\n  // the query\n  "query": {"term": {"status": "x",}},\n  "size": 1, /* last */\n}';
  const wanted = new Set(['', '/query', '/query/term', '/query/term/status', '/size']);
  const found = locatePointers(text, wanted);
  assert.deepEqual(found, locatePointersJsonc(text, wanted));
  const size = found.get('/size')!;
  assert.equal(text.slice(size.keyStart, size.keyEnd), '"size"');
  assert.equal(text.slice(size.valueStart, size.valueEnd), '1');
});
