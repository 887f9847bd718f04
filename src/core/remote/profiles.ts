// --host names a distillery.json host profile ({name, target, python, identityFile}) or is a
// target itself (ssh config alias, user@host[:port], local).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseProjectConfig, type HostProfile } from '../project/config';

export function findProfile(name: string, workspace = process.cwd()): HostProfile | undefined {
  const file = join(workspace, 'distillery.json');
  if (!existsSync(file)) return undefined;
  try {
    return parseProjectConfig(readFileSync(file, 'utf8'), file).hosts.find((h) => h.name === name);
  } catch {
    return undefined;
  }
}

/** The target, python and identity file for a --host value. */
export function resolveHostArg(host: string, workspace?: string): { target: string; python?: string; identityFile?: string } {
  const p = findProfile(host, workspace);
  if (!p) return { target: host };
  return { target: p.target, ...(p.python ? { python: p.python } : {}), ...(p.identityFile ? { identityFile: p.identityFile } : {}) };
}
