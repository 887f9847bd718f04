// The detail view of one record: question, rationale and DSL (editable, with live diagnostics),
// the normalised DSL, teacher metadata and the actions. In the narrow sidebar its head is a
// toggle that folds the rest away so the list gets the height.
//
// Actions: the review decisions are fixed; record actions ("Open in editor", and whatever a
// feature adds with `addAction`, such as running the DSL against a cluster) go in their own group.
import type { Detail, PanelCompletionList, PanelDiagnostic, ReviewAction } from '../shared/webview-protocol';
import { el, replaceChildren } from './dom';
import { DslEditor } from './dsl-editor';
import { renderHighlighted } from './json-view';

export interface Draft {
  question: string;
  rationale: string;
  dslText: string;
}

export interface DetailEvents {
  action(action: ReviewAction): void;
  save(id: string, draft: Draft): void;
  /** The engine's diagnostics for DSL text being edited (asked of the host). */
  lint(text: string): Promise<readonly PanelDiagnostic[]>;
  complete(text: string, offset: number): Promise<PanelCompletionList>;
  openInEditor(id: string): void;
  /** The draft changed (persisted in webview state so a reload keeps it). */
  draftChanged(id: string, draft: Draft | null): void;
  /** The person folded or unfolded the detail (narrow layout). */
  toggled(open: boolean): void;
}

/** A button in the detail's record-actions group, for the record shown. */
export interface DetailAction {
  id: string;
  label: string;
  title: string;
  run(detail: Detail): void;
  /** Disabled when this says false (re-evaluated whenever a record is shown). */
  enabled?(detail: Detail): boolean;
}

const STATUS_TEXT: Record<Detail['status'], string> = {
  pending: 'Pending',
  generated: 'Generated',
  accepted: 'Accepted',
  rejected: 'Rejected',
  needs_fix: 'Needs fix',
};

export class DetailView {
  readonly root: HTMLElement;
  readonly editor: DslEditor;
  private readonly empty: HTMLElement;
  private readonly body: HTMLElement;
  private readonly content: HTMLElement;
  private readonly toggle: HTMLButtonElement;
  private readonly recordActions: HTMLElement;
  private readonly extraActions: { action: DetailAction; button: HTMLButtonElement }[] = [];
  private readonly heading: HTMLElement;
  private readonly badges: HTMLElement;
  private readonly question: HTMLTextAreaElement;
  private readonly rationale: HTMLTextAreaElement;
  private readonly normalized: HTMLElement;
  private readonly meta: HTMLElement;
  private readonly saveButton: HTMLButtonElement;
  private readonly revertButton: HTMLButtonElement;
  private readonly dirtyNote: HTMLElement;
  private detail: Detail | null = null;

