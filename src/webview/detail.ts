// The detail view of one record: question, rationale and DSL (editable, with live diagnostics),
// the normalised DSL, teacher metadata and the review actions.
import type { Detail, PanelDiagnostic, ReviewAction } from '../shared/webview-protocol';
import { el, replaceChildren } from './dom';
import { DslEditor, renderHighlighted } from './dsl-editor';

export interface Draft {
  question: string;
  rationale: string;
  dslText: string;
}

export interface DetailEvents {
  action(action: ReviewAction): void;
  save(id: string, draft: Draft): void;
  validate(text: string): void;
  openInEditor(id: string): void;
  /** The draft changed (persisted in webview state so a reload keeps it). */
  draftChanged(id: string, draft: Draft | null): void;
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

  constructor(private readonly events: DetailEvents) {
    this.editor = new DslEditor({ input: (text) => this.onInput(text), save: () => this.save() });
    this.empty = el('p', { class: 'detail-empty', text: 'Select a record (j/k or arrows) to review it.' });
    this.heading = el('h2', { class: 'detail-id' });
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
    const open = el('button', { text: 'Open in editor', attrs: { type: 'button', title: 'Edit the DSL in an editor tab with the language server (o)' } });
    open.addEventListener('click', () => this.detail && this.events.openInEditor(this.detail.id));
    this.saveButton.addEventListener('click', () => this.save());
    this.revertButton.addEventListener('click', () => this.revert());
    for (const field of [this.question, this.rationale]) {
      field.addEventListener('input', () => {
        autoGrow(field);
        this.onInput(null);
      });
      field.addEventListener('keydown', (e) => {
        if ((e.ctrlKey || e.metaKey) && (e.key === 's' || e.key === 'Enter')) {
          e.preventDefault();
          this.save();
        } else if (e.key === 'Escape') field.blur();
      });
    }
    this.body = el('div', { class: 'detail-body', attrs: { hidden: true } }, [
      el('div', { class: 'detail-head' }, [this.heading, this.badges]),
      actions,
      el('label', { class: 'field-label', text: 'Question', attrs: { for: 'field-question' } }),
      this.question,
      el('label', { class: 'field-label', text: 'Rationale', attrs: { for: 'field-rationale' } }),
      this.rationale,
      el('div', { class: 'field-label-row' }, [el('span', { class: 'field-label', text: 'DSL' }), open]),
      this.editor.root,
      el('div', { class: 'save-row' }, [this.saveButton, this.revertButton, this.dirtyNote]),
      el('details', { class: 'normalized-box' }, [el('summary', { text: 'Normalised DSL' }), this.normalized]),
      el('h3', { class: 'section-title', text: 'Teacher' }),
      this.meta,
    ]);
    this.root = el('section', { class: 'detail', attrs: { 'aria-label': 'Record detail' } }, [this.empty, this.body]);
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
      if (draft && draft.dslText !== detail.dslText) this.events.validate(draft.dslText);
    }
    this.setNormalized(detail.normalizedText);
    this.renderMeta(detail);
    this.updateDirty();
    requestAnimationFrame(() => {
      autoGrow(this.question);
      autoGrow(this.rationale);
    });
  }

  setDiagnostics(diagnostics: readonly PanelDiagnostic[], normalizedText: string | null): void {
    this.editor.setDiagnostics(diagnostics);
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
    this.editor.textarea.focus();
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

  private onInput(dslText: string | null): void {
    if (dslText !== null) this.events.validate(dslText);
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
