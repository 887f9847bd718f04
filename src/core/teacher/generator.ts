// The generation pipeline for a list of questions: prompt → K samples → parse → validate → vote →
// repair rounds → one record per question, appended (or updated in place) the moment it is done.
// Every request goes through the response cache first, then the budget check, then the client
// (rate limiter + retries). A run can stop three ways: the budget, a graceful stop (no new
// requests, in-flight ones finish and are kept), or a hard abort (in-flight requests are dropped).
import { createHash } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { DatasetRecord } from '../dataset/record';
import { estimateTokens, TeacherError, type ChatRequest, type ChatResponse, type TeacherClient, type TeacherErrorKind, type Usage } from './client';
import { cacheKey, type ResponseCache } from './cache';
import { formatUsd, type PriceTable } from './cost';
import type { TeacherDataset } from './dataset';
import type { DslChecks } from './dsl-checks';
import { parseCompletion } from './parse';
import { questionMessages, repairMessages, type ChatMessage, type Templates } from './prompts';

export interface QuestionItem {
  question: string;
  /** Set when the dataset already holds a record for the question (pending, or from an older prompt). */
  recordId?: string | undefined;
}

export interface GeneratorOptions {
  client: TeacherClient;
  baseUrl?: string | undefined;
  model: string;
  temperature: number;
  /** The user's output limit (distillery.json / flag); part of the cache key. */
  maxTokens?: number | undefined;
  /**
   * The limit sent when the user set none, derived from the dataset's own answers
   * (defaultMaxTokens). Not part of the cache key: it moves as the dataset grows, and a rerun
   * after a crash must still find the answers it paid for.
   */
  derivedMaxTokens?: number | undefined;
  /** Extra request fields from distillery.json `teacher.extraBody` (sampling fields a server needs). */
  extraBody?: Record<string, unknown> | undefined;
  samples: number;
  repair: boolean;
  repairRounds: number;
  concurrency: number;
  budgetUsd?: number | undefined;
  templates: Templates;
  mapping: unknown;
  /** Grounding: real values sampled from the cluster (renderFieldSamples), shown in the user prompt. */
  fieldValues?: string | undefined;
  /**
   * The cluster's verdict on an answer the static checks accept (teacher.clusterRepair): its
   * rejections as "pointer: reason" lines, repaired like validator errors. Empty when it accepts.
   */
  clusterCheck?: ((dsl: Record<string, unknown>) => Promise<string[]>) | undefined;
  promptHash: string;
  fewShot: readonly DatasetRecord[];
  checks: DslChecks;
  prices: PriceTable;
  dataset: TeacherDataset;
  cache: ResponseCache;
  /** Graceful stop: no new requests; questions whose requests all finished are still written. */
  stopSignal?: AbortSignal | undefined;
  /** Hard stop: in-flight requests are aborted too. */
  abortSignal?: AbortSignal | undefined;
  onProgress?: ((p: Progress) => void) | undefined;
  onLog?: ((line: string) => void) | undefined;
}

export interface Progress {
  done: number;
  total: number;
  /** Spent in this run (cache hits are free). */
  costUsd: number;
  requests: number;
  cacheHits: number;
  last?: DatasetRecord;
}

export interface RunSummary {
  total: number;
  generated: number;
  needsFix: number;
  /** Questions not answered: stopped early or failed after all retries (a rerun picks them up). */
  unanswered: number;
  failed: number;
  requests: number;
  cacheHits: number;
  usage: Usage;
  costUsd: number;
  /** Some responses carried no `usage`: their tokens (and cost) are estimated from text length. */
  usageEstimated?: boolean;
  /** Questions whose K samples were byte-identical (the server ignores the sampling settings). */
  identicalSamples?: number;
  stoppedBy?: 'budget' | 'cancel' | 'error';
  error?: string;
  /** With stoppedBy 'error': 'auth' and 'config' are the setup's fault (key, model, URL), not the data's. */
  errorKind?: TeacherErrorKind;
}

