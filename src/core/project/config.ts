// `distillery.json`, the project file at the workspace root (docs/ARCHITECTURE.md, "Project file").
// Secrets never live here: API keys come from SecretStorage or OPENAI_API_KEY.
import { z } from 'zod';
import { clusterSchema } from '../elasticsearch/cluster-config';

export const teacherSettingsSchema = z
  .object({
    model: z.string().default('gpt-4o-mini').describe('Teacher model id as the endpoint names it.'),
    baseUrl: z.string().url().optional().describe('OpenAI-compatible endpoint, e.g. http://localhost:8000/v1 for vLLM.'),
    temperature: z.number().min(0).max(2).default(0.2),
    concurrency: z.number().int().min(1).max(256).default(8),
    requestsPerMinute: z.number().int().positive().optional(),
    tokensPerMinute: z.number().int().positive().optional(),
    timeoutSec: z.number().positive().default(120),
    maxRetries: z.number().int().min(0).max(20).default(5),
    budgetUsd: z.number().nonnegative().optional().describe('Hard stop for a run, in US dollars.'),
    repair: z.boolean().default(true),
    repairRounds: z.number().int().min(0).max(5).default(1),
    samples: z.number().int().min(1).max(16).default(1),
    maxTokens: z.number().int().positive().optional().describe('Output token limit per teacher answer; default: twice the longest answer in the dataset (4096 with none).'),
    extraBody: z.record(z.unknown()).optional().describe('Extra fields sent in every teacher request (e.g. {"do_sample": true} for servers that ignore temperature).'),
    fewShot: z.number().int().min(0).max(20).default(4),
    prices: z.record(z.object({ inputPerMTok: z.number().nonnegative(), outputPerMTok: z.number().nonnegative() })).optional(),
    grounding: z
      .object({
        cluster: z.string().min(1).describe('Cluster (name from "clusters", or a URL) whose real values go into the prompt.'),
        index: z.string().min(1).optional().describe('Index to sample; default: the cluster\'s "index".'),
        maxFields: z.number().int().min(1).max(200).default(20).describe('Most fields sampled, in mapping order.'),
        maxValues: z.number().int().min(1).max(50).default(10).describe('Top terms per keyword field.'),
        cacheTtlMinutes: z.number().positive().default(60).describe('How long sampled values are reused (they are also re-sampled when the mapping or document count changes).'),
      })
      .strict()
      .optional()
      .describe('Grounded prompts: real top terms and min/max values sampled from the cluster (docs/teacher.md).'),
    clusterRepair: z.boolean().default(false).describe('Also check answers on the grounding cluster and repair the ones it rejects (needs "grounding" or --cluster).'),
  })
  .strict();

// One #SBATCH line or setup line each: a newline would smuggle a second line into the batch script.
const oneLine = z.string().regex(/^[^\n\r\0]*$/, 'must be a single line');
export const slurmSettingsSchema = z
  .object({
    partition: oneLine.optional(),
    account: oneLine.optional(),
    qos: oneLine.optional(),
    time: z.string().regex(/^(\d+-)?\d+(:\d+){0,2}$/, 'time looks like "04:00:00", "90" (minutes) or "1-12:00:00"').optional(),
    gres: oneLine.optional().describe('e.g. "gpu:4": GPUs per node; more than one starts torchrun with one process per GPU.'),
    nodes: z.number().int().min(1).optional(),
    directives: z.array(oneLine).optional().describe('Extra #SBATCH options, e.g. "--mem=64G".'),
    setup: z.array(oneLine).optional().describe('Shell lines run in the job before the runner, e.g. "module load cuda/12.4".'),
    sweepConcurrency: z.number().int().min(1).optional().describe('Array tasks running at once (%K); default: as many as Slurm allows.'),
  })
  .strict();
export const raySettingsSchema = z
  .object({
    address: z.string().url().default('http://127.0.0.1:8265').describe('Ray dashboard address as seen from the host (reached through the SSH connection).'),
    runtimeEnv: z.record(z.unknown()).optional(),
    resourcesPerWorker: z.record(z.number().nonnegative()).optional(),
    workers: z.number().int().min(1).optional().describe('More than 1 runs the runner under TorchTrainer.'),
    sweepConcurrency: z.number().int().min(1).optional().describe('Sweep jobs running at once; default 2.'),
  })
  .strict();

export const hostSchema = z
  .object({
    name: z.string().min(1),
    target: z.string().min(1).describe('ssh_config alias, user@host[:port], or "local".'),
    python: z.string().optional(),
    identityFile: z.string().optional(),
    remoteHome: z.string().optional().describe('Folder on the host under which .distillery/ lives; default the remote $HOME.'),
    // Cluster hosts (docs/ARCHITECTURE.md, "Scheduler contract"; docs/schedulers.md).
    scheduler: z.enum(['none', 'slurm', 'ray']).optional().describe('none: a detached process (default); slurm: sbatch; ray: Ray Jobs.'),
    slurm: slurmSettingsSchema.optional(),
    ray: raySettingsSchema.optional(),
  })
  .strict();

export const projectSchema = z
  .object({
    $schema: z.string().optional(),
    dataset: z.string().default('dataset.dss.jsonl'),
    mapping: z.string().optional(),
    esVersion: z.string().regex(/^\d+(\.\d+){0,2}$/, 'esVersion looks like "8.15" or "9"').default('8.15'),
    teacher: teacherSettingsSchema.default({}),
    prompts: z.object({ system: z.string().optional(), user: z.string().optional(), repair: z.string().optional(), synthesize: z.string().optional() }).strict().default({}),
    hosts: z.array(hostSchema).default([]),
    clusters: z.array(clusterSchema).default([]).describe('Elasticsearch clusters Distillery reads from (docs/elasticsearch.md).'),
    runDefaults: z.record(z.unknown()).default({}),
    presets: z.record(z.record(z.unknown())).default({}),
  })
  .strict();

export type ProjectConfig = z.infer<typeof projectSchema>;
export type TeacherSettings = z.infer<typeof teacherSettingsSchema>;
export type HostProfile = z.infer<typeof hostSchema>;

/** Parses distillery.json text; errors name the key and the fix. */
export function parseProjectConfig(text: string, file = 'distillery.json'): ProjectConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file} is not valid JSON (${(e as Error).message}); fix the syntax or delete the file to use defaults.`);
  }
  const parsed = projectSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new Error(`${file} is not a valid Distillery project file: ${issues}`);
  }
  return parsed.data;
}
