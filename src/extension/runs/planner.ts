// "Recommend Training Modality" (the memory estimator's advice as a report) and "New Run Config"
// (a RUN.json from distillery.json's runDefaults, the advice and the exported splits).
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import * as vscode from 'vscode';
import { readRunConfig } from '../../core/remote/jobs';
import { adviseModality, type Advice, type Precision, type Supervision } from '../../core/training/estimator';
import { findModel, KNOWN_MODELS, type ModelShape } from '../../core/training/models';
import type { CommandHandler, Context } from '../ctx';
import { workspaceProject } from '../project';
import { newRunConfig, TINY_MODEL_PATH } from './first-run';
import type { ReportDocuments } from './reports';

const COMMON_GPUS: [string, number][] = [
  ['NVIDIA T4 / RTX 4080', 16],
  ['NVIDIA L4 / A10G / RTX 4090', 24],
  ['NVIDIA A100 40GB', 40],
  ['NVIDIA L40S / A6000', 48],
  ['NVIDIA A100 / H100 80GB', 80],
];

interface PlannerDeps {
  reports: ReportDocuments;
  findRunConfigs: () => Promise<vscode.Uri[]>;
  /** The last preflight environment per host: its GPUs are offered first. */
  lastEnv: Map<string, Record<string, unknown>>;
}

