// Training runs in VS Code: pick a host (distillery.json profiles, ~/.ssh/config aliases, hosts
// typed in, local), preflight it, launch runs and sweeps, follow logs into a read-only
// distillery-log document and the "Distillery Runs" log channel, drive the status bar from the
// events, cancel, fetch and compare. The work is src/core/remote (the same code as the CLI);
// this file asks, shows, and refuses to launch in untrusted workspaces. Followed runs are kept
// in workspaceState, so a window reload re-attaches them.
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import type { Context, Feature } from '../ctx';
import { workspaceProject, workspaceValidateOptions } from '../project';
import type { ValidateOptions } from '../../core/dsl';
import type { HostProfile } from '../../core/project/config';
import { adviceFor } from '../../core/remote/advice';
import { compareMarkdown, compareRows } from '../../core/remote/compare';
import { terminalStatus, type RunnerEvent } from '../../core/remote/events';
import { followRun } from '../../core/remote/follow';
import type { Host } from '../../core/remote/host';
import { cancelRun, defaultRunnerDir, fetchRun, launchRun, listRuns, readRunConfig } from '../../core/remote/jobs';
import { HostKeyError } from '../../core/remote/known-hosts';
import { openHost } from '../../core/remote/open-host';
import { schedulerSettingsOf } from '../../core/remote/schedulers/settings';
import { preflight, runnerRequirements, setupVenv, type PreflightReport } from '../../core/remote/preflight';
import { closeAllConnections } from '../../core/remote/ssh-connection';
import { listConfiguredHosts, loadSshConfig } from '../../core/remote/ssh-target';
import { launchSweep, parseSweepGrid, planSweep } from '../../core/remote/sweep';
import { checkRunConfig } from '../../core/training/run-config';
import { connectPrompts } from '../runs/prompts';
import { LOG_SCHEME, RunLogDocuments, runLogUri } from '../runs/log-documents';
import { RunsTree } from '../runs/runs-tree';
import { clauseF1Of, predictionRows } from '../runs/predictions';
import { scoreByExecution } from '../elasticsearch/exec-predictions';
import { RunViews } from '../runs/run-view';
import type { CompareTableRow } from '../../shared/run-view-protocol';

const FOLLOWED_KEY = 'distillery.followedRuns';
const ADDED_HOSTS_KEY = 'distillery.addedHosts';

interface RunRef {
  host: string;
  runId: string;
}

function isRunRef(v: unknown): v is RunRef {
  return !!v && typeof v === 'object' && typeof (v as RunRef).host === 'string' && typeof (v as RunRef).runId === 'string';
}

/** What another part (the panel's run form) may pass to distillery.launchRun. */
interface LaunchArgs {
  host?: string;
  configPath?: string;
  config?: Record<string, unknown>;
}

