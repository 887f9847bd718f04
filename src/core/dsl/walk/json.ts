// Small JSON helpers shared by every part of the walk.

export type Segment = string | number;

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Describes a value for a message: `the string "x"`, `number 3`, `an array`. */
export function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  return `${typeof v} ${String(v)}`;
}

export function isNumericString(v: string): boolean {
  return v.trim() !== '' && Number.isFinite(Number(v));
}

/** A number, or a numeric string as Elasticsearch's parser coerces it; undefined otherwise. */
export function asNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && isNumericString(v)) return Number(v);
  return undefined;
}

export function escapePointerSegment(s: string): string {
  return s.includes('~') || s.includes('/') ? s.replace(/~/g, '~0').replace(/\//g, '~1') : s;
}
