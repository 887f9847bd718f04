// One table shape for every rule test: a body Elasticsearch rejects, caught with the right code
// at the right pointer, next to a close body it accepts, which must come back with no problem at
// all (not only none of that code), so a rule cannot pass by flagging everything around it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DIAGNOSTIC_CODES, validateBody, type DslProblem, type ValidateOptions } from '../../../src/core/dsl';

export interface RuleCase {
  /** What Elasticsearch does, in a few words. */
  name: string;
  code: string;
  pointer: string;
  /** A fragment the message must contain. */
  says?: string;
  bad: unknown;
  /** A close body that Elasticsearch accepts. */
  good: unknown;
  options?: ValidateOptions;
}

function show(problems: DslProblem[]): string {
  return JSON.stringify(problems.map((p) => [p.code, p.pointer, p.message]));
}

export function ruleCases(area: string, cases: readonly RuleCase[]): void {
  for (const c of cases) {
    test(`${area}: ${c.name}`, () => {
      const problems = validateBody(c.bad, c.options);
      const hit = problems.find((p) => p.code === c.code && p.pointer === c.pointer);
      assert.ok(hit, `expected [${c.code}] at ${c.pointer}, got ${show(problems)}`);
      assert.equal(hit.severity, DIAGNOSTIC_CODES[c.code]!.severity);
      if (c.says !== undefined) assert.ok(hit.message.includes(c.says), `message should mention ${c.says}: ${hit.message}`);
      const clean = validateBody(c.good, c.options);
      assert.deepEqual(clean, [], `the close valid body was flagged: ${show(clean)}`);
    });
  }
}
