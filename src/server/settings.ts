// Settings are pulled, not pushed (STYLE.md): the server asks the client for section `distillery`
// with workspace/configuration, keeps one promise per document URI, and drops them all when the
// configuration, distillery.json or the mapping file changes. Nothing here lives in a global.
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseJsonc, type ParseError } from 'jsonc-parser';
import { parseMapping, mappedFields, type IndexMapping, type Severity, type ValidateOptions } from '../core/dsl';
import type { WorkspaceFolders } from './workspace';
import { mappingDepthProblem } from '../core/project/mapping-depth';

/** What the client's `distillery` section holds (package.json `contributes.configuration`). */
export interface ClientSettings {
  mappingPath: string;
  esVersion: string;
  unmappedFieldSeverity: Severity | 'off';
}

/** Everything validation and completion of one document need; compared by identity. */
export interface DocumentSettings {
  readonly options: ValidateOptions;
  /** Absolute path of the mapping in use, if any. */
  readonly mappingFile?: string;
  /** Flattened mapped fields for completion, sorted by path. */
  readonly fields: readonly { path: string; type: string }[];
}

const DEFAULTS: ClientSettings = { mappingPath: '', esVersion: '', unmappedFieldSeverity: 'warning' };
const SEVERITIES = new Set(['error', 'warning', 'info', 'off']);

/** Reads the raw configuration value defensively: the client may send null, a partial object, or junk. */
export function readClientSettings(raw: unknown): ClientSettings {
  if (raw === null || typeof raw !== 'object') return DEFAULTS;
  const r = raw as Record<string, unknown>;
  const validation = r['validation'] !== null && typeof r['validation'] === 'object' ? (r['validation'] as Record<string, unknown>) : {};
  // VS Code also answers dotted keys flat when a client asks for the whole section.
  const severity = validation['unmappedFieldSeverity'] ?? r['validation.unmappedFieldSeverity'];
  return {
    mappingPath: typeof r['mappingPath'] === 'string' ? r['mappingPath'].trim() : '',
    esVersion: typeof r['esVersion'] === 'string' ? r['esVersion'].trim() : '',
    unmappedFieldSeverity: typeof severity === 'string' && SEVERITIES.has(severity) ? (severity as Severity | 'off') : 'warning',
  };
}

export interface SettingsHost {
  /** workspace/configuration for section `distillery`, or undefined when the client cannot answer. */
  fetchConfiguration(scopeUri: string): Promise<unknown>;
  /** A problem the user can fix (bad mapping path, invalid distillery.json); shown once per text. */
  warn(message: string): void;
  /** A new file the server wants to hear about through workspace/didChangeWatchedFiles. */
  watch(file: string): void;
}

interface LoadedMapping {
  readonly mapping: IndexMapping;
  readonly fields: readonly { path: string; type: string }[];
}

export class SettingsResolver {
  private readonly perDocument = new Map<string, Promise<DocumentSettings>>();
  /** Parsed mapping files by absolute path; dropped when the file changes. */
  private readonly mappings = new Map<string, Promise<LoadedMapping | undefined>>();
  /** Resolved settings shared by documents whose inputs are equal, so line caches survive re-pulls. */
  private readonly interned = new Map<string, DocumentSettings>();
  private readonly warned = new Set<string>();

  constructor(
    private readonly host: SettingsHost,
    private readonly folders: WorkspaceFolders,
  ) {}

  get(uri: string): Promise<DocumentSettings> {
    let settings = this.perDocument.get(uri);
    if (!settings) {
      settings = this.resolve(uri);
      this.perDocument.set(uri, settings);
    }
    return settings;
  }

  forget(uri: string): void {
    this.perDocument.delete(uri);
  }

  /**
   * After didChangeConfiguration: every document pulls again. Parsed mappings stay, and so do the
   * resolved settings objects, so a document whose settings did not really change keeps its caches.
   */
  clearSettings(): void {
    this.perDocument.clear();
    this.warned.clear();
  }

