// The workspace's distillery.json and the Query DSL engine options derived from it, as the review
// panel and the run view both need them: VS Code settings first, then distillery.json, so a
// prediction is judged exactly like a record. Problems are logged, never thrown: both callers work
// on (without field checks) when the project file or the mapping cannot be read.
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import * as vscode from 'vscode';
import type { ValidateOptions } from '../core/dsl';
import type { ProjectConfig } from '../core/project/config';
import { loadMappingFile, loadProject, PROJECT_FILE } from '../core/project/files';
import type { Context } from './ctx';

export function workspaceProject(ctx: Context): ProjectConfig | null {
  const root = ctx.workspaceRoot;
  if (!root || root.scheme !== 'file') return null;
  const file = join(root.fsPath, PROJECT_FILE);
  if (!existsSync(file)) return null;
  try {
    return loadProject(file).config;
  } catch (e) {
    ctx.log.warn(e instanceof Error ? e.message : String(e));
    return null;
  }
}

/** `withoutMapping` finishes the log line when the mapping cannot be read ("field checks are off in the panel"). */
export function workspaceValidateOptions(ctx: Context, withoutMapping: string): ValidateOptions {
  const settings = vscode.workspace.getConfiguration('distillery');
  const project = workspaceProject(ctx);
  const options: ValidateOptions = {
    esVersion: settings.get<string>('esVersion') || project?.esVersion || '8.15',
    unmappedFieldSeverity: settings.get<'error' | 'warning' | 'info' | 'off'>('validation.unmappedFieldSeverity') ?? 'warning',
  };
  const mappingPath = settings.get<string>('mappingPath') || project?.mapping;
  const root = ctx.workspaceRoot;
  if (mappingPath && root) {
    const file = isAbsolute(mappingPath) ? mappingPath : join(root.fsPath, mappingPath);
    try {
      options.mapping = loadMappingFile(file);
    } catch (e) {
      ctx.log.warn(`${e instanceof Error ? e.message : String(e)}; ${withoutMapping}`);
    }
  }
  return options;
}
