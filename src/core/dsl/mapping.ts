// Index mappings: accepts the three shapes people have at hand and flattens them into one table
// of dotted field paths, so every check is one Map lookup.
import type { IndexMapping, MappedField } from './types';

const NUMERIC_TYPES = new Set([
  'long', 'integer', 'short', 'byte', 'double', 'float', 'half_float', 'scaled_float', 'unsigned_long',
]);
const DATE_TYPES = new Set(['date', 'date_nanos']);
const GEO_TYPES = new Set(['geo_point', 'geo_shape']);
const SHAPE_TYPES = new Set(['point', 'shape']);
const TEXT_TYPES = new Set(['text', 'match_only_text', 'annotated_text']);

export function isNumericType(type: string): boolean { return NUMERIC_TYPES.has(type); }
export function isDateType(type: string): boolean { return DATE_TYPES.has(type); }
export function isGeoType(type: string): boolean { return GEO_TYPES.has(type); }
export function isShapeType(type: string): boolean { return SHAPE_TYPES.has(type); }
export function isTextType(type: string): boolean { return TEXT_TYPES.has(type); }

/** Metadata fields every index has. */
const META_FIELDS: Record<string, string> = {
  _id: 'keyword', _index: 'keyword', _routing: 'keyword', _source: 'object', _score: 'float', _doc: 'long',
  _tier: 'keyword', _ignored: 'keyword', _seq_no: 'long', _version: 'long', _field_names: 'keyword',
  _primary_term: 'long', _data_stream_timestamp: 'date', _doc_count: 'long', _tsid: 'keyword',
};

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Finds the bare mappings object ({properties, runtime, dynamic, …}) in any accepted shape.
 * `inMappings`: the value of a `mappings` key, which is the bare object even when it has no
 * fields — Elasticsearch returns `"mappings": {}` for an index created without any.
 */
function findMappings(json: unknown, inMappings = false): Record<string, unknown> {
  const expected =
    'expected an index mapping: the GET <index>/_mapping response {"<index>": {"mappings": {…}}}, a create-index body {"mappings": {…}}, or a bare mappings object {"properties": {…}}';
  if (!isRecord(json)) throw new Error(`${expected}; got ${Array.isArray(json) ? 'an array' : json === null ? 'null' : typeof json}`);
  if (isRecord(json['properties']) || isRecord(json['runtime'])) return json;
  if (isRecord(json['mappings'])) return findMappings(json['mappings'], true);
  if (inMappings && !isRecord(json['_doc'])) return json; // an index without fields: nothing known, nothing wrong
  const keys = Object.keys(json);
  if (keys.length >= 1 && keys.every((k) => isRecord(json[k]) && isRecord((json[k] as Record<string, unknown>)['mappings']))) {
    // GET _mapping of several indices: merge their fields (first definition wins).
    if (keys.length === 1) return findMappings((json[keys[0]!] as Record<string, unknown>)['mappings'], true);
    const merged: Record<string, unknown> = { properties: {}, runtime: {} };
    for (const k of keys) {
      const m = findMappings((json[k] as Record<string, unknown>)['mappings'], true);
      Object.assign(merged['properties'] as object, { ...(m['properties'] as object), ...(merged['properties'] as object) });
      Object.assign(merged['runtime'] as object, { ...(m['runtime'] as object), ...(merged['runtime'] as object) });
    }
    return merged;
  }
  if (isRecord(json['_doc']) && isRecord((json['_doc'] as Record<string, unknown>)['properties'])) {
    return json['_doc'] as Record<string, unknown>; // 6.x typed mapping
  }
  throw new Error(`${expected}; found keys [${keys.slice(0, 5).join(', ')}]`);
}

/** Accepts GET _mapping response, create-index body, or bare mappings object; throws Error naming what it expected. */
export function parseMapping(json: unknown): IndexMapping {
  const root = findMappings(json);
  const fields = new Map<string, MappedField>();
  for (const [name, type] of Object.entries(META_FIELDS)) fields.set(name, { path: name, type });
  // Iterative walk: mappings can be deep, and a stack of frames keeps it safe and simple.
  const stack: { props: Record<string, unknown>; prefix: string; nested: string | undefined }[] = [];
  if (isRecord(root['properties'])) stack.push({ props: root['properties'], prefix: '', nested: undefined });
  while (stack.length > 0) {
    const { props, prefix, nested } = stack.pop()!;
    for (const [name, def] of Object.entries(props)) {
      if (!isRecord(def)) continue;
      const path = prefix + name;
      const type = typeof def['type'] === 'string' ? def['type'] : isRecord(def['properties']) ? 'object' : 'object';
      const field: MappedField = { path, type };
      if (nested !== undefined) field.nestedParent = nested;
      if (type === 'alias' && typeof def['path'] === 'string') field.aliasOf = def['path'];
      if (def['fielddata'] === true) field.fielddata = true;
      if (typeof def['dims'] === 'number') field.dims = def['dims'];
      if (def['positive_score_impact'] === false) field.positiveScoreImpact = false;
      if (Array.isArray(def['contexts'])) {
        field.contexts = def['contexts'].filter(isRecord).map((c) => ({ name: String(c['name']), type: String(c['type']) }));
      }
      fields.set(path, field);
      // Dotted names in a mapping ("a.b": {...}) already form the full path.
      if (isRecord(def['properties'])) {
        stack.push({ props: def['properties'], prefix: path + '.', nested: type === 'nested' ? path : nested });
      }
      if (isRecord(def['fields'])) {
        for (const [sub, subDef] of Object.entries(def['fields'])) {
          if (!isRecord(subDef)) continue;
          const subField: MappedField = { path: `${path}.${sub}`, type: typeof subDef['type'] === 'string' ? subDef['type'] : 'object', multiField: true };
          if (nested !== undefined) subField.nestedParent = nested;
          if (subDef['fielddata'] === true) subField.fielddata = true;
          fields.set(subField.path, subField);
        }
      }
    }
  }
  if (isRecord(root['runtime'])) {
    for (const [name, def] of Object.entries(root['runtime'])) {
      const type = isRecord(def) && typeof def['type'] === 'string' ? def['type'] : 'keyword';
      fields.set(name, { path: name, type, runtime: true });
    }
  }
  const dynamic = root['dynamic'];
  const noFields = fields.size === Object.keys(META_FIELDS).length ? { noFields: true } : {};
  return typeof dynamic === 'string' || typeof dynamic === 'boolean' ? { fields, dynamic: String(dynamic), ...noFields } : { fields, ...noFields };
}

export function mappedFields(mapping: IndexMapping): { path: string; type: string }[] {
  const out: { path: string; type: string }[] = [];
  for (const f of mapping.fields.values()) if (!f.path.startsWith('_')) out.push({ path: f.path, type: f.type });
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Looks a field up, following aliases to their target (the alias's own entry if the target is missing). */
export function lookupField(mapping: IndexMapping, path: string): MappedField | undefined {
  const f = mapping.fields.get(path);
  if (f?.aliasOf !== undefined) return mapping.fields.get(f.aliasOf) ?? f;
  return f;
}
