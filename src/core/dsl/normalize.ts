export function normalizeBody(body: unknown): unknown { return body; }
export function canonicalJson(body: unknown): string { return JSON.stringify(normalizeBody(body)); }
export function topQueryType(body: unknown): string | null { void body; return null; }
export function aggregationTypes(body: unknown): string[] { void body; return []; }
