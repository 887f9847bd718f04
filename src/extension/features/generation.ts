// Placeholder wiring; the owning work item replaces it.
import type { Context, Feature } from '../ctx';

export function createGenerationFeature(_ctx: Context): Feature {
  return { commands: {} };
}
