// `distillery validate` through the built CLI as a user runs it: exit codes, both output formats,
// and bad input (missing file, directory, invalid UTF-8, deep nesting, broken lines, big files).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { repoRoot, runCli } from '../helpers/cli';

let dir: string;
const cli = (args: string[], cwd = dir) => runCli(['validate', ...args], { cwd });
const noStack = (s: string) => assert.doesNotMatch(s, /\n\s+at .+:\d+:\d+/, `no stack trace in: ${s}`);

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'distillery-validate-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('a clean body exits 0; a misspelt query exits 1 with the contract JSON', () => {
  writeFileSync(join(dir, 'ok.json'), JSON.stringify({ query: { match: { title: 'shoes' } }, size: 5 }));
  const ok = cli(['ok.json']);
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /1 file, 0 records: 0 errors, 0 warnings/);

  writeFileSync(join(dir, 'bad.querydsl'), '{\n  "query": {\n    "mtach": { "title": "shoes" }\n  }\n}\n');
  const bad = cli(['bad.querydsl', '--format', 'json']);
  assert.equal(bad.status, 1);
  const out = JSON.parse(bad.stdout);
  assert.deepEqual(out.summary, { files: 1, records: 0, errors: 1, warnings: 0 });
  const d = out.diagnostics[0];
  assert.equal(d.file, 'bad.querydsl');
  assert.equal(d.line, 3);
  assert.equal(d.code, 'unknown-query');
  assert.equal(d.pointer, '/query/mtach');
  assert.deepEqual(d.range.start, { line: 2, character: 4 });
  assert.match(d.message, /did you mean \[match\]/);
});

test('datasets: every line is checked, a non-JSON line is reported by number and the rest still validated', () => {
  const lines = [
    JSON.stringify({ id: 'a', question: 'q', dsl: { query: { term: { status: 'x' } } }, status: 'accepted' }),
    '{"id": "b", "question": broken',
    JSON.stringify({ id: 'c', question: 'q', dsl: { query: { rnage: { price: { gt: 1 } } } }, status: 'generated' }),
  ];
  writeFileSync(join(dir, 'd.dss.jsonl'), lines.join('\n') + '\n');
  const r = cli(['d.dss.jsonl', '--format', 'json']);
  assert.equal(r.status, 1);
  const out = JSON.parse(r.stdout);
  assert.equal(out.summary.records, 3);
  const byLine = new Map(out.diagnostics.map((x: { line: number; code: string }) => [x.line, x]));
  assert.equal((byLine.get(2) as { code: string }).code, 'json-syntax');
  const c = byLine.get(3) as { code: string; recordId: string; pointer: string };
  assert.equal(c.code, 'unknown-query');
  assert.equal(c.recordId, 'c');
  assert.equal(c.pointer, '/dsl/query/rnage');
  assert.ok(!byLine.has(1));
});

test('bad input: missing file, directory and invalid UTF-8 get one clear line each, no stack, other files still checked', () => {
  mkdirSync(join(dir, 'folder'), { recursive: true });
  writeFileSync(join(dir, 'latin1.json'), Buffer.from([0x7b, 0x22, 0x71, 0xe9, 0x22, 0x3a, 0x31, 0x7d]));
  writeFileSync(join(dir, 'fine.json'), '{"size": 1}');
  const r = cli(['missing.json', 'folder', 'latin1.json', 'fine.json']);
  assert.equal(r.status, 2, 'an input that cannot be read is a usage problem');
  assert.match(r.stderr, /missing\.json does not exist/);
  assert.match(r.stderr, /folder is a directory/);
  assert.match(r.stderr, /latin1\.json is not valid UTF-8 \(first bad byte at offset 3\)/);
  assert.match(r.stdout, /1 file, 0 records: 3 errors/);
  noStack(r.stderr);
});

