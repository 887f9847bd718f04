// Runs the `distillery` CLI from source as a child process, from any working directory.
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const repoRoot = join(import.meta.dirname, '../..');
/** tsx resolved from the repository, so a child started in a temp dir still finds it. */
const tsxLoader = pathToFileURL(join(repoRoot, 'node_modules/tsx/dist/loader.mjs')).href;
export const cliArgs = (args: string[]) => ['--import', tsxLoader, join(repoRoot, 'src/cli/main.ts'), ...args];

export function runCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, cliArgs(args), { cwd: options.cwd ?? repoRoot, env: options.env ?? process.env, input: options.input, encoding: 'utf8', maxBuffer: 1 << 28 });
}

export function spawnCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  return spawn(process.execPath, cliArgs(args), { cwd: options.cwd ?? repoRoot, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
}
