// Hover: the doc string of the query, aggregation, body key or parameter under the cursor, the
// mapped type of a field, or the allowed values of an enum.
import { MarkupKind, type Hover, type Position } from 'vscode-languageserver';
import type { OpenDocument } from './documents';
import { isStringLike, nodeAt, siteAt } from './json-site';
import type { DocumentSettings } from './settings';
import { AGGREGATION_SPECS, BODY_KEY_SPECS, QUERY_SPECS, contextAt, describeValue, paramTableOf } from './spec-docs';

export function hover(doc: OpenDocument, position: Position, settings: DocumentSettings): Hover | null {
  const site = siteAt(doc, position);
  const node = nodeAt(site);
  if (!node || !isStringLike(site, node) || typeof node.value !== 'string' || site.bodyPath === undefined) return null;
  const name = node.value;
  const atKey = site.location.isAtPropertyKey;
  // A key is described by what its object holds; a value by its own path.
  const context = contextAt(atKey ? site.bodyPath.slice(0, -1) : site.bodyPath);
  const range = site.rangeOf(node.offset, node.offset + node.length);
  const markdown = atKey ? describeKey(name, context.kind, context.owner, settings) : describeValueAt(name, context.kind, context.values, settings);
  return markdown ? { contents: { kind: MarkupKind.Markdown, value: markdown }, range } : null;
}

function describeKey(name: string, kind: string, owner: string | undefined, settings: DocumentSettings): string | undefined {
  switch (kind) {
    case 'query-name': {
      const spec = QUERY_SPECS[name];
      if (!spec) return undefined;
      const notes = [spec.removed && `**Removed:** ${spec.removed}`, spec.deprecated && `**Deprecated:** ${spec.deprecated}`, spec.since && `Since Elasticsearch ${spec.since}.`];
      return join(`**${name}** — ${spec.category} query`, spec.doc, ...notes);
    }
    case 'agg-name': {
      const spec = AGGREGATION_SPECS[name];
      if (!spec) return undefined;
      return join(`**${name}** — ${spec.category} aggregation`, spec.doc, spec.deprecated && `**Deprecated:** ${spec.deprecated}`, spec.since && `Since Elasticsearch ${spec.since}.`);
    }
    case 'body-key': {
      const spec = BODY_KEY_SPECS[name];
      if (!spec) return undefined;
      return join(`**${name}** — ${describeValue(spec.value)}`, spec.doc, spec.aliasOf && `Same as \`${spec.aliasOf}\`.`);
    }
    case 'param': {
      const spec = paramTableOf(owner)?.[name];
      if (!spec) return undefined;
      return join(
        `**${name}** — ${describeValue(spec.value)}${spec.required ? ' (required)' : ''}`,
        spec.doc,
        spec.deprecated && `**Deprecated:** ${spec.deprecated}`,
        spec.since && `Since Elasticsearch ${spec.since}.`,
        owner && `Parameter of \`${owner}\`.`,
      );
    }
    case 'field':
      return describeField(name, settings);
    default:
      return undefined;
  }
}

function describeValueAt(value: string, kind: string, values: string[] | undefined, settings: DocumentSettings): string | undefined {
  if (kind === 'field') return describeField(value, settings);
  if (kind === 'enum-value' && values) return `One of ${values.map((v) => `\`${v}\``).join(', ')}.`;
  return undefined;
}

function describeField(path: string, settings: DocumentSettings): string | undefined {
  const field = settings.options.mapping?.fields.get(path);
  if (!field) return settings.options.mapping ? `\`${path}\` is not in the mapping.` : undefined;
  const facts = [
    field.multiField && 'multi-field',
    field.runtime && 'runtime field',
    field.nestedParent && `inside nested \`${field.nestedParent}\``,
    field.aliasOf && `alias of \`${field.aliasOf}\``,
    field.fielddata && 'fielddata enabled',
  ].filter((x): x is string => typeof x === 'string');
  return join(`**${path}** — \`${field.type}\``, facts.length > 0 ? facts.join(', ') : undefined);
}

function join(...parts: (string | false | undefined | '')[]): string {
  return parts.filter((p): p is string => typeof p === 'string' && p.length > 0).join('\n\n');
}