/** Thrown inside a question's work when the run stops; the question is left unanswered. */
class Stopped extends Error {
  constructor(readonly why: 'budget' | 'cancel') {
    super(why);
  }
}

interface PaidResponse extends ChatResponse {
  costUsd: number;
}

interface Candidate {
  response: PaidResponse;
  rationale: string;
  dsl: Record<string, unknown> | undefined;
  /** Why this answer is not usable; empty when it is valid. */
  problems: string[];
  /** Legal but almost surely wrong (unmapped field, term on text): repaired, but not needs_fix. */
  warnings: string[];
  parseFailure: boolean;
}

export function normalizeQuestion(q: string): string {
  return q.trim().replace(/\s+/g, ' ').toLowerCase();
}

/** A stable id for a new question, so a rerun after a crash writes the same id. */
export function questionId(question: string, taken: ReadonlySet<string>): string {
  const base = `q-${createHash('sha256').update(normalizeQuestion(question)).digest('hex').slice(0, 10)}`;
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
  return id;
}

export interface Plan {
  todo: QuestionItem[];
  /** Already answered for this prompt hash, or curated by a person (accepted / rejected). */
  skipped: number;
}

/**
 * Which questions need the teacher: the dataset's pending records plus `questions` not yet
 * answered for `hash`. Accepted and rejected records are a person's work and never overwritten.
 */
export function planQuestions(records: readonly DatasetRecord[], questions: readonly string[], hash: string): Plan {
  const byQuestion = new Map<string, DatasetRecord>();
  for (const r of records) if (!byQuestion.has(normalizeQuestion(r.question))) byQuestion.set(normalizeQuestion(r.question), r);
  const todo: QuestionItem[] = [];
  const seen = new Set<string>();
  let skipped = 0;
  for (const r of records) {
    const key = normalizeQuestion(r.question);
    if (r.status === 'pending' && r.question.trim() && !seen.has(key)) {
      seen.add(key);
      todo.push({ question: r.question, recordId: r.id });
    }
  }
  for (const q of questions) {
    const key = normalizeQuestion(q);
    if (!key || seen.has(key)) continue;
    seen.add(key);
    const existing = byQuestion.get(key);
    if (!existing) todo.push({ question: q.trim() });
    else if (existing.status === 'accepted' || existing.status === 'rejected' || existing.source?.promptHash === hash) skipped++;
    else todo.push({ question: existing.question, recordId: existing.id });
  }
  return { todo, skipped };
}

export class Generator {
  private spent = 0;
  private reserved = 0;
  private requests = 0;
  private cacheHits = 0;
  private usage: Usage = { input: 0, output: 0 };
  private usageEstimated = false;
  private identicalSamples = 0;
  private stopReason: 'budget' | 'cancel' | undefined;
  private fatal: TeacherError | undefined;
  private readonly internal = new AbortController();
  private readonly signal: AbortSignal;

  constructor(private readonly o: GeneratorOptions) {
    this.signal = AbortSignal.any([this.internal.signal, ...(o.abortSignal ? [o.abortSignal] : [])]);
    // Every waiting and in-flight request listens on this one signal; hundreds is normal here.
    setMaxListeners(0, this.signal);
  }

  get costUsd(): number {
    return this.spent;
  }

  private stopped(): 'budget' | 'cancel' | undefined {
    if (this.stopReason) return this.stopReason;
    if (this.o.stopSignal?.aborted || this.signal.aborted) return 'cancel';
    return undefined;
  }

  /** The output limit every request carries: the user's, else the one derived from the dataset. */
  get maxTokens(): number {
    return this.o.maxTokens ?? this.o.derivedMaxTokens ?? DEFAULT_MAX_TOKENS;
  }

  /**
   * The most a request can cost: every prompt byte a token (a byte-level BPE token covers at
   * least one byte) plus the full output limit, at the model's price. Reserved before sending,
   * so the budget holds whatever the replies' size and however many are in flight.
   */
  worstCaseUsd(messages: readonly ChatMessage[]): number {
    return this.o.prices.cost(this.o.model, { input: promptTokensUpperBound(messages), output: this.maxTokens });
  }

