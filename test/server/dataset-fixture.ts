// A large dataset for the incremental-validation test and bench/lsp.ts: the sample records of
// examples/dataset.dss.jsonl cycled under fresh ids, with a broken line every 500 lines (half of
// them not JSON, half with a misspelt query) so there are diagnostics to keep and shift.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './lsp-client';

export function makeDataset(count: number): string[] {
  const samples = readFileSync(join(ROOT, 'examples/dataset.dss.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim().length > 0)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = `q-${String(i).padStart(6, '0')}`;
    if (i % 500 === 250) {
      lines.push(i % 1000 === 250 ? `{"id":"${id}","question":"broken line ${i}", "dsl": {` : `{"id":"${id}","question":"typo ${i}","rationale":"r","dsl":{"query":{"mtach":{"notes":"x"}}},"status":"pending","split":null}`);
      continue;
    }
    const record = { ...(samples[i % samples.length] as Record<string, unknown>), id };
    lines.push(JSON.stringify(record));
  }
  return lines;
}
