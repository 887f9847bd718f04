// Tokenizes sample text with VS Code's own TextMate engine (vscode-textmate + Oniguruma), taken
// from the code-server install the e2e suite sets up under .tools/ (scripts/setup-code-server.sh).
// Without that install the tests are skipped; grammar.test.ts checks the rules with RegExp anyway.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { KEY_SCOPES } from '../../syntaxes/querydsl-grammar';
import { ROOT } from './lsp-client';

const VSCODE_MODULES = join(ROOT, '.tools/code-server/node_modules/code-server/lib/vscode/node_modules');
const available = existsSync(join(VSCODE_MODULES, 'vscode-textmate')) && existsSync(join(VSCODE_MODULES, 'vscode-oniguruma'));
const skip = available ? false : 'VS Code\'s TextMate engine is not installed (.tools/code-server); run scripts/setup-code-server.sh';

interface Token {
  startIndex: number;
  endIndex: number;
  scopes: string[];
}
interface TmGrammar {
  tokenizeLine(line: string, stack: unknown): { tokens: Token[]; ruleStack: unknown };
}
interface TextMate {
  Registry: new (options: unknown) => { loadGrammar(scope: string): Promise<TmGrammar | null> };
  INITIAL: unknown;
  parseRawGrammar(content: string, path: string): unknown;
}
interface Oniguruma {
  loadWASM(data: ArrayBuffer): Promise<void>;
  OnigScanner: new (patterns: string[]) => unknown;
  OnigString: new (text: string) => unknown;
}

const FILES: Record<string, string> = {
  'source.querydsl': 'querydsl.tmLanguage.json',
  'source.distillery-dataset': 'dataset.tmLanguage.json',
  'source.distillery-log': 'training-log.tmLanguage.json',
};

let registry: Promise<{ loadGrammar(scope: string): Promise<TmGrammar | null> }> | undefined;

function loadRegistry(): Promise<{ loadGrammar(scope: string): Promise<TmGrammar | null> }> {
  registry ??= (async () => {
    const require = createRequire(join(VSCODE_MODULES, 'x.js'));
    const tm = require('vscode-textmate') as TextMate;
    const onig = require('vscode-oniguruma') as Oniguruma;
    const wasm = readFileSync(join(VSCODE_MODULES, 'vscode-oniguruma/release/onig.wasm'));
    await onig.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
    return new tm.Registry({
      onigLib: Promise.resolve({ createOnigScanner: (p: string[]) => new onig.OnigScanner(p), createOnigString: (s: string) => new onig.OnigString(s) }),
      loadGrammar: (scope: string) => {
        const file = FILES[scope];
        if (!file) return null;
        const path = join(ROOT, 'syntaxes', file);
        return tm.parseRawGrammar(readFileSync(path, 'utf8'), path);
      },
    });
  })();
  return registry;
}

/** [text, scopes] of every token of every line, with the grammar state carried across lines. */
async function tokenize(scope: string, text: string): Promise<{ text: string; scopes: string[]; line: number }[]> {
  const grammar = await (await loadRegistry()).loadGrammar(scope);
  assert.ok(grammar, scope);
  const require = createRequire(join(VSCODE_MODULES, 'x.js'));
  let stack = (require('vscode-textmate') as TextMate).INITIAL;
  const out: { text: string; scopes: string[]; line: number }[] = [];
  text.split('\n').forEach((line, index) => {
    const r = grammar.tokenizeLine(line, stack);
    for (const t of r.tokens) out.push({ text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes, line: index });
    stack = r.ruleStack;
  });
  return out;
}

function scopeOf(tokens: { text: string; scopes: string[]; line?: number }[], text: string, line?: number): string[] {
  const t = tokens.find((x) => x.text === text && (line === undefined || x.line === line));
  assert.ok(t, `no token ${text} in ${JSON.stringify(tokens.map((x) => x.text))}`);
  return t.scopes;
}

test('querydsl: body keys, queries, aggregations, parameters and fields get their own scopes', { skip }, async () => {
  const body = '{\n  "query": { "bool": { "must": [ { "match": { "notes": { "query": "x", "operator": "and" } } } ] } },\n  "aggs": { "by_day": { "date_histogram": { "field": "order_date", "calendar_interval": "day" } } }\n}';
  const tokens = await tokenize('source.querydsl', body);
  assert.ok(scopeOf(tokens, 'query').includes(KEY_SCOPES.body));
  assert.ok(scopeOf(tokens, 'bool').includes(KEY_SCOPES.query));
  assert.ok(scopeOf(tokens, 'match').includes(KEY_SCOPES.query));
  assert.ok(scopeOf(tokens, 'date_histogram').includes(KEY_SCOPES.aggregation));
  assert.ok(scopeOf(tokens, 'operator').includes(KEY_SCOPES.parameter));
  assert.ok(scopeOf(tokens, 'notes').includes(KEY_SCOPES.field));
  assert.ok(scopeOf(tokens, 'order_date').includes(KEY_SCOPES.field), 'the value of "field" is a field');
  assert.ok(scopeOf(tokens, 'and').includes('string.quoted.double.json'));
});

