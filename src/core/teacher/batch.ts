// OpenAI Batch API mode: upload every request as JSONL through the Files API, create a batch, and
// remember it in `<dataset>.batch.json` (next to the dataset) so the results can be merged later,
// from another process or after VS Code restarts. Merging runs each question's answers through the
// same vote / validate / repair / write path as a synchronous run; repairs are sent synchronously.
import { existsSync, readFileSync } from 'node:fs';
import { toFile } from 'openai';
import { writeFileAtomic } from '../dataset/durable';
import { chatResponseFromBody, outputLimitField, TeacherError, type TeacherClient } from './client';
import { cacheKey } from './cache';
import { BATCH_DISCOUNT, formatUsd } from './cost';
import { normalizeQuestion, type QuestionItem } from './generator';
import { createGenerator, type TeacherSession } from './session';

export interface BatchItem {
  question: string;
  recordId?: string | undefined;
}

export interface BatchEntry {
  batchId: string;
  inputFileId: string;
  submittedAt: string;
  model: string;
  promptHash: string;
  samples: number;
  /** submitted → then one of merged, failed, expired, cancelled. */
  state: 'submitted' | 'merged' | 'failed' | 'expired' | 'cancelled';
  items: BatchItem[];
  mergedAt?: string;
}

export interface BatchStateFile {
  batches: BatchEntry[];
}

export function batchStatePath(datasetPath: string): string {
  return `${datasetPath}.batch.json`;
}

export function readBatchState(datasetPath: string): BatchStateFile {
  const file = batchStatePath(datasetPath);
  if (!existsSync(file)) return { batches: [] };
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as BatchStateFile;
    return Array.isArray(v.batches) ? v : { batches: [] };
  } catch (e) {
    throw new Error(`the batch state file ${file} is not valid JSON (${(e as Error).message}); fix it or move it away (batches listed in it are then no longer merged)`);
  }
}

function writeBatchState(datasetPath: string, state: BatchStateFile): void {
  writeFileAtomic(batchStatePath(datasetPath), JSON.stringify(state, null, 2) + '\n');
}

function customId(index: number, sample: number): string {
  return `q${index}-s${sample}`;
}

/** vLLM, Ollama, `transformers serve` and most proxies have no Files/Batch API: say so, and the fix. */
function noBatchApi(baseUrl: string | undefined, api: 'Files' | 'Batch'): (e: unknown) => never {
  return (e) => {
    if (e instanceof TeacherError && (e.status === 404 || e.status === 405 || e.status === 501)) {
      throw new TeacherError('config', `the teacher endpoint ${baseUrl ?? 'https://api.openai.com/v1'} has no ${api} API (HTTP ${e.status}); run without --batch`, e.status);
    }
    throw e;
  };
}

export async function submitBatch(
  session: TeacherSession,
  client: TeacherClient,
  items: readonly QuestionItem[],
  opts: { signal?: AbortSignal | undefined } = {},
): Promise<{ batchId: string; requests: number; questions: number }> {
  const generator = createGenerator(session, client);
  const s = session.settings;
  const lines: string[] = [];
  let worstUsd = 0;
  items.forEach((item, i) => {
    const messages = generator.messagesFor(item.question);
    for (let k = 0; k < s.samples; k++) {
      const body = { ...s.extraBody, model: s.model, messages, temperature: s.temperature, [outputLimitField(s.model)]: generator.maxTokens };
      lines.push(JSON.stringify({ custom_id: customId(i, k), method: 'POST', url: '/v1/chat/completions', body }));
    }
    worstUsd += generator.worstCaseUsd(messages) * s.samples * BATCH_DISCOUNT;
  });
  // A batch is paid when it completes, so the budget is checked up front against its worst case.
  if (s.budgetUsd !== undefined && worstUsd > s.budgetUsd) {
    throw new TeacherError('config', `the batch could cost up to ${formatUsd(worstUsd)} (every request at its output limit of ${generator.maxTokens} tokens), more than the budget of ${formatUsd(s.budgetUsd)}; submit fewer questions, lower teacher.maxTokens, or raise --budget-usd`);
  }
  const file = await client
    .withRetries(0, opts.signal, async () => ({
      value: await client.openai.files.create({ file: await toFile(Buffer.from(lines.join('\n') + '\n', 'utf8'), 'distillery-batch.jsonl'), purpose: 'batch' }, opts.signal ? { signal: opts.signal } : {}),
    }))
    .catch(noBatchApi(s.baseUrl, 'Files'));
  const batch = await client.withRetries(0, opts.signal, async () => ({
    value: await client.openai.batches.create(
      { input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h', metadata: { tool: 'distillery', promptHash: session.promptHash } },
      opts.signal ? { signal: opts.signal } : {},
    ),
  })).catch(noBatchApi(s.baseUrl, 'Batch'));
  const state = readBatchState(session.datasetPath);
  state.batches.push({
    batchId: batch.id,
    inputFileId: file.id,
    submittedAt: new Date().toISOString(),
    model: s.model,
    promptHash: session.promptHash,
    samples: s.samples,
    state: 'submitted',
    items: items.map((it) => ({ question: it.question, ...(it.recordId ? { recordId: it.recordId } : {}) })),
  });
  writeBatchState(session.datasetPath, state);
  return { batchId: batch.id, requests: lines.length, questions: items.length };
}

export interface PollResult {
  lines: string[];
  merged: number;
  pending: number;
  failed: number;
  costUsd: number;
}

/**
 * Checks every submitted batch of the dataset once (or until none is in progress with `wait`),
 * merges the finished ones and marks them so they are never merged twice.
 */
export async function pollBatches(
  session: TeacherSession,
  client: TeacherClient,
  opts: { wait?: boolean; intervalMs?: number; signal?: AbortSignal | undefined; onLog?: (line: string) => void } = {},
): Promise<PollResult> {
  const result: PollResult = { lines: [], merged: 0, pending: 0, failed: 0, costUsd: 0 };
  for (;;) {
    result.pending = 0;
    const state = readBatchState(session.datasetPath);
    for (const entry of state.batches.filter((b) => b.state === 'submitted')) {
      const batch = await client.withRetries(0, opts.signal, async () => ({ value: await client.openai.batches.retrieve(entry.batchId) }));
      if (batch.status === 'completed') {
        const merged = await mergeBatch(session, client, entry, batch.output_file_id ?? undefined, batch.error_file_id ?? undefined, opts.onLog);
        entry.state = 'merged';
        entry.mergedAt = new Date().toISOString();
        writeBatchState(session.datasetPath, state);
        result.merged += merged.written;
        result.failed += merged.failed;
        result.costUsd += merged.costUsd;
        result.lines.push(`batch ${entry.batchId}: merged ${merged.written} answer(s)${merged.failed ? `, ${merged.failed} failed (a normal run retries them)` : ''}, ${formatUsd(merged.costUsd)}`);
      } else if (batch.status === 'failed' || batch.status === 'expired' || batch.status === 'cancelled') {
        entry.state = batch.status;
        writeBatchState(session.datasetPath, state);
        result.failed += entry.items.length;
        result.lines.push(`batch ${entry.batchId}: ${batch.status}; its questions are still unanswered, a normal run answers them`);
      } else {
        result.pending++;
        const c = batch.request_counts;
        result.lines.push(`batch ${entry.batchId}: ${batch.status}${c ? ` (${c.completed}/${c.total} done)` : ''}`);
      }
    }
    if (!opts.wait || result.pending === 0 || opts.signal?.aborted) return result;
    opts.onLog?.(result.lines.splice(0).join('\n'));
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 30_000));
  }
}