test('unreadable inputs are named in the JSON output too (a dataset directory, a dataset with a non-UTF-8 line), exit 2', () => {
  mkdirSync(join(dir, 'set.dss.jsonl'), { recursive: true });
  writeFileSync(join(dir, 'bad.dss.jsonl'), Buffer.concat([Buffer.from('{"id":"a","question":"q","dsl":{"size":1}}\n'), Buffer.from([0x7b, 0xff, 0x7d, 0x0a])]));
  const r = cli(['set.dss.jsonl', 'bad.dss.jsonl', 'missing.dss.jsonl', '--format', 'json']);
  assert.equal(r.status, 2, r.stderr);
  const out = JSON.parse(r.stdout) as { summary: { files: number }; diagnostics: { file: string; line: number; code: string; message: string }[] };
  const unreadable = out.diagnostics.filter((d) => d.code === 'unreadable-file');
  assert.deepEqual(unreadable.map((d) => [d.file, d.line]), [['set.dss.jsonl', 1], ['bad.dss.jsonl', 2], ['missing.dss.jsonl', 1]]);
  assert.match(unreadable[0]!.message, /is a directory/);
  assert.match(unreadable[1]!.message, /bad\.dss\.jsonl:2 is not valid UTF-8/);
  noStack(r.stderr);
});

test('validator messages for prototype-named keys are about the key, not Object.prototype', () => {
  writeFileSync(join(dir, 'proto.json'), '{"toString": {}, "query": {"constructor": {}}}');
  const r = cli(['proto.json', '--format', 'json']);
  assert.equal(r.status, 1, r.stderr);
  const messages = (JSON.parse(r.stdout) as { diagnostics: { message: string }[] }).diagnostics.map((d) => d.message);
  assert.ok(messages.some((m) => /unknown key \[toString\]/.test(m)), messages.join('\n'));
  assert.ok(!messages.some((m) => /is a query, not a body key/.test(m)), messages.join('\n'));
  assert.ok(messages.some((m) => /unknown query \[constructor\]/.test(m)), messages.join('\n'));
});

test('bad usage exits 2', () => {
  const none = cli([]);
  assert.equal(none.status, 2);
  assert.match(none.stderr, /needs at least one FILE/);
  const fmt = cli(['x.json', '--format', 'xml']);
  assert.equal(fmt.status, 2);
  const flag = cli(['x.json', '--frobnicate']);
  assert.equal(flag.status, 2);
  assert.match(flag.stderr, /frobnicate/);
  const mapping = cli(['x.json', '--mapping', 'nope.json']);
  assert.equal(mapping.status, 2);
  assert.match(mapping.stderr, /mapping nope\.json does not exist/);
});

test('a body nested 10,000 levels deep is reported, not a stack overflow', () => {
  const deep = '{"query":' + '{"bool":{"must":'.repeat(10_000) + '{"match_all":{}}' + '}}'.repeat(10_000) + '}';
  writeFileSync(join(dir, 'deep.json'), deep);
  const r = cli(['deep.json', '--format', 'json']);
  assert.ok(r.status === 0 || r.status === 1, `exit ${r.status}: ${r.stderr.slice(0, 300)}`);
  noStack(r.stderr);
  JSON.parse(r.stdout);
});

test('a 100 MB dataset validates without running out of memory', () => {
  const line = JSON.stringify({ id: 'x', question: 'q'.repeat(900), dsl: { query: { match_all: {} } }, status: 'accepted' });
  const count = Math.ceil((100 * 1024 * 1024) / (line.length + 1));
  writeFileSync(join(dir, 'big.dss.jsonl'), (line + '\n').repeat(count));
  const r = cli(['big.dss.jsonl']);
  assert.equal(r.status, 0, r.stderr.slice(0, 500));
  assert.match(r.stdout, new RegExp(`${count} records: 0 errors`));
});

