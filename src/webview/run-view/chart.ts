// The live chart: four small SVG panels (losses, learning rate, GPU memory, evaluation) drawn with
// DOM APIs only. Points arrive in batches; drawing is coalesced to one animation frame, and each
// series is already capped at MAX_POINTS by RunSeries, so a redraw costs the same at step 10 and
// at step 1,000,000.
import { EVAL_SERIES, type ChartPoint, type SeriesName } from '../../shared/run-view-protocol';
import { el, replaceChildren, svg } from '../dom';
import { RunSeries } from './series';

interface PanelSpec {
  title: string;
  series: SeriesName[];
  /** Fixed y range (rates); otherwise from the data. */
  range?: [number, number];
  format: (v: number) => string;
}

const PANELS: PanelSpec[] = [
  { title: 'Loss', series: ['loss', 'lossLabel', 'lossRationale', 'valLoss'], format: (v) => v.toFixed(3) },
  { title: 'Learning rate', series: ['lr'], format: (v) => v.toExponential(1) },
  { title: 'GPU memory (GiB)', series: ['gpuMemGiB'], format: (v) => v.toFixed(1) },
  { title: 'Evaluation', series: ['exactMatch', 'validDsl'], range: [0, 1], format: (v) => `${(v * 100).toFixed(0)}%` },
];

const LABELS: Record<SeriesName, string> = {
  loss: 'loss',
  lossLabel: 'label loss',
  lossRationale: 'rationale loss',
  lr: 'learning rate',
  gpuMemGiB: 'GPU memory',
  valLoss: 'val loss',
  exactMatch: 'exact match',
  validDsl: 'valid DSL',
};

const isEval = (name: SeriesName): boolean => (EVAL_SERIES as readonly string[]).includes(name);

const W = 600;
const H = 170;
const PAD = { left: 56, right: 10, top: 10, bottom: 22 };

interface PanelView {
  spec: PanelSpec;
  root: HTMLElement;
  plot: SVGGElement;
  axes: SVGGElement;
  lines: Map<SeriesName, SVGPolylineElement>;
  /** Evaluation points are few (one per eval interval): each is also drawn as a dot. */
  dots: Map<SeriesName, SVGGElement>;
  legend: Map<SeriesName, HTMLElement>;
}

export class RunChart {
  readonly root: HTMLElement;
  private data = new RunSeries();
  private readonly panels: PanelView[];
  private frame = 0;

  constructor() {
    this.panels = PANELS.map((spec) => this.buildPanel(spec));
    this.root = el('div', { class: 'chart' }, this.panels.map((p) => p.root));
    this.root.dataset['points'] = '0';
  }

  private buildPanel(spec: PanelSpec): PanelView {
    const axes = svg('g', { class: 'axes' });
    const plot = svg('g', { class: 'plot' });
    const lines = new Map<SeriesName, SVGPolylineElement>();
    const legend = new Map<SeriesName, HTMLElement>();
    const dots = new Map<SeriesName, SVGGElement>();
    for (const name of spec.series) {
      const line = svg('polyline', { class: `line series-${name}`, 'data-series': name, points: '', fill: 'none' });
      plot.appendChild(line);
      lines.set(name, line);
      if (isEval(name)) {
        const g = svg('g', { class: `dots series-${name}` });
        plot.appendChild(g);
        dots.set(name, g);
      }
      legend.set(name, el('span', { class: `legend-item series-${name}`, attrs: { 'data-series': name } }, [LABELS[name]]));
    }
    const chart = svg('svg', { class: 'chart-svg', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': spec.title }, [axes, plot]);
    const root = el('section', { class: 'chart-panel' }, [el('h3', { text: spec.title }), el('div', { class: 'legend' }, [...legend.values()]), chart]);
    return { spec, root, plot, axes, lines, legend, dots };
  }

  /** Drops everything drawn (the host re-sent the run from its first event). */
  reset(): void {
    this.data = new RunSeries();
    this.schedule();
  }

  add(points: ChartPoint[]): void {
    for (const p of points) this.data.add(p);
    this.schedule();
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  private draw(): void {
    let total = 0;
    for (const panel of this.panels) total += this.drawPanel(panel);
    this.root.dataset['points'] = String(total);
    this.root.dataset['lastStep'] = String(this.data.lastStep);
  }

  private drawPanel(panel: PanelView): number {
    const present = panel.spec.series.map((n) => [n, this.data.get(n)] as const).filter(([, s]) => s && s.size > 0);
    panel.root.classList.toggle('empty', present.length === 0);
    let yMin = panel.spec.range?.[0] ?? Infinity;
    let yMax = panel.spec.range?.[1] ?? -Infinity;
    // One step axis for every panel, so a point at step N lines up across them.
    const xMax = Math.max(1, this.data.lastStep);
    if (!panel.spec.range) {
      for (const [, s] of present) {
        yMin = Math.min(yMin, s!.min);
        yMax = Math.max(yMax, s!.max);
      }
    }
    if (!Number.isFinite(yMin) || !Number.isFinite(yMax)) [yMin, yMax] = [0, 1];
    if (yMax === yMin) [yMin, yMax] = [yMin - Math.abs(yMin || 1) * 0.05, yMax + Math.abs(yMax || 1) * 0.05];
    const x = (step: number) => PAD.left + (step / xMax) * (W - PAD.left - PAD.right);
    const y = (v: number) => PAD.top + (1 - (v - yMin) / (yMax - yMin)) * (H - PAD.top - PAD.bottom);
    let count = 0;
    for (const [name, line] of panel.lines) {
      const s = this.data.get(name);
      const pts = s ? s.points() : [];
      count += pts.length;
      line.setAttribute('points', pts.map(([sx, sy]) => `${x(sx).toFixed(1)},${y(sy).toFixed(1)}`).join(' '));
      line.dataset['count'] = String(pts.length);
      const dots = panel.dots.get(name);
      if (dots) replaceChildren(dots, pts.map(([sx, sy]) => svg('circle', { class: 'dot', cx: x(sx).toFixed(1), cy: y(sy).toFixed(1), r: 2.5 })));
      const item = panel.legend.get(name)!;
      item.textContent = s?.last ? `${LABELS[name]} ${panel.spec.format(s.last.value)}` : LABELS[name];
      item.classList.toggle('absent', !s?.last);
    }
    replaceChildren(panel.axes, [
      svg('line', { class: 'axis', x1: PAD.left, y1: H - PAD.bottom, x2: W - PAD.right, y2: H - PAD.bottom }),
      svg('line', { class: 'axis', x1: PAD.left, y1: PAD.top, x2: PAD.left, y2: H - PAD.bottom }),
      svg('text', { class: 'tick', x: PAD.left - 4, y: PAD.top + 8, 'text-anchor': 'end' }, [panel.spec.format(yMax)]),
      svg('text', { class: 'tick', x: PAD.left - 4, y: H - PAD.bottom, 'text-anchor': 'end' }, [panel.spec.format(yMin)]),
      svg('text', { class: 'tick', x: PAD.left, y: H - 6 }, ['0']),
      svg('text', { class: 'tick', x: W - PAD.right, y: H - 6, 'text-anchor': 'end' }, [`step ${xMax}`]),
    ]);
    return count;
  }
}
