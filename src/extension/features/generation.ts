// Teacher generation in VS Code: Generate Pairs, Synthesize Questions, Check Batch Jobs, and the
// API key in SecretStorage. The work itself is src/core/teacher (the same code `distillery generate`
// runs); this file asks, shows progress with a running cost, and refuses in untrusted workspaces.
import * as vscode from 'vscode';
import type { Context, Feature } from '../ctx';
import type { TeacherSettings } from '../../core/project/config';
import { pollBatches, readBatchState, submitBatch } from '../../core/teacher/batch';
import { formatUsd } from '../../core/teacher/cost';
import { averageOutputTokens, estimateRun, planQuestions } from '../../core/teacher/generator';
import { createClient, createGenerator, openSession, readQuestions, unpricedBudget, type TeacherSession } from '../../core/teacher/session';
import { synthesizeQuestions } from '../../core/teacher/synthesize';
import type { TeacherClient } from '../../core/teacher/client';
import { ReadOnlyCluster, resolveCluster, resolveIndex } from '../../core/elasticsearch';
import { clusterCheck, groundSession } from '../../core/teacher/grounding';
import { configuredClusters } from '../elasticsearch/clusters';
import { secretStorageSource } from '../elasticsearch/secrets';

const SECRET_KEY = 'distillery.teacher.apiKey';

interface GenerateArgs {
  /** A questions file (.txt or .jsonl) to add to the dataset's pending records. */
  questionsPath?: string;
}

