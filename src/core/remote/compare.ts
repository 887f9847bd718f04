// The comparison table of finished runs (the paper's table): modality × supervision × rank with
// exact match, valid-DSL rate, peak memory and wall time. Pure, so the extension and tests share it.
import type { RunSummary } from './jobs';

export interface CompareRow {
  host: string;
  runId: string;
  status: string;
  modality: string;
  supervision: string;
  rank: string;
  lr: string;
  exactMatch?: number;
  validDsl?: number;
  peakMemGiB?: number;
  wallSec?: number;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

export function compareRows(host: string, runs: RunSummary[]): CompareRow[] {
  return runs.map((r) => {
    const c = r.config ?? {};
    const lora = (c['lora'] ?? {}) as Record<string, unknown>;
    const train = (c['train'] ?? {}) as Record<string, unknown>;
    const m = r.metrics ?? {};
    const modality = String(c['modality'] ?? '?');
    const row: CompareRow = {
      host,
      runId: r.runId,
      status: r.status,
      modality,
      supervision: String(c['supervision'] ?? 'dss'),
      rank: modality === 'full' ? '—' : String(lora['r'] ?? 16),
      lr: train['lr'] !== undefined ? String(train['lr']) : '—',
    };
    const em = num(m['exactMatch'] ?? m['test/exactMatch'] ?? m['eval/exactMatch']);
    const valid = num(m['validDsl'] ?? m['test/validDsl'] ?? m['eval/validDsl']);
    const peak = num(m['peakMemGiB']);
    const wall = num(m['wallSec']);
    if (em !== undefined) row.exactMatch = em;
    if (valid !== undefined) row.validDsl = valid;
    if (peak !== undefined) row.peakMemGiB = peak;
    if (wall !== undefined) row.wallSec = wall;
    return row;
  });
}

const pct = (v?: number): string => (v === undefined ? '—' : `${(v * 100).toFixed(1)}%`);
const dur = (s?: number): string => (s === undefined ? '—' : s < 120 ? `${s.toFixed(0)} s` : s < 7200 ? `${(s / 60).toFixed(1)} min` : `${(s / 3600).toFixed(2)} h`);

/** A Markdown table sorted by modality, supervision, rank; the best exact match is bold. */
export function compareMarkdown(rows: CompareRow[]): string {
  const order = { full: 0, lora: 1, qlora: 2 } as Record<string, number>;
  const sorted = [...rows].sort(
    (a, b) => (order[a.modality] ?? 9) - (order[b.modality] ?? 9) || a.supervision.localeCompare(b.supervision) || Number(a.rank) - Number(b.rank) || a.runId.localeCompare(b.runId),
  );
  const best = Math.max(...rows.map((r) => r.exactMatch ?? -1));
  const esc = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const lines = [
    '| Modality | Supervision | Rank | LR | Exact match | Valid DSL | Peak memory | Time | Status | Run | Host |',
    '|---|---|---:|---:|---:|---:|---:|---:|---|---|---|',
    ...sorted.map((r) => {
      const em = pct(r.exactMatch);
      return `| ${r.modality} | ${r.supervision === 'label_only' ? 'label only' : 'DSS'} | ${r.rank} | ${r.lr} | ${r.exactMatch !== undefined && r.exactMatch === best ? `**${em}**` : em} | ${pct(r.validDsl)} | ${r.peakMemGiB === undefined ? '—' : `${r.peakMemGiB.toFixed(1)} GiB`} | ${dur(r.wallSec)} | ${r.status} | ${esc(r.runId)} | ${esc(r.host)} |`;
    }),
  ];
  return lines.join('\n') + '\n';
}