export function createRunsFeature(ctx: Context): Feature {
  const runLog = vscode.window.createOutputChannel('Distillery Runs', { log: true });
  const docs = new RunLogDocuments();
  const hosts = new Map<string, { host: Host; profile?: HostProfile }>();
  const following = new Map<string, AbortController>();
  const state = ctx.extension.workspaceState;
  const global = ctx.extension.globalState;

  function profiles(): HostProfile[] {
    return workspaceProject(ctx)?.hosts ?? [];
  }

  /** The engine settings the review panel validates with (settings, else distillery.json), so a prediction is judged like a record. */
  function validateOptions(): ValidateOptions {
    return workspaceValidateOptions(ctx, 'predictions are checked without field checks');
  }

  function knownHostNames(): string[] {
    const names = [...profiles().map((p) => p.name), ...global.get<string[]>(ADDED_HOSTS_KEY, []), 'local'];
    return [...new Set(names)];
  }

  function hostFor(name: string): { host: Host; profile?: HostProfile } {
    let entry = hosts.get(name);
    if (!entry) {
      const profile = profiles().find((p) => p.name === name);
      const host = openHost(profile?.target ?? name, {
        ...connectPrompts(ctx.extension.secrets, ctx.log),
        ...(profile?.identityFile ? { identityFile: profile.identityFile } : {}),
        ...(profile?.remoteHome ? { remoteHome: profile.remoteHome } : {}),
        ...(profile?.scheduler ? { scheduler: schedulerSettingsOf(profile) } : {}),
      });
      entry = profile ? { host, profile } : { host };
      hosts.set(name, entry);
    }
    return entry;
  }

  // The run view (live chart, predictions next to gold, comparison table); "show gold" selects the
  // gold pair in the review panel.
  const views = new RunViews(ctx, async (id) => {
    await vscode.commands.executeCommand('distillery.revealRecord', id);
  });
  ctx.push(views);

  const tree = new RunsTree(knownHostNames, (name) => listRuns(hostFor(name).host));
  ctx.push(runLog, docs, vscode.workspace.registerTextDocumentContentProvider(LOG_SCHEME, docs), vscode.window.createTreeView('distillery.runs', { treeDataProvider: tree, showCollapseAll: true }), {
    dispose: () => {
      for (const ac of following.values()) ac.abort();
      closeAllConnections();
    },
  });

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
    const items: Item[] = [
      ...profiles().map((p) => ({ label: p.name, description: p.target, detail: 'distillery.json host', host: p.name })),
      ...fromConfig.map((h) => ({ label: h, description: 'ssh config', host: h })),
      ...global.get<string[]>(ADDED_HOSTS_KEY, []).map((h) => ({ label: h, description: 'added', host: h })),
      { label: 'local', description: 'this machine, no SSH', host: 'local' },
      { label: '$(add) Enter user@host[:port]…', add: true },
    ];
    const seen = new Set<string>();
    const unique = items.filter((i) => !i.host || (!seen.has(i.host) && !!seen.add(i.host)));
    const choice = await vscode.window.showQuickPick(unique, { title, placeHolder: 'GPU host' });
    if (!choice) return undefined;
    if (!choice.add) return choice.host;
    const typed = await vscode.window.showInputBox({ title, prompt: 'user@host[:port]', validateInput: (v) => (/^([^@\s]+@)?[^\s:@]+(:\d+)?$/.test(v.trim()) ? undefined : 'Use user@host or user@host:port') });
    if (!typed) return undefined;
    await global.update(ADDED_HOSTS_KEY, [...new Set([...global.get<string[]>(ADDED_HOSTS_KEY, []), typed.trim()])]);
    tree.refresh();
    return typed.trim();
  }

  async function pickRunConfig(): Promise<string | undefined> {
    const found = await vscode.workspace.findFiles('{**/*.run.json,**/RUN.json,**/run.json,**/runs/*.json}', '**/node_modules/**', 50);
    type Item = vscode.QuickPickItem & { uri?: vscode.Uri };
    const items: Item[] = [...found.map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri })), { label: '$(folder-opened) Browse…' }];
    const choice = await vscode.window.showQuickPick(items, { title: 'Distillery: run config (RUN.json)' });
    if (!choice) return undefined;
    if (choice.uri) return choice.uri.fsPath;
    const picked = await vscode.window.showOpenDialog({ filters: { 'Run config': ['json'] }, canSelectMany: false });
    return picked?.[0]?.fsPath;
  }

  async function pickRun(title: string, filter?: (status: string) => boolean): Promise<RunRef | undefined> {
    const host = await pickHost(title);
    if (!host) return undefined;
    const runs = await listRuns(hostFor(host).host).catch(explain);
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
    if (e.event === 'step') {
      ctx.setStatus({
        run: {
          runId: ref.runId,
          host: ref.host,
          status: 'running',
          ...(typeof e['step'] === 'number' ? { step: e['step'] } : {}),
          ...(typeof e['loss'] === 'number' ? { loss: e['loss'] } : {}),
          ...(typeof e['etaSec'] === 'number' ? { etaSec: e['etaSec'] } : {}),
        },
      });
    } else if (e.event === 'start') {
      ctx.setStatus({ run: { runId: ref.runId, host: ref.host, status: 'running' } });
    }
    const end = terminalStatus(e);
    if (end) ctx.setStatus({ run: { ...(ctx.status.run ?? { runId: ref.runId, host: ref.host }), runId: ref.runId, host: ref.host, status: end === 'done' ? 'done' : end === 'cancelled' ? 'cancelled' : 'failed' } });
  }

  /** Streams a run into its log document and the log channel until it ends; re-attaches on drops. */
  async function follow(ref: RunRef, show: boolean): Promise<void> {
    const uri = runLogUri(ref.host, ref.runId);
    if (show) await docs.show(uri);
    if (following.has(`${ref.host}\0${ref.runId}`)) return;
    const ac = new AbortController();
    following.set(`${ref.host}\0${ref.runId}`, ac);
    await remember(ref, true);
    docs.reset(uri);
    views.reset(ref);
    const { host } = hostFor(ref.host);
    void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Run ${ref.runId}`, cancellable: true }, async (progress, token) => {
      token.onCancellationRequested(() => ac.abort());
      try {
        const res = await followRun(host, ref.runId, {
          signal: ac.signal,
          onLine: (line, _offset, event) => {
            docs.append(uri, line);
            runLog.info(`[${ref.runId}] ${line}`);
            if (!event) return;
            onEvent(ref, event);
            views.onEvent(ref, event);
            if (event.event === 'step') progress.report({ message: `step ${String(event['step'])}${typeof event['loss'] === 'number' ? ` · loss ${event['loss'].toFixed(4)}` : ''}` });
          },
          onReconnect: (n, e) => runLog.warn(`[${ref.runId}] connection lost (${e.message}); re-attaching (${n})`),
        });
        await remember(ref, false);
        tree.refresh(ref.host);
        const message = `Distillery: run ${ref.runId} on ${ref.host} ${res.status === 'done' ? 'finished' : res.status}.`;
        if (res.status === 'done')
          void vscode.window.showInformationMessage(message, 'Fetch Results', 'Compare Runs', 'Show Chart').then((c) => {
            if (c === 'Show Chart') views.show(ref);
            else if (c) void vscode.commands.executeCommand(c === 'Fetch Results' ? 'distillery.fetchRun' : 'distillery.compareRuns', ref);
          });
        else
          void vscode.window.showWarningMessage(message, 'Show Log', 'Show Chart').then((c) => {
            if (c === 'Show Chart') views.show(ref);
            else if (c) void docs.show(uri);
          });
      } catch (e) {
        if (!ac.signal.aborted) ctx.fail(`following ${ref.runId} on ${ref.host} stopped`, e);
      } finally {
        following.delete(`${ref.host}\0${ref.runId}`);
      }
    });
  }

  async function launch(arg?: unknown): Promise<void> {
    if (!requireTrust('Launching a training run')) return;
    const args = (arg && typeof arg === 'object' ? arg : {}) as LaunchArgs;
    const hostName = args.host ?? (await pickHost('Distillery: launch a run on'));
    if (!hostName) return;
    const configPath = args.config ? undefined : (args.configPath ?? (await pickRunConfig()));
    if (!args.config && !configPath) return;
    const config = args.config ?? (await readRunConfig(configPath!));
    const checked = checkRunConfig(config);
    if (!checked.ok) throw new Error(`${configPath ?? 'run config'}: ${checked.error.message}${checked.error.hint ? ` (${checked.error.hint})` : ''}`);
    const { host, profile } = hostFor(hostName);
    const launched = await vscode.window
      .withProgress({ location: vscode.ProgressLocation.Notification, title: `Distillery: launching on ${hostName}` }, (progress) =>
        launchRun(host, {
          config,
          configDir: configPath ? dirname(configPath) : (ctx.workspaceRoot?.fsPath ?? process.cwd()),
          runnerDir: defaultRunnerDir(ctx.extension.extensionPath),
          ...(profile?.python ? { python: profile.python } : {}),
          onProgress: (message) => progress.report({ message }),
        }),
      )
      .then(undefined, explain);
    runLog.info(`launched ${launched.runId} on ${hostName} (uploaded ${launched.sync.uploadedFiles} files, ${launched.sync.uploadedBytes} bytes)`);
    tree.refresh(hostName);
    await follow({ host: hostName, runId: launched.runId }, true);
  }

  function preflightMarkdown(r: PreflightReport, config?: Record<string, unknown>): string {
    const env = r.env ?? {};
    const gpus = Array.isArray(env['gpus']) ? (env['gpus'] as Record<string, unknown>[]) : [];
    const bnb = env['bitsandbytes'] as { available?: boolean; reason?: string } | string | null | undefined;
    const lines = [
      `# Preflight: ${r.host}`,
      '',
      `- Python: \`${r.python}\`${r.hasVenv ? ' (Distillery venv)' : ''}`,
      `- CUDA: ${String(env['cuda'] ?? 'none')}${env['cudaAvailable'] === false ? ' (no GPU visible)' : ''}`,
      `- bf16: ${env['bf16'] ? 'yes' : 'no'}`,
      `- bitsandbytes (QLoRA): ${typeof bnb === 'object' && bnb ? (bnb.available ? 'yes' : `no — ${bnb.reason ?? ''}`) : String(bnb ?? 'unknown')}`,
      `- Disk: ${r.disk ? `${r.disk.freeGiB.toFixed(1)} GiB free of ${r.disk.totalGiB.toFixed(1)} GiB at ${r.disk.path}` : 'unknown'}`,
      '',
      '| GPU | Memory | bf16 |',
      '|---|---:|---|',
      ...gpus.map((g) => `| ${String(g['name'] ?? '?')} | ${String(g['memGiB'] ?? '?')} GiB | ${g['bf16'] ? 'yes' : 'no'} |`),
    ];
    if (!gpus.length) lines.push('| (none) | | |');
    if (r.schedulerProblems?.length) lines.push('', '## Slurm would refuse this profile', '', ...r.schedulerProblems.map((p) => `- ${p}`));
    if (r.envError) lines.push('', '## The runner could not report', '', '```', r.envError, '```', '', 'Run **Set Up Python Environment** to create `~/.distillery/venv` with the runner\'s packages.');
    const advice = adviceFor(r.env, config);
    if (advice) lines.push('', `## Recommended modality: ${advice.recommended ?? 'none fits'}`, '', advice.reason, '', ...advice.lines.map((l) => `- ${l}`));
    else lines.push('', '_Pick a RUN.json with a known base model (or run **Distillery: Recommend Training Modality**) for a memory estimate._');
    lines.push('', '```json', JSON.stringify(r.env, null, 2), '```');
    return lines.join('\n') + '\n';
  }

  async function preflightHost(arg?: unknown): Promise<void> {
    if (!requireTrust('Preflight (it uploads and runs the runner)')) return;
    const hostName = typeof arg === 'string' ? arg : await pickHost('Distillery: check which host?');
    if (!hostName) return;
    const { host, profile } = hostFor(hostName);
    const report = await vscode.window
      .withProgress({ location: vscode.ProgressLocation.Notification, title: `Distillery: checking ${hostName}` }, () =>
        preflight(host, defaultRunnerDir(ctx.extension.extensionPath), profile?.python ? { python: profile.python } : {}),
      )
      .then(undefined, explain);
    const runConfig = await vscode.workspace.findFiles('{**/*.run.json,**/RUN.json}', '**/node_modules/**', 1);
    const config = runConfig[0] ? await readRunConfig(runConfig[0].fsPath).catch(() => undefined) : undefined;
    const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: preflightMarkdown(report, config) });
    await vscode.window.showTextDocument(doc, { preview: true });
    const actions = report.env ? ['Recommend Modality'] : ['Set Up Python Environment'];
    const choice = await vscode.window.showInformationMessage(`Distillery: ${hostName} ${report.env ? 'is ready' : 'needs a Python environment'}.`, ...actions);
    if (choice === 'Recommend Modality') await vscode.commands.executeCommand('distillery.planRun');
    if (choice === 'Set Up Python Environment') {
      runLog.show(true);
      const code = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Distillery: setting up ${hostName} (${report.hasUv ? 'uv' : 'venv + pip'})` }, () =>
        setupVenv(host, runnerRequirements(defaultRunnerDir(ctx.extension.extensionPath), ['qlora']), (t) => runLog.info(t.trimEnd())),
      );
      if (code === 0) void vscode.window.showInformationMessage(`Distillery: Python environment ready on ${hostName}.`);
      else throw new Error(`setting up Python on ${hostName} failed (exit ${code}); see the Distillery Runs log`);
    }
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
    const { result, note } = await scoreByExecution(ctx, jsonl, scored);
    views.setPredictions(ref, rel, result);
    const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
    return ` Re-validated ${result.summary.count} predictions: exact match ${pct(result.summary.exactMatch)}, valid DSL ${pct(result.summary.validDsl)}.${note}`;
  }

  const commands = {
    'distillery.launchRun': launch,
    'distillery.preflightHost': preflightHost,
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
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Distillery: cancelling ${ref.runId}` }, () => cancelRun(hostFor(ref.host).host, ref.runId).then(undefined, explain));
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
        fetchRun(hostFor(ref.host).host, ref.runId, join(root, 'runs'), { adapter: adapter.includes('adapter') }).then(undefined, explain),
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
      const names = isRunRef(arg) ? [arg.host] : knownHostNames();
      const rows = [];
      for (const name of names) {
        try {
          rows.push(...compareRows(name, await listRuns(hostFor(name).host)));
        } catch (e) {
          ctx.log.warn(`compare: cannot list runs on ${name}: ${(e as Error).message}`);
        }
      }
      const content = `# Distillery runs\n\nModality × supervision × rank (alpha = 4 × rank), scored on the test split.\n\n${rows.length ? compareMarkdown(rows) : '_No runs yet._\n'}`;
      const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content });
      await vscode.commands.executeCommand('markdown.showPreview', doc.uri).then(undefined, () => vscode.window.showTextDocument(doc));
    },
    'distillery.showRunChart': async (arg?: unknown) => {
      const current = ctx.status.run;
      const ref = arg === undefined && current ? { host: current.host, runId: current.runId } : await refOf(arg, 'Chart which run?');
      if (!ref) return;
      views.show(ref);
      // Following reads events.jsonl from its first byte, so the chart gets the whole history.
      if (!following.has(`${ref.host}\0${ref.runId}`)) await follow(ref, false);
    },
    'distillery.showRunComparison': async (arg?: unknown) => {
      const names = isRunRef(arg) ? [arg.host] : knownHostNames();
      const rows: CompareTableRow[] = [];
      for (const name of names) {
        try {
          const runs = await listRuns(hostFor(name).host);
          const f1 = new Map(runs.map((r) => [r.runId, clauseF1Of(r.metrics)]));
          for (const row of compareRows(name, runs)) {
            const clauseF1 = f1.get(row.runId);
            const execAccuracy = views.execAccuracyOf({ host: name, runId: row.runId });
            rows.push({ ...row, ...(clauseF1 === undefined ? {} : { clauseF1 }), ...(execAccuracy === undefined ? {} : { execAccuracy }) });
          }
        } catch (e) {
          ctx.log.warn(`compare: cannot list runs on ${name}: ${(e as Error).message}`);
        }
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
      const configs = planSweep(await readRunConfig(configPath), parseSweepGrid(gridText));
      for (const c of configs) {
        const checked = checkRunConfig(c);
        if (!checked.ok) throw new Error(`${configPath}: ${checked.error.message}`);
      }
      const go = await vscode.window.showInformationMessage(`Queue ${configs.length} runs on ${hostName}, one after another?`, { modal: true }, 'Queue');
      if (go !== 'Queue') return;
      const { host, profile } = hostFor(hostName);
      const sweep = await vscode.window
        .withProgress({ location: vscode.ProgressLocation.Notification, title: `Distillery: queueing ${configs.length} runs` }, (progress) =>
          launchSweep(host, { configDir: dirname(configPath), runnerDir: defaultRunnerDir(ctx.extension.extensionPath), ...(profile?.python ? { python: profile.python } : {}), onProgress: (message) => progress.report({ message }) }, configs),
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
