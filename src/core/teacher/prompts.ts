// Prompt templates: loading (workspace files or the shipped defaults), rendering, the prompt hash
// and the choice of few-shot examples. Placeholders are {{mapping}}, {{examples}}, {{question}},
// {{fieldValues}}, {{errors}}, {{gaps}} and {{count}}; an unknown placeholder is left as written.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import type { DatasetRecord } from '../dataset/record';
import { DEFAULT_TEMPLATES } from './default-prompts';
import { canonicalJson, type DslChecks } from './dsl-checks';

export type TemplateName = keyof typeof DEFAULT_TEMPLATES;
export type Templates = Record<TemplateName, string>;
export type PromptPaths = Partial<Record<TemplateName, string | undefined>>;

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** Reads the templates named in distillery.json `prompts` (relative to `baseDir`); the rest are defaults. */
export async function loadTemplates(paths: PromptPaths, baseDir: string): Promise<Templates> {
  const out: Templates = { ...DEFAULT_TEMPLATES };
  for (const name of Object.keys(DEFAULT_TEMPLATES) as TemplateName[]) {
    const p = paths[name];
    if (!p) continue;
    const file = isAbsolute(p) ? p : resolve(baseDir, p);
    try {
      out[name] = await readFile(file, 'utf8');
    } catch (e) {
      throw new Error(`cannot read the ${name} prompt template ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); fix prompts.${name} in distillery.json or remove it to use the default`);
    }
  }
  return out;
}

export function render(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) => values[name] ?? whole);
}

/**
 * The prompt hash recorded on each record: sha256 over the system, user and repair templates, the
 * model, the canonical mapping and the grounding text (sampled field values) when there is one. Few-shot examples are left out on purpose: accepting a record
 * must not invalidate every answer generated so far.
 */
export function promptHash(templates: Templates, model: string, mapping: unknown, fieldValues?: string): string {
  const h = createHash('sha256');
  // Grounding text joins the hash only when there is some, so ungrounded datasets keep their hash.
  h.update(JSON.stringify({ system: templates.system, user: templates.user, repair: templates.repair, model, mapping: canonicalJson(mapping ?? null), ...(fieldValues ? { fieldValues } : {}) }));
  return `sha256:${h.digest('hex').slice(0, 12)}`;
}

export function mappingText(mapping: unknown): string {
  return mapping === undefined || mapping === null ? '(no mapping given: infer field names from the question)' : JSON.stringify(mapping, null, 2);
}

/**
 * Up to `count` accepted records, chosen round-robin over query shapes so the examples show as
 * many different query and aggregation types as possible. Deterministic (ordered by id) so the
 * same dataset gives the same requests, which keeps the response cache useful across reruns.
 */
export function chooseFewShot(records: readonly DatasetRecord[], count: number, checks: DslChecks): DatasetRecord[] {
  if (count <= 0) return [];
  const accepted = records.filter((r) => r.status === 'accepted' && r.dsl && r.question).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const groups = new Map<string, DatasetRecord[]>();
  for (const r of accepted) {
    const sig = checks.signature(r.dsl);
    const g = groups.get(sig);
    if (g) g.push(r);
    else groups.set(sig, [r]);
  }
  const queues = [...groups.values()];
  const out: DatasetRecord[] = [];
  for (let round = 0; out.length < count; round++) {
    let took = false;
    for (const q of queues) {
      const r = q[round];
      if (r && out.length < count) {
        out.push(r);
        took = true;
      }
    }
    if (!took) break;
  }
  return out;
}

export function renderExamples(examples: readonly DatasetRecord[]): string {
  if (examples.length === 0) return '';
  return (
    examples
      .map((r) => `Question: ${r.question}\n<rationale>\n${r.rationale ?? ''}\n</rationale>\n<answer>\n${JSON.stringify(r.dsl, null, 2)}\n</answer>`)
      .join('\n\n') + '\n\nNow the real question.\n\n'
  );
}

/** The grounding block as the user prompt shows it; empty without grounding. */
export function fieldValuesText(fieldValues: string | undefined): string {
  if (!fieldValues) return '';
  return `Real values in the index (field (type): most frequent values (documents), or min … max). Use these exact spellings and ranges:\n${fieldValues}\n\n`;
}

/**
 * The messages of the first request for one question. Grounding goes where the user template has
 * {{fieldValues}}; a template without it (the default) gets the block in front, so turning grounding
 * off leaves the default prompt (and so every existing prompt hash) exactly as it was.
 */
export function questionMessages(templates: Templates, mapping: unknown, examples: readonly DatasetRecord[], question: string, fieldValues?: string): ChatMessage[] {
  const grounding = fieldValuesText(fieldValues);
  const hasPlaceholder = /\{\{\s*fieldValues\s*\}\}/.test(templates.user);
  const user = render(templates.user, { examples: renderExamples(examples), question, fieldValues: grounding });
  return [
    { role: 'system', content: render(templates.system, { mapping: mappingText(mapping) }) },
    { role: 'user', content: hasPlaceholder ? user : grounding + user },
  ];
}

/** The conversation for a repair round: the previous answer and the validator's findings. */
export function repairMessages(templates: Templates, previous: ChatMessage[], answer: string, question: string, errors: string[]): ChatMessage[] {
  return [
    ...previous,
    { role: 'assistant', content: answer },
    { role: 'user', content: render(templates.repair, { question, errors: errors.map((e) => `- ${e}`).join('\n') }) },
  ];
}
