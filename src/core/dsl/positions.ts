import type { PositionedProblem, Range, ValidateOptions } from './types';
/** Parses one JSON request body text; syntax errors become problems with code 'json-syntax'. Ranges 0-based. */
export function validateText(text: string, options?: ValidateOptions): PositionedProblem[] { void text; void options; return []; }
/** One line of a *.dss.jsonl dataset: validates its `dsl` (pointer prefixed with /dsl) and the record shape; ranges are on line `lineIndex` (0-based). Returns recordId when parseable. */
export function validateDatasetLine(lineText: string, lineIndex: number, options?: ValidateOptions): { recordId?: string; problems: PositionedProblem[] } { void lineText; void lineIndex; void options; return { problems: [] }; }
/** The range of the key (for renameKey fixes) or value at `pointer` in `text`. */
export function problemRange(text: string, pointer: string, onKey?: boolean): Range { void text; void pointer; void onKey; return { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }; }
