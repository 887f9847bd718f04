// The run log as a person reads it: one line per runner event in the shape the Hugging Face
// Trainer console and W&B use ("step 10/80 · loss 6.56 · lr 7.5e-4 · 412 tok/s · ETA 29s").
// Numbers are rounded for reading only: events.jsonl on the host keeps every digit, and the raw
// view of the same document shows the lines exactly as the runner wrote them. Pure (no VS Code),
// so the formatting is tested under plain Node.
import type { RunnerEvent } from '../../core/remote/events';

/** What the log knows about a run beyond its events (from the RUN.json it was launched with). */
export interface RunContext {
  /** train.maxSteps, when the run has one: the "/80" of "step 10/80". */
  totalSteps?: number;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Four significant digits, no trailing zeros; scientific below 1e-3 as the Trainer prints lr. */
export function short(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a < 1e-3 || a >= 1e6) return v.toExponential(1).replace(/\.0e/, 'e').replace('e+', 'e');
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(a >= 100 ? 5 : 3)));
}

export function duration(sec: number): string {
  const s = Math.max(0, Math.round(sec));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;

function stepLine(e: RunnerEvent, ctx: RunContext): string {
  const step = num(e['step']);
  const parts = [`step ${step ?? '?'}${ctx.totalSteps ? `/${ctx.totalSteps}` : ''}`];
  const loss = num(e['loss']);
  if (loss !== undefined) parts.push(`loss ${short(loss)}`);
  const label = num(e['lossLabel']);
  const rationale = num(e['lossRationale']);
  if (label !== undefined && rationale !== undefined) parts.push(`(label ${short(label)}, rationale ${short(rationale)})`);
  const lr = num(e['lr']);
  if (lr !== undefined) parts.push(`lr ${short(lr)}`);
  const tps = num(e['tokensPerSec']);
  if (tps !== undefined && tps > 0) parts.push(`${Math.round(tps)} tok/s`);
  const mem = num(e['gpuMemGiB']);
  if (mem !== undefined && mem > 0) parts.push(`${mem.toFixed(1)} GiB`);
  const eta = num(e['etaSec']);
  if (eta !== undefined) parts.push(`ETA ${duration(eta)}`);
  return parts.join(' · ');
}

/** One console line for an event; `undefined` for a line that is not an event (stderr text is shown as it is). */
export function formatEvent(e: RunnerEvent, ctx: RunContext = {}): string {
  switch (e.event) {
    case 'start': {
      const params = e['params'] as { total?: unknown; trainable?: unknown } | undefined;
      const total = num(params?.total);
      const trainable = num(params?.trainable);
      const bits = [
        `▶ run ${String(e['runId'] ?? '')}`.trimEnd(),
        [e['modality'], e['supervision']].filter((x) => typeof x === 'string').join(' '),
        `on ${String(e['gpu'] ?? e['device'] ?? 'unknown device')}`,
        typeof e['precision'] === 'string' ? e['precision'] : '',
        total !== undefined ? `${short(trainable ?? total)} of ${short(total)} params trainable` : '',
        num(e['trainExamples']) !== undefined ? `${String(e['trainExamples'])} train / ${String(e['valExamples'] ?? 0)} val examples` : '',
      ];
      return bits.filter(Boolean).join(' · ');
    }
    case 'step':
      return stepLine(e, ctx);
    case 'eval': {
      const parts = [`eval${typeof e['split'] === 'string' ? ` (${e['split']})` : ''} @ step ${String(e['step'] ?? '?')}`];
      const val = num(e['valLoss']);
      if (val !== undefined) parts.push(`val loss ${short(val)}`);
      for (const [key, label] of [['exactMatch', 'exact match'], ['validDsl', 'valid DSL'], ['fieldF1', 'field F1'], ['clauseF1', 'clause F1']] as const) {
        const v = num(e[key]);
        if (v !== undefined) parts.push(`${label} ${pct(v)}`);
      }
      return parts.join(' · ');
    }
    case 'checkpoint':
      return `checkpoint @ step ${String(e['step'] ?? '?')} → ${String(e['path'] ?? '')}`;
    case 'done': {
      const status = e['status'] === 'cancelled' ? '■ cancelled' : e['status'] === 'ok' || e['status'] === undefined ? '✔ done' : `✖ ${String(e['status'])}`;
      const parts = [status];
      const wall = num(e['wallSec']);
      if (wall !== undefined) parts.push(`in ${duration(wall)}`);
      const peak = num(e['peakMemGiB']);
      if (peak !== undefined && peak > 0) parts.push(`peak ${peak.toFixed(1)} GiB`);
      const metrics = (e['metrics'] ?? {}) as Record<string, unknown>;
      for (const [key, label] of [['exactMatch', 'exact match'], ['validDsl', 'valid DSL']] as const) {
        const v = num(metrics[key]);
        if (v !== undefined) parts.push(`${label} ${pct(v)}`);
      }
      if (typeof e['outputDir'] === 'string') parts.push(`→ ${e['outputDir']}`);
      return parts.join(' · ');
    }
    case 'error':
      return [`✖ ${String(e['kind'] ?? 'error')} error: ${String(e['message'] ?? '')}`, typeof e['hint'] === 'string' && e['hint'] ? `  hint: ${e['hint']}` : '']
        .filter(Boolean)
        .join('\n');
    default:
      return JSON.stringify(e);
  }
}

/** The few words a progress notification has room for: "step 10/80 · loss 6.56 · ETA 29s". */
export function progressLine(e: RunnerEvent, ctx: RunContext = {}): string {
  const step = num(e['step']);
  const loss = num(e['loss']);
  const eta = num(e['etaSec']);
  return [`step ${step ?? '?'}${ctx.totalSteps ? `/${ctx.totalSteps}` : ''}`, loss !== undefined ? `loss ${short(loss)}` : '', eta !== undefined ? `ETA ${duration(eta)}` : ''].filter(Boolean).join(' · ');
}

/** Whether an event belongs in the Output channel (lifecycle), not only in the run's own log. */
export function isLifecycle(e: RunnerEvent): boolean {
  return e.event !== 'step';
}
