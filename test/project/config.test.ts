import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseProjectConfig } from '../../src/core/project/config';
import { projectJsonSchema } from '../../src/core/project/json-schema';

const root = join(import.meta.dirname, '../..');

test('the sample distillery.json parses, with defaults filled in', () => {
  const config = parseProjectConfig(readFileSync(join(root, 'examples/distillery.json'), 'utf8'));
  assert.equal(config.mapping, 'mapping.json');
  assert.equal(config.teacher.maxRetries, 5, 'default from the schema');
  assert.equal(config.hosts[0]?.target, 'local');
});

test('a bad project file gets a message naming the key and the fix', () => {
  assert.throws(() => parseProjectConfig('{"teacher": {"concurrency": 0}}'), /teacher\.concurrency: Number must be greater than or equal to 1/);
  assert.throws(() => parseProjectConfig('{"teachr": {}}'), /Unrecognized key\(s\) in object: 'teachr'/);
  assert.throws(() => parseProjectConfig('{"dataset": '), /distillery\.json is not valid JSON .*fix the syntax/);
  assert.throws(() => parseProjectConfig('{"teacher": {"apiKey": "sk-123"}}'), /apiKey/, 'keys are not accepted in the file');
});

test('the generated JSON Schema describes the same keys as the zod schema', () => {
  const schema = projectJsonSchema() as { definitions: { DistilleryProject: { properties: Record<string, { properties?: Record<string, unknown> }>; additionalProperties: boolean } } };
  const project = schema.definitions.DistilleryProject;
  assert.deepEqual(Object.keys(project.properties).sort(), ['$schema', 'clusters', 'dataset', 'esVersion', 'hosts', 'mapping', 'presets', 'prompts', 'runDefaults', 'teacher']);
  assert.equal(project.additionalProperties, false);
  assert.ok(project.properties['teacher']?.properties?.['budgetUsd']);
});
