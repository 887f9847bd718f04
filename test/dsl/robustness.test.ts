// Mutated corpus bodies (every node in turn replaced by a value of another JSON type) must never
// make the engine throw: a user's half-typed document is the normal case in the editor.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { canonicalJson, completionContext, normalizeBody, parseMapping, validateBody, validateText } from '../../src/core/dsl';
import { ECOMMERCE_MAPPINGS } from './fixtures';
import { corpusPath as corpusFile } from '../helpers/corpus';

const corpusPath = corpusFile();
const REPLACEMENTS: unknown[] = [null, [], {}, 'x', -1, 1.5, true, [{}], { '': {} }];

/** Deterministic PRNG so a failure reproduces. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function paths(v: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...prefix, i], out));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...prefix, k], out);
  return out;
}

function replaceAt(v: unknown, path: (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const copy = (Array.isArray(v) ? [...v] : { ...(v as object) }) as Record<string | number, unknown>;
  copy[path[0]!] = replaceAt(copy[path[0]!], path.slice(1), value);
  return copy;
}

test('mutated bodies never make the engine throw', { skip: !existsSync(corpusPath) && 'no corpus' }, () => {
  const mapping = parseMapping(ECOMMERCE_MAPPINGS);
  const random = rng(42);
  const bodies = readFileSync(corpusPath, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => (JSON.parse(l) as { body: unknown }).body);
  let runs = 0;
  for (const body of bodies) {
    const all = paths(body);
    for (let k = 0; k < 6; k++) {
      const path = all[Math.floor(random() * all.length)]!;
      const mutated = replaceAt(body, path, REPLACEMENTS[Math.floor(random() * REPLACEMENTS.length)]);
      for (const options of [undefined, { mapping }]) {
        const problems = validateBody(mutated, options);
        for (const p of problems) assert.ok(p.message.length > 0 && p.code.length > 0);
      }
      canonicalJson(mutated);
      normalizeBody(mutated);
      validateText(JSON.stringify(mutated, null, 1));
      completionContext(path);
      runs++;
    }
  }
  assert.ok(runs > 3000);
});
