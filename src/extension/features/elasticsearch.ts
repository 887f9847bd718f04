// Elasticsearch in the editor (docs/elasticsearch-ui.md): credentials in SecretStorage, the active
// cluster, "▶ Run on <cluster>" (CodeLens and Ctrl+Enter) on a .querydsl body or a dataset line
// with the answer in a webview beside the editor and the cluster's errors as diagnostics
// ("distillery-cluster", cleared on edit), and "Pull Mapping from Cluster" with drift.
import { existsSync, copyFileSync, renameSync, writeFileSync, readFileSync } from 'node:fs';
import { basename, isAbsolute, join } from 'node:path';
import * as vscode from 'vscode';
import { z } from 'zod';
import { ClusterError, clusterRejection, diffMappings, mappingChanged, parsePulledMapping, pullMapping, recordsBrokenByMapping, type ClusterProblem } from '../../core/elasticsearch';
import type { IndexMapping } from '../../core/dsl';
import { loadMappingFile } from '../../core/project/files';
import type { Context, Feature } from '../ctx';
import { activeClusterConfig, configuredClusters, noClustersMessage, openActiveCluster, pickActiveCluster, ClusterChoiceError } from '../elasticsearch/clusters';
import { compareOnCluster } from '../elasticsearch/exec-predictions';
import { QueryResultsView } from '../elasticsearch/results-view';
import { clusterProblemRange, datasetLineTarget, queryDslTarget, resultView, runnableDatasetLines, type RunTarget } from '../elasticsearch/run-target';
import { promptAndStoreCredentials, secretStorageSource } from '../elasticsearch/secrets';
import { workspaceProject } from '../project';

const DATASET_LANGUAGE = 'distillery-dataset';
const compareArgs = z.object({ id: z.string().min(1).max(512), goldText: z.string().max(200_000), predictedText: z.string().max(200_000) }).strict();
const QUERYDSL_LANGUAGE = 'querydsl';
const MAX_DATASET_LENS_LINES = 5000;

