// Placeholder wiring; the owning work item replaces it.
import type { Context, Feature } from '../ctx';

export function createLanguageFeature(_ctx: Context): Feature {
  return { commands: {} };
}
