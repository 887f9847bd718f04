// Completion: query and aggregation names, body keys, parameters, enum values and mapped field
// names, chosen by what the engine says belongs at the cursor's JSON path (completionContext).
import {
  CompletionItemKind,
  CompletionItemTag,
  InsertTextFormat,
  MarkupKind,
  type CompletionItem,
  type CompletionList,
  type Position,
} from 'vscode-languageserver';
import type { OpenDocument } from './documents';
import { replaceSpan, siblingKeys, siteAt, type JsonSite } from './json-site';
import type { DocumentSettings } from './settings';
import { AGGREGATION_SPECS, BODY_KEY_SPECS, QUERY_SPECS, contextAt, describeValue, paramTableOf, valueSnippet } from './spec-docs';
import type { ValueSpec } from '../core/dsl';

/** Record keys of a dataset line (docs/ARCHITECTURE.md, "Dataset file") and their closed values. */
const RECORD_KEYS: Record<string, { doc: string; snippet: string; values?: (string | null)[] }> = {
  id: { doc: 'Stable record id, e.g. `q-000123`.', snippet: '"$1"' },
  question: { doc: 'The natural-language question.', snippet: '"$1"' },
  rationale: { doc: 'Step-by-step reasoning from the question to the DSL.', snippet: '"$1"' },
  dsl: { doc: 'The Elasticsearch search request body, or `null` when not yet generated.', snippet: '{$1}' },
  status: { doc: 'Review state.', snippet: '"${1|pending,generated,accepted,rejected,needs_fix|}"', values: ['pending', 'generated', 'accepted', 'rejected', 'needs_fix'] },
  split: { doc: 'Which split the record belongs to.', snippet: '"${1|train,val,test|}"', values: ['train', 'val', 'test', null] },
  source: { doc: 'Where the pair came from: `{kind, model, promptHash, usage, costUsd}`.', snippet: '{"kind": "${1|teacher,human,import|}"}' },
  notes: { doc: 'Free-form reviewer notes.', snippet: '"$1"' },
  updatedAt: { doc: 'ISO-8601 time of the last change.', snippet: '"$1"' },
};

interface KeyCandidate {
  name: string;
  kind: CompletionItemKind;
  detail: string;
  doc?: string;
  /** Snippet for the value, inserted after `"name": ` when no colon follows yet. */
  value: string;
  deprecated?: boolean;
}

export function complete(doc: OpenDocument, position: Position, settings: DocumentSettings): CompletionList {
  const site = siteAt(doc, position);
  const atKey = site.location.isAtPropertyKey;
  if (site.bodyPath === undefined) return list(recordCompletions(site, atKey));
  // A key is asked about by the path of the object it goes in; a value by its own path.
  const context = contextAt(atKey ? site.bodyPath.slice(0, -1) : site.bodyPath);
  if (atKey) {
    const present = siblingKeys(site);
    const keys = keyCandidates(context.kind, context.owner, context.values, settings).filter((k) => !present.has(k.name));
    return list(keys.map((k) => keyItem(site, k)));
  }
  if (context.kind === 'field') {
    return list(settings.fields.map((f) => valueItem(site, f.path, CompletionItemKind.Field, f.type)));
  }
  if (context.kind === 'enum-value' && context.values) {
    return list(context.values.map((v) => valueItem(site, v, CompletionItemKind.EnumMember, context.owner ?? '')));
  }
  return list([]);
}

function list(items: CompletionItem[]): CompletionList {
  return { isIncomplete: false, items };
}

