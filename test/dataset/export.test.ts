import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { DslProblem } from '../../src/core/dsl';
import { formatRecord, planExport, writeExport, type ExportManifest } from '../../src/core/dataset/export';
import type { DatasetRecord } from '../../src/core/dataset/record';
import { DatasetStore } from '../../src/core/dataset/store';
import { prng } from '../../src/core/dataset/random';
import { UsageError, UserError } from '../../src/cli/usage';
import { run as runExport } from '../../src/cli/commands/export';
import { randomQuestion, tempDir } from './helpers';

const root = join(import.meta.dirname, '..', '..');

const good: DatasetRecord = {
  id: 'q-1',
  question: 'orders over $100',
  rationale: 'A lower bound on the total is a range query.',
  dsl: { query: { range: { total: { gt: 100 } } } },
  status: 'accepted',
};

/** A stand-in validator: `mtach` is an error, `term` on "title" a warning. */
function validate(dsl: unknown): DslProblem[] {
  const text = JSON.stringify(dsl);
  const out: DslProblem[] = [];
  if (text.includes('"mtach"')) out.push({ pointer: '/query/mtach', code: 'unknown-query', severity: 'error', message: 'unknown query [mtach]' });
  if (text.includes('"term":{"title"')) out.push({ pointer: '/query/term', code: 'term-on-text', severity: 'warning', message: 'term on text' });
  return out;
}

function records(n: number): DatasetRecord[] {
  const random = prng('export-test');
  const out: DatasetRecord[] = [];
  for (let i = 0; i < n; i++) {
    out.push({
      id: `q-${i}`,
      question: `${randomQuestion(random)} ${i}`,
      rationale: `because ${i}`,
      dsl: { query: i % 2 ? { match: { title: `t${i}` } } : { term: { status: `s${i}` } } },
      status: 'accepted',
    });
  }
  return out;
}

