// Types for scripts/code-server.mjs, so the TypeScript e2e harness imports it checked.
import type { ChildProcess } from 'node:child_process';

export const repoRoot: string;
export const codeServerVersion: string;
export const baseSettings: Record<string, unknown>;
export function ensureCodeServer(options?: { quiet?: boolean }): string;
export function freePort(): Promise<number>;

export interface CodeServerDirs {
  base: string;
  home: string;
  userDataDir: string;
  extensionsDir: string;
  env: NodeJS.ProcessEnv;
}
export function codeServerDirs(base: string, extraEnv?: Record<string, string>): CodeServerDirs;
export function installExtension(dirs: CodeServerDirs, vsixPath: string): string;

export interface StartOptions {
  base: string;
  vsix?: string;
  workspace: string;
  port?: number;
  settings?: Record<string, unknown>;
  env?: Record<string, string>;
  log?: (line: string) => void;
  timeoutMs?: number;
}
export interface CodeServer {
  url: string;
  port: number;
  folderUrl(folder?: string): string;
  dirs: CodeServerDirs;
  process: ChildProcess;
  output: string[];
  stop(): Promise<void>;
}
export function startCodeServer(options: StartOptions): Promise<CodeServer>;