test('dataset: the dsl value is scoped as querydsl and a broken line does not leak into the next', { skip }, async () => {
  const lines = [
    '{"id":"q-1","question":"x","dsl":{"query":{"term":{"status":"cancelled"}}},"status":"accepted","split":"train"}',
    '{"id":"q-2","dsl":{"query":{"match":{',
    '{"id":"q-3","dsl":null,"status":"rejected"}',
  ];
  const tokens = await tokenize('source.distillery-dataset', lines.join('\n'));
  assert.ok(scopeOf(tokens, 'term', 0).includes(KEY_SCOPES.query));
  assert.ok(scopeOf(tokens, 'term', 0).some((s) => s.startsWith('meta.embedded.block.querydsl')));
  assert.ok(scopeOf(tokens, 'accepted', 0).some((s) => s.startsWith('markup.inserted')));
  assert.ok(scopeOf(tokens, 'q-1', 0).some((s) => s.includes('record-id')));
  assert.ok(scopeOf(tokens, 'rejected', 2).some((s) => s.startsWith('markup.deleted')), 'line 3 starts fresh after the broken line 2');
  assert.ok(!scopeOf(tokens, 'rejected', 2).some((s) => s.startsWith('meta.embedded')), 'nothing of line 2 is still open');
});

test('training log: error events, metrics and tracebacks', { skip }, async () => {
  const log = [
    '{"event":"step","step":10,"loss":1.23,"lr":0.0002}',
    '{"event":"error","kind":"oom","message":"CUDA out of memory","hint":"use qlora"}',
    'Traceback (most recent call last):',
    '  File "/opt/run/train.py", line 12, in main',
    'torch.OutOfMemoryError: CUDA out of memory.',
    '/usr/lib/python3/site-packages/x.py:3: UserWarning: slow path',
  ].join('\n');
  const tokens = await tokenize('source.distillery-log', log);
  assert.ok(scopeOf(tokens, 'step', 0).includes('keyword.control.event.distillery-log'));
  assert.ok(scopeOf(tokens, 'loss', 0).includes('variable.other.metric.distillery-log'));
  assert.ok(scopeOf(tokens, '1.23', 0).includes('constant.numeric.json'));
  assert.ok(tokens.filter((t) => t.line === 1).every((t) => t.scopes.some((s) => s.includes('markup.deleted'))));
  assert.ok(scopeOf(tokens, 'Traceback (most recent call last):').some((s) => s.includes('markup.deleted')));
  assert.ok(scopeOf(tokens, '12', 3).includes('constant.numeric.line-number.distillery-log'));
  assert.ok(scopeOf(tokens, 'torch.OutOfMemoryError', 4).some((s) => s.includes('markup.deleted')));
  assert.ok(scopeOf(tokens, 'UserWarning', 5).some((s) => s.includes('markup.changed')));
});

test('training log: the console view of events', { skip }, async () => {
  const log = [
    'step 10/80 · loss 6.56 · (label 6.45, rationale 6.76) · lr 7.5e-4 · 412 tok/s · ETA 29s',
    '✔ done · in 1m 05s · exact match 50.0% · → /home/me/.distillery/runs/r1/outputs',
    '✖ runtime error: the Python on the host cannot import torch',
    '  hint: pick an interpreter that has the runner\'s packages',
  ].join('\n');
  const tokens = await tokenize('source.distillery-log', log);
  assert.ok(scopeOf(tokens, 'step', 0).includes('keyword.control.event.distillery-log'));
  assert.ok(scopeOf(tokens, 'loss', 0).includes('variable.other.metric.distillery-log'));
  assert.ok(scopeOf(tokens, '10/80', 0).includes('constant.numeric.distillery-log'), 'the step count is a number, not a path');
  assert.ok(scopeOf(tokens, '7.5e-4', 0).includes('constant.numeric.distillery-log'));
  assert.ok(scopeOf(tokens, '29s', 0).includes('constant.numeric.distillery-log'));
  assert.ok(scopeOf(tokens, '✔ done', 1).some((s) => s.startsWith('markup.inserted')));
  assert.ok(tokens.filter((t) => t.line === 2).every((t) => t.scopes.some((s) => s.startsWith('markup.deleted'))));
  assert.ok(scopeOf(tokens, '  hint:', 3).some((s) => s.startsWith('markup.changed')));
});
