// The DSL editor: CodeMirror 6 with the JSON language (auto-indent, bracket matching and closing,
// folding), a lint source fed by the engine's diagnostics from the host (each "did you mean" is a
// one-click fix), and completion from the language server's provider, also asked of the host.
// Colours come from the same JSON tokenizer and `tok-*` classes as the rest of the panel, so the
// VS Code theme drives them. CodeMirror injects its base styles as <style> elements; they carry
// the page's CSP nonce (EditorView.cspNonce), so the policy stays free of 'unsafe-inline'.
import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap, snippet, type Completion, type CompletionContext, type CompletionResult } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { json } from '@codemirror/lang-json';
import { bracketMatching, foldGutter, foldKeymap, indentOnInput, indentUnit } from '@codemirror/language';
import { forceLinting, lintGutter, linter, lintKeymap, setDiagnostics, type Action, type Diagnostic } from '@codemirror/lint';
import { EditorState, Prec, RangeSetBuilder, type Extension, type Text } from '@codemirror/state';
import { Decoration, EditorView, ViewPlugin, drawSelection, highlightActiveLine, keymap, placeholder, type DecorationSet, type ViewUpdate } from '@codemirror/view';
import type { PanelCompletionList, PanelDiagnostic } from '../shared/webview-protocol';
import { el, replaceChildren } from './dom';
import { tokenizeJson, type TokenKind } from './json-tokens';

export interface EditorEvents {
  /** The text changed by typing (not by `setValue`). */
  input(text: string): void;
  /** Ctrl/Cmd+S or Ctrl/Cmd+Enter. */
  save(): void;
  /** The engine's diagnostics for `text` (the host validates). */
  lint(text: string): Promise<readonly PanelDiagnostic[]>;
  /** What may be typed at `offset` (the host's completion provider). */
  complete(text: string, offset: number): Promise<PanelCompletionList>;
}

export interface EditorOptions {
  /** The page's CSP nonce, for the style elements CodeMirror injects. */
  nonce: string;
}

/** How long typing pauses before the host is asked to validate. */
const LINT_DELAY_MS = 120;

export class DslEditor {
  readonly root: HTMLElement;
  readonly view: EditorView;
  private readonly list: HTMLElement;
  private diagnostics: PanelDiagnostic[] = [];
  /** Set while the text is replaced from outside, so that is not reported as typing. */
  private replacing = false;

