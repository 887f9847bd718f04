// Why a run failed, in words, from what the host kept: the runner's `error` event (kind, message,
// hint) when it got far enough to write one, else the tail of stderr.log (a Python that cannot
// import torch dies before the runner can say anything). Also which fix to offer as a button.
// Pure (no VS Code) so each case is tested under plain Node.
import type { RunnerEvent } from '../../core/remote/events';

export type FailureFix = 'selectPython' | 'setupPython' | 'smallerBatch' | 'openConfig';

export interface FailureExplanation {
  /** One line for the notification: what went wrong. */
  reason: string;
  /** The runner's hint, or ours. */
  hint?: string;
  /** Buttons to offer, most useful first. */
  fixes: FailureFix[];
}

/** The last lines of stderr worth showing (blank lines and pip/progress noise dropped). */
export function stderrTail(text: string, lines = 20): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.replace(/\s+$/, ''))
    .filter((l) => l.trim() !== '')
    .slice(-lines);
}

/** The line of a Python traceback that says what happened ("ModuleNotFoundError: No module named 'torch'"). */
export function lastExceptionLine(tail: string[]): string | undefined {
  for (let i = tail.length - 1; i >= 0; i--) {
    const line = tail[i]!.trim();
    if (/^([A-Za-z_][\w.]*(Error|Exception|Interrupt|Exit)|error|RuntimeError)\b.*:/.test(line) || /^[\w.]+Error$/.test(line)) return line;
  }
  return undefined;
}

export function explainFailure(final: RunnerEvent | undefined, stderr: string[], exitCode?: number): FailureExplanation {
  if (final?.event === 'error') {
    const kind = String(final['kind'] ?? 'runtime');
    const message = String(final['message'] ?? 'the runner reported an error');
    const hint = typeof final['hint'] === 'string' && final['hint'] ? final['hint'] : undefined;
    const fixes: FailureFix[] = kind === 'oom' ? ['smallerBatch', 'openConfig'] : kind === 'config' || kind === 'data' ? ['openConfig'] : [];
    return { reason: `${kind} error: ${message}`, ...(hint ? { hint } : {}), fixes };
  }
  const exception = lastExceptionLine(stderr);
  const missing = /No module named '([^']+)'/.exec(exception ?? stderr.join('\n'));
  if (missing) {
    return {
      reason: `the Python on the host cannot import ${missing[1]} (${exception ?? `No module named '${missing[1]}'`})`,
      hint: 'pick an interpreter that has the runner\'s packages (torch, transformers, peft), or let Distillery set up ~/.distillery/venv',
      fixes: ['selectPython', 'setupPython'],
    };
  }
  if (stderr.some((l) => /(^|\s)(python3?|.*\/python3?):? .*(not found|No such file)/i.test(l) || /sh: \d+: .*python.*: not found/.test(l))) {
    return { reason: `the host's Python was not found (${stderr.at(-1) ?? ''})`, hint: 'pick an interpreter that exists on the host', fixes: ['selectPython', 'setupPython'] };
  }
  if (stderr.some((l) => /CUDA out of memory|OutOfMemoryError/.test(l))) {
    return { reason: exception ?? 'the GPU ran out of memory', hint: 'lower train.batchSize (and raise train.gradAccum to keep the effective batch)', fixes: ['smallerBatch', 'openConfig'] };
  }
  if (exception) return { reason: exception, hint: 'the whole traceback is in the run log', fixes: [] };
  const code = exitCode !== undefined ? ` (exit code ${exitCode})` : '';
  return { reason: stderr.length ? `the runner stopped${code}: ${stderr.at(-1)}` : `the runner stopped without an event or any stderr output${code}`, fixes: [] };
}

/** RUN.json with half the micro-batch and twice the accumulation, so the effective batch stays. */
export function halveBatch(config: Record<string, unknown>, defaultBatch = 8): Record<string, unknown> | undefined {
  const train = { ...((config['train'] ?? {}) as Record<string, unknown>) };
  const batch = typeof train['batchSize'] === 'number' ? train['batchSize'] : defaultBatch;
  if (batch <= 1) return undefined;
  const accum = typeof train['gradAccum'] === 'number' ? train['gradAccum'] : 1;
  train['batchSize'] = Math.max(1, Math.floor(batch / 2));
  train['gradAccum'] = accum * 2;
  return { ...config, train };
}