  constructor(
    private readonly events: DetailEvents,
    options: { nonce: string; open: boolean },
  ) {
    this.editor = new DslEditor(
      { input: () => this.onInput(), save: () => this.save(), lint: (text) => events.lint(text), complete: (text, offset) => events.complete(text, offset) },
      { nonce: options.nonce },
    );
    this.empty = el('p', { class: 'detail-empty', text: 'Select a record (j/k or arrows) to review it.' });
    this.heading = el('span', { class: 'detail-id' });
    this.badges = el('div', { class: 'detail-badges' });
    this.question = el('textarea', { class: 'field-question', attrs: { id: 'field-question', rows: 2, spellcheck: 'true' } });
    this.rationale = el('textarea', { class: 'field-rationale', attrs: { id: 'field-rationale', rows: 4, spellcheck: 'true' } });
    this.normalized = el('pre', { class: 'normalized', attrs: { 'aria-label': 'Normalised DSL' } });
    this.meta = el('dl', { class: 'meta' });
    this.saveButton = el('button', { class: 'primary', text: 'Save', attrs: { type: 'button', title: 'Save edits (Ctrl+S)', disabled: true } });
    this.revertButton = el('button', { text: 'Revert', attrs: { type: 'button', disabled: true } });
    this.dirtyNote = el('span', { class: 'dirty-note', attrs: { 'aria-live': 'polite' } });
    const actions = el('div', { class: 'actions', attrs: { role: 'toolbar', 'aria-label': 'Review actions' } }, [
      this.actionButton('accept', 'Accept', 'a'),
      this.actionButton('reject', 'Reject', 'r'),
      this.actionButton('needs_fix', 'Needs fix', 'f'),
      this.actionButton('reset', 'Reset', 'p'),
      this.actionButton('duplicate', 'Duplicate', 'd'),
      this.actionButton('delete', 'Delete', 'Del'),
    ]);
    this.recordActions = el('div', { class: 'record-actions', attrs: { role: 'toolbar', 'aria-label': 'Record actions' } });
    this.addAction({ id: 'open-in-editor', label: 'Open in editor', title: 'Edit the DSL in an editor tab with the language server (o)', run: (d) => this.events.openInEditor(d.id) });
    this.saveButton.addEventListener('click', () => this.save());
    this.revertButton.addEventListener('click', () => this.revert());
    for (const field of [this.question, this.rationale]) {
      field.addEventListener('input', () => {
        autoGrow(field);
        this.onInput();
      });
      field.addEventListener('keydown', (e) => {
        if ((e.ctrlKey || e.metaKey) && (e.key === 's' || e.key === 'Enter')) {
          e.preventDefault();
          this.save();
        } else if (e.key === 'Escape') field.blur();
      });
    }
    // The head folds the detail in the narrow sidebar; in the wide panel it is just a heading.
    this.toggle = el('button', { class: 'detail-toggle', attrs: { type: 'button', 'aria-expanded': String(options.open), 'aria-controls': 'detail-content', title: 'Show or hide the record' } }, [
      el('span', { class: 'detail-chevron', attrs: { 'aria-hidden': 'true' } }),
      this.heading,
      this.badges,
    ]);
    this.toggle.addEventListener('click', () => this.setOpen(this.toggle.getAttribute('aria-expanded') !== 'true', true));
    this.content = el('div', { class: 'detail-content', attrs: { id: 'detail-content' } }, [
      actions,
      el('label', { class: 'field-label', text: 'Question', attrs: { for: 'field-question' } }),
      this.question,
      el('label', { class: 'field-label', text: 'Rationale', attrs: { for: 'field-rationale' } }),
      this.rationale,
      el('div', { class: 'field-label-row' }, [el('span', { class: 'field-label', text: 'DSL' }), this.recordActions]),
      this.editor.root,
      el('div', { class: 'save-row' }, [this.saveButton, this.revertButton, this.dirtyNote]),
      el('details', { class: 'normalized-box' }, [el('summary', { text: 'Normalised DSL' }), this.normalized]),
      el('h3', { class: 'section-title', text: 'Teacher' }),
      this.meta,
    ]);
    this.body = el('div', { class: 'detail-body', attrs: { hidden: true } }, [el('div', { class: 'detail-head' }, [this.toggle]), this.content]);
    this.root = el('section', { class: 'detail', attrs: { 'aria-label': 'Record detail' } }, [this.empty, this.body]);
    this.setOpen(options.open, false);
  }

  /**
   * Adds a button to the record-actions group (next to "Open in editor"). This is where a feature
   * puts what it does with the record shown, e.g. a Run button that executes its DSL.
   */
  addAction(action: DetailAction): void {
    const button = el('button', { class: `record-action record-action-${action.id}`, text: action.label, attrs: { type: 'button', title: action.title } });
    button.addEventListener('click', () => this.detail && action.run(this.detail));
    this.extraActions.push({ action, button });
    this.recordActions.appendChild(button);
  }

  get open(): boolean {
    return this.toggle.getAttribute('aria-expanded') === 'true';
  }

  /** Folds or unfolds the detail (the narrow layout honours it; the wide one always shows it). */
  setOpen(open: boolean, byPerson: boolean): void {
    this.toggle.setAttribute('aria-expanded', String(open));
    this.root.classList.toggle('collapsed', !open);
    if (byPerson) this.events.toggled(open);
  }

  /** What the detail area says when no record is shown (e.g. "no dataset found"). */
  setEmptyText(text: string): void {
    this.empty.textContent = text;
  }

  get current(): Detail | null {
    return this.detail;
  }

