// The chart's data, pure (no DOM, no VS Code) so the host, the webview and the tests share it:
// runner events become chart points, and each series keeps at most MAX_POINTS points however
// long the run. Downsampling is by buckets: each stored point is the mean of `stride` consecutive
// raw points; when a series overflows, neighbouring buckets merge and the stride doubles, so memory
// and drawing cost stay flat for a million-step run and the curve keeps its shape.
import { EVAL_SERIES, STEP_SERIES, type ChartPoint, type SeriesName } from '../../shared/run-view-protocol';

export const MAX_POINTS = 2000;

/** A runner event as src/core/remote/events.ts reads it. */
export interface EventLike {
  event: string;
  [key: string]: unknown;
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** The chart point a `step` or `eval` event carries; undefined for every other event or one without a step. */
export function pointFromEvent(e: EventLike): ChartPoint | undefined {
  if (e.event !== 'step' && e.event !== 'eval') return undefined;
  const step = e['step'];
  if (!finite(step) || step < 0) return undefined;
  const names = e.event === 'step' ? STEP_SERIES : EVAL_SERIES;
  const values: Partial<Record<SeriesName, number>> = {};
  for (const name of names) {
    const v = e[name];
    if (finite(v)) values[name] = v;
  }
  return { kind: e.event, step: Math.floor(step), values };
}

interface Bucket {
  step: number;
  value: number;
  count: number;
}

/** One series, downsampled to at most `max` points (the partial bucket included). */
export class Series {
  private readonly full: Bucket[] = [];
  private partial: Bucket | null = null;
  private stride = 1;
  /** Raw points seen. */
  seen = 0;
  last: { step: number; value: number } | null = null;
  min = Infinity;
  max = -Infinity;

  constructor(private readonly maxPoints = MAX_POINTS) {
    if (maxPoints < 4) throw new Error('a series needs room for at least 4 points');
  }

  add(step: number, value: number): void {
    this.seen++;
    this.last = { step, value };
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    const b = this.partial ?? { step: 0, value: 0, count: 0 };
    // Running means of step and value over the bucket.
    b.count++;
    b.step += (step - b.step) / b.count;
    b.value += (value - b.value) / b.count;
    this.partial = b;
    if (b.count < this.stride) return;
    this.full.push(b);
    this.partial = null;
    // Keep one slot for a partial bucket.
    if (this.full.length >= this.maxPoints) this.compact();
  }

  private compact(): void {
    const merged: Bucket[] = [];
    for (let i = 0; i + 1 < this.full.length; i += 2) {
      const a = this.full[i]!;
      const b = this.full[i + 1]!;
      const count = a.count + b.count;
      merged.push({ step: (a.step * a.count + b.step * b.count) / count, value: (a.value * a.count + b.value * b.count) / count, count });
    }
    // An odd bucket out becomes the partial bucket of the doubled stride.
    const odd = this.full.length % 2 ? this.full[this.full.length - 1]! : null;
    this.full.length = 0;
    this.full.push(...merged);
    this.stride *= 2;
    this.partial = odd;
  }

  /** The points to draw, oldest first: [step, value]. */
  points(): [number, number][] {
    const out = this.full.map((b) => [b.step, b.value] as [number, number]);
    if (this.partial) out.push([this.partial.step, this.partial.value]);
    return out;
  }

  get size(): number {
    return this.full.length + (this.partial ? 1 : 0);
  }
}

/** Every series of one run, fed point by point. */
export class RunSeries {
  readonly series = new Map<SeriesName, Series>();
  /** Eval points are few (one per eval interval) but kept under the same cap. */
  lastStep = 0;

  constructor(private readonly maxPoints = MAX_POINTS) {}

  add(point: ChartPoint): void {
    if (point.step > this.lastStep) this.lastStep = point.step;
    for (const [name, value] of Object.entries(point.values) as [SeriesName, number][]) {
      let s = this.series.get(name);
      if (!s) this.series.set(name, (s = new Series(this.maxPoints)));
      s.add(point.step, value);
    }
  }

  get(name: SeriesName): Series | undefined {
    return this.series.get(name);
  }

  /** The downsampled history as chart points (what a newly opened view is sent). */
  snapshot(): ChartPoint[] {
    const out: ChartPoint[] = [];
    for (const [name, s] of this.series) {
      const kind = (EVAL_SERIES as readonly string[]).includes(name) ? 'eval' : 'step';
      for (const [step, value] of s.points()) out.push({ kind, step: Math.round(step), values: { [name]: value } });
    }
    return out.sort((a, b) => a.step - b.step);
  }
}