export function createElasticsearchFeature(ctx: Context): Feature {
  const secrets = secretStorageSource(ctx.extension.secrets, ctx.log);
  const results = new QueryResultsView(ctx);
  const diagnostics = vscode.languages.createDiagnosticCollection('distillery-cluster');
  const lensesChanged = new vscode.EventEmitter<void>();

  function targetFor(doc: vscode.TextDocument, line: number | undefined): RunTarget {
    const label = basename(doc.uri.path);
    if (doc.languageId === DATASET_LANGUAGE) return datasetLineTarget(doc.getText(), line ?? 0, label);
    return queryDslTarget(doc.getText(), label);
  }

  /** Replaces the cluster diagnostics of the run's place (the document, or the one dataset line). */
  function setClusterDiagnostics(doc: vscode.TextDocument, target: RunTarget, problems: ClusterProblem[]): void {
    const keep = doc.languageId === DATASET_LANGUAGE ? (diagnostics.get(doc.uri) ?? []).filter((d) => d.range.start.line !== target.baseLine) : [];
    const fresh = problems.map((p) => {
      const r = clusterProblemRange(target, p);
      const d = new vscode.Diagnostic(new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character), p.message, vscode.DiagnosticSeverity.Error);
      d.source = 'elasticsearch';
      d.code = p.code;
      return d;
    });
    diagnostics.set(doc.uri, [...keep, ...fresh]);
  }

  /**
   * A cluster that is down or refuses the credentials is the environment, not a bug: a warning that
   * names the cluster and the fix (ClusterError messages do), with the step that helps.
   */
  async function clusterProblem(e: ClusterError): Promise<void> {
    const fix = e.kind === 'auth' || e.kind === 'forbidden' ? 'Set Elasticsearch Credentials' : e.kind === 'unreachable' || e.kind === 'timeout' ? 'Select Elasticsearch Cluster' : undefined;
    const message = `Distillery: ${e.message}`;
    const choice = await (fix ? vscode.window.showWarningMessage(message, fix) : vscode.window.showErrorMessage(message));
    if (choice === 'Set Elasticsearch Credentials') await vscode.commands.executeCommand('distillery.setClusterCredentials');
    else if (choice === 'Select Elasticsearch Cluster') await vscode.commands.executeCommand('distillery.selectCluster');
  }

  async function runQuery(uriArg?: unknown, lineArg?: unknown): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    const doc = uriArg instanceof vscode.Uri ? await vscode.workspace.openTextDocument(uriArg) : editor?.document;
    if (!doc || (doc.languageId !== QUERYDSL_LANGUAGE && doc.languageId !== DATASET_LANGUAGE)) {
      // Nothing to run is a hint, not a failure (the command is in the palette everywhere).
      void vscode.window.showInformationMessage('Distillery: open a .querydsl file or a dataset (.dss.jsonl) line, then run its query (Ctrl+Enter or the ▶ Run lens).');
      return;
    }
    const line = typeof lineArg === 'number' ? lineArg : editor?.document === doc ? editor.selection.active.line : undefined;
    const target = targetFor(doc, line);
    const config = activeClusterConfig(ctx);
    if (!config) throw new ClusterChoiceError(noClustersMessage());
    const place = { cluster: config.name, index: config.index ?? '', source: target.label };
    results.show({ kind: 'running', ...place });
    let open;
    try {
      open = await openActiveCluster(ctx, secrets);
    } catch (e) {
      results.show({ kind: 'error', ...place, message: (e as Error).message });
      throw e;
    }
    const { cluster, index } = open;
    place.index = index;
    try {
      const response = await cluster.search(index, target.body);
      setClusterDiagnostics(doc, target, []);
      const view = resultView(place, target.body, response);
      results.show(view);
      ctx.log.info(`ran ${target.label} on ${config.name}/${index}: ${view.kind === 'result' ? `${view.total} hits, ${view.tookMs} ms` : ''}`);
    } catch (e) {
      if (!(e instanceof ClusterError)) throw e;
      results.show({ kind: 'error', ...place, message: e.message });
      if (e.kind === 'rejected' && e.clusterError) {
        // The pointer is into the body as sent (guards appended after the user's keys, so the user's pointers hold).
        setClusterDiagnostics(doc, target, [clusterRejection(cluster.guarded(target.body), e.clusterError, `cluster "${config.name}"`)]);
      } else {
        // Unreachable, auth, TLS…: the message names the cluster and the fix; nothing to underline.
        ctx.log.warn(e.message);
        void clusterProblem(e);
      }
    } finally {
      await cluster.close();
    }
  }

  async function setCredentials(): Promise<void> {
    const clusters = configuredClusters(ctx);
    if (clusters.length === 0) throw new ClusterChoiceError(noClustersMessage());
    const cluster = clusters.length === 1 ? clusters[0] : await pickActiveCluster(ctx);
    if (!cluster) return;
    const outcome = await promptAndStoreCredentials(ctx.extension.secrets, cluster);
    if (!outcome) return;
    ctx.log.info(`credentials of cluster "${cluster.name}" ${outcome} in SecretStorage`);
    void vscode.window.showInformationMessage(outcome === 'stored' ? `Distillery: credentials for "${cluster.name}" saved in the system keychain.` : `Distillery: credentials for "${cluster.name}" removed; it is contacted without credentials.`);
  }

  async function selectCluster(): Promise<void> {
    const c = await pickActiveCluster(ctx);
    if (c) lensesChanged.fire();
  }

  async function pullMappingCommand(): Promise<void> {
    const project = workspaceProject(ctx);
    const root = ctx.workspaceRoot?.fsPath;
    if (!project || !root) throw new Error('no distillery.json in this workspace; the mapping file is the one its "mapping" names');
    if (!project.mapping) throw new Error('distillery.json has no "mapping" path; add "mapping": "mapping.json" to say where the pulled mapping goes');
    const out = isAbsolute(project.mapping) ? project.mapping : join(root, project.mapping);
    let previous: IndexMapping | undefined;
    if (existsSync(out)) {
      try {
        previous = loadMappingFile(out);
      } catch (e) {
        throw new Error(`${(e as Error).message}; move it away to pull a fresh one`);
      }
    }
    const { cluster, index, resolved } = await openActiveCluster(ctx, secrets);
    let pulled;
    try {
      pulled = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Pulling the mapping of ${index} from ${resolved.name}…` }, () => pullMapping(cluster, index));
    } catch (e) {
      if (!(e instanceof ClusterError)) throw e;
      ctx.log.warn(`pull mapping: ${e.message}`);
      await clusterProblem(e);
      return;
    } finally {
      await cluster.close();
    }
    const next = parsePulledMapping(pulled);
    const diff = previous ? diffMappings(previous, next) : undefined;
    const drift = diff !== undefined && mappingChanged(diff);
    const previousCopy = out.replace(/(\.json)?$/, '.previous$1');
    if (drift) copyFileSync(out, previousCopy);
    const tmp = `${out}.tmp-${process.pid}`;
    writeFileSync(tmp, JSON.stringify(pulled, null, 2) + '\n');
    renameSync(tmp, out);
    const fields = [...next.fields.keys()].filter((f) => !f.startsWith('_')).length;
    ctx.log.info(`wrote ${out}: ${fields} fields from ${pulled._distillery.pulledFrom.indices.join(', ')}`);
    if (!drift || !diff || !previous) {
      void vscode.window.showInformationMessage(`Distillery: wrote ${basename(out)} (${fields} fields from ${resolved.name}/${index})${diff ? '; no drift since the previous file' : ''}.`);
      return;
    }
    const change = [...diff.added.map((a) => `+ ${a.path} (${a.type})`), ...diff.removed.map((r) => `- ${r.path} (${r.type})`), ...diff.changed.map((c) => `~ ${c.path}: ${c.from} → ${c.to}`)];
    ctx.log.info(`mapping drift (previous kept as ${previousCopy}):\n  ${change.join('\n  ')}`);
    const datasetPath = isAbsolute(project.dataset) ? project.dataset : join(root, project.dataset);
    const broken = existsSync(datasetPath) ? recordsBrokenByMapping(readFileSync(datasetPath, 'utf8'), previous, next, { esVersion: project.esVersion }) : [];
    if (broken.length === 0) {
      void vscode.window.showInformationMessage(`Distillery: the mapping changed (${change.length} field(s); see the log); no accepted record is broken by it.`);
      return;
    }
    const pick = await vscode.window.showQuickPick(
      broken.map((b) => ({ label: b.id, description: `line ${b.line}`, detail: b.problems.join(' · '), line: b.line })),
      { title: `The pulled mapping changed ${change.length} field(s) and broke ${broken.length} accepted record(s): open one`, matchOnDetail: true },
    );
    if (pick) {
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(datasetPath));
      const pos = new vscode.Position(pick.line - 1, 0);
      await vscode.window.showTextDocument(doc, { selection: new vscode.Range(pos, pos) });
    }
  }

  /**
   * From the run view: a mismatched record's gold and prediction run on the active cluster and
   * shown side by side in the results view. Internal (no palette entry): the run view passes the pair.
   */
  async function compareExecutionResults(arg: unknown): Promise<void> {
    const parsed = compareArgs.safeParse(arg);
    if (!parsed.success) throw new Error(`distillery.compareExecutionResults needs { id, goldText, predictedText } (${parsed.error.issues[0]?.message})`);
    const { id, goldText, predictedText } = parsed.data;
    const comparison = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Running gold and prediction of ${id}…` }, () => compareOnCluster(ctx, id, goldText, predictedText));
    results.showComparison(comparison);
  }

  const codeLenses: vscode.CodeLensProvider = {
    onDidChangeCodeLenses: lensesChanged.event,
    provideCodeLenses(doc) {
      const config = activeClusterConfig(ctx);
      const title = config ? `▶ Run on ${config.name}` : '▶ Run (no cluster in distillery.json)';
      // A lens per record would parse every line on each edit: past this size only Ctrl+Enter runs a line.
      if (doc.languageId === DATASET_LANGUAGE && doc.lineCount > MAX_DATASET_LENS_LINES) return [];
      const lines = doc.languageId === DATASET_LANGUAGE ? runnableDatasetLines(doc.getText()) : [0];
      return lines.map((line) => new vscode.CodeLens(new vscode.Range(line, 0, line, 0), { title, command: 'distillery.runQuery', arguments: [doc.uri, line] }));
    },
  };

  return {
    commands: {
      'distillery.runQuery': runQuery,
      'distillery.setClusterCredentials': setCredentials,
      'distillery.selectCluster': selectCluster,
      'distillery.pullMapping': pullMappingCommand,
      'distillery.compareExecutionResults': compareExecutionResults,
    },
    activate() {
      ctx.push(
        results,
        diagnostics,
        lensesChanged,
        vscode.languages.registerCodeLensProvider([{ language: QUERYDSL_LANGUAGE }, { language: DATASET_LANGUAGE }], codeLenses),
        // The cluster's word is about the text it was sent; any edit makes it stale.
        vscode.workspace.onDidChangeTextDocument((e) => {
          if (e.contentChanges.length > 0 && diagnostics.has(e.document.uri)) diagnostics.delete(e.document.uri);
        }),
        vscode.workspace.onDidSaveTextDocument((d) => {
          if (basename(d.uri.path) === 'distillery.json') lensesChanged.fire();
        }),
      );
    },
  };
}