  /** One request through cache → budget → client. `sample` separates the K draws of one prompt. */
  async request(messages: ChatMessage[], sample: number): Promise<PaidResponse> {
    const keyed: ChatRequest = { model: this.o.model, messages, temperature: this.o.temperature, max_tokens: this.o.maxTokens, ...(this.o.extraBody ? { extraBody: this.o.extraBody } : {}) };
    const key = cacheKey(this.o.baseUrl, keyed, sample);
    const hit = this.o.cache.get(key);
    if (hit) {
      this.cacheHits++;
      if (hit.usageEstimated) this.usageEstimated = true;
      return { ...hit, costUsd: this.o.prices.cost(this.o.model, hit.usage) };
    }
    const why = this.stopped();
    if (why) throw new Stopped(why);
    const reserve = this.worstCaseUsd(messages);
    if (this.o.budgetUsd !== undefined && this.spent + this.reserved + reserve > this.o.budgetUsd) {
      this.stopReason = 'budget';
      throw new Stopped('budget');
    }
    // Held until the reply is booked, then the unused part is released (the real cost is booked).
    this.reserved += reserve;
    let response: ChatResponse;
    try {
      response = await this.o.client.chat({ ...keyed, max_tokens: this.maxTokens }, this.signal);
      await this.o.cache.put(key, response);
      return this.account(response);
    } finally {
      this.reserved -= reserve;
    }
  }

  /** Books a response that was paid for now (synchronously or by a batch). */
  account(response: ChatResponse, batch = false): PaidResponse {
    const costUsd = this.o.prices.cost(this.o.model, response.usage, batch);
    this.requests++;
    this.spent += costUsd;
    this.usage.input += response.usage.input;
    this.usage.output += response.usage.output;
    if (response.usageEstimated) this.usageEstimated = true;
    if (this.o.budgetUsd !== undefined && this.spent >= this.o.budgetUsd) this.stopReason = 'budget';
    return { ...response, costUsd };
  }

  private evaluate(response: PaidResponse): Candidate {
    const parsed = parseCompletion(response.content, response.finishReason);
    if (!parsed.ok) return { response, rationale: parsed.rationale, dsl: undefined, problems: [parsed.reason], warnings: [], parseFailure: true };
    const issues = this.o.checks.validate(parsed.dsl);
    const text = (p: { pointer: string; message: string }) => `${p.pointer || '/'}: ${p.message}`;
    const problems = issues.filter((p) => p.severity === 'error').map(text);
    const warnings = issues.filter((p) => p.severity === 'warning').map(text);
    if (response.finishReason === 'length' && problems.length === 0 && !parsed.rationale) problems.push('the response was cut off at the token limit');
    return { response, rationale: parsed.rationale, dsl: parsed.dsl, problems, warnings, parseFailure: false };
  }

  messagesFor(question: string): ChatMessage[] {
    return questionMessages(this.o.templates, this.o.mapping, this.o.fewShot, question, this.o.fieldValues);
  }

  /** Adds the cluster's rejections to an answer the static checks accept (only then: one round trip per answer). */
  private async judgeOnCluster(c: Candidate): Promise<Candidate> {
    if (!this.o.clusterCheck || c.problems.length > 0 || !c.dsl) return c;
    const rejected = await this.o.clusterCheck(c.dsl);
    return rejected.length ? { ...c, problems: rejected.map((r) => `cluster rejected ${r}`) } : c;
  }

  /** Draws the K samples of one question, then concludes it. */
  async answer(item: QuestionItem): Promise<DatasetRecord> {
    const messages = this.messagesFor(item.question);
    const responses = await Promise.all(Array.from({ length: this.o.samples }, (_, i) => this.request(messages, i)));
    return this.conclude(item, messages, responses);
  }