describe('export formats', () => {
  test('dss, label-only and chat lines', () => {
    assert.deepEqual(JSON.parse(formatRecord(good, 'dss')), { id: 'q-1', question: good.question, rationale: good.rationale, dsl: good.dsl });
    assert.deepEqual(JSON.parse(formatRecord(good, 'label-only')), { id: 'q-1', question: good.question, dsl: good.dsl });
    const chat = JSON.parse(formatRecord(good, 'chat', 'SYS')) as { messages: { role: string; content: string }[] };
    assert.deepEqual(
      chat.messages.map((m) => m.role),
      ['system', 'user', 'assistant'],
    );
    assert.equal(chat.messages[0]!.content, 'SYS');
    assert.equal(chat.messages[1]!.content, good.question);
    const answer = chat.messages[2]!.content;
    assert.ok(answer.startsWith(good.rationale!));
    const json = /```json\n([\s\S]*)\n```$/.exec(answer)![1]!;
    assert.deepEqual(JSON.parse(json), good.dsl);
  });

  test('selection: status, missing DSL, validator errors (or --include-invalid), missing rationale for dss', () => {
    const all: DatasetRecord[] = [
      good,
      { ...good, id: 'pending', status: 'pending' },
      { ...good, id: 'nodsl', dsl: null },
      { ...good, id: 'invalid', dsl: { query: { mtach: {} } } },
      { ...good, id: 'warn', dsl: { query: { term: { title: 'x' } } } },
      { ...good, id: 'norat', rationale: null },
    ];
    const plan = planExport(all, { validate });
    const ids = (p: typeof plan) => Object.values(p.lines).flat().map((l) => (JSON.parse(l) as { id: string }).id).sort();
    assert.deepEqual(ids(plan), ['q-1', 'warn']);
    assert.deepEqual(plan.manifest.excluded, { status: 1, missingDsl: 1, invalid: 1, missingRationale: 1 });
    const withInvalid = planExport(all, { validate, includeInvalid: true, format: 'label-only', statuses: ['accepted', 'pending'] });
    assert.deepEqual(ids(withInvalid), ['invalid', 'norat', 'pending', 'q-1', 'warn']);
    assert.equal(withInvalid.manifest.invalidIncluded, 1);
  });

  test('writes train/val/test files and a manifest; splits on records are respected unless resplit', () => {
    const recs = records(100);
    recs[0] = { ...recs[0]!, split: 'test' };
    const dir = tempDir();
    const plan = planExport(recs, { validate, seed: 9, ratios: { train: 0.7, val: 0.2, test: 0.1 } }, { path: 'd.dss.jsonl', sha256: 'abc', records: 100 });
    writeExport(plan, join(dir, 'out', 'nested'));
    const read = (s: string) => readFileSync(join(dir, 'out', 'nested', `${s}.jsonl`), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string; question: string; rationale: string; dsl: unknown });
    const [train, val, test_] = [read('train'), read('val'), read('test')];
    assert.equal(train.length + val.length + test_.length, 100);
    assert.equal(train.length, 70);
    assert.ok(test_.some((r) => r.id === 'q-0'));
    const manifest = JSON.parse(readFileSync(join(dir, 'out', 'nested', 'manifest.json'), 'utf8')) as ExportManifest;
    assert.deepEqual(manifest.counts, { train: train.length, val: val.length, test: test_.length });
    assert.equal(manifest.seed, 9);
    assert.equal(manifest.source.sha256, 'abc');
    assert.deepEqual(Object.keys(manifest.leakage).sort(), ['clusters', 'clustersMoved', 'existingMoved', 'largestCluster', 'recordsMoved']);
    const resplit = planExport(recs, { validate, seed: 9, ratios: { train: 0.7, val: 0.2, test: 0.1 }, resplit: true });
    assert.equal(resplit.manifest.resplit, true);
    assert.equal(planExport(recs, { validate, seed: 9 }).assignments.get('q-0'), 'test');
  });
});

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src', 'cli', 'main.ts'), 'export', ...args], { encoding: 'utf8', cwd: root });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('distillery export (CLI)', () => {
  test('exports the dataset and prints what it wrote; --write-splits saves the splits', async () => {
    const dir = tempDir();
    const data = join(dir, 'd.dss.jsonl');
    writeFileSync(data, records(40).map((r, i) => JSON.stringify(i === 3 ? { ...r, status: 'pending' } : r)).join('\n') + '\n{broken\n');
    const r = cli('--dataset', data, '--out', join(dir, 'out'), '--format', 'chat', '--split', '0.5,0.25,0.25', '--seed', '3', '--write-splits');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /exported 39 record\(s\) as chat to .*: \d+ train, \d+ val, \d+ test/);
    assert.match(r.stdout, /left out: 1 not accepted/);
    assert.match(r.stderr, /d\.dss\.jsonl:41: skipped, not valid JSON/);
    const manifest = JSON.parse(readFileSync(join(dir, 'out', 'manifest.json'), 'utf8')) as ExportManifest;
    assert.equal(manifest.format, 'chat');
    assert.equal(manifest.source.records, 40);
    assert.equal(manifest.source.brokenLines, 1);
    assert.match(manifest.source.sha256!, /^[0-9a-f]{64}$/);
    const store = await DatasetStore.open(data);
    assert.equal(store.records().filter((x) => x.split).length, 39);
    assert.equal(store.brokenLines().length, 1, 'the broken line survives --write-splits');
    // Exporting again reuses the saved splits even with another seed.
    const again = cli('--dataset', data, '--out', join(dir, 'out2'), '--seed', '99', '--format', 'label-only');
    assert.equal(again.code, 0, again.stderr);
    const m2 = JSON.parse(readFileSync(join(dir, 'out2', 'manifest.json'), 'utf8')) as ExportManifest;
    assert.deepEqual(m2.counts, manifest.counts);
  });

  test('bad usage exits 2; missing or unusable files exit 1 with a message naming them', async () => {
    const dir = tempDir();
    const data = join(dir, 'd.dss.jsonl');
    writeFileSync(data, records(5).map((r) => JSON.stringify(r)).join('\n') + '\n');
    mkdirSync(join(dir, 'adir'));
    writeFileSync(join(dir, 'afile'), 'x');
    // The exit codes through the real entry point, once per kind…
    const usage = cli('--dataset', data, '--out', dir, '--split', '0.8,0.2');
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /^distillery export: --split: expected three non-negative numbers "train,val,test" such as 0\.8,0\.1,0\.1; got "0\.8,0\.2"\n$/);
    const missing = cli('--dataset', join(dir, 'missing.dss.jsonl'), '--out', dir);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^distillery export: cannot read --dataset: .*missing\.dss\.jsonl: no such file\n$/);
    // …and every case in-process (main maps UsageError → 2, UserError → its exit code, 1 here).
    const cases: [string[], typeof UsageError | typeof UserError, RegExp][] = [
      [['--out', dir], UsageError, /needs --dataset/],
      [['--dataset', data], UsageError, /needs --out/],
      [['--dataset', data, '--out', dir, '--split', 'a,b,c'], UsageError, /--split/],
      [['--dataset', data, '--out', dir, '--format', 'csv'], UsageError, /--format must be one of dss, label-only, chat/],
      [['--dataset', data, '--out', dir, '--seed', '1.5'], UsageError, /--seed must be an integer/],
      [['--dataset', data, '--out', dir, '--status', 'maybe'], UsageError, /unknown status "maybe"/],
      [['--dataset', data, '--out', dir, '--bogus'], UsageError, /Unknown option '--bogus'/],
      [['--dataset', join(dir, 'adir'), '--out', dir], UserError, /adir is a directory/],
      [['--dataset', data, '--out', join(dir, 'afile')], UserError, /afile exists and is not a directory/],
      [['--dataset', data, '--out', dir, '--status', 'rejected'], UserError, /nothing to export: none of the 5 record\(s\) passed/],
      [['--dataset', data, '--out', dir, '--mapping', join(dir, 'nope.json')], UserError, /cannot read --mapping .*nope\.json: no such file/],
    ];
    for (const [args, kind, message] of cases) {
      await assert.rejects(runExport(args), (e: unknown) => e instanceof kind && message.test(e.message), args.join(' '));
    }
    assert.equal(existsSync(join(dir, 'train.jsonl')), false, 'nothing written on error');
  });

  test('near-duplicate clustering that empties a split: a warning, and a failure naming the reason; nothing written', () => {
    const dir = tempDir();
    const data = join(dir, 'd.dss.jsonl');
    // Twenty rewordings of one question: one cluster, which must stay in one split.
    const same = records(20).map((r, i) => ({ ...r, question: `show me all the orders over one hundred dollars please ${i % 2 ? 'now' : 'today'}` }));
    writeFileSync(data, same.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const r = cli('--dataset', data, '--out', join(dir, 'out'));
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr, /warning: near-duplicate clustering put 20 of 20 record\(s\) \(100%\) in one cluster/);
    assert.match(r.stderr, /the val and test splits would be empty: 20 record\(s\) in 1 near-duplicate cluster\(s\) \(the largest holds 20\)/);
    assert.equal(existsSync(join(dir, 'out', 'train.jsonl')), false, 'nothing written');
    const trainOnly = cli('--dataset', data, '--out', join(dir, 'out'), '--split', '1,0,0');
    assert.equal(trainOnly.code, 0, trainOnly.stderr);
  });
});
