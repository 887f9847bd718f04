// Bundles the entry points with esbuild. `--watch` rebuilds on change, `--minify` for packaging.
import * as esbuild from 'esbuild';
import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';

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
  { entryPoints: ['src/webview/main.ts'], outfile: 'dist/webview.js', platform: 'browser', format: 'iife' },
  { entryPoints: ['src/webview/run-view.ts'], outfile: 'dist/run-view.js', platform: 'browser', format: 'iife' },
  { entryPoints: ['src/webview/query-results/main.ts'], outfile: 'dist/query-results.js', platform: 'browser', format: 'iife' },
].filter((b) => existsSync(b.entryPoints[0]));

// The CLI is ES modules split by command (dist/cli/main.mjs and dist/cli/chunks/): `distillery
// validate` loads the validator and not the Elasticsearch, OpenAI and SSH clients, which are most
// of the code and most of a short command's start-up. Bundled CommonJS packages call require()
// and read __dirname, which ES modules lack; the banner gives every chunk both.
const cliBanner = [
  "import { createRequire as __distilleryCreateRequire } from 'node:module';",
  "import { fileURLToPath as __distilleryFileURLToPath } from 'node:url';",
  "import { dirname as __distilleryDirname } from 'node:path';",
  'const require = __distilleryCreateRequire(import.meta.url);',
  'const __filename = __distilleryFileURLToPath(import.meta.url);',
  'const __dirname = __distilleryDirname(__filename);',
].join(' ');
const cliBuild = {
  ...nodeCommon, format: 'esm', splitting: true, entryPoints: { main: 'src/cli/main.ts' }, outdir: 'dist/cli',
  outExtension: { '.js': '.mjs' }, chunkNames: 'chunks/[name]-[hash]', banner: { js: cliBanner },
};
// dist/cli.js (package.json "bin") stays a CommonJS file that any node runs: it loads the modules.
const cliLauncher = `#!/usr/bin/env node
// The distillery CLI: its code is in dist/cli/ (ES modules, one chunk per command; scripts/build.mjs).
import('./cli/main.mjs').catch((e) => {
  process.stderr.write('distillery: cannot load dist/cli/main.mjs (' + String(e && e.message || e) + '); run npm run build\\n');
  process.exitCode = 1;
});
`;
function writeCliLauncher() {
  writeFileSync('dist/cli.js', cliLauncher);
}

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

// Chunk names carry a content hash: a fresh folder each build, so no stale chunk is left to ship.
rmSync('dist/cli', { recursive: true, force: true });
mkdirSync('dist', { recursive: true });
writeCliLauncher();
chmodSync('dist/cli.js', 0o755);
if (watch) {
  for (const b of [...builds, cliBuild]) await (await esbuild.context({ ...common, ...b })).watch();
} else {
  await Promise.all([...builds, cliBuild].map((b) => esbuild.build({ ...common, ...b })));
  await writeProjectSchema();
  await writeRunConfigSchema();
}