  /** Votes among the samples, runs repair rounds on a bad winner, and builds the record. */
  async conclude(item: QuestionItem, messages: ChatMessage[], responses: PaidResponse[]): Promise<DatasetRecord> {
    // `transformers serve` ignores temperature: K answers byte for byte the same vote for nothing
    // (at temperature 0 that is expected, and not worth a word).
    const identical = this.o.temperature > 0 && responses.length > 1 && responses.every((r) => r.content === responses[0]!.content);
    if (identical) this.identicalSamples++;
    const candidates = await Promise.all(responses.map((r) => this.judgeOnCluster(this.evaluate(r))));
    const valid = candidates.filter((c) => c.problems.length === 0);
    let chosen: Candidate;
    let samples: { k: number; agreeing: number; distinct: number } | undefined;
    if (valid.length > 0) {
      const groups = new Map<string, Candidate[]>();
      for (const c of valid) {
        const key = this.o.checks.canonical(c.dsl);
        const g = groups.get(key);
        if (g) g.push(c);
        else groups.set(key, [c]);
      }
      const best = [...groups.values()].reduce((a, b) => (b.length > a.length ? b : a));
      chosen = best[0]!;
      if (this.o.samples > 1) samples = { k: this.o.samples, agreeing: best.length, distinct: groups.size + (candidates.length - valid.length) };
    } else {
      chosen = candidates.find((c) => !c.parseFailure) ?? candidates[0]!;
      if (this.o.samples > 1) samples = { k: this.o.samples, agreeing: 0, distinct: candidates.length };
    }
    let repairs = 0;
    const paid: PaidResponse[] = [...responses];
    let conversation = messages;
    // Lower is better: unparsable, then errors, then warnings.
    const score = (c: Candidate) => (c.parseFailure ? 1e6 : 0) + c.problems.length * 1000 + c.warnings.length;
    while ((chosen.problems.length > 0 || chosen.warnings.length > 0) && this.o.repair && repairs < this.o.repairRounds) {
      conversation = repairMessages(this.o.templates, conversation, chosen.response.content ?? '', item.question, [...chosen.problems, ...chosen.warnings]);
      const response = await this.request(conversation, 0);
      paid.push(response);
      repairs++;
      const next = await this.judgeOnCluster(this.evaluate(response));
      // Keep the better of the two: a repair that makes things worse never replaces an answer.
      if (score(next) <= score(chosen)) chosen = next;
    }
    const usage = paid.reduce((u, r) => ({ input: u.input + r.usage.input, output: u.output + r.usage.output }), { input: 0, output: 0 });
    const costUsd = Math.round(paid.reduce((n, r) => n + r.costUsd, 0) * 1e6) / 1e6;
    const notes: string[] = [];
    if (chosen.problems.length > 0) {
      notes.push(chosen.parseFailure ? `teacher answer could not be used: ${chosen.problems.join('; ')}` : `validator errors: ${chosen.problems.join('; ')}`);
    }
    if (chosen.warnings.length > 0) notes.push(`validator warnings: ${chosen.warnings.join('; ')}`);
    if (samples && samples.agreeing < samples.k) notes.push(`self-consistency: ${samples.agreeing} of ${samples.k} samples agree`);
    if (identical) notes.push(`self-consistency: all ${responses.length} samples are byte-identical; the server may ignore temperature (set teacher.extraBody in distillery.json)`);
    if (repairs > 0) notes.push(`repair rounds: ${repairs}`);
    return {
      id: item.recordId ?? '',
      question: item.question,
      rationale: chosen.rationale || null,
      dsl: chosen.dsl ?? null,
      status: chosen.problems.length === 0 ? 'generated' : 'needs_fix',
      source: {
        kind: 'teacher',
        model: this.o.model,
        promptHash: this.o.promptHash,
        usage,
        costUsd,
        ...(samples ? { samples } : {}),
        ...(repairs ? { repairs } : {}),
      },
      notes: notes.join('\n'),
      updatedAt: new Date().toISOString(),
    };
  }

