// docs/dsl.md lists every diagnostic code (its "Codes" table), so tools and people can look one up.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { DIAGNOSTIC_CODES } from '../../src/core/dsl';
import { ALL_RULES } from '../../src/core/dsl/rules';

const docs = readFileSync(join(import.meta.dirname, '../../docs/dsl.md'), 'utf8');

test('every diagnostic code has a row in the codes table of docs/dsl.md', () => {
  for (const [code, { severity }] of Object.entries(DIAGNOSTIC_CODES)) {
    assert.ok(docs.includes(`| \`${code}\` | ${severity} |`), `docs/dsl.md has no row for [${code}] (${severity})`);
  }
});

test('every cross-key rule reports a known code and says where it comes from', () => {
  for (const rule of ALL_RULES) {
    assert.ok(DIAGNOSTIC_CODES[rule.code] !== undefined, `rule reports unknown code [${rule.code}]: ${rule.why}`);
    assert.ok(rule.why.length > 10, `rule for [${rule.code}] needs a why`);
  }
});
