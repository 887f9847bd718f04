import type { IndexMapping, MappedField } from './types';
export function parseMapping(json: unknown): IndexMapping { void json; return { fields: new Map() }; }
export function mappedFields(mapping: IndexMapping): { path: string; type: string }[] { return [...mapping.fields.values()].map((f) => ({ path: f.path, type: f.type })); }
export function lookupField(mapping: IndexMapping, path: string): MappedField | undefined { return mapping.fields.get(path); }
