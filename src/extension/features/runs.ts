// Training runs in VS Code: pick a host (distillery.json profiles, ~/.ssh/config aliases, hosts
// typed in, local), preflight it, launch runs and sweeps, follow logs into a read-only
// distillery-log document and the "Distillery Runs" log channel, drive the status bar from the
// events, cancel, fetch and compare. The work is src/core/remote (the same code as the CLI);
// this file asks, shows, and refuses to launch in untrusted workspaces. Followed runs are kept
// in workspaceState, so a window reload re-attaches them.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import * as vscode from 'vscode';
import type { Context, Feature } from '../ctx';
import { workspaceValidateOptions } from '../project';
import type { ValidateOptions } from '../../core/dsl';
import { adviceFor } from '../../core/remote/advice';
import { compareMarkdown, compareRows } from '../../core/remote/compare';
import { terminalStatus, type RunnerEvent } from '../../core/remote/events';
import { followRun } from '../../core/remote/follow';
import { cancelRun, defaultRunnerDir, fetchRun, hostLayout, launchRun, listRuns, readRunConfig, runStatus } from '../../core/remote/jobs';
import { HostKeyError } from '../../core/remote/known-hosts';
import { runDir } from '../../core/remote/layout';
import { preflight, runnerRequirements, setupVenv, type PreflightReport } from '../../core/remote/preflight';
import { shellQuote } from '../../core/remote/shell-quote';
import { closeAllConnections } from '../../core/remote/ssh-connection';
import { listConfiguredHosts, loadSshConfig } from '../../core/remote/ssh-target';
import { launchSweep, parseSweepGrid, planSweep } from '../../core/remote/sweep';
import type { SchedulerSettings } from '../../core/remote/schedulers/settings';
import { schedulerChoices, sweepPlan } from '../runs/launch-choices';
import { checkRunConfig } from '../../core/training/run-config';
import { explainFailure, halveBatch, stderrTail, type FailureFix } from '../runs/failure';
import { isLocalModelPath, resolveModelPath, tinyModelArch } from '../runs/first-run';
import { Hosts, isLocalTarget } from '../runs/hosts';
import { formatEvent, isLifecycle, progressLine, type RunContext } from '../runs/log-format';
import { LOG_SCHEME, RunLogDocuments, runLogUri } from '../runs/log-documents';
import { createPlannerCommands } from '../runs/planner';
import { REPORT_SCHEME, ReportDocuments } from '../runs/reports';
import { RunsTree } from '../runs/runs-tree';
import { clauseF1Of, predictionRows } from '../runs/predictions';
import { activeExecPlace, scoreByExecution } from '../elasticsearch/exec-predictions';
import { readExecSummary, staleReason, writeExecSummary } from '../runs/exec-summary-store';
import { RunViews } from '../runs/run-view';
import type { CompareTableRow } from '../../shared/run-view-protocol';

const FOLLOWED_KEY = 'distillery.followedRuns';

interface RunRef {
  host: string;
  runId: string;
}

function isRunRef(v: unknown): v is RunRef {
  return !!v && typeof v === 'object' && typeof (v as RunRef).host === 'string' && typeof (v as RunRef).runId === 'string';
}

/** What another part (the panel's run form, a fix button) may pass to distillery.launchRun. */
interface LaunchArgs {
  host?: string;
  configPath?: string;
  config?: Record<string, unknown>;
}

const FIX_LABELS: Record<FailureFix, string> = {
  selectPython: 'Select Python Interpreter',
  setupPython: 'Set Up Python Environment',
  smallerBatch: 'Retry with Half the Batch',
  openConfig: 'Open RUN.json',
};

const keyOf = (ref: RunRef): string => `${ref.host}\0${ref.runId}`;