  /** Writes a finished record: in place for an existing one, appended (with a stable id) otherwise. */
  async write(record: DatasetRecord, item: QuestionItem): Promise<DatasetRecord> {
    if (item.recordId) {
      const { id: _id, question: _q, ...patch } = record;
      await this.o.dataset.update(item.recordId, patch);
      return { ...record, id: item.recordId };
    }
    const taken = new Set(this.o.dataset.records().map((r) => r.id));
    const withId = { ...record, id: questionId(item.question, taken) };
    await this.o.dataset.append([withId]);
    return withId;
  }

  private rejectedRecord(item: QuestionItem, e: TeacherError): DatasetRecord {
    return {
      id: item.recordId ?? '',
      question: item.question,
      rationale: null,
      dsl: null,
      status: 'needs_fix',
      source: { kind: 'teacher', model: this.o.model, promptHash: this.o.promptHash, usage: { input: 0, output: 0 }, costUsd: 0 },
      notes: `teacher request failed: ${e.message}`,
      updatedAt: new Date().toISOString(),
    };
  }

  async run(items: readonly QuestionItem[]): Promise<RunSummary> {
    const summary: RunSummary = { total: items.length, generated: 0, needsFix: 0, unanswered: 0, failed: 0, requests: 0, cacheHits: 0, usage: { input: 0, output: 0 }, costUsd: 0 };
    let next = 0;
    let done = 0;
    const progress = (last?: DatasetRecord) =>
      this.o.onProgress?.({ done, total: items.length, costUsd: this.spent, requests: this.requests, cacheHits: this.cacheHits, ...(last ? { last } : {}) });
    progress();
    const worker = async () => {
      while (next < items.length && !this.stopped() && !this.fatal) {
        const item = items[next++]!;
        let record: DatasetRecord;
        try {
          record = await this.answer(item);
        } catch (e) {
          if (e instanceof Stopped) continue;
          if (e instanceof TeacherError && e.kind === 'aborted') continue;
          if (e instanceof TeacherError && e.kind === 'rejected') record = this.rejectedRecord(item, e);
          else if (e instanceof TeacherError && e.kind === 'exhausted') {
            summary.failed++;
            this.o.onLog?.(`"${item.question}": ${e.message}`);
            // A second question lost and nothing answered yet: the endpoint itself is wrong, not one
            // question. `transformers serve` answers a model it cannot load with a bare 500, retried
            // like any 5xx; going on would fail every question the same way.
            if (summary.failed >= 2 && this.requests === 0 && this.cacheHits === 0 && !this.fatal) {
              this.fatal = new TeacherError('config', `the teacher has not answered any request (${e.message}); check teacher.model and baseUrl (some servers answer 500 for a model they cannot load) and the server's log, then rerun`);
              this.internal.abort(this.fatal);
            }
            continue;
          } else {
            this.fatal = e instanceof TeacherError ? e : new TeacherError('rejected', this.o.client.redact(e instanceof Error ? e.message : String(e)));
            this.internal.abort(this.fatal);
            continue;
          }
        }
        // The write is not awaited here: the worker moves on to its next question while the
        // dataset's group commit puts this record on disk (the response is already cached).
        writes.push(
          this.write(record, item).then((written) => {
            done++;
            if (written.status === 'generated') summary.generated++;
            else summary.needsFix++;
            this.o.onLog?.(`${written.id} ${written.status} ${formatUsd(written.source?.costUsd ?? 0)}  (run total ${formatUsd(this.spent)})`);
            progress(written);
          }, (e: unknown) => {
            // The answer is cached, so a rerun writes it without paying again.
            summary.failed++;
            this.o.onLog?.(`could not write the answer to "${item.question}": ${e instanceof Error ? e.message : String(e)}`);
          }),
        );
      }
    };
    const writes: Promise<void>[] = [];
    await Promise.all(Array.from({ length: Math.max(1, Math.min(this.o.concurrency, items.length)) }, worker));
    // Finished, cancelled or aborted: in-place updates waiting for their batch are written now.
    await this.o.dataset.flush?.();
    await Promise.all(writes);
    summary.unanswered = items.length - done;
    summary.requests = this.requests;
    summary.cacheHits = this.cacheHits;
    summary.usage = { ...this.usage };
    summary.costUsd = Math.round(this.spent * 1e6) / 1e6;
    if (this.usageEstimated) summary.usageEstimated = true;
    if (this.identicalSamples) summary.identicalSamples = this.identicalSamples;
    if (this.fatal) {
      summary.stoppedBy = 'error';
      summary.error = this.fatal.message;
      summary.errorKind = this.fatal.kind;
    } else if (this.stopReason === 'budget') summary.stoppedBy = 'budget';
    else if (this.o.stopSignal?.aborted || this.o.abortSignal?.aborted) summary.stoppedBy = 'cancel';
    return summary;
  }
}

