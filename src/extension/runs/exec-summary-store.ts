// A fetched run's execution-accuracy summary, kept on disk next to the fetched results
// (runs/<runId>/exec-summary.json) so the comparison table shows it after a reload. It records
// where it was scored (cluster, its url or cloud id, index, the mapping file's hash) so a figure
// scored elsewhere is marked stale rather than silently compared with runs scored on the active
// cluster. Pure Node: no VS Code (the extension passes the active cluster in).
import { createHash } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

export const EXEC_SUMMARY_FILE = 'exec-summary.json';

const rate = z.number().min(0).max(1);

/** Where a run's predictions were executed. */
export const execPlaceSchema = z
  .object({
    cluster: z.string().min(1).max(400),
    /** The cluster's url or cloud id: the same name can point at another cluster after an edit of distillery.json. */
    endpoint: z.string().max(2000),
    index: z.string().min(1).max(400),
    /** sha256 of the mapping file distillery.json names, when it names one that can be read. */
    mappingSha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  })
  .strict();
export type ExecPlace = z.infer<typeof execPlaceSchema>;

export const storedExecSummarySchema = z
  .object({
    version: z.literal(1),
    count: z.number().int().nonnegative(),
    execAccuracy: rate,
    bothEmpty: rate,
    execErrors: rate,
    goldErrors: z.number().int().nonnegative(),
    place: execPlaceSchema,
    /** ISO time of scoring. */
    scoredAt: z.string().datetime(),
  })
  .strict();
export type StoredExecSummary = z.infer<typeof storedExecSummarySchema>;

export function mappingHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Writes atomically (temp file + rename): a reload mid-write never reads half a summary. */
export async function writeExecSummary(runDir: string, summary: StoredExecSummary): Promise<void> {
  const file = join(runDir, EXEC_SUMMARY_FILE);
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, JSON.stringify(storedExecSummarySchema.parse(summary), null, 2) + '\n');
  await rename(temp, file);
}

/**
 * The stored summary, or undefined when the run was never scored by execution. A file that is
 * not a summary comes back as `problem` (named with the path and the fix), never as a throw:
 * one damaged file must not empty the whole comparison table.
 */
export async function readExecSummary(runDir: string): Promise<{ summary?: StoredExecSummary; problem?: string }> {
  const file = join(runDir, EXEC_SUMMARY_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    return { problem: `${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { problem: `${file} is not JSON; delete it and fetch the run again to re-score it` };
  }
  const parsed = storedExecSummarySchema.safeParse(raw);
  if (!parsed.success) return { problem: `${file} is not an execution summary (${parsed.error.issues[0]?.path.join('.') || 'top level'}: ${parsed.error.issues[0]?.message}); delete it and fetch the run again to re-score it` };
  return { summary: parsed.data };
}

/** Why a stored figure does not describe the active cluster, or undefined when it does. */
export function staleReason(stored: ExecPlace, active: ExecPlace | undefined): string | undefined {
  if (!active) return `scored on ${stored.cluster}/${stored.index}; no cluster is configured now`;
  if (stored.cluster !== active.cluster || stored.endpoint !== active.endpoint) return `scored on cluster ${stored.cluster} (${stored.endpoint}), the active cluster is ${active.cluster} (${active.endpoint})`;
  if (stored.index !== active.index) return `scored on index ${stored.index}, the active index is ${active.index}`;
  if (stored.mappingSha256 !== active.mappingSha256) return 'the mapping file changed since it was scored';
  return undefined;
}
