// Read-only JSON shown with colour (the normalised DSL): built from tokens as text nodes, never
// markup, with diagnostic ranges marked at the exact characters they concern.
import type { PanelDiagnostic } from '../shared/webview-protocol';
import { el } from './dom';
import { lineStarts, offsetAt, tokenizeJson } from './json-tokens';

/** Renders `text` as coloured spans into `target`, marking the diagnostics' ranges. */
export function renderHighlighted(target: HTMLElement, text: string, diagnostics: readonly PanelDiagnostic[] = []): void {
  const starts = lineStarts(text);
  const marks = diagnostics.map((d) => {
    const from = offsetAt(starts, text.length, d.range.start);
    let to = offsetAt(starts, text.length, d.range.end);
    // An empty range still deserves a visible mark: one character (or a placeholder at the end).
    if (to <= from) to = Math.min(text.length, from + 1);
    return { from, to, severity: d.severity, message: d.message };
  });
  const cuts = new Set<number>([0, text.length]);
  const tokens = tokenizeJson(text);
  for (const t of tokens) cuts.add(t.start);
  for (const m of marks) {
    cuts.add(m.from);
    cuts.add(m.to);
  }
  const points = [...cuts].sort((a, b) => a - b);
  const frag = document.createDocumentFragment();
  let ti = 0;
  for (let i = 0; i + 1 < points.length; i++) {
    const from = points[i]!;
    const to = points[i + 1]!;
    while (ti < tokens.length && tokens[ti]!.end <= from) ti++;
    const token = tokens[ti];
    const span = document.createElement('span');
    span.className = token && token.start <= from ? `tok-${token.kind}` : 'tok-whitespace';
    const covering = marks.filter((m) => m.from <= from && m.to >= to);
    if (covering.length) {
      const worst = covering.some((m) => m.severity === 'error') ? 'error' : covering.some((m) => m.severity === 'warning') ? 'warning' : 'info';
      span.classList.add('diag', `diag-${worst}`);
      span.title = covering.map((m) => m.message).join('\n');
    }
    span.textContent = text.slice(from, to);
    frag.appendChild(span);
  }
  // A diagnostic at the very end (e.g. "unexpected end of input") gets a visible marker.
  const atEnd = marks.filter((m) => m.from >= text.length);
  if (atEnd.length) {
    const span = el('span', { class: `diag diag-${atEnd[0]!.severity} diag-eof`, text: ' ' });
    span.title = atEnd.map((m) => m.message).join('\n');
    frag.appendChild(span);
  }
  // A trailing newline needs a character after it to take up its line.
  frag.appendChild(document.createTextNode('\n'));
  target.replaceChildren(frag);
}
