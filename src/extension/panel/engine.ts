// The panel's view of the Query DSL engine (src/core/dsl): validity for the list, positioned
// diagnostics for the editor, the normalised body, query and aggregation types for stats.
import {
  aggregationTypes,
  normalizeBody,
  topQueryType,
  validateBody,
  validateText,
  type ValidateOptions,
} from '../../core/dsl';
import type { PanelDiagnostic } from '../../shared/webview-protocol';
import { completeDsl, completionSettings, type PanelCompletions } from './completion';
import type { Classifier } from './record-index';

export interface PanelEngine extends Classifier {
  diagnose(text: string): PanelDiagnostic[];
  normalized(body: Record<string, unknown>): string | null;
  aggregationTypes(body: Record<string, unknown>): string[];
  /** What may be typed at `offset` in DSL text (the language server's completion provider). */
  complete(text: string, offset: number): PanelCompletions;
}

const MAX_DIAGNOSTICS = 1000;

export function createPanelEngine(options: ValidateOptions = {}): PanelEngine {
  let settings: ReturnType<typeof completionSettings> | undefined;
  return {
    validity(body) {
      let worst: 'error' | 'warning' | 'clean' = 'clean';
      for (const p of validateBody(body, options)) {
        if (p.severity === 'error') return 'error';
        if (p.severity === 'warning') worst = 'warning';
      }
      return worst;
    },
    topQueryType(body) {
      return topQueryType(body);
    },
    diagnose(text) {
      if (text.trim() === '') return [];
      return validateText(text, options)
        .slice(0, MAX_DIAGNOSTICS)
        .map((p) => ({
          severity: p.severity,
          code: p.code.slice(0, 200),
          message: p.message.slice(0, 4000),
          pointer: p.pointer.slice(0, 4000),
          range: p.range,
          ...(p.fix && p.fix.replacement.length <= 400 ? { fix: { kind: p.fix.kind, replacement: p.fix.replacement } } : {}),
        }));
    },
    normalized(body) {
      try {
        return JSON.stringify(normalizeBody(body), null, 2);
      } catch {
        return null;
      }
    },
    complete(text, offset) {
      settings ??= completionSettings(options);
      return completeDsl(text, offset, settings);
    },
    aggregationTypes(body) {
      try {
        return aggregationTypes(body);
      } catch {
        return [];
      }
    },
  };
}
