// The review panel feature: the sidebar view, the editor-area review panel, record documents, and
// the dataset commands (import, split, export, undo/redo of review actions). The panel itself
// lives in src/extension/panel; this file wires it into the command table.
import { mkdir, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { parseCsv } from '../../core/dataset/csv';
import { EXPORT_FORMATS, planExport, writeExport, type ExportFormat } from '../../core/dataset/export';
import { formatFromPath, importQuestions } from '../../core/dataset/import';
import { assignSplits, DEFAULT_SEED, parseRatios } from '../../core/dataset/split';
import type { Context, Feature } from '../ctx';
import { PanelHost, type LoadedDataset } from '../panel/host';

export function createPanelFeature(ctx: Context): Feature {
  let host: PanelHost | undefined;
  const panelHost = (): PanelHost => {
    if (!host) {
      host = new PanelHost(ctx);
      ctx.push(host);
    }
    return host;
  };

  async function requireDataset(): Promise<LoadedDataset> {
    const loaded = await panelHost().dataset();
    if (!loaded) throw new Error('no dataset is open: add a *.dss.jsonl file to the workspace or set "dataset" in distillery.json');
    return loaded;
  }

  async function openReview(arg?: unknown): Promise<void> {
    if (arg instanceof vscode.Uri && arg.fsPath.endsWith('.dss.jsonl')) await panelHost().switchTo(arg);
    panelHost().openReviewPanel();
  }

  async function importCommand(arg?: unknown): Promise<void> {
    let loaded = await panelHost().dataset();
    if (!loaded) {
      // No dataset yet: importing questions is how one starts.
      const target = panelHost().defaultDatasetUri();
      if (!target) throw new Error('open a folder first: the imported questions go into a dataset file in the workspace');
      loaded = await panelHost().switchTo(target, true);
      if (!loaded) return;
    }
    const source =
      arg instanceof vscode.Uri
        ? arg
        : (await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Import questions', filters: { Questions: ['txt', 'csv', 'jsonl', 'ndjson'] } }))?.[0];
    if (!source) return;
    const text = await readFile(source.fsPath, 'utf8');
    const format = formatFromPath(source.fsPath);
    let column: string | number | undefined;
    let field: string | undefined;
    if (format === 'csv') {
      const header = parseCsv(text.slice(0, 64 * 1024).split(/\r?\n/)[0] ?? '')[0]?.fields ?? [];
      const pick = await vscode.window.showQuickPick(
        header.map((name, i) => ({ label: name || `(column ${i + 1})`, description: `column ${i + 1}`, index: i })),
        { title: `Which column of ${basename(source.fsPath)} holds the questions?` },
      );
      if (!pick) return;
      column = pick.index;
    } else if (format === 'jsonl') {
      field = await vscode.window.showInputBox({ title: 'Field that holds the question', value: 'question' });
      if (field === undefined) return;
    }
    const result = importQuestions(text, { format, column, field, existing: loaded.store.records() });
    const target = loaded;
    loaded.model.append(result.records, `import ${result.records.length} questions`);
    const near = result.clusters.filter((c) => c.kind === 'near').length;
    const parts = [`Imported ${result.records.length} questions from ${basename(source.fsPath)}`];
    if (result.skipped.length) parts.push(`${result.skipped.length} exact duplicates skipped`);
    if (near) parts.push(`${near} near-duplicate clusters (see Stats)`);
    if (result.errors.length) parts.push(`${result.errors.length} lines could not be read (first: line ${result.errors[0]!.line}: ${result.errors[0]!.message})`);
    void vscode.window.showInformationMessage(`${parts.join('; ')}.`, 'Undo').then((c) => c && target.model.undo());
  }

  async function splitCommand(): Promise<void> {
    const loaded = await requireDataset();
    const ratiosText = await vscode.window.showInputBox({
      title: 'Split ratios train,val,test',
      value: '0.8,0.1,0.1',
      validateInput: (v) => {
        try {
          parseRatios(v);
          return undefined;
        } catch (e) {
          return e instanceof Error ? e.message : String(e);
        }
      },
    });
    if (ratiosText === undefined) return;
    const seedText = await vscode.window.showInputBox({ title: 'Seed (same seed, same split)', value: String(DEFAULT_SEED) });
    if (seedText === undefined) return;
    const keep = await vscode.window.showQuickPick(['Keep splits already set', 'Re-split everything'], { title: 'Records that already have a split' });
    if (!keep) return;
    const seed = /^\d+$/.test(seedText) ? Number(seedText) : seedText;
    const result = assignSplits(loaded.store.records(), { ratios: parseRatios(ratiosText), seed, respectExisting: keep.startsWith('Keep') });
    const changed = loaded.model.assignSplits(result.assignments, 'split dataset');
    const l = result.leakage;
    void vscode.window.showInformationMessage(
      `Split: train ${result.counts.train}, val ${result.counts.val}, test ${result.counts.test} (${changed} records changed). ` +
        `Leakage guard: ${l.clusters} near-duplicate clusters, ${l.clustersMoved} moved whole (${l.recordsMoved} records).`,
      'Undo',
    ).then((c) => c && loaded.model.undo());
  }

  async function exportCommand(): Promise<void> {
    const loaded = await requireDataset();
    const descriptions: Record<ExportFormat, string> = {
      dss: 'question, rationale, dsl — Distilling Step-by-Step (python-runner)',
      'label-only': 'question, dsl — no rationale',
      chat: 'OpenAI / TRL messages',
    };
    const format = await vscode.window.showQuickPick(
      EXPORT_FORMATS.map((f) => ({ label: f, description: descriptions[f] })),
      { title: 'Export format (accepted records without validator errors)' },
    );
    if (!format) return;
    const defaultDir = vscode.Uri.file(join(dirname(loaded.uri.fsPath), 'export'));
    // The folder dialog refuses a folder that does not exist: create the suggested one first.
    await mkdir(defaultDir.fsPath, { recursive: true });
    const out = await vscode.window.showOpenDialog({ canSelectFiles: false, canSelectFolders: true, canSelectMany: false, defaultUri: defaultDir, openLabel: 'Export here' });
    if (!out?.[0]) return;
    await loaded.model.flush();
    const plan = planExport(loaded.store.records(), { format: format.label as ExportFormat, validateOptions: loaded.validateOptions }, { path: loaded.uri.fsPath, records: loaded.store.size });
    writeExport(plan, out[0].fsPath);
    const m = plan.manifest;
    const excluded = m.excluded.status + m.excluded.missingDsl + m.excluded.invalid + m.excluded.missingRationale;
    const next = format.label === 'dss' && m.counts.train > 0 ? ['Launch a Run on These Splits'] : [];
    const choice = await vscode.window.showInformationMessage(`Exported ${m.counts.train} train, ${m.counts.val} val, ${m.counts.test} test to ${vscode.workspace.asRelativePath(out[0])} (${excluded} records left out; see manifest.json).`, ...next);
    // The next step: a run config on these files (its own command asks for the model), then the launch.
    if (choice) await vscode.commands.executeCommand('distillery.newRunConfig', { dataDir: out[0].fsPath });
  }

  async function history(direction: 'undo' | 'redo'): Promise<void> {
    const loaded = await requireDataset();
    const label = direction === 'undo' ? loaded.model.undo() : loaded.model.redo();
    vscode.window.setStatusBarMessage(label ? `Distillery: ${direction === 'undo' ? 'undid' : 'redid'} ${label}` : `Distillery: nothing to ${direction}`, 3000);
  }

  return {
    commands: {
      'distillery.openReview': openReview,
      // Not in the palette: other features call it with a record id (e.g. a prediction's gold pair).
      'distillery.revealRecord': (id: unknown) => {
        if (typeof id !== 'string' || !id) throw new Error('distillery.revealRecord needs a record id');
        panelHost().revealRecord(id);
      },
      'distillery.importQuestions': importCommand,
      'distillery.splitDataset': splitCommand,
      'distillery.exportDataset': exportCommand,
      'distillery.undo': () => history('undo'),
      'distillery.redo': () => history('redo'),
    },
    activate() {
      // Registers the sidebar view provider and the record file system before the view is shown.
      panelHost();
    },
  };
}