test('chunk edges: a BOM, CRLF, a record longer than the 4 MiB read buffer, non-ASCII text and no final newline keep line numbers and columns', () => {
  const long = JSON.stringify({ id: 'long', question: 'é'.repeat(3_000_000), dsl: { query: { match_all: {} } }, status: 'accepted' });
  const lines = [
    JSON.stringify({ id: 'a', question: 'Größe?', dsl: { query: { term: { größe: 'x' } } } }),
    long,
    '',
    JSON.stringify({ id: 'b', question: 'q', dsl: { query: { rnage: { price: { gt: 1 } } } } }),
    long,
    JSON.stringify({ id: 'c', question: 'ünïcödé', dsl: { query: { mtach: { title: 'x' } } } }),
  ];
  writeFileSync(join(dir, 'edges.dss.jsonl'), '\uFEFF' + lines.join('\r\n'));
  const r = cli(['edges.dss.jsonl', '--format', 'json']);
  assert.equal(r.status, 1, r.stderr.slice(0, 500));
  const out = JSON.parse(r.stdout);
  assert.equal(out.summary.records, 5);
  const found = out.diagnostics.map((d: { line: number; recordId: string; code: string; pointer: string; range: { start: { character: number } } }) =>
    [d.line, d.recordId, d.code, d.pointer, d.range.start.character]);
  const col = (line: string, key: string) => line.indexOf(`"${key}"`);
  assert.deepEqual(found, [
    [4, 'b', 'unknown-query', '/dsl/query/rnage', col(lines[3]!, 'rnage')],
    [6, 'c', 'unknown-query', '/dsl/query/mtach', col(lines[5]!, 'mtach')],
  ]);
});

test('the built CLI: a reader that closes the pipe early (| head) ends it quietly with 141, no stack trace', async () => {
  const line = JSON.stringify({ id: 'x', question: 'q', dsl: { query: { mtach: {} } } });
  writeFileSync(join(dir, 'many.dss.jsonl'), (line + '\n').repeat(50_000));
  const child = spawn(process.execPath, [join(repoRoot, 'dist/cli.js'), 'validate', 'many.dss.jsonl'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  // Read one chunk, then close our end, as `head` does.
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  child.stdout.destroy();
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  assert.equal(code, 141, stderr);
  assert.equal(stderr, '');
});

test('a reader slower than the output gets all of it: the JSON is whole after the pipe filled up', async () => {
  const line = JSON.stringify({ id: 'x', question: 'q', dsl: { query: { mtach: {} } } });
  writeFileSync(join(dir, 'slow.dss.jsonl'), (line + '\n').repeat(20_000));
  const child = spawn(process.execPath, [join(repoRoot, 'dist/cli.js'), 'validate', '--format', 'json', 'slow.dss.jsonl'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  // Nothing is read for a while: the pipe (64 KiB) fills and the writer has to wait for us.
  child.stdout.pause();
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const chunks: Buffer[] = [];
  child.stdout.on('data', (b: Buffer) => chunks.push(b));
  child.stdout.resume();
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  assert.equal(code, 1, stderr);
  const out = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { diagnostics: unknown[]; summary: { errors: number } };
  assert.equal(out.summary.errors, 20_000);
  assert.equal(out.diagnostics.length, 20_000);
});

test('the mapping of the nearest distillery.json is used when --mapping is not given', () => {
  const project = join(dir, 'proj');
  mkdirSync(project, { recursive: true });
  writeFileSync(join(project, 'distillery.json'), JSON.stringify({ mapping: 'm.json' }));
  writeFileSync(join(project, 'm.json'), JSON.stringify({ properties: { price: { type: 'double' } } }));
  writeFileSync(join(project, 'q.json'), JSON.stringify({ query: { range: { prize: { gt: 1 } } } }));
  const r = cli(['q.json', '--format', 'json'], project);
  const out = JSON.parse(r.stdout);
  assert.ok(out.diagnostics.some((d: { message: string }) => /prize/.test(d.message) && /price/.test(d.message)), r.stdout);
});

test('a mapping nested past Elasticsearch’s depth limit is refused with exit 2, even 100,000 levels deep', () => {
  const depth = 100_000;
  writeFileSync(join(dir, 'deep-mapping.json'), '{"properties":{"a":'.repeat(depth) + '{"type":"keyword"}' + '}}'.repeat(depth));
  writeFileSync(join(dir, 'ok.json'), '{"size": 1}');
  const r = cli(['ok.json', '--mapping', 'deep-mapping.json']);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /deep-mapping\.json is not usable: its fields nest deeper than 20 levels.*index\.mapping\.depth\.limit/);
  noStack(r.stderr);
  // 20 levels is what Elasticsearch accepts.
  writeFileSync(join(dir, 'twenty.json'), '{"properties":{"a":'.repeat(20) + '{"type":"keyword"}' + '}}'.repeat(20));
  assert.equal(cli(['ok.json', '--mapping', 'twenty.json']).status, 0);
});
