// Node-side loading of the project's inputs (distillery.json, the index mapping), with errors that
// name the file and the fix. Shared by the CLI, the language server and the extension.
import { isUtf8 } from 'node:buffer';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parseMapping, type IndexMapping } from '../dsl';
import { parseProjectConfig, type ProjectConfig } from './config';
import { mappingDepthProblem } from './mapping-depth';

export const PROJECT_FILE = 'distillery.json';

/** Reads a whole file as strict UTF-8; the error says which file and what to do. */
export function readTextFile(path: string, what = 'file'): string {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    throw new Error(`${what} ${path} does not exist; check the path`);
  }
  if (stat.isDirectory()) throw new Error(`${what} ${path} is a directory; name a file inside it`);
  // readFileSync(path, 'utf8') reads and decodes natively in one step (the fastest path Node has),
  // but it replaces invalid bytes with U+FFFD. Only a text that holds U+FFFD can hide such bytes,
  // so only then are the raw bytes checked strictly (a one-byte string skips the search at once).
  let text = readFileSync(path, 'utf8');
  if (text.includes('\ufffd')) {
    const bytes = readFileSync(path);
    if (!isUtf8(bytes)) {
      throw new Error(`${what} ${path} is not valid UTF-8 (first bad byte at offset ${firstInvalidUtf8(bytes)}); re-save it as UTF-8`);
    }
    text = bytes.toString('utf8');
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Offset of the first byte that starts an invalid UTF-8 sequence (only called after decoding failed). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const length = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (length === 0) return i;
    for (let k = 1; k < length; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
    }
    // Overlong forms, surrogates and code points past U+10FFFF are invalid too.
    const second = bytes[i + 1] ?? 0;
    if ((b === 0xe0 && second < 0xa0) || (b === 0xed && second > 0x9f) || (b === 0xf0 && second < 0x90) || (b === 0xf4 && second > 0x8f)) return i;
    i += length;
  }
  return bytes.length;
}

/** Loads an index mapping file in any of the three shapes users have at hand. */
export function loadMappingFile(path: string): IndexMapping {
  const text = readTextFile(path, 'mapping');
  const tooDeep = mappingDepthProblem(text);
  if (tooDeep) throw new Error(`mapping ${path} is not usable: ${tooDeep}`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`mapping ${path} is not valid JSON (${(e as Error).message}); fix the syntax`);
  }
  try {
    return parseMapping(json);
  } catch (e) {
    throw new Error(`mapping ${path}: ${(e as Error).message}`);
  }
}

/** The nearest distillery.json at or above `startDir`, or undefined. */
export function findProjectFile(startDir: string): string | undefined {
  let dir = resolve(startDir);
  for (;;) {
    const candidate = join(dir, PROJECT_FILE);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export interface LoadedProject {
  file: string;
  root: string;
  config: ProjectConfig;
  /** Resolves a path from the project file against the project root. */
  resolve(path: string): string;
}

export function loadProject(file: string): LoadedProject {
  const config = parseProjectConfig(readTextFile(file, 'project file'), file);
  const root = dirname(resolve(file));
  return { file, root, config, resolve: (p) => (isAbsolute(p) ? p : join(root, p)) };
}