  /** Shows a record; a saved draft for it (from before a reload) is restored over it. */
  show(detail: Detail | null, draft: Draft | null): void {
    const sameRecord = this.detail?.id === detail?.id;
    const hadEdits = sameRecord && this.isDirty();
    this.detail = detail;
    this.empty.hidden = detail !== null;
    this.body.hidden = detail === null;
    if (!detail) return;
    this.heading.textContent = detail.id;
    replaceChildren(this.badges, [
      el('span', { class: `badge status-${detail.status}`, text: STATUS_TEXT[detail.status] }),
      detail.split ? el('span', { class: 'badge', text: detail.split }) : null,
      detail.queryType ? el('span', { class: 'badge type', text: detail.queryType }) : null,
    ]);
    if (!hadEdits) {
      const d = draft ?? { question: detail.question, rationale: detail.rationale, dslText: detail.dslText };
      this.question.value = d.question;
      this.rationale.value = d.rationale;
      this.editor.setValue(d.dslText, draft && draft.dslText !== detail.dslText ? [] : detail.diagnostics);
      if (draft && draft.dslText !== detail.dslText) this.editor.relint();
    }
    for (const { action, button } of this.extraActions) button.disabled = action.enabled ? !action.enabled(detail) : false;
    this.setNormalized(detail.normalizedText);
    this.renderMeta(detail);
    this.updateDirty();
    requestAnimationFrame(() => {
      autoGrow(this.question);
      autoGrow(this.rationale);
    });
  }

  /** The normalised form of the DSL being edited (comes with each validation answer). */
  setNormalizedText(normalizedText: string | null): void {
    this.setNormalized(normalizedText);
  }

  isDirty(): boolean {
    const d = this.detail;
    if (!d) return false;
    return this.question.value !== d.question || this.rationale.value !== d.rationale || this.editor.value !== d.dslText;
  }

  draft(): Draft {
    return { question: this.question.value, rationale: this.rationale.value, dslText: this.editor.value };
  }

  focusEditor(): void {
    if (!this.open) this.setOpen(true, true);
    this.editor.focus();
  }

  save(): void {
    if (!this.detail || !this.isDirty()) return;
    this.events.save(this.detail.id, this.draft());
  }

  private revert(): void {
    const d = this.detail;
    if (!d) return;
    this.question.value = d.question;
    this.rationale.value = d.rationale;
    this.editor.setValue(d.dslText, d.diagnostics);
    this.setNormalized(d.normalizedText);
    this.updateDirty();
  }

  private onInput(): void {
    this.updateDirty();
  }

  private updateDirty(): void {
    const dirty = this.isDirty();
    this.saveButton.disabled = !dirty;
    this.revertButton.disabled = !dirty;
    this.dirtyNote.textContent = dirty ? 'Unsaved edits' : '';
    if (this.detail) this.events.draftChanged(this.detail.id, dirty ? this.draft() : null);
  }

  private setNormalized(text: string | null): void {
    if (text === null) this.normalized.textContent = '(no DSL, or not valid JSON)';
    else renderHighlighted(this.normalized, text);
  }

  private renderMeta(d: Detail): void {
    const s = d.source;
    const rows: [string, string][] = [
      ['Source', s?.kind ?? 'unknown'],
      ['Model', s?.model ?? '—'],
      ['Tokens', s && (s.inputTokens !== null || s.outputTokens !== null) ? `${s.inputTokens ?? '?'} in / ${s.outputTokens ?? '?'} out` : '—'],
      ['Cost', s?.costUsd !== null && s?.costUsd !== undefined ? `$${s.costUsd.toFixed(4)}` : '—'],
      ['Prompt', s?.promptHash ?? '—'],
      ['Updated', d.updatedAt ?? '—'],
    ];
    if (d.notes) rows.push(['Notes', d.notes]);
    if (d.extraKeys.length) rows.push(['Other keys', d.extraKeys.join(', ')]);
    replaceChildren(
      this.meta,
      rows.flatMap(([k, v]) => [el('dt', { text: k }), el('dd', { text: v })]),
    );
  }

  private actionButton(action: ReviewAction, label: string, key: string): HTMLButtonElement {
    const b = el('button', { class: `action action-${action}`, attrs: { type: 'button', 'aria-keyshortcuts': key === 'Del' ? 'Delete' : key, title: `${label} (${key})` } }, [
      label,
      el('kbd', { text: key }),
    ]);
    b.addEventListener('click', () => this.events.action(action));
    return b;
  }
}

function autoGrow(field: HTMLTextAreaElement): void {
  field.style.height = 'auto';
  field.style.height = `${field.scrollHeight + 2}px`;
}
