// The keyboard help overlay (`?`): a modal dialog listing every shortcut.
import { el } from './dom';

export const SHORTCUTS: [string, string][] = [
  ['j / ↓', 'Next record'],
  ['k / ↑', 'Previous record'],
  ['PageDown / PageUp', 'Move a page'],
  ['g / G  (Home / End)', 'First / last record'],
  ['a', 'Accept, then next'],
  ['r', 'Reject, then next'],
  ['f', 'Mark needs-fix, then next'],
  ['p', 'Reset to pending'],
  ['e', 'Edit the DSL'],
  ['Ctrl+S', 'Save edits (in a field)'],
  ['Escape', 'Leave a field / clear selection'],
  ['o', 'Open the DSL in an editor tab'],
  ['d', 'Duplicate'],
  ['Delete', 'Delete this record (undo with u), or the selection after a confirmation'],
  ['x / Space, Ctrl+click', 'Add to / remove from selection'],
  ['Shift+j / Shift+k, Shift+click', 'Extend selection'],
  ['A / R / F', 'Accept / reject / needs-fix the selection, or (pressed twice) everything in the filter'],
  ['u / Ctrl+Z', 'Undo'],
  ['U / Ctrl+Shift+Z / Ctrl+Y', 'Redo'],
  ['/', 'Search'],
  ['s', 'Switch between review and stats'],
  ['?', 'This help'],
];

export class HelpOverlay {
  readonly root: HTMLElement;
  private readonly close: HTMLButtonElement;
  private returnFocus: HTMLElement | null = null;

  constructor() {
    this.close = el('button', { text: 'Close', attrs: { type: 'button' } });
    this.close.addEventListener('click', () => this.hide());
    const table = el('table', { class: 'shortcuts' }, [
      el('tbody', {}, SHORTCUTS.map(([keys, what]) => el('tr', {}, [el('th', { text: keys, attrs: { scope: 'row' } }), el('td', { text: what })]))),
    ]);
    const dialog = el('div', { class: 'help-dialog', attrs: { role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'help-title' } }, [
      el('div', { class: 'help-head' }, [el('h2', { text: 'Keyboard shortcuts', attrs: { id: 'help-title' } }), this.close]),
      table,
    ]);
    this.root = el('div', { class: 'help-overlay', attrs: { hidden: true } }, [dialog]);
    this.root.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' || e.key === '?') {
        e.preventDefault();
        e.stopPropagation();
        this.hide();
      } else if (e.key === 'Tab') {
        // The only focusable element: keep focus inside the dialog.
        e.preventDefault();
        this.close.focus();
      }
    });
    this.root.addEventListener('click', (e) => {
      if (e.target === this.root) this.hide();
    });
  }

  get open(): boolean {
    return !this.root.hidden;
  }

  show(): void {
    this.returnFocus = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    this.root.hidden = false;
    this.close.focus();
  }

  hide(): void {
    this.root.hidden = true;
    this.returnFocus?.focus();
  }
}
