// The command table: every command id contributed in package.json maps to exactly one handler
// here, gathered from the features. A test checks the table and the manifest agree.
import * as vscode from 'vscode';
import type { CommandHandler, Context, Feature } from './ctx';
import { createLanguageFeature } from './features/language';
import { createPanelFeature } from './features/panel';
import { createGenerationFeature } from './features/generation';
import { createRunsFeature } from './features/runs';
import { createElasticsearchFeature } from './features/elasticsearch';

export function createFeatures(ctx: Context): Feature[] {
  return [createLanguageFeature(ctx), createPanelFeature(ctx), createGenerationFeature(ctx), createRunsFeature(ctx), createElasticsearchFeature(ctx)];
}

export function registerCommands(ctx: Context, features: Feature[]): void {
  const table: Record<string, CommandHandler> = {
    'distillery.showLog': () => ctx.log.show(),
  };
  for (const f of features) {
    for (const [id, handler] of Object.entries(f.commands)) {
      if (table[id]) throw new Error(`command ${id} is registered twice`);
      table[id] = handler;
    }
  }
  for (const [id, handler] of Object.entries(table)) {
    ctx.push(
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        try {
          return await handler(...args);
        } catch (e) {
          // Errors a user can cause arrive here with a message naming the input and the fix.
          ctx.fail(`${id} failed`, e);
          return undefined;
        }
      }),
    );
  }
}
