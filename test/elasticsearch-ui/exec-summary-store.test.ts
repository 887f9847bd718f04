// The exec summary kept beside a fetched run's results (runs/<runId>/exec-summary.json): written,
// read back by a fresh read (what the comparison table does after a reload), marked stale when the
// active cluster, index or mapping is another than the one it was scored on, and a damaged file
// reported with its path and the fix instead of throwing.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { EXEC_SUMMARY_FILE, mappingHash, readExecSummary, staleReason, writeExecSummary, type ExecPlace, type StoredExecSummary } from '../../src/extension/runs/exec-summary-store';

let dir: string;
before(() => (dir = mkdtempSync(join(tmpdir(), 'distillery-exec-summary-'))));
after(() => rmSync(dir, { recursive: true, force: true }));

const place: ExecPlace = { cluster: 'local', endpoint: 'http://127.0.0.1:9200', index: 'shop', mappingSha256: mappingHash('{"mappings":{}}') };
const summary: StoredExecSummary = { version: 1, count: 40, execAccuracy: 0.75, bothEmpty: 0.1, execErrors: 0.05, goldErrors: 1, place, scoredAt: '2026-12-01T13:00:00.000Z' };

test('a written summary reads back unchanged after a reload; no file means never scored', async () => {
  const runDir = mkdtempSync(join(dir, 'run-'));
  assert.deepEqual(await readExecSummary(runDir), {});
  await writeExecSummary(runDir, summary);
  assert.deepEqual(readdirSync(runDir), [EXEC_SUMMARY_FILE], 'no temp file left behind');
  assert.deepEqual(await readExecSummary(runDir), { summary });
  // Scoring again replaces the figure.
  await writeExecSummary(runDir, { ...summary, execAccuracy: 0.8 });
  assert.equal((await readExecSummary(runDir)).summary?.execAccuracy, 0.8);
});

test('stale when scored on another cluster, endpoint, index or mapping; fresh on the same', () => {
  assert.equal(staleReason(place, { ...place }), undefined);
  assert.match(staleReason(place, { ...place, cluster: 'prod' }) ?? '', /scored on cluster local .*active cluster is prod/);
  assert.match(staleReason(place, { ...place, endpoint: 'http://10.0.0.5:9200' }) ?? '', /10\.0\.0\.5/);
  assert.match(staleReason(place, { ...place, index: 'orders' }) ?? '', /scored on index shop, the active index is orders/);
  assert.match(staleReason(place, { ...place, mappingSha256: mappingHash('{"mappings":{"properties":{}}}') }) ?? '', /mapping file changed/);
  assert.match(staleReason(place, undefined) ?? '', /no cluster is configured/);
});

test('a damaged or foreign file is a problem naming the file and the fix, not a throw', async () => {
  const runDir = mkdtempSync(join(dir, 'run-'));
  const file = join(runDir, EXEC_SUMMARY_FILE);
  writeFileSync(file, '{"version": 1, "execAc');
  const broken = await readExecSummary(runDir);
  assert.equal(broken.summary, undefined);
  assert.match(broken.problem ?? '', new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not JSON; delete it and fetch the run again`));
  writeFileSync(file, JSON.stringify({ ...summary, execAccuracy: 1.5 }));
  assert.match((await readExecSummary(runDir)).problem ?? '', /is not an execution summary \(execAccuracy: .*\); delete it/);
  assert.match(readFileSync(file, 'utf8'), /1\.5/, 'the file is left as it was');
  await assert.rejects(writeExecSummary(runDir, { ...summary, bothEmpty: -1 }), /bothEmpty|too_small|greater than/i, 'an impossible summary is never written');
});
