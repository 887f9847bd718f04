// The Runs view (distillery.runs): hosts (distillery.json profiles, ssh config aliases that
// already have runs cached, and local) with their runs, status icons and metrics.
import * as vscode from 'vscode';
import type { RunSummary } from '../../core/remote/jobs';
import { schedulerLabel } from '../../core/remote/schedulers/settings';

export type RunsNode = { kind: 'host'; host: string } | { kind: 'run'; host: string; run: RunSummary } | { kind: 'message'; host: string; text: string };

const ICONS: Record<string, string> = { running: 'pulse', queued: 'clock', done: 'pass', failed: 'error', cancelled: 'circle-slash' };

export class RunsTree implements vscode.TreeDataProvider<RunsNode> {
  private readonly changed = new vscode.EventEmitter<RunsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly cache = new Map<string, RunSummary[] | Error>();

  constructor(
    private readonly hosts: () => string[],
    private readonly list: (host: string) => Promise<RunSummary[]>,
  ) {}

  refresh(host?: string): void {
    if (host) this.cache.delete(host);
    else this.cache.clear();
    this.changed.fire(undefined);
  }

  runs(host: string): RunSummary[] {
    const c = this.cache.get(host);
    return Array.isArray(c) ? c : [];
  }

  getTreeItem(node: RunsNode): vscode.TreeItem {
    if (node.kind === 'host') {
      const item = new vscode.TreeItem(node.host, vscode.TreeItemCollapsibleState.Collapsed);
      item.iconPath = new vscode.ThemeIcon(node.host === 'local' ? 'device-desktop' : 'server');
      item.contextValue = 'distillery.host';
      return item;
    }
    if (node.kind === 'message') {
      const item = new vscode.TreeItem(node.text);
      item.iconPath = new vscode.ThemeIcon('info');
      return item;
    }
    const r = node.run;
    const c = r.config ?? {};
    const lora = c['lora'] as { r?: number } | undefined;
    const item = new vscode.TreeItem(r.runId);
    const em = r.metrics?.['exactMatch'];
    item.description = [r.status, schedulerLabel(r), c['modality'], c['supervision'], lora?.r && c['modality'] !== 'full' ? `r${lora.r}` : undefined, typeof em === 'number' ? `EM ${(em * 100).toFixed(1)}%` : undefined].filter(Boolean).join(' · ');
    item.tooltip = new vscode.MarkdownString(`**${r.runId}** on ${node.host}\n\nstatus: ${r.status}${r.scheduler ? `\n\n${r.scheduler} job ${r.jobId ?? '?'}: ${schedulerLabel(r) ?? '—'}` : ''}\n\nstarted: ${r.startedAt ?? '—'}\n\n\`\`\`json\n${JSON.stringify(r.config, null, 2)}\n\`\`\``);
    item.iconPath = new vscode.ThemeIcon(ICONS[r.status] ?? 'circle-outline');
    item.contextValue = `distillery.run.${r.status}`;
    item.command = { command: 'distillery.followRun', title: 'Follow Run Logs', arguments: [{ host: node.host, runId: r.runId }] };
    return item;
  }

  async getChildren(node?: RunsNode): Promise<RunsNode[]> {
    if (!node) return this.hosts().map((host) => ({ kind: 'host', host }));
    if (node.kind !== 'host') return [];
    let c = this.cache.get(node.host);
    if (!c) {
      try {
        c = await this.list(node.host);
      } catch (e) {
        c = e as Error;
      }
      this.cache.set(node.host, c);
    }
    if (c instanceof Error) return [{ kind: 'message', host: node.host, text: `cannot list runs: ${c.message}` }];
    if (!c.length) return [{ kind: 'message', host: node.host, text: 'no runs yet' }];
    return [...c].reverse().map((run) => ({ kind: 'run', host: node.host, run }));
  }
}