function keyCandidates(kind: string, owner: string | undefined, values: string[] | undefined, settings: DocumentSettings): KeyCandidate[] {
  switch (kind) {
    case 'query-name':
      return Object.entries(QUERY_SPECS).map(([name, spec]) => ({
        name,
        kind: CompletionItemKind.Function,
        detail: `${spec.category} query`,
        doc: spec.doc,
        value: '{$1}',
        deprecated: spec.deprecated !== undefined || spec.removed !== undefined,
      }));
    case 'agg-name': {
      const aggs: KeyCandidate[] = Object.entries(AGGREGATION_SPECS).map(([name, spec]) => ({
        name,
        kind: CompletionItemKind.Class,
        detail: `${spec.category} aggregation`,
        doc: spec.doc,
        value: '{$1}',
        deprecated: spec.deprecated !== undefined,
      }));
      for (const extra of ['aggs', 'meta']) {
        aggs.push({ name: extra, kind: CompletionItemKind.Keyword, detail: extra === 'aggs' ? 'sub-aggregations' : 'metadata', value: '{$1}' });
      }
      return aggs;
    }
    case 'body-key':
      return Object.entries(BODY_KEY_SPECS).map(([name, spec]) => ({
        name,
        kind: CompletionItemKind.Keyword,
        detail: describeValue(spec.value),
        doc: spec.doc,
        value: valueSnippet(spec.value),
        deprecated: spec.deprecated !== undefined,
      }));
    case 'param': {
      const table = paramTableOf(owner);
      if (table) {
        return Object.entries(table).map(([name, spec]) => ({
          name,
          kind: CompletionItemKind.Property,
          detail: describeValue(spec.value),
          doc: spec.doc,
          value: valueSnippet(spec.value),
          deprecated: spec.deprecated !== undefined,
        }));
      }
      return (values ?? []).map((name) => ({ name, kind: CompletionItemKind.Property, detail: owner ?? '', value: '$1' }));
    }
    case 'field': {
      // A field key: single-field queries (`"match": {"<field>": …}`) and sort entries.
      const shortValue = fieldKeyValue(owner);
      return settings.fields.map((f) => ({ name: f.path, kind: CompletionItemKind.Field, detail: f.type, value: shortValue }));
    }
    default:
      return [];
  }
}

/** What follows a field key inside query `owner`: its short-form value, or a params object. */
function fieldKeyValue(owner: string | undefined): string {
  const spec = owner ? QUERY_SPECS[owner] : undefined;
  if (!spec) return '{$1}';
  if (spec.shape === 'field-params' && spec.fieldValue !== undefined) return valueSnippet(spec.fieldValue);
  if (spec.shortParam) {
    const short: ValueSpec | undefined = spec.params[spec.shortParam]?.value;
    return short === undefined ? '$1' : valueSnippet(short);
  }
  return '{$1}';
}

function keyItem(site: JsonSite, k: KeyCandidate): CompletionItem {
  const span = replaceSpan(site);
  const colonFollows = /^\s*:/.test(site.text.slice(span.end));
  const quotedName = JSON.stringify(k.name);
  // A new member between others needs its commas: before it when a value ends just before the
  // cursor, after it when another member follows (the JSON stays valid after accepting).
  const before = colonFollows ? '' : /(["}\]\d]|true|false|null)\s*$/.test(site.text.slice(0, span.start)) ? ', ' : '';
  const after = colonFollows ? '' : /^\s*"/.test(site.text.slice(span.end)) ? ',' : '';
  const newText = colonFollows ? quotedName : `${before}${quotedName}: ${k.value}${after}`;
  const item: CompletionItem = {
    label: k.name,
    kind: k.kind,
    detail: k.detail,
    filterText: span.quoted ? quotedName : k.name,
    insertTextFormat: colonFollows ? InsertTextFormat.PlainText : InsertTextFormat.Snippet,
    textEdit: { range: site.rangeOf(span.start, span.end), newText: colonFollows ? newText : before + escapeSnippetName(quotedName) + newText.slice(before.length + quotedName.length) },
  };
  if (k.doc) item.documentation = { kind: MarkupKind.Markdown, value: k.doc };
  if (k.deprecated) item.tags = [CompletionItemTag.Deprecated];
  return item;
}

function valueItem(site: JsonSite, value: string, kind: CompletionItemKind, detail: string): CompletionItem {
  const span = replaceSpan(site);
  const quoted = JSON.stringify(value);
  return {
    label: value,
    kind,
    detail,
    filterText: span.quoted ? quoted : value,
    textEdit: { range: site.rangeOf(span.start, span.end), newText: quoted },
  };
}

function recordCompletions(site: JsonSite, atKey: boolean): CompletionItem[] {
  if (site.path.length > 1) return [];
  if (atKey) {
    const present = siblingKeys(site);
    return Object.entries(RECORD_KEYS)
      .filter(([name]) => !present.has(name))
      .map(([name, k]) => keyItem(site, { name, kind: CompletionItemKind.Property, detail: 'record', doc: k.doc, value: k.snippet }));
  }
  const key = site.path[0];
  const values = typeof key === 'string' ? RECORD_KEYS[key]?.values : undefined;
  if (!values) return [];
  return values.map((v) => {
    if (v !== null) return valueItem(site, v, CompletionItemKind.EnumMember, String(key));
    const span = replaceSpan(site);
    return { label: 'null', kind: CompletionItemKind.Constant, textEdit: { range: site.rangeOf(span.start, span.end), newText: 'null' } };
  });
}

/** Snippet syntax gives `$`, `}` and `\` meaning; a key containing them is inserted literally. */
function escapeSnippetName(text: string): string {
  return text.replace(/[$}\\]/g, (c) => `\\${c}`);
}
