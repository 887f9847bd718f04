// activate() only wires: it builds the context, the features and the command table.
import * as vscode from 'vscode';
import { Context } from './ctx';
import { createFeatures, registerCommands } from './commands';

let ctx: Context | undefined;

export async function activate(extension: vscode.ExtensionContext): Promise<void> {
  const started = Date.now();
  ctx = new Context(extension);
  extension.subscriptions.push(ctx);
  try {
    const features = createFeatures(ctx);
    registerCommands(ctx, features);
    for (const f of features) await f.activate?.();
    ctx.log.info(`Distillery activated in ${Date.now() - started} ms`);
  } catch (e) {
    // Fail loudly: VS Code would only note a failed activation in a log few people read.
    throw ctx.fail('activation failed', e);
  }
}

export function deactivate(): void {
  ctx?.dispose();
  ctx = undefined;
}
