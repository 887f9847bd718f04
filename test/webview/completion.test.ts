// The panel editor's completion: the language server's provider on the edited text, turned into
// offsets and CodeMirror snippets (src/extension/panel/completion.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseMapping } from '../../src/core/dsl';
import { completeDsl, completionSettings, toCodeMirrorSnippet } from '../../src/extension/panel/completion';

describe('panel completion', () => {
  it('offers query names for a quoted key, replacing the whole quoted span', () => {
    const text = '{"query": {"ma"}}';
    const list = completeDsl(text, 14, completionSettings({}));
    assert.deepEqual([list.from, list.to], [11, 15]);
    const match = list.items.find((i) => i.label === 'match');
    assert.deepEqual(match && { kind: match.kind, apply: match.apply, snippet: match.snippet }, { kind: 'query', apply: '"match": {${1}}', snippet: true });
  });

  it('offers mapped field names from the panel mapping, and enum values', () => {
    const mapping = parseMapping({ properties: { customer_city: { type: 'keyword' }, total: { type: 'double' } } });
    const fields = completeDsl('{"query": {"term": {""}}}', 21, completionSettings({ mapping }));
    assert.deepEqual(fields.items.filter((i) => i.kind === 'field').map((i) => i.label), ['customer_city', 'total']);
    const values = completeDsl('{"query": {"match": {"x": {"operator": ""}}}}', 40, completionSettings({}));
    assert.deepEqual(values.items.map((i) => i.apply).sort(), ['"and"', '"or"']);
  });

  it('turns LSP snippets into CodeMirror snippets', () => {
    assert.equal(toCodeMirrorSnippet('"match": {$1}'), '"match": {${1}}');
    assert.equal(toCodeMirrorSnippet('"${1|asc,desc|}"$0'), '"${1:asc}"${0}');
    assert.equal(toCodeMirrorSnippet('"size": ${1:10}'), '"size": ${1:10}');
    assert.equal(toCodeMirrorSnippet('"a\\$b\\}"'), '"a$b\\}"');
    assert.equal(toCodeMirrorSnippet('"#{x}"'), '"#\\{x}"');
  });
});