export function createRunsFeature(ctx: Context): Feature {
  // Lifecycle lines only (launch, start, eval, checkpoint, end, why it failed): the steps are in the run's own log.
  const runLog = vscode.window.createOutputChannel('Distillery Runs', { log: true });
  const docs = new RunLogDocuments();
  const reports = new ReportDocuments();
  const hosts = new Hosts(ctx);
  const following = new Map<string, AbortController>();
  /** Runs whose end the user asked for from the progress notification (so the end is not reported as a surprise). */
  const cancelling = new Set<string>();
  /** What a run was launched with, for "Retry with Half the Batch" and "Open RUN.json". */
  const launched = new Map<string, { config: Record<string, unknown>; configPath?: string }>();
  const state = ctx.extension.workspaceState;
  const runnerDir = (): string => defaultRunnerDir(ctx.extension.extensionPath);

  /** The engine settings the review panel validates with (settings, else distillery.json), so a prediction is judged like a record. */
  function validateOptions(): ValidateOptions {
    return workspaceValidateOptions(ctx, 'predictions are checked without field checks');
  }

  function pythonOpt(name: string): { python?: string } {
    const p = hosts.python(name);
    return p ? { python: p.path } : {};
  }

  // The run view (live chart, predictions next to gold, comparison table); "show gold" selects the
  // gold pair in the review panel.
  const views = new RunViews(
    ctx,
    async (id) => {
      await vscode.commands.executeCommand('distillery.revealRecord', id);
    },
    async (pair) => {
      await vscode.commands.executeCommand('distillery.compareExecutionResults', pair);
    },
  );
  ctx.push(views);

  const tree = new RunsTree(() => hosts.names(), (name) => listRuns(hosts.host(name)), (name) => isLocalTarget(hosts.entry(name).target));
  ctx.push(
    runLog,
    docs,
    reports,
    hosts,
    hosts.onDidChange(() => tree.refresh()),
    vscode.workspace.registerTextDocumentContentProvider(LOG_SCHEME, docs),
    vscode.workspace.registerTextDocumentContentProvider(REPORT_SCHEME, reports),
    vscode.window.createTreeView('distillery.runs', { treeDataProvider: tree, showCollapseAll: true }),
    {
      dispose: () => {
        for (const ac of following.values()) ac.abort();
        closeAllConnections();
      },
    },
  );

  function requireTrust(action: string): boolean {
    if (vscode.workspace.isTrusted) return true;
    void vscode.window
      .showWarningMessage(`Distillery: ${action} is disabled in an untrusted workspace: it runs code from the workspace on your GPU host. Trust the workspace to use it.`, 'Manage Workspace Trust')
      .then((choice) => {
        if (choice) void vscode.commands.executeCommand('workbench.trust.manage');
      });
    return false;
  }

  /** Explains host-key refusals plainly; everything else goes to the command table's handler. */
  function explain(e: unknown): never {
    if (e instanceof HostKeyError) {
      void vscode.window.showErrorMessage(`Distillery: ${e.message}`, { modal: e.verdict.status !== 'unknown' });
    }
    throw e;
  }

  async function pickHost(title: string): Promise<string | undefined> {
    type Item = vscode.QuickPickItem & { host?: string; add?: boolean };
    const fromConfig = (() => {
      try {
        return listConfiguredHosts(loadSshConfig());
      } catch {
        return [];
      }
    })();
    const entries = hosts.entries();
    const items: Item[] = [
      ...entries.map((e) => ({
        label: e.name,
        description: e.name === e.target ? (e.source === 'built-in' ? 'this machine, no SSH' : e.source) : `${isLocalTarget(e.target) ? 'this machine' : e.target}`,
        detail: e.source === 'distillery.json' ? `distillery.json host${hosts.python(e.name) ? ` · Python ${hosts.python(e.name)!.path}` : ''}` : undefined,
        host: e.name,
      })),
      ...fromConfig.filter((h) => !entries.some((e) => e.target === h)).map((h) => ({ label: h, description: 'ssh config', host: h })),
      { label: '$(add) Enter user@host[:port]…', add: true },
    ];
    const choice = await vscode.window.showQuickPick(items, { title, placeHolder: 'GPU host' });
    if (!choice) return undefined;
    if (!choice.add) return choice.host;
    const typed = await vscode.window.showInputBox({ title, prompt: 'user@host[:port]', validateInput: (v) => (/^([^@\s]+@)?[^\s:@]+(:\d+)?$/.test(v.trim()) ? undefined : 'Use user@host or user@host:port') });
    if (!typed) return undefined;
    await hosts.addTyped(typed.trim());
    return typed.trim();
  }

  async function findRunConfigs(): Promise<vscode.Uri[]> {
    return vscode.workspace.findFiles('{**/*.run.json,**/RUN.json,**/run.json,**/runs/*.json}', '{**/node_modules/**,**/.venv/**,runs/*/**}', 50);
  }

  async function pickRunConfig(): Promise<string | undefined> {
    const found = await findRunConfigs();
    type Item = vscode.QuickPickItem & { uri?: vscode.Uri; create?: boolean };
    const items: Item[] = [
      ...found.map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri })),
      { label: '$(new-file) New Run Config…', create: true },
      { label: '$(folder-opened) Browse…' },
    ];
    const choice = await vscode.window.showQuickPick(items, { title: 'Distillery: run config (RUN.json)' });
    if (!choice) return undefined;
    if (choice.uri) return choice.uri.fsPath;
    if (choice.create) {
      const written = (await vscode.commands.executeCommand('distillery.newRunConfig')) as vscode.Uri | undefined;
      return written?.fsPath;
    }
    const picked = await vscode.window.showOpenDialog({ filters: { 'Run config': ['json'] }, canSelectMany: false });
    return picked?.[0]?.fsPath;
  }

  async function pickRun(title: string, filter?: (status: string) => boolean): Promise<RunRef | undefined> {
    const host = await pickHost(title);
    if (!host) return undefined;
    const runs = await listRuns(hosts.host(host)).catch(explain);
    const items = runs
      .filter((r) => !filter || filter(r.status))
      .reverse()
      .map((r) => ({ label: r.runId, description: `${r.status} · ${String(r.config?.['modality'] ?? '')} ${String(r.config?.['supervision'] ?? '')}`, runId: r.runId }));
    if (!items.length) {
      void vscode.window.showInformationMessage(`Distillery: no matching runs on ${host}.`);
      return undefined;
    }
    const choice = await vscode.window.showQuickPick(items, { title });
    return choice ? { host, runId: choice.runId } : undefined;
  }

  async function remember(ref: RunRef, on: boolean): Promise<void> {
    const list = state.get<RunRef[]>(FOLLOWED_KEY, []).filter((r) => !(r.host === ref.host && r.runId === ref.runId));
    await state.update(FOLLOWED_KEY, on ? [...list, ref] : list);
  }

  function onEvent(ref: RunRef, e: RunnerEvent): void {
    const mine = ctx.status.run?.runId === ref.runId && ctx.status.run.host === ref.host ? ctx.status.run : undefined;
    if (e.event === 'step') {
      ctx.setStatus({
        run: {
          runId: ref.runId,
          host: ref.host,
          status: cancelling.has(keyOf(ref)) ? 'cancelling' : 'running',
          ...(typeof e['step'] === 'number' ? { step: e['step'] } : {}),
          ...(typeof e['loss'] === 'number' ? { loss: e['loss'] } : {}),
          ...(typeof e['etaSec'] === 'number' ? { etaSec: e['etaSec'] } : {}),
        },
      });
    } else if (e.event === 'start') {
      ctx.setStatus({ run: { runId: ref.runId, host: ref.host, status: 'running' } });
    }
    const end = terminalStatus(e);
    if (end) ctx.setStatus({ run: { ...(mine ?? { runId: ref.runId, host: ref.host }), runId: ref.runId, host: ref.host, status: end === 'done' ? 'done' : end === 'cancelled' ? 'cancelled' : 'failed' } });
  }

  /** The last lines of the run's stderr.log on its host ('' when it cannot be read). */
  async function readStderrTail(ref: RunRef): Promise<string[]> {
    try {
      const host = hosts.host(ref.host);
      const dir = runDir(await hostLayout(host), ref.runId);
      const r = await host.exec(`tail -n 60 ${shellQuote(posix.join(dir, 'stderr.log'))} 2>/dev/null`);
      return stderrTail(r.stdout, 30);
    } catch (e) {
      ctx.log.warn(`reading stderr.log of ${ref.runId}: ${(e as Error).message}`);
      return [];
    }
  }

  /** A failed run says why where the user looks: the log editor, the Output channel and the notification, with the fix as a button. */
  async function reportFailure(ref: RunRef, final: RunnerEvent | undefined, exitCode?: number): Promise<void> {
    const uri = runLogUri(ref.host, ref.runId);
    const tail = await readStderrTail(ref);
    const why = explainFailure(final, tail, exitCode);
    docs.note(uri, [
      '',
      `✖ run failed: ${why.reason}`,
      ...(why.hint ? [`  hint: ${why.hint}`] : []),
      ...(tail.length ? ['', `── stderr.log on ${ref.host} (last ${tail.length} lines) ──`, ...tail] : []),
    ]);
    runLog.error(`[${ref.runId}] failed: ${why.reason}${why.hint ? ` (${why.hint})` : ''}`);
    for (const l of tail.slice(-8)) runLog.error(`[${ref.runId}] stderr: ${l}`);
    const python = hosts.python(ref.host);
    const fixes = why.fixes.filter((f) => (f === 'smallerBatch' || f === 'openConfig' ? launched.has(keyOf(ref)) : true));
    const choice = await vscode.window.showErrorMessage(
      `Distillery: run ${ref.runId} on ${ref.host} failed: ${why.reason}.${why.hint ? ` Fix: ${why.hint}.` : ''}${why.fixes.includes('selectPython') ? ` (Python used: ${python?.path ?? 'the host default'}.)` : ''}`,
      ...fixes.map((f) => FIX_LABELS[f]),
      'Show Log',
    );
    const fix = (Object.keys(FIX_LABELS) as FailureFix[]).find((f) => FIX_LABELS[f] === choice);
    if (choice === 'Show Log') await docs.show(uri);
    else if (fix === 'selectPython') await vscode.commands.executeCommand('distillery.selectPython', ref.host);
    else if (fix === 'setupPython') await vscode.commands.executeCommand('distillery.setupPython', ref.host);
    else if (fix === 'openConfig') {
      const l = launched.get(keyOf(ref));
      if (l?.configPath) await vscode.window.showTextDocument(vscode.Uri.file(l.configPath));
    } else if (fix === 'smallerBatch') {
      const l = launched.get(keyOf(ref))!;
      const smaller = halveBatch(l.config);
      if (!smaller) throw new Error('train.batchSize is already 1: lower train.maxSourceLen / maxTargetLen, turn on train.gradientCheckpointing, or use modality qlora');
      await launch({ host: ref.host, config: smaller, ...(l.configPath ? { configPath: l.configPath } : {}) });
    }
  }

  async function contextOf(ref: RunRef): Promise<RunContext> {
    const fromLaunch = launched.get(keyOf(ref))?.config;
    const config = fromLaunch ?? (await runStatus(hosts.host(ref.host), ref.runId).then((s) => s.config ?? undefined, () => undefined));
    const maxSteps = (config?.['train'] as { maxSteps?: unknown } | undefined)?.maxSteps;
    return typeof maxSteps === 'number' ? { totalSteps: maxSteps } : {};
  }

  /**
   * Streams a run into its log document until it ends; re-attaches on drops. The progress
   * notification's Cancel cancels the run itself (SIGTERM: the runner saves and reports
   * `cancelled`); following goes on until that event, so the log and status bar track the run
   * while it lives.
   */
  async function follow(ref: RunRef, show: boolean): Promise<void> {
    const uri = runLogUri(ref.host, ref.runId);
    if (following.has(keyOf(ref))) {
      if (show) await docs.show(uri);
      return;
    }
    const ac = new AbortController();
    following.set(keyOf(ref), ac);
    await remember(ref, true);
    docs.reset(uri);
    if (show) await docs.show(uri);
    void contextOf(ref).then((c) => docs.setContext(uri, c));
    views.reset(ref);
    const host = hosts.host(ref.host);
    void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Run ${ref.runId}`, cancellable: true }, async (progress, token) => {
      token.onCancellationRequested(() => {
        if (ac.signal.aborted) return;
        cancelling.add(keyOf(ref));
        const current = ctx.status.run;
        if (current?.runId === ref.runId) ctx.setStatus({ run: { ...current, status: 'cancelling' } });
        runLog.info(`[${ref.runId}] cancel requested from the progress notification`);
        void cancelRun(host, ref.runId).then(
          (r) => runLog.info(`[${ref.runId}] ${r === 'cancelled' ? 'cancelled: no process of the run is left' : 'had already ended'}`),
          (e: unknown) => ctx.fail(`cancelling ${ref.runId} on ${ref.host} failed`, e),
        );
      });
      let shown = 0;
      try {
        const res = await followRun(host, ref.runId, {
          signal: ac.signal,
          onLine: (line, _offset, event) => {
            docs.append(uri, line, event);
            if (!event) return;
            if (isLifecycle(event)) runLog.info(`[${ref.runId}] ${formatEvent(event)}`);
            onEvent(ref, event);
            views.onEvent(ref, event);
            if (event.event === 'step') {
              const context = docs.context(uri);
              const step = typeof event['step'] === 'number' ? event['step'] : undefined;
              // The bar fills as the steps go when the run has a step target.
              const done = context.totalSteps && step !== undefined ? Math.min(100, (100 * step) / context.totalSteps) : undefined;
              progress.report({ message: progressLine(event, context), ...(done !== undefined ? { increment: done - shown } : {}) });
              if (done !== undefined) shown = done;
            }
          },
          onReconnect: (n, e) => runLog.warn(`[${ref.runId}] connection lost (${e.message}); re-attaching (${n})`),
        });
        await remember(ref, false);
        tree.refresh(ref.host);
        if (res.status === 'failed') {
          if (!res.final) onEvent(ref, { event: 'error', kind: 'runtime', message: 'the runner stopped' });
          views.setStatus(ref, 'failed', null);
          // Not awaited: the progress notification closes now; the failure notice waits for its answer.
          void reportFailure(ref, res.final, res.summary?.exitCode).catch((e: unknown) => ctx.fail(`explaining why ${ref.runId} failed`, e));
          return;
        }
        if (!res.final) onEvent(ref, { event: 'done', status: res.status === 'done' ? 'ok' : res.status });
        const message = `Distillery: run ${ref.runId} on ${ref.host} ${res.status === 'done' ? 'finished' : res.status}.`;
        runLog.info(`[${ref.runId}] ${res.status}`);
        if (res.status === 'done')
          void vscode.window.showInformationMessage(message, 'Fetch Results', 'Compare Runs', 'Show Chart').then((c) => {
            if (c === 'Show Chart') views.show(ref);
            else if (c) void vscode.commands.executeCommand(c === 'Fetch Results' ? 'distillery.fetchRun' : 'distillery.compareRuns', ref);
          });
        else if (!cancelling.has(keyOf(ref)))
          void vscode.window.showWarningMessage(message, 'Show Log', 'Show Chart').then((c) => {
            if (c === 'Show Chart') views.show(ref);
            else if (c) void docs.show(uri);
          });
        else void vscode.window.showInformationMessage(message);
      } catch (e) {
        if (!ac.signal.aborted) {
          // Following stopped but the run may live on: say so in the status bar rather than freeze it.
          const current = ctx.status.run;
          if (current?.runId === ref.runId) ctx.setStatus({ run: { ...current, status: 'unknown' } });
          ctx.fail(`following ${ref.runId} on ${ref.host} stopped ("Follow Run Logs" re-attaches)`, e);
        }
      } finally {
        following.delete(keyOf(ref));
        cancelling.delete(keyOf(ref));
      }
    });
  }

  /** A local baseModel folder: resolved against RUN.json's folder; a missing tiny random model is built (offline). */
  async function prepareBaseModel(config: Record<string, unknown>, configDir: string, hostName: string): Promise<Record<string, unknown>> {
    const baseModel = config['baseModel'];
    if (typeof baseModel !== 'string' || !isLocalModelPath(baseModel)) return config;
    const path = resolveModelPath(baseModel, configDir, homedir());
    const local = isLocalTarget(hosts.entry(hostName).target);
    if (!local) {
      throw new Error(`baseModel ${baseModel} is a folder on this machine, and ${hostName} is another machine: copy the model there and use its path on the host, or use a Hugging Face hub id`);
    }
    if (!existsSync(path)) {
      const arch = tinyModelArch(baseModel);
      if (!arch) throw new Error(`baseModel folder ${path} does not exist: fix "baseModel" in the run config (a hub id such as google/flan-t5-small, or a model folder)`);
      await buildTinyModel(arch, path, hostName);
    }
    return { ...config, baseModel: path };
  }

  /** `make-tiny-model` with the host's Python, with progress and Cancel. */
  async function buildTinyModel(arch: 't5' | 'llama', out: string, hostName: string): Promise<void> {
    const python = hosts.python(hostName)?.path ?? 'python3';
    const host = hosts.host(hostName);
    runLog.info(`building a tiny random ${arch} model at ${out} with ${python} (offline, once)`);
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Distillery: building the tiny ${arch} test model (offline, once)`, cancellable: true },
      async (_progress, token) => {
        const ac = new AbortController();
        token.onCancellationRequested(() => ac.abort());
        let output = '';
        const q = shellQuote;
        const handle = await host.stream(
          `exec 2>&1\nPYTHONUNBUFFERED=1 PYTHONPATH=${q(dirname(runnerDir()))} exec ${q(python)} -m distillery_runner make-tiny-model --arch ${arch} --out ${q(out)}`,
          (d) => (output += d.toString('utf8')),
        );
        ac.signal.addEventListener('abort', () => handle.stop(), { once: true });
        const code = await handle.done;
        return { code, output, cancelled: ac.signal.aborted };
      },
    );
    if (result.cancelled) throw new vscode.CancellationError();
    if (result.code !== 0) {
      const tail = stderrTail(result.output, 30);
      const why = explainFailure(undefined, tail, result.code ?? undefined);
      for (const l of tail) runLog.error(`make-tiny-model: ${l}`);
      const choice = await vscode.window.showErrorMessage(`Distillery: building the tiny model failed: ${why.reason}.${why.hint ? ` Fix: ${why.hint}.` : ''}`, ...why.fixes.map((f) => FIX_LABELS[f]), 'Show Log');
      if (choice === 'Show Log') runLog.show();
      else if (choice === FIX_LABELS.selectPython) await vscode.commands.executeCommand('distillery.selectPython', hostName);
      else if (choice === FIX_LABELS.setupPython) await vscode.commands.executeCommand('distillery.setupPython', hostName);
      throw new vscode.CancellationError();
    }
  }

  /**
   * "Run on" for one launch when the host profile names a scheduler: undefined (the profile's
   * own, or no question to ask), its settings, or null when the user dismissed the pick.
   */
  async function pickScheduler(hostName: string): Promise<SchedulerSettings | undefined | null> {
    const choices = schedulerChoices(hosts.entry(hostName).profile);
    if (!choices.length) return undefined;
    const pick = await vscode.window.showQuickPick(choices, { title: `Distillery: run on ${hostName}`, placeHolder: 'Run on' });
    return pick ? pick.settings : null;
  }

  async function launch(arg?: unknown): Promise<void> {
    if (!requireTrust('Launching a training run')) return;
    const args = (arg && typeof arg === 'object' ? arg : {}) as LaunchArgs;
    const hostName = args.host ?? (await pickHost('Distillery: launch a run on'));
    if (!hostName) return;
    const configPath = args.config ? args.configPath : (args.configPath ?? (await pickRunConfig()));
    if (!args.config && !configPath) return;
    const config = args.config ?? (await readRunConfig(configPath!));
    const checked = checkRunConfig(config);
    if (!checked.ok) throw new Error(`${configPath ?? 'run config'}: ${checked.error.message}${checked.error.hint ? ` (${checked.error.hint})` : ''}`);
    const configDir = configPath ? dirname(configPath) : (ctx.workspaceRoot?.fsPath ?? process.cwd());
    let ready: Record<string, unknown>;
    try {
      ready = await prepareBaseModel(config, configDir, hostName);
    } catch (e) {
      if (e instanceof vscode.CancellationError) return;
      throw e;
    }
    const runOn = await pickScheduler(hostName);
    if (runOn === null) return;
    const host = hosts.host(hostName, runOn);
    const python = hosts.python(hostName);
    const result = await vscode.window
      .withProgress({ location: vscode.ProgressLocation.Notification, title: `Distillery: launching on ${hostName}` }, (progress) =>
        launchRun(host, { config: ready, configDir, runnerDir: runnerDir(), ...pythonOpt(hostName), onProgress: (message) => progress.report({ message }) }),
      )
      .then(undefined, explain);
    const ref = { host: hostName, runId: result.runId };
    launched.set(keyOf(ref), { config, ...(configPath ? { configPath } : {}) });
    runLog.info(`[${result.runId}] launched on ${hostName} with ${python ? `${python.path} (${python.why})` : 'the host default Python'}; uploaded ${result.sync.uploadedFiles} files, ${result.sync.uploadedBytes} bytes`);
    ctx.setStatus({ run: { runId: result.runId, host: hostName, status: 'running' } });
    tree.refresh(hostName);
    await follow(ref, true);
  }

  /** The last preflight environment per host (GPU memory for the planner). */
  const lastEnv = new Map<string, Record<string, unknown>>();

  function preflightMarkdown(hostName: string, r: PreflightReport, config?: Record<string, unknown>): string {
    const env = r.env ?? {};
    const gpus = Array.isArray(env['gpus']) ? (env['gpus'] as Record<string, unknown>[]) : [];
    const versions = (env['versions'] ?? {}) as Record<string, unknown>;
    const bnb = env['bitsandbytes'] as { available?: boolean; reason?: string } | string | null | undefined;
    const entry = hosts.entry(hostName);
    const python = hosts.python(hostName);
    const lines = [
      `# Check GPU host: ${hostName}${entry.target !== hostName ? ` (${entry.target})` : ''}`,
      '',
      `- Python: \`${r.python}\`${python ? ` — ${python.why}` : r.hasVenv ? ' (Distillery venv)' : ' (host default)'}`,
    ];
    if (!r.env) {
      const why = explainFailure(undefined, stderrTail(r.envError ?? '', 30));
      lines.push(
        '',
        '## The runner cannot start with this Python',
        '',
        `${why.reason.charAt(0).toUpperCase()}${why.reason.slice(1)}.`,
        '',
        `What to do: ${why.hint ?? 'see the Distillery Runs output for the details'}.`,
        '',
        '- **Distillery: Select Python Interpreter** picks another environment (a workspace `.venv` is found by itself).',
        '- **Distillery: Set Up Python Environment** creates `~/.distillery/venv` with the runner\'s packages (several GB; cancellable).',
      );
      if (r.disk) lines.push('', `- Disk: ${r.disk.freeGiB.toFixed(1)} GiB free of ${r.disk.totalGiB.toFixed(1)} GiB at ${r.disk.path}`);
      return lines.join('\n') + '\n';
    }
    lines.push(
      `- Packages: torch ${String(versions['torch'] ?? '?')}, transformers ${String(versions['transformers'] ?? '?')}, peft ${String(versions['peft'] ?? '?')}`,
      `- CUDA: ${String(versions['cuda'] ?? env['cuda'] ?? 'none')}${env['cudaAvailable'] === false ? ' (no GPU visible: runs train on the CPU, fine for the tiny smoke-test model only)' : ''}`,
      `- bf16: ${env['bf16'] ? 'yes' : 'no'}`,
      `- bitsandbytes (QLoRA): ${typeof bnb === 'object' && bnb ? (bnb.available ? 'yes' : `no — ${bnb.reason ?? ''}`) : 'not installed'}`,
      `- Disk: ${r.disk ? `${r.disk.freeGiB.toFixed(1)} GiB free of ${r.disk.totalGiB.toFixed(1)} GiB at ${r.disk.path}` : 'unknown'}`,
      '',
    );
    if (r.schedulerProblems?.length) lines.push('## Slurm would refuse this profile', '', ...r.schedulerProblems.map((p) => `- ${p}`), '');
    if (gpus.length) lines.push('| GPU | Memory | bf16 |', '|---|---:|---|', ...gpus.map((g) => `| ${String(g['name'] ?? '?')} | ${String(g['memGiB'] ?? '?')} GiB | ${g['bf16'] ? 'yes' : 'no'} |`));
    else lines.push('No GPU found.');
    const advice = adviceFor(r.env, config);
    if (advice) lines.push('', `## Recommended modality: ${advice.recommended ?? 'none fits'}`, '', advice.reason, '', ...advice.lines.map((l) => `- ${l}`));
    else if (gpus.length) lines.push('', '_Run **Distillery: Recommend Training Modality** for a memory estimate of your base model on this GPU._');
    return lines.join('\n') + '\n';
  }

  async function setupPython(arg?: unknown): Promise<void> {
    if (!requireTrust('Setting up Python on a host')) return;
    const hostName = typeof arg === 'string' ? arg : await pickHost('Distillery: set up the Python environment on');
    if (!hostName) return;
    const host = hosts.host(hostName);
    const sure = await vscode.window.showInformationMessage(
      `Create ~/.distillery/venv on ${hostName} with the runner's packages (torch, transformers, peft, accelerate)?`,
      { modal: true, detail: 'This downloads several GB from PyPI and takes minutes. You can cancel it from the progress notification.' },
      'Set Up',
    );
    if (sure !== 'Set Up') return;
    runLog.show(true);
    const ac = new AbortController();
    const code = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Distillery: setting up Python on ${hostName}`, cancellable: true },
      (progress, token) => {
        token.onCancellationRequested(() => ac.abort());
        return setupVenv(
          host,
          runnerRequirements(runnerDir(), ['qlora']),
          (t) => {
            for (const line of t.split('\n').filter((l) => l.trim())) {
              runLog.info(line.trimEnd());
              if (/^(Collecting|Downloading|Installing|Successfully|Resolved|Prepared|Installed)/.test(line.trim())) progress.report({ message: line.trim().slice(0, 80) });
            }
          },
          ac.signal,
        );
      },
    );
    if (ac.signal.aborted) {
      void vscode.window.showInformationMessage(`Distillery: setup on ${hostName} cancelled; run it again to finish (finished downloads are cached by pip/uv).`);
      return;
    }
    if (code === 0) void vscode.window.showInformationMessage(`Distillery: Python environment ready on ${hostName}.`);
    else throw new Error(`setting up Python on ${hostName} failed (exit ${code}); the installer's output is in the Distillery Runs output`);
  }

  async function selectPython(arg?: unknown): Promise<void> {
    const local = hosts.entries().find((e) => isLocalTarget(e.target));
    const hostName = typeof arg === 'string' ? arg : local?.name ?? 'local';
    const entry = hosts.entry(hostName);
    type Item = vscode.QuickPickItem & { path?: string; browse?: boolean; clear?: boolean };
    const current = hosts.python(hostName);
    const items: Item[] = [];
    if (isLocalTarget(entry.target)) {
      for (const c of hosts.interpreters()) {
        items.push({ label: `${c.path === current?.path ? '$(check) ' : ''}${vscode.workspace.asRelativePath(c.path)}`, description: c.source, detail: c.hasTorch ? 'has torch' : 'no torch yet: "Set Up Python Environment" or pip install the runner', path: c.path });
      }
      items.push({ label: 'python3', description: 'on PATH', path: 'python3' });
    }
    items.push({ label: '$(folder-opened) Enter interpreter path…', browse: true });
    if (hosts.pickedPython()) items.push({ label: '$(discard) Forget the picked interpreter', clear: true });
    const choice = await vscode.window.showQuickPick(items, { title: `Python for runs on ${hostName}`, placeHolder: current ? `now: ${current.path} (${current.why})` : 'now: the host default (~/.distillery/venv, else python3)' });
    if (!choice) return;
    let path = choice.path;
    if (choice.clear) {
      await hosts.setPickedPython(undefined);
      return;
    }
    if (choice.browse) {
      path = (await vscode.window.showInputBox({ title: `Python for runs on ${hostName}`, prompt: 'Path of the python executable on the host', value: current?.path ?? '' }))?.trim();
      if (!path) return;
    }
    if (!path) return;
    if (entry.profile) {
      await setProfilePython(entry.profile.name, path);
      void vscode.window.showInformationMessage(`Distillery: runs on ${hostName} use ${path} ("python" of the host in distillery.json).`);
    } else {
      await hosts.setPickedPython(path);
      void vscode.window.showInformationMessage(`Distillery: runs on ${hostName} use ${path}.`);
    }
  }

  /** Writes a host's python into distillery.json with a minimal edit (comments and layout kept). */
  async function setProfilePython(name: string, python: string): Promise<void> {
    const root = ctx.workspaceRoot;
    if (!root) return;
    const uri = vscode.Uri.joinPath(root, 'distillery.json');
    const doc = await vscode.workspace.openTextDocument(uri);
    const { modify, applyEdits, parse } = await import('jsonc-parser');
    const text = doc.getText();
    const json = parse(text) as { hosts?: { name?: string }[] };
    const index = (json.hosts ?? []).findIndex((h) => h.name === name);
    if (index < 0) return;
    const edits = modify(text, ['hosts', index, 'python'], python, { formattingOptions: { insertSpaces: true, tabSize: 2 } });
    const edit = new vscode.WorkspaceEdit();
    edit.replace(uri, new vscode.Range(doc.positionAt(0), doc.positionAt(text.length)), applyEdits(text, edits));
    await vscode.workspace.applyEdit(edit);
    await doc.save();
  }

  async function preflightHost(arg?: unknown): Promise<void> {
    if (!requireTrust('Preflight (it uploads and runs the runner)')) return;
    const hostName = typeof arg === 'string' ? arg : await pickHost('Distillery: check which host?');
    if (!hostName) return;
    const host = hosts.host(hostName);
    const report = await vscode.window
      .withProgress({ location: vscode.ProgressLocation.Notification, title: `Distillery: checking ${hostName}` }, () => preflight(host, runnerDir(), pythonOpt(hostName)))
      .then(undefined, explain);
    if (report.env) lastEnv.set(hostName, report.env);
    if (report.envError) runLog.warn(`preflight ${hostName}: ${report.envError}`);
    const runConfig = await findRunConfigs();
    const config = runConfig[0] ? await readRunConfig(runConfig[0].fsPath).catch(() => undefined) : undefined;
    await reports.show(`Check GPU Host — ${hostName}`, preflightMarkdown(hostName, report, config));
    const actions = report.env ? ['Recommend Modality'] : ['Select Python Interpreter', 'Set Up Python Environment'];
    const choice = await vscode.window.showInformationMessage(`Distillery: ${hostName} ${report.env ? 'is ready' : 'needs a Python environment with the runner\'s packages'}.`, ...actions);
    if (choice === 'Recommend Modality') await vscode.commands.executeCommand('distillery.planRun', hostName);
    if (choice === 'Select Python Interpreter') await selectPython(hostName);
    if (choice === 'Set Up Python Environment') await setupPython(hostName);
  }

  async function refOf(arg: unknown, title: string, filter?: (s: string) => boolean): Promise<RunRef | undefined> {
    if (isRunRef(arg)) return arg;
    const node = arg as { kind?: string; host?: string; run?: { runId: string } } | undefined;
    if (node?.kind === 'run' && node.host && node.run) return { host: node.host, runId: node.run.runId };
    const current = ctx.status.run;
    if (current && arg === undefined && title.startsWith('Follow')) return { host: current.host, runId: current.runId };
    return pickRun(title, filter);
  }

  /** Re-scores a fetched predictions file with the full engine and hands it to the run view; returns a note for the message. */
  async function loadPredictions(ref: RunRef, localDir: string, files: string[]): Promise<string | undefined> {
    const rel = files.find((f) => f === 'outputs/predictions.jsonl') ?? files.find((f) => /(^|\/)predictions[^/]*\.jsonl$/.test(f));
    if (!rel) return undefined;
    const jsonl = await readFile(join(localDir, ...rel.split('/')), 'utf8');
    const scored = predictionRows(jsonl, validateOptions());
    for (const s of scored.skipped.slice(0, 5)) ctx.log.warn(`${rel}:${s.line}: ${s.reason}`);
    const { result, note, stored } = await scoreByExecution(ctx, jsonl, scored);
    // Kept beside the fetched results so the comparison table still has it after a reload.
    if (stored) await writeExecSummary(localDir, stored).catch((e: unknown) => ctx.log.warn(`execution summary not kept: ${(e as Error).message}`));
    views.setPredictions(ref, rel, result);
    const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
    return ` Re-validated ${result.summary.count} predictions: exact match ${pct(result.summary.exactMatch)}, valid DSL ${pct(result.summary.validDsl)}.${note}`;
  }

  /** Runs of every host (each machine once), or of one. */
  async function gatherRuns(arg: unknown, each: (name: string, runs: Awaited<ReturnType<typeof listRuns>>) => void): Promise<string[]> {
    const names = isRunRef(arg) ? [arg.host] : hosts.names();
    const problems: string[] = [];
    for (const name of names) {
      try {
        each(name, await listRuns(hosts.host(name)));
      } catch (e) {
        problems.push(`${name}: ${(e as Error).message}`);
        ctx.log.warn(`compare: cannot list runs on ${name}: ${(e as Error).message}`);
      }
    }
    return problems;
  }

  const planner = createPlannerCommands(ctx, { reports, findRunConfigs, lastEnv });

  const commands = {
    ...planner,
    'distillery.launchRun': launch,
    'distillery.preflightHost': preflightHost,
    'distillery.setupPython': setupPython,
    'distillery.selectPython': selectPython,
    'distillery.toggleRawLog': async (arg?: unknown) => {
      const uri = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
      if (!uri || uri.scheme !== LOG_SCHEME) {
        void vscode.window.showInformationMessage('Distillery: open a run log first ("Follow Run Logs"), then toggle between the console view and the raw events.');
        return;
      }
      const raw = docs.toggleRaw(uri);
      vscode.window.setStatusBarMessage(`Distillery: run log shows ${raw ? 'raw events (as in events.jsonl)' : 'the console view'}`, 3000);
    },
    'distillery.showRuns': async () => {
      tree.refresh();
      await vscode.commands.executeCommand('distillery.runs.focus');
    },
    'distillery.followRun': async (arg?: unknown) => {
      const ref = await refOf(arg, 'Follow which run?');
      if (ref) await follow(ref, true);
    },
    'distillery.cancelRun': async (arg?: unknown) => {
      const ref = await refOf(arg, 'Cancel which run?', (s) => s === 'running' || s === 'queued');
      if (!ref) return;
      const sure = await vscode.window.showWarningMessage(`Cancel run ${ref.runId} on ${ref.host}? It saves at the next step and stops.`, { modal: true }, 'Cancel Run');
      if (sure !== 'Cancel Run') return;
      cancelling.add(keyOf(ref));
      const current = ctx.status.run;
      if (current?.runId === ref.runId) ctx.setStatus({ run: { ...current, status: 'cancelling' } });
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Distillery: cancelling ${ref.runId}` }, () => cancelRun(hosts.host(ref.host), ref.runId).then(undefined, explain));
      tree.refresh(ref.host);
      void vscode.window.showInformationMessage(`Distillery: run ${ref.runId} cancelled; no process of it is left on ${ref.host}.`);
    },
    'distillery.fetchRun': async (arg?: unknown) => {
      const ref = await refOf(arg, 'Fetch which run?');
      if (!ref) return;
      const root = ctx.workspaceRoot?.fsPath;
      if (!root) throw new Error('open a workspace folder to fetch results into');
      const adapter = await vscode.window.showQuickPick(['Metrics and predictions', 'Metrics, predictions and the adapter'], { title: `Fetch ${ref.runId}` });
      if (!adapter) return;
      const res = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Distillery: fetching ${ref.runId}` }, () =>
        fetchRun(hosts.host(ref.host), ref.runId, join(root, 'runs'), { adapter: adapter.includes('adapter') }).then(undefined, explain),
      );
      const metrics = res.files.find((f) => f.endsWith('metrics.json'));
      const predictions = await loadPredictions(ref, res.localDir, res.files);
      const actions = [...(predictions ? ['Show Predictions'] : []), ...(metrics ? ['Open Metrics'] : [])];
      void vscode.window.showInformationMessage(`Distillery: ${res.files.length} files from ${ref.runId} in ${vscode.workspace.asRelativePath(res.localDir)}.${predictions ?? ''}`, ...actions).then(async (c) => {
        if (c === 'Show Predictions') views.show(ref);
        else if (c) await vscode.window.showTextDocument(vscode.Uri.file(join(res.localDir, metrics!)));
      });
    },
    'distillery.compareRuns': async (arg?: unknown) => {
      const rows: ReturnType<typeof compareRows> = [];
      const problems = await gatherRuns(arg, (name, runs) => rows.push(...compareRows(name, runs)));
      const parts = ['# Compare runs', '', 'Modality × supervision × rank (alpha = 4 × rank), scored on the test split.', '', rows.length ? compareMarkdown(rows) : '_No runs yet: **Distillery: Launch Training Run** starts one._'];
      if (problems.length) parts.push('', '## Hosts that could not be read', '', ...problems.map((p) => `- ${p}`));
      await reports.show('Compare Runs', parts.join('\n') + '\n');
    },
    'distillery.showRunChart': async (arg?: unknown) => {
      const current = ctx.status.run;
      const ref = arg === undefined && current ? { host: current.host, runId: current.runId } : await refOf(arg, 'Chart which run?');
      if (!ref) return;
      views.show(ref);
      // Following reads events.jsonl from its first byte, so the chart gets the whole history.
      if (!following.has(keyOf(ref))) await follow(ref, false);
    },
    'distillery.showRunComparison': async (arg?: unknown) => {
      const rows: CompareTableRow[] = [];
      await gatherRuns(arg, (name, runs) => {
        const f1 = new Map(runs.map((r) => [r.runId, clauseF1Of(r.metrics)]));
        for (const row of compareRows(name, runs)) {
          const clauseF1 = f1.get(row.runId);
          rows.push({ ...row, ...(clauseF1 === undefined ? {} : { clauseF1 }) });
        }
      });
      const root = ctx.workspaceRoot?.fsPath;
      const active = activeExecPlace(ctx);
      for (const row of rows) {
        const session = views.execAccuracyOf({ host: row.host, runId: row.runId });
        // fetchRun writes into <workspace>/runs/<runId>; the summary beside it outlives the session.
        const kept = root ? await readExecSummary(join(root, 'runs', row.runId)) : {};
        if (kept.problem) ctx.log.warn(kept.problem);
        const stale = kept.summary ? staleReason(kept.summary.place, active) : undefined;
        // The file says where it was scored; the session's figure is the fallback when it could not be written.
        const execAccuracy = kept.summary?.execAccuracy ?? session;
        if (execAccuracy !== undefined) row.execAccuracy = execAccuracy;
        if (stale) row.execStale = stale.slice(0, 1000);
      }
      views.showCompare(rows);
    },
    'distillery.launchSweep': async () => {
      if (!requireTrust('Launching a sweep')) return;
      const hostName = await pickHost('Distillery: run a sweep on');
      if (!hostName) return;
      const configPath = await pickRunConfig();
      if (!configPath) return;
      const gridText = await vscode.window.showInputBox({
        title: 'Sweep grid (alpha = 4 × rank)',
        value: 'modality=lora,qlora;supervision=dss,label_only;rank=8,16',
        validateInput: (v) => {
          try {
            parseSweepGrid(v);
            return undefined;
          } catch (e) {
            return (e as Error).message;
          }
        },
      });
      if (!gridText) return;
      const base = await prepareBaseModel(await readRunConfig(configPath), dirname(configPath), hostName);
      const configs = planSweep(base, parseSweepGrid(gridText));
      for (const c of configs) {
        const checked = checkRunConfig(c);
        if (!checked.ok) throw new Error(`${configPath}: ${checked.error.message}`);
      }
      const host = hosts.host(hostName);
      const scheduled = !!host.scheduler && host.scheduler.kind !== 'none';
      // Parallel points need the host's free GPUs: without a Check GPU Host in this session, check
      // it now (as `distillery train --sweep --gpus auto` does); a failed check means a queue.
      let env = lastEnv.get(hostName);
      let checkFailed: string | undefined;
      if (!env && !scheduled && configs.length > 1) {
        const report = await vscode.window
          .withProgress({ location: vscode.ProgressLocation.Notification, title: `Distillery: checking the GPUs of ${hostName}` }, () => preflight(host, runnerDir(), pythonOpt(hostName)))
          .then(undefined, (e: unknown) => {
            checkFailed = e instanceof Error ? e.message : String(e);
            return undefined;
          });
        if (report?.env) {
          env = report.env;
          lastEnv.set(hostName, env);
        } else checkFailed ??= report?.envError ?? 'no answer';
        if (checkFailed) runLog.warn(`sweep on ${hostName}: GPU check failed: ${checkFailed}`);
      }
      const plan = sweepPlan(configs.length, hostName, env, scheduled, checkFailed);
      let gpus: string[] = [];
      if (plan.kind === 'ask') {
        const go = await vscode.window.showInformationMessage(plan.question, { modal: true }, plan.parallel, plan.sequential);
        if (!go) return;
        if (go === plan.parallel) gpus = plan.gpus;
      } else {
        const go = await vscode.window.showInformationMessage(plan.question, { modal: true }, plan.action);
        if (go !== plan.action) return;
      }
      const sweep = await vscode.window
        .withProgress({ location: vscode.ProgressLocation.Notification, title: `Distillery: queueing ${configs.length} runs${gpus.length ? ` on GPUs ${gpus.join(',')}` : ''}` }, (progress) =>
          launchSweep(host, { configDir: dirname(configPath), runnerDir: runnerDir(), ...pythonOpt(hostName), onProgress: (message) => progress.report({ message }) }, configs, undefined, gpus),
        )
        .then(undefined, explain);
      tree.refresh(hostName);
      runLog.info(`sweep ${sweep.sweepId} on ${hostName}: ${sweep.runIds.join(', ')}`);
      void vscode.window.showInformationMessage(`Distillery: sweep ${sweep.sweepId} queued (${sweep.runIds.length} runs).`, 'Compare Runs').then((c) => c && vscode.commands.executeCommand('distillery.compareRuns'));
    },
  };

  return {
    commands,
    activate: () => {
      // Re-attach runs that were being followed when the window closed (quietly: no editor opens).
      for (const ref of state.get<RunRef[]>(FOLLOWED_KEY, [])) void follow(ref, false);
    },
  };
}
