// The stats view: small inline SVG charts built with DOM calls (no markup strings). The host keeps
// it current while it is shown (no Refresh button). Bars of a facet the list can filter by
// (status, split, query type, validity) are buttons: a click shows those records in the list.
import type { Filter, Stats } from '../shared/webview-protocol';
import { el, formatCount, replaceChildren, svg } from './dom';

/** A facet of the list's filter that a bar stands for. */
type BarFacet = 'status' | 'split' | 'queryType' | 'validity';

export class StatsView {
  readonly root: HTMLElement;
  private readonly body: HTMLElement;

  constructor(private readonly showFiltered: (filter: Partial<Filter>) => void) {
    this.body = el('div', { class: 'stats-body' }, [el('p', { text: 'Loading…' })]);
    this.root = el('section', { class: 'stats', attrs: { 'aria-label': 'Dataset statistics', hidden: true } }, [
      el('div', { class: 'stats-head' }, [el('h2', { text: 'Dataset' }), el('span', { class: 'muted stats-hint', text: 'Click a bar to list its records' })]),
      this.body,
    ]);
    this.body.addEventListener('click', (e) => this.activate(e.target));
    this.body.addEventListener('keydown', (e) => {
      if (e.key !== 'Enter' && e.key !== ' ') return;
      if (this.activate(e.target)) e.preventDefault();
    });
  }

  private activate(target: EventTarget | null): boolean {
    const bar = target instanceof Element ? target.closest<SVGElement>('[data-facet]') : null;
    if (!bar) return false;
    const facet = bar.dataset['facet'] as BarFacet;
    const value = bar.dataset['value'] ?? '';
    this.showFiltered({ [facet]: [value] } as Partial<Filter>);
    return true;
  }

  render(s: Stats): void {
    replaceChildren(this.body, [
      el('p', { class: 'stats-summary', text: `${formatCount(s.total)} records · average rationale ${formatCount(s.avgRationaleChars)} characters · ${formatCount(s.duplicateClusterCount)} duplicate clusters` }),
      card('By status', barChart(s.byStatus, 'status', 'status')),
      card('By split', barChart(s.bySplit, 'split', 'split')),
      card('Top-level query types', barChart(s.byQueryType.slice(0, 15), 'type', 'queryType')),
      card('Aggregations', s.byAggregation.length ? barChart(s.byAggregation.slice(0, 15), 'type', null) : el('p', { class: 'muted', text: 'No aggregations.' })),
      card('Validity over time (by last update)', s.validityOverTime.length ? stackedChart(s.validityOverTime) : el('p', { class: 'muted', text: 'Nothing validated yet.' })),
      card(
        s.duplicateKind === 'near' ? 'Duplicate and near-duplicate questions' : 'Duplicate questions (exact; near-duplicates are checked up to 10,000 records)',
        s.duplicateClusters.length
          ? el('ol', { class: 'clusters' }, s.duplicateClusters.slice(0, 10).map((c) => el('li', {}, [
              el('span', { class: 'cluster-size', text: `×${c.size}` }),
              el('span', { class: 'cluster-question', text: c.questions[0] ?? '' }),
              el('span', { class: 'cluster-ids muted', text: c.ids.slice(0, 4).join(', ') + (c.ids.length > 4 ? ', …' : '') }),
            ])))
          : el('p', { class: 'muted', text: 'No duplicate questions.' }),
      ),
    ]);
  }
}

function card(title: string, content: Node): HTMLElement {
  return el('figure', { class: 'chart-card' }, [el('figcaption', { text: title }), content]);
}

const BAR_H = 16;
const LABEL_W = 110;
const WIDTH = 320;

/**
 * Horizontal bars; each has a <title> so hovering or a screen reader gives the exact figure. With a
 * `facet`, each bar is a button that filters the list to its records.
 */
function barChart(bars: readonly { label: string; value: number }[], kind: string, facet: BarFacet | null): SVGSVGElement {
  const max = Math.max(1, ...bars.map((b) => b.value));
  const height = bars.length * (BAR_H + 4) + 4;
  const chart = svg('svg', { class: `chart bars bars-${kind}`, viewBox: `0 0 ${WIDTH} ${height}`, role: 'img', 'aria-label': bars.map((b) => `${b.label}: ${b.value}`).join(', ') });
  bars.forEach((b, i) => {
    const y = 4 + i * (BAR_H + 4);
    const w = Math.max(1, ((WIDTH - LABEL_W - 50) * b.value) / max);
    const label = svg('text', { x: LABEL_W - 6, y: y + BAR_H - 4, 'text-anchor': 'end', class: 'chart-label' });
    label.textContent = b.label.length > 16 ? `${b.label.slice(0, 15)}…` : b.label;
    const rect = svg('rect', { x: LABEL_W, y, width: w, height: BAR_H, rx: 2, class: `bar bar-${kind}-${b.label.replace(/[^a-z_]/gi, '')}` });
    const title = svg('title');
    title.textContent = `${b.label}: ${formatCount(b.value)}${facet ? ' — click to list them' : ''}`;
    rect.appendChild(title);
    const value = svg('text', { x: LABEL_W + w + 4, y: y + BAR_H - 4, class: 'chart-value' });
    value.textContent = formatCount(b.value);
    if (facet) {
      // The whole row (label, bar, figure) is the button, so a short bar is still easy to hit.
      const hit = svg('rect', { x: 0, y: y - 2, width: WIDTH, height: BAR_H + 4, class: 'bar-hit' });
      const group = svg('g', { class: 'bar-link', role: 'button', tabindex: 0, 'data-facet': facet, 'data-value': b.label, 'aria-label': `${b.label}: ${formatCount(b.value)}. Show these records` }, [hit, label, rect, value]);
      chart.appendChild(group);
    } else chart.append(label, rect, value);
  });
  return chart;
}

/** Stacked columns per day: errors, warnings, clean. */
function stackedChart(days: Stats['validityOverTime']): SVGSVGElement {
  const h = 90;
  const shown = days.slice(-60);
  const colW = Math.max(3, Math.floor((WIDTH - 10) / Math.max(1, shown.length)));
  const max = Math.max(1, ...shown.map((d) => d.error + d.warning + d.clean));
  const chart = svg('svg', { class: 'chart stacked', viewBox: `0 0 ${WIDTH} ${h + 16}`, role: 'img', 'aria-label': 'Validity by day of last update' });
  shown.forEach((d, i) => {
    let y = h;
    for (const part of ['error', 'warning', 'clean'] as const) {
      const ph = (h * d[part]) / max;
      if (ph <= 0) continue;
      y -= ph;
      const rect = svg('rect', { x: 5 + i * colW, y, width: colW - 1, height: ph, class: `bar validity-${part} bar-link`, role: 'button', 'data-facet': 'validity', 'data-value': part });
      const title = svg('title');
      title.textContent = `${d.day}: ${d[part]} ${part} — click to list every ${part === 'clean' ? 'clean' : part} record`;
      rect.appendChild(title);
      chart.appendChild(rect);
    }
  });
  const first = svg('text', { x: 5, y: h + 13, class: 'chart-label' });
  first.textContent = shown[0]?.day ?? '';
  const last = svg('text', { x: WIDTH - 5, y: h + 13, 'text-anchor': 'end', class: 'chart-label' });
  last.textContent = shown.at(-1)?.day ?? '';
  chart.append(first, last);
  return chart;
}