  constructor(
    private readonly events: EditorEvents,
    options: EditorOptions,
  ) {
    this.list = el('ul', { class: 'diagnostics', attrs: { id: 'dsl-diagnostics', 'aria-live': 'polite', 'aria-label': 'Problems' } });
    const host = el('div', { class: 'dsl-stack' });
    this.view = new EditorView({ parent: host, state: EditorState.create({ doc: '', extensions: this.extensions(options) }) });
    this.root = el('div', { class: 'dsl-editor' }, [host, this.list]);
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

  private extensions(options: EditorOptions): Extension[] {
    return [
      EditorView.cspNonce.of(options.nonce),
      EditorView.contentAttributes.of({ 'aria-label': 'DSL (JSON request body)', 'aria-describedby': 'dsl-diagnostics', spellcheck: 'false', autocapitalize: 'off' }),
      // Long lines wrap: the detail pane is the one scroll area, the editor never scrolls inside it.
      EditorView.lineWrapping,
      EditorState.tabSize.of(2),
      indentUnit.of('  '),
      history(),
      drawSelection(),
      highlightActiveLine(),
      json(),
      tokenColours,
      editorTheme,
      indentOnInput(),
      bracketMatching(),
      closeBrackets(),
      foldGutter(),
      lintGutter(),
      placeholder('{"query": {…}}  — Ctrl+Space completes'),
      autocompletion({ override: [(context) => this.completions(context)], icons: false, activateOnTyping: true }),
      linter((view) => this.lintSource(view), { delay: LINT_DELAY_MS }),
      Prec.high(
        keymap.of([
          { key: 'Mod-s', run: () => (this.events.save(), true), preventDefault: true },
          { key: 'Mod-Enter', run: () => (this.events.save(), true), preventDefault: true },
        ]),
      ),
      keymap.of([...closeBracketsKeymap, ...completionKeymap, ...lintKeymap, ...foldKeymap, ...historyKeymap, ...defaultKeymap, indentWithTab]),
      // Escape leaves the editor (after closing a completion list, which the keymap above handles).
      keymap.of([{ key: 'Escape', run: (view) => (view.contentDOM.blur(), true) }]),
      EditorView.updateListener.of((update) => {
        if (update.docChanged && !this.replacing) this.events.input(update.state.doc.toString());
      }),
    ];
  }

  get value(): string {
    return this.view.state.doc.toString();
  }

  /** The focusable element CodeMirror edits in. */
  get contentElement(): HTMLElement {
    return this.view.contentDOM;
  }

  focus(): void {
    this.view.focus();
  }

  /** Replaces the text (a new record, or a revert) with its known diagnostics; keeps the caret when unchanged. */
  setValue(text: string, diagnostics: readonly PanelDiagnostic[]): void {
    if (this.value !== text) {
      this.replacing = true;
      try {
        this.view.dispatch({ changes: { from: 0, to: this.view.state.doc.length, insert: text }, selection: { anchor: 0 } });
      } finally {
        this.replacing = false;
      }
    }
    this.setDiagnostics(diagnostics);
  }

  /** Shows diagnostics computed elsewhere (the record's own, from the detail). */
  setDiagnostics(diagnostics: readonly PanelDiagnostic[]): void {
    this.showList(diagnostics);
    this.view.dispatch(setDiagnostics(this.view.state, this.toCodeMirror(diagnostics, this.view.state.doc)));
  }

  /** Validates the current text now (after a revert, say) instead of after the typing pause. */
  relint(): void {
    forceLinting(this.view);
  }

  private async lintSource(view: EditorView): Promise<Diagnostic[]> {
    const doc = view.state.doc;
    const diagnostics = await this.events.lint(doc.toString());
    // An answer for text that has changed since is dropped by CodeMirror; keep the list in step.
    if (view.state.doc === doc) this.showList(diagnostics);
    return this.toCodeMirror(diagnostics, doc);
  }

  private toCodeMirror(diagnostics: readonly PanelDiagnostic[], doc: Text): Diagnostic[] {
    return diagnostics.map((d) => {
      const from = offsetOf(doc, d.range.start);
      const to = Math.max(from, offsetOf(doc, d.range.end));
      const out: Diagnostic = { from, to, severity: d.severity, message: d.message, source: d.code };
      const fix = d.fix;
      if (fix) {
        const current = doc.sliceString(from, to);
        const quoted = current.startsWith('"') && !fix.replacement.startsWith('"');
        const insert = quoted ? JSON.stringify(fix.replacement) : fix.replacement;
        if (insert !== current) {
          const action: Action = {
            name: `Change to "${fix.replacement}"`,
            apply: (view, actionFrom, actionTo) => view.dispatch({ changes: { from: actionFrom, to: actionTo, insert }, userEvent: 'input.fix' }),
          };
          out.actions = [action];
        }
      }
      return out;
    });
  }

  private async completions(context: CompletionContext): Promise<CompletionResult | null> {
    // Ask only when typing a word or string, or when completion was asked for (Ctrl+Space).
    if (!context.explicit && !context.matchBefore(/["\w.@-]+$/)) return null;
    const doc = context.state.doc;
    const answer = await this.events.complete(doc.toString(), context.pos);
    if (context.aborted || answer.items.length === 0) return null;
    // The span the host replaces may be a quoted key or value (`"mat"`). Labels are unquoted, so
    // CodeMirror filters on what follows the opening quote, and applying replaces the quotes too.
    const quoted = doc.sliceString(answer.from, answer.from + 1) === '"';
    const from = quoted ? answer.from + 1 : answer.from;
    const options: Completion[] = answer.items.map((item) => ({
      label: item.label,
      detail: item.detail ?? undefined,
      info: item.info ?? undefined,
      type: COMPLETION_TYPE[item.kind],
      boost: item.deprecated ? -50 : 0,
      apply: (view: EditorView, completion: Completion, applyFrom: number, applyTo: number) => {
        const start = quoted ? applyFrom - 1 : applyFrom;
        const end = quoted && view.state.doc.sliceString(applyTo, applyTo + 1) === '"' ? applyTo + 1 : applyTo;
        if (item.snippet) snippet(item.apply)(view, completion, start, end);
        else view.dispatch({ changes: { from: start, to: end, insert: item.apply }, selection: { anchor: start + item.apply.length }, userEvent: 'input.complete' });
      },
    }));
    return { from, to: context.pos, options, validFor: /^[\w.@-]*$/ };
  }

  private showList(diagnostics: readonly PanelDiagnostic[]): void {
    this.diagnostics = [...diagnostics];
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

  /** Selects a diagnostic's range in the editor. */
  private reveal(i: number): void {
    const d = this.diagnostics[i];
    if (!d) return;
    const doc = this.view.state.doc;
    this.view.dispatch({ selection: { anchor: offsetOf(doc, d.range.start), head: offsetOf(doc, d.range.end) }, scrollIntoView: true });
    this.view.focus();
  }
}

const COMPLETION_TYPE: Record<PanelCompletionList['items'][number]['kind'], string> = {
  query: 'function',
  aggregation: 'class',
  keyword: 'keyword',
  property: 'property',
  field: 'variable',
  value: 'enum',
};

/** An LSP-style position (0-based line and UTF-16 character) as an offset, clamped to the text. */
function offsetOf(doc: Text, position: { line: number; character: number }): number {
  if (position.line >= doc.lines) return doc.length;
  const line = doc.line(position.line + 1);
  return Math.min(line.to, line.from + position.character);
}

/** CodeMirror's own parts in the VS Code theme's colours (the CSS variables the webview host sets). */
const editorTheme = EditorView.theme(
  {
    '&': { color: 'var(--vscode-editor-foreground, #d4d4d4)', backgroundColor: 'var(--vscode-editor-background, #1e1e1e)', fontSize: 'var(--mono-size)' },
    '&.cm-focused': { outline: '1px solid var(--focus)' },
    '.cm-scroller': { fontFamily: 'var(--mono)', lineHeight: '1.5' },
    '.cm-content': { caretColor: 'var(--vscode-editorCursor-foreground, #aeafad)', padding: '4px 0' },
    '.cm-cursor, .cm-dropCursor': { borderLeftColor: 'var(--vscode-editorCursor-foreground, #aeafad)' },
    '&.cm-focused .cm-selectionBackground, .cm-selectionBackground, ::selection': { backgroundColor: 'var(--vscode-editor-selectionBackground, #264f78)' },
    '.cm-activeLine': { backgroundColor: 'var(--vscode-editor-lineHighlightBackground, rgba(255, 255, 255, 0.04))' },
    '.cm-gutters': { backgroundColor: 'var(--vscode-editorGutter-background, transparent)', color: 'var(--muted)', border: 'none' },
    '.cm-matchingBracket': { backgroundColor: 'var(--vscode-editorBracketMatch-background, rgba(0, 100, 0, 0.3))', outline: '1px solid var(--vscode-editorBracketMatch-border, #888)' },
    '.cm-placeholder': { color: 'var(--muted)' },
    '.cm-tooltip': { backgroundColor: 'var(--vscode-editorHoverWidget-background, #252526)', color: 'var(--fg)', border: '1px solid var(--vscode-editorHoverWidget-border, #454545)' },
    '.cm-tooltip-autocomplete > ul > li[aria-selected]': { backgroundColor: 'var(--vscode-editorSuggestWidget-selectedBackground, #04395e)', color: 'var(--vscode-editorSuggestWidget-selectedForeground, #fff)' },
    '.cm-completionDetail': { color: 'var(--muted)', fontStyle: 'normal', marginLeft: '8px' },
    '.cm-diagnosticAction': { backgroundColor: 'var(--button-bg)', color: 'var(--button-fg)', borderRadius: '2px' },
    '.cm-diagnostic-error': { borderLeftColor: 'var(--error)' },
    '.cm-diagnostic-warning': { borderLeftColor: 'var(--warning)' },
    '.cm-diagnostic-info': { borderLeftColor: 'var(--info)' },
  },
  { dark: true },
);

const TOKEN_MARKS: Partial<Record<TokenKind, Decoration>> = {
  key: Decoration.mark({ class: 'tok-key' }),
  string: Decoration.mark({ class: 'tok-string' }),
  number: Decoration.mark({ class: 'tok-number' }),
  keyword: Decoration.mark({ class: 'tok-keyword' }),
  punctuation: Decoration.mark({ class: 'tok-punctuation' }),
  invalid: Decoration.mark({ class: 'tok-invalid' }),
};

function colour(view: EditorView): DecorationSet {
  const builder = new RangeSetBuilder<Decoration>();
  for (const { from, to } of view.visibleRanges) {
    for (const t of tokenizeJson(view.state.doc.sliceString(from, to))) {
      const mark = TOKEN_MARKS[t.kind];
      if (mark && t.end > t.start) builder.add(from + t.start, from + t.end, mark);
    }
  }
  return builder.finish();
}

/** Colours JSON tokens with the panel's `tok-*` classes (themed by VS Code variables in panel.css). */
const tokenColours = ViewPlugin.fromClass(
  class {
    decorations: DecorationSet;
    constructor(view: EditorView) {
      this.decorations = colour(view);
    }
    update(u: ViewUpdate) {
      if (u.docChanged || u.viewportChanged) this.decorations = colour(u.view);
    }
  },
  { decorations: (v) => v.decorations },
);
