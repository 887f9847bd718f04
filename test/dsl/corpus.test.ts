// Every search body in the shared corpus (Elasticsearch's own spec examples and reference docs)
// must validate with zero errors: a failure here is a bug in the spec tables.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { canonicalJson, normalizeBody, validateBody, validateQuery } from '../../src/core/dsl';
import { corpusPath as corpusFile } from '../helpers/corpus';
import { isBareQuery, isSearchRecord, searchBodyOf, type CorpusRecord } from './corpus-bodies';

const corpusPath = corpusFile();

/**
 * Documentation examples that demonstrate a request Elasticsearch rejects. Each entry names the
 * record and the one error code the server would answer with; the test asserts exactly that.
 */
const REJECTED_BY_ELASTICSEARCH: Record<string, { code: string; why: string }> = {
  'elastic/elasticsearch-py:docs/examples/f5815d573cee0447910c9668003887b8.asciidoc': {
    code: 'invalid-enum',
    why: 'datehistogram-aggregation.asciidoc shows calendar_interval "2d" to demonstrate the error '
      + '"The supplied interval [2d] could not be parsed as a calendar interval".',
  },
};

function validateRecord(r: CorpusRecord) {
  return isBareQuery(r) ? validateQuery(r.body) : validateBody(searchBodyOf(r));
}

test('corpus: every search body validates without errors', { skip: !existsSync(corpusPath) && `no corpus at ${corpusPath}` }, () => {
  const records = readFileSync(corpusPath, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as CorpusRecord);
  assert.equal(records.length, 606, 'the corpus has 606 records');
  const selected = records.filter(isSearchRecord);
  assert.ok(selected.length > 500, `expected most records to be search bodies, got ${selected.length}`);
  const failures: string[] = [];
  let rejectedSeen = 0;
  for (const r of selected) {
    const errors = validateRecord(r).filter((p) => p.severity === 'error');
    const known = REJECTED_BY_ELASTICSEARCH[r.source];
    if (known !== undefined) {
      rejectedSeen++;
      assert.deepEqual(errors.map((e) => e.code), [known.code], `${r.source}: ${known.why}`);
      continue;
    }
    for (const e of errors) failures.push(`${r.source} ${e.pointer}: [${e.code}] ${e.message}`);
  }
  assert.equal(rejectedSeen, Object.keys(REJECTED_BY_ELASTICSEARCH).length);
  assert.deepEqual(failures, []);
});

test('corpus: normalising is idempotent on every body', { skip: !existsSync(corpusPath) && 'no corpus' }, () => {
  const records = readFileSync(corpusPath, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as CorpusRecord);
  for (const r of records) {
    const once = normalizeBody(r.body);
    assert.equal(canonicalJson(once), canonicalJson(r.body), r.source);
    assert.deepEqual(normalizeBody(once), once, r.source);
  }
});
