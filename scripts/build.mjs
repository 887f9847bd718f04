// Bundles the four entry points with esbuild. `--watch` rebuilds on change, `--minify` for packaging.
import * as esbuild from 'esbuild';
import { existsSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const minify = process.argv.includes('--minify');
const common = { bundle: true, sourcemap: !minify, minify, logLevel: 'warning', target: 'es2022' };
// ssh2's optional native helpers (cpu-features, sshcrypto.node) are loaded in try/catch; leaving them
// out keeps the bundle portable. Only those: a bare '*.node' would also leave out
// apache-arrow/Arrow.node (JavaScript that @elastic/elasticsearch requires), and the packaged
// extension and CLI would then fail to load wherever no node_modules is found above them.
const nodeExternals = ['vscode', 'cpu-features', '*/sshcrypto.node'];
// jsonc-parser's default (UMD) entry requires its parts dynamically, which esbuild cannot follow;
// its ESM entry bundles cleanly.
const nodeCommon = { platform: 'node', format: 'cjs', external: nodeExternals, mainFields: ['module', 'main'] };

const builds = [
  { entryPoints: ['src/extension/main.ts'], outfile: 'dist/extension.js', ...nodeCommon },
  { entryPoints: ['src/server/main.ts'], outfile: 'dist/server.js', ...nodeCommon },
  { entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', ...nodeCommon, banner: { js: '#!/usr/bin/env node' } },
  { entryPoints: ['src/webview/main.ts'], outfile: 'dist/webview.js', platform: 'browser', format: 'iife' },
  { entryPoints: ['src/webview/run-view.ts'], outfile: 'dist/run-view.js', platform: 'browser', format: 'iife' },
  { entryPoints: ['src/webview/query-results/main.ts'], outfile: 'dist/query-results.js', platform: 'browser', format: 'iife' },
].filter((b) => existsSync(b.entryPoints[0]));

// The JSON Schema of distillery.json comes from the zod schema, so the two cannot drift apart.
async function writeProjectSchema() {
  const out = 'dist/.schema-gen.cjs';
  await esbuild.build({ entryPoints: ['src/core/project/json-schema.ts'], outfile: out, bundle: true, platform: 'node', format: 'cjs', logLevel: 'warning' });
  const { createRequire } = await import('node:module');
  const { writeFileSync, rmSync } = await import('node:fs');
  const mod = createRequire(import.meta.url)('../' + out);
  writeFileSync('dist/distillery.schema.json', JSON.stringify(mod.projectJsonSchema(), null, 2) + '\n');
  rmSync(out);
}

// RUN.json's JSON Schema, likewise from its zod schema (src/core/training/run-config.ts).
async function writeRunConfigSchema() {
  const out = 'dist/.run-schema-gen.cjs';
  await esbuild.build({ entryPoints: ['src/core/training/run-config-json-schema.ts'], outfile: out, bundle: true, platform: 'node', format: 'cjs', logLevel: 'warning' });
  const { createRequire } = await import('node:module');
  const { writeFileSync, rmSync } = await import('node:fs');
  const mod = createRequire(import.meta.url)('../' + out);
  writeFileSync('dist/run.schema.json', JSON.stringify(mod.runConfigJsonSchema(), null, 2) + '\n');
  rmSync(out);
}

if (watch) {
  for (const b of builds) await (await esbuild.context({ ...common, ...b })).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build({ ...common, ...b })));
  await writeProjectSchema();
  await writeRunConfigSchema();
}
