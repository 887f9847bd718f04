// Everything a generation needs, assembled once from distillery.json, flags and the dataset: the
// effective teacher settings, templates, mapping, prompt hash, few-shot examples, cache and client.
// Used by `distillery generate` and by the extension's commands, so both behave the same.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, extname, join, resolve } from 'node:path';
import { parse as parseJsonc, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { parseProjectConfig, projectSchema, type ProjectConfig, type TeacherSettings } from '../project/config';
import { mappingDepthProblem } from '../project/mapping-depth';
import type { DatasetRecord } from '../dataset/record';
import { ResponseCache } from './cache';
import { checkBaseUrl, TeacherClient } from './client';
import { formatUsd, PriceTable } from './cost';
import { StoreTeacherDataset, type TeacherDataset } from './dataset';
import type { DslChecks } from './dsl-checks';
import { engineChecks } from './engine-checks';
import { defaultMaxTokens, Generator, type GeneratorOptions } from './generator';
import { RateLimiter } from './limiter';
import { chooseFewShot, loadTemplates, promptHash, type Templates } from './prompts';

export interface SessionInput {
  /** The dataset; default: distillery.json `dataset`. */
  datasetPath?: string | undefined;
  /** Directory searched for distillery.json after the dataset's own directory. */
  cwd: string;
  /** Flags that override distillery.json teacher settings. */
  overrides?: Partial<TeacherSettings> | undefined;
  mappingPath?: string | undefined;
  /** A validator to use instead of the Query DSL engine (tests). */
  checks?: DslChecks | undefined;
}

export interface TeacherSession {
  config: ProjectConfig;
  /** The file distillery.json was read from, when there is one. */
  configFile: string | undefined;
  settings: TeacherSettings;
  datasetPath: string;
  dataset: TeacherDataset;
  mapping: unknown;
  templates: Templates;
  /** Grounding text (sampled field values), set by groundSession; part of the prompt and its hash. */
  fieldValues?: string | undefined;
  /** The cluster's verdict on answers (teacher.clusterRepair), set by the caller that holds the cluster. */
  clusterCheck?: ((dsl: Record<string, unknown>) => Promise<string[]>) | undefined;
  promptHash: string;
  fewShot: DatasetRecord[];
  checks: DslChecks;
  prices: PriceTable;
  cache: ResponseCache;
  /** `<dataset dir>/.distillery`: cache and batch state live here. */
  stateDir: string;
}

async function readJsonc(file: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new Error(`cannot read the ${what} ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const tooDeep = what === 'mapping' ? mappingDepthProblem(text) : undefined;
  if (tooDeep) throw new Error(`the mapping ${file} is not usable: ${tooDeep}`);
  const errors: ParseError[] = [];
  const value: unknown = parseJsonc(text, errors, { allowTrailingComma: true });
  if (errors.length) throw new Error(`the ${what} ${file} is not valid JSON (${printParseErrorCode(errors[0]!.error)} at offset ${errors[0]!.offset})`);
  return value;
}

/** The mappings object out of any of the three shapes users have (GET _mapping, create-index body, bare). */
export function mappingsObject(json: unknown): unknown {
  if (json === null || typeof json !== 'object') return json;
  const o = json as Record<string, unknown>;
  if (o['properties'] || o['dynamic'] !== undefined || o['runtime']) return o;
  if (o['mappings']) return o['mappings'];
  const values = Object.values(o);
  if (values.length === 1 && values[0] && typeof values[0] === 'object' && (values[0] as Record<string, unknown>)['mappings']) {
    return (values[0] as Record<string, unknown>)['mappings'];
  }
  return o;
}

function findConfig(datasetPath: string | undefined, cwd: string): string | undefined {
  const candidates = [...(datasetPath ? [join(dirname(resolve(cwd, datasetPath)), 'distillery.json')] : []), join(cwd, 'distillery.json')];
  return candidates.find((c) => existsSync(c));
}

export async function openSession(input: SessionInput): Promise<TeacherSession> {
  const configFile = findConfig(input.datasetPath, input.cwd);
  const config = configFile ? parseProjectConfig(await readFile(configFile, 'utf8'), configFile) : projectSchema.parse({});
  const baseDir = configFile ? dirname(configFile) : input.cwd;
  const settings: TeacherSettings = { ...config.teacher };
  for (const [k, v] of Object.entries(input.overrides ?? {})) if (v !== undefined) (settings as Record<string, unknown>)[k] = v;

  const datasetPath = input.datasetPath ? resolve(input.cwd, input.datasetPath) : resolve(baseDir, config.dataset);
  const mappingFile = input.mappingPath ? resolve(input.cwd, input.mappingPath) : config.mapping ? resolve(baseDir, config.mapping) : undefined;
  const mappingJson = mappingFile ? await readJsonc(mappingFile, 'mapping') : undefined;
  const mapping = mappingJson === undefined ? undefined : mappingsObject(mappingJson);
  const templates = await loadTemplates(config.prompts, baseDir);
  const dataset = await StoreTeacherDataset.open(datasetPath);
  const checks = input.checks ?? engineChecks(mappingJson, config.esVersion);
  const stateDir = join(dirname(datasetPath), '.distillery');
  return {
    config,
    configFile,
    settings,
    datasetPath,
    dataset,
    mapping,
    templates,
    promptHash: promptHash(templates, settings.model, mapping),
    fewShot: chooseFewShot(dataset.records(), settings.fewShot, checks),
    checks,
    prices: new PriceTable(settings.prices),
    cache: new ResponseCache(join(stateDir, 'cache')),
    stateDir,
  };
}

export interface ClientInput {
  apiKey: string | undefined;
  retryBaseMs?: number;
  onRetry?: (info: { attempt: number; delayMs: number; reason: string }) => void;
}

/** The client for a session. Without a key only a custom baseUrl (vLLM, Ollama, …) is allowed. */
export function createClient(session: TeacherSession, input: ClientInput): TeacherClient {
  const s = session.settings;
  if (!input.apiKey && !s.baseUrl) {
    throw new Error('no API key for the teacher: set OPENAI_API_KEY (CLI) or run "Distillery: Set Teacher API Key" (VS Code), or set teacher.baseUrl for a local endpoint that needs none');
  }
  const badUrl = s.baseUrl === undefined ? undefined : checkBaseUrl(s.baseUrl);
  if (badUrl) throw new Error(badUrl);
  return new TeacherClient({
    apiKey: input.apiKey || 'no-key',
    baseUrl: s.baseUrl,
    timeoutMs: s.timeoutSec * 1000,
    maxRetries: s.maxRetries,
    limiter: new RateLimiter({ concurrency: s.concurrency, requestsPerMinute: s.requestsPerMinute, tokensPerMinute: s.tokensPerMinute }),
    ...(input.retryBaseMs !== undefined ? { retryBaseMs: input.retryBaseMs } : {}),
    ...(input.onRetry ? { onRetry: input.onRetry } : {}),
  });
}

export function generatorOptions(session: TeacherSession, client: TeacherClient): GeneratorOptions {
  const s = session.settings;
  return {
    client,
    baseUrl: s.baseUrl,
    model: s.model,
    temperature: s.temperature,
    maxTokens: s.maxTokens,
    derivedMaxTokens: defaultMaxTokens(session.dataset.records()),
    extraBody: s.extraBody,
    samples: s.samples,
    repair: s.repair,
    repairRounds: s.repairRounds,
    concurrency: s.concurrency,
    budgetUsd: s.budgetUsd,
    templates: session.templates,
    mapping: session.mapping,
    fieldValues: session.fieldValues,
    clusterCheck: session.clusterCheck,
    promptHash: session.promptHash,
    fewShot: session.fewShot,
    checks: session.checks,
    prices: session.prices,
    dataset: session.dataset,
    cache: session.cache,
  };
}

/**
 * Why a budget cannot be kept, if so: the model has no price, so its requests would count as $0 and
 * the budget would never stop the run. A price of 0 (a local endpoint) makes the budget explicit.
 */
export function unpricedBudget(session: TeacherSession): string | undefined {
  const budget = session.settings.budgetUsd;
  const model = session.settings.model;
  if (budget === undefined || session.prices.lookup(model) !== undefined) return undefined;
  return `a budget of ${formatUsd(budget)} cannot be kept: no price is known for ${model}, so its requests would count as $0. Add its price to distillery.json ("teacher": {"prices": {"${model}": {"inputPerMTok": …, "outputPerMTok": …}}}, US$ per million tokens; 0 for a free local endpoint), or run without a budget`;
}

export function createGenerator(session: TeacherSession, client: TeacherClient, extra: Partial<GeneratorOptions> = {}): Generator {
  return new Generator({ ...generatorOptions(session, client), ...extra });
}

/** Questions from a file: `.txt` one per line (blank lines and `#` comments skipped) or `.jsonl`. */
export async function readQuestions(file: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new Error(`cannot read the questions file ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const lines = text.split(/\r?\n/);
  if (extname(file) === '.jsonl' || file.endsWith('.dss.jsonl')) {
    const out: string[] = [];
    lines.forEach((line, i) => {
      if (!line.trim()) return;
      let v: unknown;
      try {
        v = JSON.parse(line);
      } catch {
        throw new Error(`${file}:${i + 1} is not valid JSON; each line must be {"question": "…"} or a JSON string`);
      }
      const q = typeof v === 'string' ? v : v && typeof v === 'object' ? (v as Record<string, unknown>)['question'] : undefined;
      if (typeof q !== 'string') throw new Error(`${file}:${i + 1} has no "question" string`);
      out.push(q);
    });
    return out;
  }
  return lines.map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
}

