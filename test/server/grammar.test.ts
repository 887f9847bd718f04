// The TextMate grammars and language configurations: the querydsl grammar is generated from the
// engine's tables and must be up to date; every query, aggregation and body key is matched by the
// rule that scopes its kind; the dataset and log grammars' rules match the lines they are for.
// Rules are compiled with JavaScript's RegExp, which reads the constructs these grammars use.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AGGREGATION_SPECS, BODY_KEY_SPECS, QUERY_SPECS } from '../../src/core/dsl';
import { GRAMMAR_FILE, KEY_SCOPES, grammarText } from '../../syntaxes/querydsl-grammar';
import { ROOT } from './lsp-client';

interface Rule {
  match?: string;
  begin?: string;
  end?: string;
  while?: string;
  name?: string;
  patterns?: Rule[];
  captures?: Record<string, { name: string }>;
  include?: string;
}
interface Grammar {
  scopeName: string;
  patterns: Rule[];
  repository: Record<string, Rule>;
}

function load(name: string): Grammar {
  return JSON.parse(readFileSync(join(ROOT, 'syntaxes', name), 'utf8')) as Grammar;
}

/** Every regex in a grammar, with where it sits. */
function regexes(grammar: Grammar): { where: string; source: string }[] {
  const out: { where: string; source: string }[] = [];
  const walk = (rule: Rule, where: string): void => {
    for (const key of ['match', 'begin', 'end', 'while'] as const) {
      const source = rule[key];
      if (source !== undefined) out.push({ where: `${where}.${key}`, source });
    }
    rule.patterns?.forEach((r, i) => walk(r, `${where}.patterns[${i}]`));
  };
  grammar.patterns.forEach((r, i) => walk(r, `patterns[${i}]`));
  for (const [name, rule] of Object.entries(grammar.repository)) walk(rule, name);
  return out;
}

/** The key rule whose name capture carries `scope`. */
function keyRule(grammar: Grammar, scope: string): RegExp {
  const rule = grammar.repository['object-key']?.patterns?.find((r) => r.captures?.['2']?.name === scope);
  assert.ok(rule?.match, `no key rule for ${scope}`);
  return new RegExp(rule.match);
}

test('the checked-in querydsl grammar is generated from the current spec tables', () => {
  assert.equal(readFileSync(GRAMMAR_FILE, 'utf8'), grammarText(), 'run: node --import tsx syntaxes/querydsl-grammar.ts');
});

test('every query, aggregation and body key is scoped as its kind', () => {
  const grammar = load('querydsl.tmLanguage.json');
  const body = keyRule(grammar, KEY_SCOPES.body);
  const query = keyRule(grammar, KEY_SCOPES.query);
  const aggregation = keyRule(grammar, KEY_SCOPES.aggregation);
  for (const name of Object.keys(BODY_KEY_SPECS)) assert.match(`"${name}": 1`, body, name);
  for (const name of Object.keys(QUERY_SPECS)) {
    if (name in BODY_KEY_SPECS) continue;
    const m = query.exec(`"${name}" : {}`);
    assert.equal(m?.[2], name, `query ${name}`);
  }
  for (const name of Object.keys(AGGREGATION_SPECS)) {
    // A name that is also a query (terms, range, filter…) is scoped as a query: both rules know it.
    const rule = name in QUERY_SPECS || name in BODY_KEY_SPECS ? null : aggregation;
    if (rule) assert.equal(rule.exec(`"${name}": {}`)?.[2], name, `aggregation ${name}`);
  }
  assert.equal(query.exec('"matchx": {}'), null, 'a misspelt query is not scoped as a query');
  assert.equal(query.exec('"match"'), null, 'a value is not a key');
  assert.ok(Object.keys(QUERY_SPECS).length > 0 && Object.keys(BODY_KEY_SPECS).length > 0);
});

test('a field-valued parameter scopes its value as a field', () => {
  const grammar = load('querydsl.tmLanguage.json');
  const pair = new RegExp(grammar.repository['field-valued-pair']?.match as string);
  const m = pair.exec('"field": "customer.full_name.keyword"');
  assert.equal(m?.[6], 'customer.full_name.keyword');
  assert.match(grammar.repository['field-valued-pair']?.captures?.['6']?.name ?? '', new RegExp(KEY_SCOPES.field.replace(/\./g, '\\.')));
});

test('every rule of the three grammars compiles', () => {
  for (const file of ['querydsl.tmLanguage.json', 'dataset.tmLanguage.json', 'training-log.tmLanguage.json']) {
    for (const { where, source } of regexes(load(file))) {
      assert.doesNotThrow(() => new RegExp(source), `${file} ${where}: ${source}`);
    }
  }
});

test('the dataset grammar embeds querydsl for the dsl value and ends a record with its line', () => {
  const grammar = load('dataset.tmLanguage.json');
  assert.equal(grammar.scopeName, 'source.distillery-dataset');
  const dsl = grammar.repository['dsl-member'] as Rule;
  assert.ok(new RegExp(dsl.begin as string).test('"dsl":{"query":{}}'));
  assert.deepEqual(dsl.patterns, [{ include: 'source.querydsl' }]);
  const record = grammar.repository['record'] as Rule;
  assert.equal(record.while, '(?!)', 'a broken line must not leak into the next record');
  const status = new RegExp(grammar.repository['status-member']?.match as string);
  assert.equal(status.exec('"status":"needs_fix"')?.[8], 'needs_fix');
});

test('the training-log grammar recognises events, tracebacks and stderr warnings', () => {
  const grammar = load('training-log.tmLanguage.json');
  const rx = (name: string, index = 0): RegExp => {
    const rule = grammar.repository[name] as Rule;
    return new RegExp((rule.begin ?? rule.patterns?.[index]?.match) as string);
  };
  assert.match('{"event":"error","kind":"oom","message":"CUDA out of memory"}', rx('error-event'));
  assert.doesNotMatch('{"event":"step","step":10,"loss":1.23}', rx('error-event'));
  assert.match('{"event":"step","step":10,"loss":1.23}', rx('event'));
  const eventName = new RegExp(grammar.repository['event-body']?.patterns?.[0]?.match as string);
  assert.equal(eventName.exec('{"event":"checkpoint","step":100}')?.[6], 'checkpoint');
  assert.match('Traceback (most recent call last):', rx('traceback', 0));
  assert.equal(rx('traceback', 1).exec('  File "/x/train.py", line 12, in main')?.[4], '12');
  assert.equal(rx('traceback', 2).exec('torch.OutOfMemoryError: CUDA out of memory.')?.[1], 'torch.OutOfMemoryError');
  assert.match('UserWarning: do not do that', rx('stderr', 2));
});

test('package.json contributes grammars, language configurations and icons that exist', () => {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    contributes: { grammars: { scopeName: string; path: string }[]; languages: { configuration?: string; icon?: { light: string; dark: string } }[] };
  };
  for (const g of manifest.contributes.grammars) {
    assert.ok(existsSync(join(ROOT, g.path)), g.path);
    assert.equal((JSON.parse(readFileSync(join(ROOT, g.path), 'utf8')) as Grammar).scopeName, g.scopeName);
  }
  for (const l of manifest.contributes.languages) {
    if (l.configuration) {
      const config = JSON.parse(readFileSync(join(ROOT, l.configuration), 'utf8')) as { brackets?: unknown };
      assert.ok(Array.isArray(config.brackets), `${l.configuration} declares brackets`);
    }
    if (l.icon) assert.ok(existsSync(join(ROOT, l.icon.light)), l.icon.light);
  }
});
