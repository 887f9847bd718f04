// Where the Elasticsearch request-body corpus is: DISTILLERY_SHARED's copy when set, else the
// shared folder beside the checkout, else the copy kept in test/fixtures (so no checkout skips).
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const repoRoot = join(import.meta.dirname, '..', '..');

export function corpusPath(): string {
  const fromEnv = process.env['DISTILLERY_SHARED'];
  if (fromEnv) return join(fromEnv, 'corpus', 'es-examples.jsonl');
  const beside = join(repoRoot, '..', 'shared', 'corpus', 'es-examples.jsonl');
  return existsSync(beside) ? beside : join(repoRoot, 'test', 'fixtures', 'corpus', 'es-examples.jsonl');
}
