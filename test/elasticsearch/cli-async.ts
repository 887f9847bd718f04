// Runs the CLI as a child without blocking this process's event loop (the tests' own HTTP servers
// and proxies live in it, so spawnSync would deadlock them).
import { spawnCli } from '../helpers/cli';

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runCliAsync(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  const child = spawnCli(args, options);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** Env without any Elasticsearch credentials from the developer's shell. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of ['ES_API_KEY', 'ES_USERNAME', 'ES_PASSWORD']) delete env[k];
  return { ...env, ...extra };
}
