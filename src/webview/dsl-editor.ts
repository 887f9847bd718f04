// The DSL editor: a plain textarea over a syntax-coloured copy of its text. The copy is built from
// tokens as text nodes (never markup), and diagnostic ranges from the validator are marked in it
// at the exact characters they concern, with the messages listed below.
import type { PanelDiagnostic } from '../shared/webview-protocol';
import { el, replaceChildren } from './dom';
import { lineStarts, offsetAt, tokenizeJson } from './json-tokens';

export interface EditorEvents {
  /** The text changed by typing; debounced validation is up to the owner. */
  input(text: string): void;
  /** Ctrl/Cmd+S or Ctrl/Cmd+Enter. */
  save(): void;
}

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

export class DslEditor {
  readonly root: HTMLElement;
  readonly textarea: HTMLTextAreaElement;
  private readonly highlight: HTMLElement;
  private readonly list: HTMLElement;
  private diagnostics: PanelDiagnostic[] = [];

  constructor(private readonly events: EditorEvents) {
    this.highlight = el('pre', { class: 'dsl-highlight', attrs: { 'aria-hidden': 'true' } });
    this.textarea = el('textarea', {
      class: 'dsl-input',
      attrs: { spellcheck: 'false', wrap: 'off', autocomplete: 'off', autocapitalize: 'off', 'aria-label': 'DSL (JSON request body)', 'aria-describedby': 'dsl-diagnostics' },
    });
    this.list = el('ul', { class: 'diagnostics', attrs: { id: 'dsl-diagnostics', 'aria-live': 'polite', 'aria-label': 'Problems' } });
    this.root = el('div', { class: 'dsl-editor' }, [el('div', { class: 'dsl-stack' }, [this.highlight, this.textarea]), this.list]);
    this.textarea.addEventListener('input', () => {
      this.paint();
      this.events.input(this.textarea.value);
    });
    this.textarea.addEventListener('scroll', () => {
      this.highlight.scrollTop = this.textarea.scrollTop;
      this.highlight.scrollLeft = this.textarea.scrollLeft;
    });
    this.textarea.addEventListener('keydown', (e) => {
      if ((e.ctrlKey || e.metaKey) && (e.key === 's' || e.key === 'Enter')) {
        e.preventDefault();
        this.events.save();
      } else if (e.key === 'Tab' && !e.shiftKey && !e.ctrlKey && !e.altKey) {
        // Two spaces, like the pretty-printer; Escape then Tab leaves the field.
        e.preventDefault();
        this.textarea.setRangeText('  ', this.textarea.selectionStart, this.textarea.selectionEnd, 'end');
        this.paint();
        this.events.input(this.textarea.value);
      } else if (e.key === 'Escape') {
        this.textarea.blur();
      }
    });
    this.list.addEventListener('click', (e) => {
      const item = (e.target as Element).closest<HTMLElement>('li[data-index]');
      if (item) this.reveal(Number(item.dataset['index']));
    });
    this.list.addEventListener('keydown', (e) => {
      const item = (e.target as Element).closest<HTMLElement>('li[data-index]');
      if (item && (e.key === 'Enter' || e.key === ' ')) {
        e.preventDefault();
        this.reveal(Number(item.dataset['index']));
      }
    });
  }

  get value(): string {
    return this.textarea.value;
  }

  /** Replaces the text (a new record, or a revert); keeps the caret when the text is unchanged. */
  setValue(text: string, diagnostics: readonly PanelDiagnostic[]): void {
    if (this.textarea.value !== text) this.textarea.value = text;
    this.setDiagnostics(diagnostics);
  }

  setDiagnostics(diagnostics: readonly PanelDiagnostic[]): void {
    this.diagnostics = [...diagnostics];
    this.paint();
    replaceChildren(
      this.list,
      this.diagnostics.map((d, i) =>
        el('li', { class: `diagnostic severity-${d.severity}`, attrs: { 'data-index': i, tabindex: 0, role: 'button', 'aria-label': `${d.severity} on line ${d.range.start.line + 1}: ${d.message}` } }, [
          el('span', { class: 'diagnostic-where', text: `${d.range.start.line + 1}:${d.range.start.character + 1}` }),
          el('span', { class: 'diagnostic-message', text: d.message }),
          el('span', { class: 'diagnostic-code', text: d.code }),
        ]),
      ),
    );
  }

  private paint(): void {
    renderHighlighted(this.highlight, this.textarea.value, this.diagnostics);
    // Grow with the content so the detail pane, not the field, scrolls.
    this.textarea.style.height = 'auto';
    this.textarea.style.height = `${this.textarea.scrollHeight}px`;
  }

  /** Puts the caret on a diagnostic's range. */
  private reveal(i: number): void {
    const d = this.diagnostics[i];
    if (!d) return;
    const starts = lineStarts(this.textarea.value);
    const len = this.textarea.value.length;
    this.textarea.focus();
    this.textarea.setSelectionRange(offsetAt(starts, len, d.range.start), offsetAt(starts, len, d.range.end));
  }
}
