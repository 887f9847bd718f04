// Types for examples/seed/generate.mjs, so the TypeScript tests import it checked.
export const examplesDir: string;
export const defaultSeedDir: string;
export const DEFAULT_COUNT: number;
export const DEFAULT_SEED: number;
export function generateOrders(options?: { count?: number; seed?: number; now?: number }): Record<string, unknown>[];
export function ensureOrdersSeed(options?: { out?: string; count?: number; seed?: number; now?: number }): string;