async function downloadText(client: TeacherClient, fileId: string): Promise<string> {
  return client.withRetries(0, undefined, async () => ({ value: await (await client.openai.files.content(fileId)).text() }));
}

async function mergeBatch(
  session: TeacherSession,
  client: TeacherClient,
  entry: BatchEntry,
  outputFileId: string | undefined,
  errorFileId: string | undefined,
  onLog: ((line: string) => void) | undefined,
): Promise<{ written: number; failed: number; costUsd: number }> {
  const text = (outputFileId ? await downloadText(client, outputFileId) : '') + '\n' + (errorFileId ? await downloadText(client, errorFileId) : '');
  const bodies = new Map<string, unknown>();
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const v = JSON.parse(line) as { custom_id?: string; response?: { status_code?: number; body?: unknown } | null };
      if (v.custom_id && v.response?.status_code === 200) bodies.set(v.custom_id, v.response.body);
    } catch {
      // a broken line only loses that request; the question stays unanswered
    }
  }
  const generator = createGenerator(session, client, onLog ? { onLog } : {});
  const answered = new Set(
    session.dataset
      .records()
      .filter((r) => r.status !== 'pending' && r.source?.promptHash === entry.promptHash)
      .map((r) => normalizeQuestion(r.question)),
  );
  let written = 0;
  let failed = 0;
  let costUsd = 0;
  // Writes are not awaited one by one: in-place updates are batched by the dataset (one save for
  // many records), and every answer is already in the response cache.
  const writes: Promise<void>[] = [];
  let writeError: unknown;
  for (const [i, item] of entry.items.entries()) {
    if (answered.has(normalizeQuestion(item.question))) continue; // merged before a crash
    const messages = generator.messagesFor(item.question);
    const responses = Array.from({ length: entry.samples }, (_, k) => bodies.get(customId(i, k)));
    if (responses.some((b) => b === undefined)) {
      failed++;
      continue;
    }
    const paid = [];
    for (const [k, body] of responses.entries()) {
      const response = chatResponseFromBody(body);
      // The key a synchronous run computes (Generator.request), so a rerun finds these answers.
      const extraBody = session.settings.extraBody;
      await session.cache.put(cacheKey(session.settings.baseUrl, { model: entry.model, messages, temperature: session.settings.temperature, max_tokens: session.settings.maxTokens, ...(extraBody ? { extraBody } : {}) }, k), response);
      const p = generator.account(response, true);
      costUsd += p.costUsd;
      paid.push(p);
    }
    const before = generator.costUsd;
    const record = await generator.conclude(item, messages, paid);
    costUsd += generator.costUsd - before;
    record.source = { ...record.source!, kind: 'teacher', batch: entry.batchId } as typeof record.source;
    writes.push(
      generator.write(record, item).then(
        () => {
          written++;
        },
        (e: unknown) => {
          writeError ??= e;
        },
      ),
    );
  }
  await session.dataset.flush?.();
  await Promise.all(writes);
  if (writeError !== undefined) throw writeError;
  return { written, failed, costUsd: Math.round(costUsd * 1e6) / 1e6 };
}