/** The output limit when nothing is known about the answers yet. */
export const DEFAULT_MAX_TOKENS = 4096;

/** Prompt tokens can never exceed prompt bytes (plus a few per message for the chat format). */
export function promptTokensUpperBound(messages: readonly ChatMessage[]): number {
  return messages.reduce((n, m) => n + Buffer.byteLength(m.content, 'utf8') + 8, 16);
}

/**
 * The output limit sent by default: twice the longest answer the dataset's teacher records hold
 * (per request), at least 1024, at most 16384; DEFAULT_MAX_TOKENS with no answers yet. Long
 * enough for any answer like the ones seen, short enough that a runaway reply costs little.
 */
export function defaultMaxTokens(records: readonly DatasetRecord[]): number {
  let longest = 0;
  for (const r of records) {
    const usage = r.source?.kind === 'teacher' ? r.source.usage : undefined;
    if (!usage || !usage.output) continue;
    const samples = (r.source as { samples?: { k?: number } } | undefined)?.samples?.k ?? 1;
    const repairs = (r.source as { repairs?: number } | undefined)?.repairs ?? 0;
    longest = Math.max(longest, usage.output / (samples + repairs));
  }
  if (longest === 0) return DEFAULT_MAX_TOKENS;
  return Math.min(16_384, Math.max(1024, Math.ceil((2 * longest) / 64) * 64));
}

/** Mean output tokens of the dataset's teacher answers (per request), else 400: the estimate's guess. */
export function averageOutputTokens(records: readonly DatasetRecord[]): number {
  let tokens = 0;
  let requests = 0;
  for (const r of records) {
    const usage = r.source?.kind === 'teacher' ? r.source.usage : undefined;
    if (!usage || !usage.output) continue;
    const samples = (r.source as { samples?: { k?: number } } | undefined)?.samples?.k ?? 1;
    const repairs = (r.source as { repairs?: number } | undefined)?.repairs ?? 0;
    tokens += usage.output;
    requests += samples + repairs;
  }
  return requests ? Math.round(tokens / requests) : 400;
}

/** "about 1,200 requests, ~$3.10" before a run starts. Repairs are not predicted, so it is a floor. */
export function estimateRun(
  items: readonly QuestionItem[],
  o: Pick<GeneratorOptions, 'model' | 'samples' | 'prices' | 'templates' | 'mapping' | 'fewShot' | 'maxTokens' | 'fieldValues'>,
  averageOutputTokens = 400,
  batch = false,
): { requests: number; inputTokens: number; outputTokens: number; costUsd: number; priced: boolean } {
  let inputTokens = 0;
  for (const item of items) inputTokens += estimateTokens(questionMessages(o.templates, o.mapping, o.fewShot, item.question, o.fieldValues)) * o.samples;
  const requests = items.length * o.samples;
  const outputTokens = Math.round(requests * Math.min(averageOutputTokens, o.maxTokens ?? Infinity));
  return {
    requests,
    inputTokens,
    outputTokens,
    costUsd: o.prices.cost(o.model, { input: inputTokens, output: outputTokens }, batch),
    priced: o.prices.lookup(o.model) !== undefined,
  };
}
