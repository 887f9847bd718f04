// The one status bar item (STYLE.md): rendered by one function from one state value.
import * as vscode from 'vscode';

export interface StatusState {
  server: 'starting' | 'ready' | 'stopped' | 'error';
  serverMessage?: string;
  generation?: { done: number; total: number; costUsd: number };
  run?: { runId: string; host: string; step?: number; loss?: number; etaSec?: number; status: 'running' | 'cancelling' | 'done' | 'failed' | 'cancelled' | 'unknown' };
}

function formatEta(sec: number): string {
  if (sec < 90) return `${Math.round(sec)}s`;
  if (sec < 5400) return `${Math.round(sec / 60)}m`;
  return `${(sec / 3600).toFixed(1)}h`;
}

export function renderStatus(item: vscode.StatusBarItem, s: StatusState): void {
  const parts: string[] = [];
  const tooltip: string[] = [];
  if (s.server === 'error') {
    parts.push('$(error) Distillery');
    tooltip.push(`Language server failed: ${s.serverMessage ?? 'see the Distillery log'}`);
  } else if (s.server === 'starting') {
    parts.push('$(loading~spin) Distillery');
    tooltip.push('Language server starting');
  } else {
    parts.push('$(beaker) Distillery');
    tooltip.push(s.server === 'ready' ? 'Language server ready' : 'Language server stopped');
  }
  if (s.generation) {
    const g = s.generation;
    parts.push(`$(sparkle) ${g.done}/${g.total} $${g.costUsd.toFixed(2)}`);
    tooltip.push(`Teacher generation: ${g.done} of ${g.total} questions, $${g.costUsd.toFixed(4)} so far`);
  }
  if (s.run) {
    const r = s.run;
    const icon = { running: '$(pulse)', cancelling: '$(loading~spin)', done: '$(pass)', cancelled: '$(circle-slash)', failed: '$(error)', unknown: '$(question)' }[r.status];
    const bits = [`${icon} ${r.runId}`];
    if (r.step !== undefined) bits.push(`step ${r.step}`);
    if (r.loss !== undefined) bits.push(`loss ${r.loss.toFixed(3)}`);
    if (r.etaSec !== undefined && r.status === 'running') bits.push(`ETA ${formatEta(r.etaSec)}`);
    if (r.status !== 'running') bits.push(r.status);
    parts.push(bits.join(' '));
    const what = { running: 'running', cancelling: 'cancelling (it saves at the next step)', done: 'finished', cancelled: 'cancelled', failed: 'failed (click for its log)', unknown: 'not followed any more: it may still run; click to re-attach' }[r.status];
    tooltip.push(`Run ${r.runId} on ${r.host}: ${what}`);
  }
  item.text = parts.join('  ');
  item.tooltip = tooltip.join('\n');
  item.command = s.run ? 'distillery.followRun' : 'distillery.showLog';
  item.backgroundColor = s.server === 'error' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
  item.show();
}
