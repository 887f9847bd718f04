import type { Severity } from './types';

/** Every code the engine can emit, with its default severity. Tests trigger each one. */
export const DIAGNOSTIC_CODES: Record<string, { severity: Severity; description: string }> = {
  'json-syntax': { severity: 'error', description: 'The text is not valid JSON.' },
};