  /** After a watched file changed. Returns whether it is one the settings depend on. */
  fileChanged(file: string): boolean {
    const isMapping = this.mappings.delete(file);
    if (isMapping) this.interned.clear();
    if (!isMapping && !file.endsWith('distillery.json')) return false;
    this.clearSettings();
    return true;
  }

  private async resolve(uri: string): Promise<DocumentSettings> {
    const folder = this.folders.folderFor(uri);
    const client = readClientSettings(await this.host.fetchConfiguration(uri).catch(() => undefined));
    const project = folder ? await this.readProjectFile(folder) : {};
    let mappingFile: string | undefined;
    if (client.mappingPath) mappingFile = absolute(client.mappingPath, folder);
    else if (project.mapping && project.dir) mappingFile = resolve(project.dir, project.mapping);
    const esVersion = client.esVersion || project.esVersion;
    const loaded = mappingFile ? await this.loadMapping(mappingFile) : undefined;

    const key = JSON.stringify([loaded ? mappingFile : null, esVersion ?? null, client.unmappedFieldSeverity]);
    const existing = this.interned.get(key);
    if (existing) return existing;
    const options: ValidateOptions = { unmappedFieldSeverity: client.unmappedFieldSeverity };
    if (esVersion) options.esVersion = esVersion;
    if (loaded) options.mapping = loaded.mapping;
    const settings: DocumentSettings = loaded && mappingFile ? { options, mappingFile, fields: loaded.fields } : { options, fields: [] };
    this.interned.set(key, settings);
    return settings;
  }

  private async readProjectFile(folder: string): Promise<{ mapping?: string; esVersion?: string; dir?: string }> {
    const file = resolve(folder, 'distillery.json');
    this.host.watch(file);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      return {};
    }
    const errors: ParseError[] = [];
    const json: unknown = parseJsonc(text, errors, { allowTrailingComma: true });
    if (errors.length > 0 || json === null || typeof json !== 'object') {
      this.warnOnce(`${file} is not valid JSON; its "mapping" and "esVersion" are ignored until it is fixed.`);
      return {};
    }
    const o = json as Record<string, unknown>;
    const out: { mapping?: string; esVersion?: string; dir?: string } = { dir: dirname(file) };
    if (typeof o['mapping'] === 'string' && o['mapping'].trim()) out.mapping = o['mapping'].trim();
    if (typeof o['esVersion'] === 'string' && o['esVersion'].trim()) out.esVersion = o['esVersion'].trim();
    return out;
  }

  private loadMapping(file: string): Promise<LoadedMapping | undefined> {
    let loaded = this.mappings.get(file);
    if (!loaded) {
      this.host.watch(file);
      loaded = this.readMapping(file);
      this.mappings.set(file, loaded);
    }
    return loaded;
  }

  private async readMapping(file: string): Promise<LoadedMapping | undefined> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'the file does not exist' : (e as Error).message;
      this.warnOnce(`Cannot read the index mapping ${file}: ${reason}. Fix distillery.mappingPath or "mapping" in distillery.json; field checks are off until then.`);
      return undefined;
    }
    // Checked on the text, iteratively, before the recursive parsers see it (a 100,000-deep file
    // used to take the server down); a BOM is accepted as the CLI accepts it.
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    const tooDeep = mappingDepthProblem(text);
    if (tooDeep) {
      this.warnOnce(`The index mapping ${file} is not usable: ${tooDeep}. Field checks are off until it is fixed.`);
      return undefined;
    }
    try {
      const mapping = parseMapping(JSON.parse(text) as unknown);
      const fields = mappedFields(mapping).sort((a, b) => a.path.localeCompare(b.path));
      return { mapping, fields };
    } catch (e) {
      this.warnOnce(`The index mapping ${file} is not usable (${(e as Error).message}); field checks are off until it is fixed.`);
      return undefined;
    }
  }

  private warnOnce(message: string): void {
    if (this.warned.has(message)) return;
    this.warned.add(message);
    this.host.warn(message);
  }
}

function absolute(path: string, folder: string | undefined): string {
  if (path.startsWith('file:')) return fileURLToPath(path);
  if (isAbsolute(path)) return path;
  return resolve(folder ?? process.cwd(), path);
}