export function createPlannerCommands(ctx: Context, deps: PlannerDeps): Record<string, CommandHandler> {
  /** The advice of the last "Recommend Training Modality", used by "New Run Config". */
  let lastPlan: { model: string; advice: Advice } | undefined;

  async function pickModel(title: string, withTiny: boolean): Promise<string | undefined> {
    type Item = vscode.QuickPickItem & { id?: string; other?: boolean };
    const project = workspaceProject(ctx);
    const fromDefaults = typeof project?.runDefaults['baseModel'] === 'string' ? (project.runDefaults['baseModel'] as string) : undefined;
    const items: Item[] = [
      ...(withTiny ? [{ label: 'Tiny random T5 (smoke test)', description: TINY_MODEL_PATH, detail: 'Built on this machine by the launch, offline, in seconds; trains on a CPU. Proves the set-up before a real model.', id: TINY_MODEL_PATH }] : []),
      ...(fromDefaults ? [{ label: fromDefaults, description: 'runDefaults in distillery.json', id: fromDefaults }] : []),
      ...KNOWN_MODELS.filter((m) => m.id !== fromDefaults).map((m) => ({ label: m.id, description: `${m.arch} · ${(m.params / 1e6).toFixed(0)}M parameters`, id: m.id })),
      { label: '$(edit) Another model…', other: true },
    ];
    const choice = await vscode.window.showQuickPick(items, { title, placeHolder: 'Base (student) model' });
    if (!choice) return undefined;
    if (choice.id) return choice.id;
    return (await vscode.window.showInputBox({ title, prompt: 'Hugging Face hub id or local model folder (./models/…)' }))?.trim() || undefined;
  }

  async function pickGpuMemory(hostHint?: string): Promise<number | undefined> {
    type Item = vscode.QuickPickItem & { gib?: number; other?: boolean };
    const seen: Item[] = [];
    for (const [host, env] of deps.lastEnv) {
      const gpus = Array.isArray(env['gpus']) ? (env['gpus'] as { name?: unknown; memGiB?: unknown }[]) : [];
      for (const g of gpus) if (Number(g.memGiB) > 0) seen.push({ label: `${String(g.name ?? 'GPU')} (${host})`, description: `${Number(g.memGiB).toFixed(0)} GiB`, gib: Number(g.memGiB) });
    }
    if (hostHint) seen.sort((a, b) => Number(b.label.includes(`(${hostHint})`)) - Number(a.label.includes(`(${hostHint})`)));
    const items: Item[] = [...seen, ...COMMON_GPUS.map(([name, gib]) => ({ label: name, description: `${gib} GiB`, gib })), { label: '$(edit) Other memory size…', other: true }];
    const choice = await vscode.window.showQuickPick(items, { title: 'GPU to train on', placeHolder: seen.length ? 'GPUs found by Check GPU Host first' : 'Run "Check GPU Host" to list your GPUs here' });
    if (!choice) return undefined;
    if (choice.gib) return choice.gib;
    const typed = await vscode.window.showInputBox({
      title: 'GPU memory in GiB',
      validateInput: (v) => (Number(v) > 0 ? undefined : 'a positive number of GiB, e.g. 24'),
    });
    return typed ? Number(typed) : undefined;
  }

  function planMarkdown(model: ModelShape, gib: number, advice: Advice, settings: { supervision: Supervision; precision: Precision; batchSize: number; seq: [number, number]; rank: number }): string {
    const rec = advice.recommended;
    const lines = [
      `# Recommend training modality: ${model.id}`,
      '',
      `On a ${gib} GiB GPU, ${settings.supervision === 'dss' ? 'Distilling Step-by-Step' : 'label-only'} supervision, ${settings.precision}, batch ${settings.batchSize}, ${settings.seq[0]}/${settings.seq[1]} tokens, LoRA rank ${settings.rank} (alpha ${advice.loraAlpha}).`,
      '',
      `## ${rec ? `Recommended: ${rec.modality}${rec.gradientCheckpointing ? ' with gradient checkpointing' : ''}` : 'Nothing fits'}`,
      '',
      advice.reason,
      '',
      '| Modality | Gradient checkpointing | Peak memory | Fits |',
      '|---|---|---:|---|',
      ...advice.candidates.map((c) => `| ${c.modality} | ${c.gradientCheckpointing ? 'yes' : 'no'} | ${c.estimate.totalGiB.toFixed(1)} GiB | ${c.fits ? 'yes' : 'no'} |`),
      '',
      '_An estimate of one training step (weights, gradients, optimizer state, activations, logits); evaluation and saving need headroom, which is why only 90% of the GPU is planned._',
      '',
      'Next: **Distillery: New Run Config** writes a RUN.json with this modality.',
    ];
    return lines.join('\n') + '\n';
  }

  async function planRun(arg?: unknown): Promise<void> {
    const modelId = await pickModel('Recommend training modality for which base model?', false);
    if (!modelId) return;
    const model = findModel(modelId);
    if (!model) throw new Error(`${modelId} is not in the built-in model table; pick one of the listed models, or run \`distillery plan --model ${modelId} --params N\` with its parameter count`);
    const gib = await pickGpuMemory(typeof arg === 'string' ? arg : undefined);
    if (!gib) return;
    const defaults = (workspaceProject(ctx)?.runDefaults ?? {}) as Record<string, unknown>;
    const train = (defaults['train'] ?? {}) as Record<string, unknown>;
    const lora = (defaults['lora'] ?? {}) as Record<string, unknown>;
    const settings = {
      supervision: (defaults['supervision'] === 'label_only' ? 'label_only' : 'dss') as Supervision,
      precision: (['bf16', 'fp16', 'fp32'].includes(String(train['precision'])) ? train['precision'] : 'bf16') as Precision,
      batchSize: typeof train['batchSize'] === 'number' ? train['batchSize'] : 8,
      seq: [typeof train['maxSourceLen'] === 'number' ? train['maxSourceLen'] : 256, typeof train['maxTargetLen'] === 'number' ? train['maxTargetLen'] : 256] as [number, number],
      rank: typeof lora['r'] === 'number' ? lora['r'] : 16,
    };
    const advice = adviseModality(
      { model, supervision: settings.supervision, precision: settings.precision, batchSize: settings.batchSize, maxSourceLen: settings.seq[0], maxTargetLen: settings.seq[1], loraRank: settings.rank, targetModules: 'all-linear' },
      gib,
    );
    lastPlan = { model: model.id, advice };
    await deps.reports.show(`Recommend Training Modality — ${model.id}`, planMarkdown(model, gib, advice, settings));
    if (advice.recommended) {
      const go = await vscode.window.showInformationMessage(`Distillery: ${advice.recommended.modality}${advice.recommended.gradientCheckpointing ? ' with gradient checkpointing' : ''} fits ${model.id} on ${gib} GiB.`, 'New Run Config');
      if (go) await vscode.commands.executeCommand('distillery.newRunConfig', model.id);
    }
  }

  async function newRunConfigCommand(arg?: unknown): Promise<vscode.Uri | undefined> {
    const root = ctx.workspaceRoot;
    if (!root || root.scheme !== 'file') throw new Error('open a workspace folder first: the run config is written there');
    const dataDir = arg && typeof arg === 'object' && typeof (arg as { dataDir?: unknown }).dataDir === 'string' ? (arg as { dataDir: string }).dataDir : undefined;
    const baseModel = typeof arg === 'string' ? arg : await pickModel('New run config: base model', true);
    if (!baseModel) return undefined;
    const project = workspaceProject(ctx);
    const exportDir = dataDir ?? join(root.fsPath, 'export');
    const rel = (f: string): string => relative(root.fsPath, join(exportDir, f)).split('\\').join('/');
    if (!existsSync(join(exportDir, 'train.jsonl'))) {
      const go = await vscode.window.showWarningMessage(`Distillery: there is no exported training split (${rel('train.jsonl')}) yet. The run config points there; export the accepted records first.`, 'Export Dataset', 'Write It Anyway');
      if (go === 'Export Dataset') await vscode.commands.executeCommand('distillery.exportDataset');
      else if (go !== 'Write It Anyway') return undefined;
    }
    const config = newRunConfig({
      runDefaults: (project?.runDefaults ?? {}) as Record<string, unknown>,
      baseModel,
      ...(lastPlan && lastPlan.model === baseModel ? { advice: lastPlan.advice } : {}),
      data: { train: rel('train.jsonl'), ...(existsSync(join(exportDir, 'val.jsonl')) ? { val: rel('val.jsonl') } : {}), ...(existsSync(join(exportDir, 'test.jsonl')) ? { test: rel('test.jsonl') } : {}) },
    });
    const existing = (await deps.findRunConfigs()).map((u) => u.fsPath);
    let name = 'RUN.json';
    for (let i = 2; existing.includes(join(root.fsPath, name)) || existsSync(join(root.fsPath, name)); i++) name = `run-${i}.run.json`;
    const file = join(root.fsPath, name);
    await writeFile(file, JSON.stringify(config, null, 2) + '\n', { flag: 'wx' });
    // Read back through the launch's own reader, so what was written is what a launch accepts.
    await readRunConfig(file);
    const uri = vscode.Uri.file(file);
    await vscode.window.showTextDocument(uri, { preview: false });
    void vscode.window.showInformationMessage(`Distillery: wrote ${name} (${String(config['modality'])}, ${baseModel}).`, 'Launch Training Run').then((c) => {
      if (c) void vscode.commands.executeCommand('distillery.launchRun', { configPath: file });
    });
    return uri;
  }

  return { 'distillery.planRun': planRun, 'distillery.newRunConfig': newRunConfigCommand };
}