export function createGenerationFeature(ctx: Context): Feature {
  const secrets = ctx.extension.secrets;
  let running = false;

  function requireTrust(action: string): boolean {
    if (vscode.workspace.isTrusted) return true;
    void vscode.window.showWarningMessage(
      `Distillery: ${action} is disabled in an untrusted workspace, because it sends your data to the teacher endpoint named in the workspace's files. Trust the workspace to use it.`,
      'Manage Workspace Trust',
    ).then((choice) => {
      if (choice) void vscode.commands.executeCommand('workbench.trust.manage');
    });
    return false;
  }

  async function session(): Promise<TeacherSession> {
    const root = ctx.workspaceRoot;
    if (!root) throw new Error('open a folder holding distillery.json or a *.dss.jsonl dataset first');
    const config = vscode.workspace.getConfiguration('distillery');
    const overrides: Partial<TeacherSettings> = {};
    const baseUrl = config.get<string>('teacher.baseUrl');
    const model = config.get<string>('teacher.model');
    if (baseUrl) overrides.baseUrl = baseUrl;
    if (model) overrides.model = model;
    const mappingPath = config.get<string>('mappingPath');
    return openSession({ cwd: root.fsPath, overrides, mappingPath: mappingPath || undefined });
  }

  async function setApiKey(): Promise<boolean> {
    const key = await vscode.window.showInputBox({
      title: 'Distillery: Teacher API Key',
      prompt: 'Stored in VS Code SecretStorage; never written to a file or a log.',
      password: true,
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() ? undefined : 'Enter a key, or press Escape'),
    });
    if (!key) return false;
    await secrets.store(SECRET_KEY, key.trim());
    void vscode.window.showInformationMessage('Distillery: teacher API key saved.');
    return true;
  }

  async function client(s: TeacherSession): Promise<TeacherClient | undefined> {
    let apiKey = (await secrets.get(SECRET_KEY)) ?? process.env['OPENAI_API_KEY'];
    if (!apiKey && !s.settings.baseUrl) {
      const choice = await vscode.window.showWarningMessage('Distillery: no teacher API key is set.', 'Set API Key');
      if (choice !== 'Set API Key' || !(await setApiKey())) return undefined;
      apiKey = await secrets.get(SECRET_KEY);
    }
    return createClient(s, { apiKey, onRetry: (r) => ctx.log.warn(`teacher retry ${r.attempt} in ${(r.delayMs / 1000).toFixed(2)}s: ${r.reason}`) });
  }

  /**
   * teacher.grounding in distillery.json: sample real values into the prompt (and, with
   * teacher.clusterRepair, check answers on the cluster), as `distillery generate --cluster` does.
   * Grounding must happen before planning: the values are part of the prompt hash. A cluster that
   * cannot be reached stops here, before anything is sent to the teacher (docs/teacher.md).
   */
  async function ground(s: TeacherSession): Promise<ReadOnlyCluster | undefined> {
    const grounding = s.settings.grounding;
    if (!grounding) return undefined;
    const resolved = resolveCluster(grounding.cluster, configuredClusters(ctx), ctx.workspaceRoot?.fsPath);
    const index = resolveIndex(resolved, grounding.index);
    const cluster = await ReadOnlyCluster.connect(resolved, secretStorageSource(secrets, ctx.log));
    try {
      const g = await groundSession(s, { cluster, index, maxFields: grounding.maxFields ?? 20, maxValues: grounding.maxValues ?? 10, cacheTtlMinutes: grounding.cacheTtlMinutes ?? 60 });
      ctx.log.info(g.fields ? `grounding: ${g.fields} field(s) of ${index} on ${cluster.name}${g.cached ? ' (cached)' : ''}` : `grounding: ${index} on ${cluster.name} has no values to sample; the prompt is not grounded`);
      if (s.settings.clusterRepair) s.clusterCheck = clusterCheck(cluster, index, (line) => ctx.log.info(line));
      return cluster;
    } catch (e) {
      await cluster.close();
      throw new Error(`grounding on cluster "${grounding.cluster}" failed, nothing was sent to the teacher: ${(e as Error).message}. Fix the cluster or remove teacher.grounding from distillery.json`);
    }
  }

  async function generatePairs(args?: GenerateArgs): Promise<void> {
    if (!requireTrust('Generating pairs')) return;
    if (running) {
      void vscode.window.showInformationMessage('Distillery: a generation is already running; cancel it from its notification first.');
      return;
    }
    const s = await session();
    const cluster = await ground(s);
    try {
      await generateWith(s, args);
    } finally {
      await cluster?.close();
    }
  }

  async function generateWith(s: TeacherSession, args?: GenerateArgs): Promise<void> {
    const questions = args?.questionsPath ? await readQuestions(args.questionsPath) : [];
    const plan = planQuestions(s.dataset.records(), questions, s.promptHash);
    if (plan.todo.length === 0) {
      const choice = await vscode.window.showInformationMessage(
        `Distillery: no pending questions in ${vscode.workspace.asRelativePath(s.datasetPath)}${plan.skipped ? ` (${plan.skipped} already answered)` : ''}.`,
        'Synthesize Questions',
      );
      if (choice) await vscode.commands.executeCommand('distillery.synthesizeQuestions');
      return;
    }
    if (await refuseUnpricedBudget(s)) return;
    const est = estimateRun(plan.todo, { model: s.settings.model, samples: s.settings.samples, prices: s.prices, templates: s.templates, mapping: s.mapping, fewShot: s.fewShot }, averageOutputTokens(s.dataset.records()));
    const budget = s.settings.budgetUsd !== undefined ? ` Budget ${formatUsd(s.settings.budgetUsd)}.` : '';
    const price = est.priced ? `~${formatUsd(est.costUsd)}` : `cost unknown (no price for ${s.settings.model}; add teacher.prices)`;
    // The key first: confirming a cost and then being told there is no key is a dead end.
    const c = await client(s);
    if (!c) return;
    const choice = await vscode.window.showInformationMessage(
      `Generate ${plan.todo.length} pair(s) with ${s.settings.model}?`,
      { modal: true, detail: `About ${est.requests.toLocaleString('en-US')} requests, ${price}.${budget} Batch mode costs half and finishes within 24 hours.` },
      'Generate',
      'Submit as Batch',
    );
    if (!choice) return;
    if (choice === 'Submit as Batch') {
      const submitted = await submitBatch(s, c, plan.todo);
      ctx.log.info(`submitted batch ${submitted.batchId}: ${submitted.requests} requests`);
      void vscode.window.showInformationMessage(`Distillery: batch ${submitted.batchId} submitted (${submitted.requests} requests). Run "Check Batch Generation Jobs" later to merge the results.`);
      return;
    }
    running = true;
    const stop = new AbortController();
    try {
      const summary = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'Distillery: generating pairs', cancellable: true },
        async (progress, token) => {
          token.onCancellationRequested(() => stop.abort());
          let reported = 0;
          const generator = createGenerator(s, c, {
            stopSignal: stop.signal,
            onLog: (line) => ctx.log.info(line),
            onProgress: (p) => {
              const increment = p.total ? ((p.done - reported) / p.total) * 100 : 0;
              reported = p.done;
              progress.report({ message: `${p.done}/${p.total} · ${formatUsd(p.costUsd)}${stop.signal.aborted ? ' · stopping' : ''}`, increment });
              ctx.setStatus({ generation: { done: p.done, total: p.total, costUsd: p.costUsd } });
            },
          });
          return generator.run(plan.todo);
        },
      );
      const text = `${summary.generated} generated, ${summary.needsFix} need a fix, ${summary.unanswered} not answered; ${formatUsd(summary.costUsd)} spent.`;
      ctx.log.info(`generation finished: ${text}`);
      if (summary.stoppedBy === 'error') throw new Error(summary.error ?? 'the teacher failed');
      if (summary.stoppedBy === 'budget') void vscode.window.showWarningMessage(`Distillery: budget reached. ${text} Raise teacher.budgetUsd to continue.`);
      else void vscode.window.showInformationMessage(`Distillery: ${summary.stoppedBy === 'cancel' ? 'stopped. ' : ''}${text}`);
    } finally {
      running = false;
      ctx.setStatus({ generation: undefined });
    }
  }

  /** True (after saying why) when the budget cannot be kept: the model has no price. */
  async function refuseUnpricedBudget(s: TeacherSession): Promise<boolean> {
    const problem = unpricedBudget(s);
    if (!problem) return false;
    const open = await vscode.window.showErrorMessage(`Distillery: ${problem}.`, 'Open distillery.json');
    if (open && s.configFile) await vscode.window.showTextDocument(vscode.Uri.file(s.configFile));
    return true;
  }

  async function synthesize(): Promise<void> {
    if (!requireTrust('Synthesizing questions')) return;
    const s = await session();
    if (await refuseUnpricedBudget(s)) return;
    const count = await vscode.window.showInputBox({
      title: 'Distillery: Synthesize Questions',
      prompt: 'How many new questions should the teacher propose? They are added as pending records.',
      value: '20',
      validateInput: (v) => (/^\d+$/.test(v) && Number(v) > 0 && Number(v) <= 500 ? undefined : 'A whole number from 1 to 500'),
    });
    if (!count) return;
    const c = await client(s);
    if (!c) return;
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Distillery: asking the teacher for questions', cancellable: true },
      async (_progress, token) => {
        const abort = new AbortController();
        token.onCancellationRequested(() => abort.abort());
        return synthesizeQuestions(s, c, { count: Number(count), signal: abort.signal });
      },
    );
    ctx.log.info(`synthesized ${result.added.length} question(s), ${result.duplicates} duplicate(s) dropped, ${formatUsd(result.costUsd)}`);
    const choice = await vscode.window.showInformationMessage(
      `Distillery: added ${result.added.length} pending question(s) (${result.duplicates} duplicates dropped, ${formatUsd(result.costUsd)}).`,
      'Generate Pairs',
    );
    if (choice) await generatePairs();
  }

  async function pollBatch(): Promise<void> {
    if (!requireTrust('Checking batch jobs')) return;
    const s = await session();
    const c = await client(s);
    if (!c) return;
    const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Distillery: checking batch jobs' }, () =>
      pollBatches(s, c, { onLog: (line) => ctx.log.info(line) }),
    );
    for (const line of result.lines) ctx.log.info(line);
    const text = result.lines.length ? result.lines.join(' · ') : 'no batch jobs were submitted for this dataset.';
    void vscode.window.showInformationMessage(`Distillery: ${text}`);
  }

  return {
    commands: {
      'distillery.generatePairs': (args?: unknown) => generatePairs(args as GenerateArgs | undefined),
      'distillery.synthesizeQuestions': () => synthesize(),
      'distillery.setApiKey': () => setApiKey(),
      'distillery.clearApiKey': async () => {
        await secrets.delete(SECRET_KEY);
        void vscode.window.showInformationMessage('Distillery: teacher API key removed.');
      },
      'distillery.pollBatch': () => pollBatch(),
    },
    activate() {
      // Batches submitted in an earlier session: say so once, so results are not forgotten.
      if (!vscode.workspace.isTrusted) return;
      void session()
        .then(async (s) => {
          const open = readBatchState(s.datasetPath).batches.filter((b) => b.state === 'submitted');
          if (open.length === 0) return;
          const choice = await vscode.window.showInformationMessage(`Distillery: ${open.length} teacher batch job(s) submitted earlier may have finished.`, 'Check Now');
          if (choice) await pollBatch();
        })
        .catch((e: unknown) => ctx.log.debug(`batch check at start skipped: ${e instanceof Error ? e.message : String(e)}`));
    },
  };
}
