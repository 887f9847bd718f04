// `npm run bench`: builds, then runs every benchmark under bench/ one after another (they measure
// ratios against a baseline inside each script) and prints one JSON line each.
// `npm run bench -- validate lsp` runs a subset by file name.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const only = process.argv.slice(2);
const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const benches = readdirSync(join(root, 'bench')).filter((f) => f.endsWith('.ts') && (only.length === 0 || only.some((o) => f.startsWith(o)))).sort();
let failed = 0;
for (const file of benches) {
  console.log(`\n=== bench/${file}`);
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', join('bench', file)], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
