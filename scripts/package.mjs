// `npm run package`: builds minified bundles and packs them with @vscode/vsce into
// out/distillery-<version>.vsix, then prints its size and file list. The bundles carry every
// dependency, so vsce runs with --no-dependencies; .vscodeignore is an allow-list, and this script
// checks the result against the same rules so a stray file (a source map, a test) fails the build.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateRawSync } from 'node:zlib';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** What may ship: bundles (no maps), media, grammars, the runner package, the manifest and docs. */
const allowed = [
  /^extension\/dist\/[^/]+\.(js|json|css)$/,
  /^extension\/dist\/cli\/(chunks\/)?[^/]+\.mjs$/,
  /^extension\/media\/.+/,
  /^extension\/syntaxes\/.+\.json$/,
  /^extension\/python-runner\/distillery_runner\/.+\.(py|json|txt|typed)$/,
  /^extension\/python-runner\/(pyproject\.toml|README\.md)$/,
  /^extension\/(package\.json|readme\.md|changelog\.md|LICENSE\.txt|LICENSE)$/i,
  /^(extension\.vsixmanifest|\[Content_Types\]\.xml)$/,
];

/**
 * Where the shipped files can come from. vsce walks every file under its folder before applying
 * .vscodeignore, and the repository also holds .tools/code-server, the runner's venv and the e2e
 * profiles (hundreds of thousands of files, minutes of walking), so it runs in a staging folder
 * holding only these; .vscodeignore still decides what goes in.
 */
const stagedRoots = ['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE', '.vscodeignore', 'dist', 'media', 'syntaxes',
  'python-runner/pyproject.toml', 'python-runner/README.md', 'python-runner/distillery_runner'];

function stage(dir) {
  rmSync(dir, { recursive: true, force: true });
  for (const rel of stagedRoots) {
    const from = join(root, rel);
    if (!existsSync(from)) continue;
    cpSync(from, join(dir, rel), { recursive: true, filter: (src) => !src.includes('__pycache__') && !src.endsWith('.map') });
  }
}

function run(cmd, args, cwd = root) {
  const r = spawnSync(cmd, args, { cwd, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed with exit code ${r.status}`);
}

/** Entries of a zip file (name and uncompressed size), read from its central directory. */
export function zipEntries(file) {
  const buf = readFileSync(file);
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error(`${file} is not a zip file`);
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const entries = [];
  for (let i = 0; i < count; i++) {
    const method = buf.readUInt16LE(p + 10);
    const compressed = buf.readUInt32LE(p + 20);
    const size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const localHeader = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    entries.push({ name, size, compressed, method, localHeader });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/** The bytes of one entry of a zip file (stored or deflated). */
export function zipRead(file, name) {
  const buf = readFileSync(file);
  const e = zipEntries(file).find((x) => x.name === name);
  if (!e) throw new Error(`${name} is not in ${file}`);
  const start = e.localHeader + 30 + buf.readUInt16LE(e.localHeader + 26) + buf.readUInt16LE(e.localHeader + 28);
  const data = buf.subarray(start, start + e.compressed);
  return e.method === 0 ? Buffer.from(data) : inflateRawSync(data);
}

function human(bytes) {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(2)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}

/** Builds and packages the extension; returns the .vsix path. */
export function packageExtension({ quiet = false } = {}) {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const outDir = join(root, 'out');
  const vsix = join(outDir, `${pkg.name}-${pkg.version}.vsix`);
  mkdirSync(outDir, { recursive: true });
  run(process.execPath, ['scripts/build.mjs', '--minify']);
  // vsce from the dev dependencies; plain `npx vsce` would refuse under the machine's yes=false npmrc.
  const vsce = join(root, 'node_modules/@vscode/vsce/vsce');
  const staging = join(outDir, 'stage');
  stage(staging);
  run(process.execPath, [vsce, 'package', '--no-dependencies', '--out', vsix], staging);
  rmSync(staging, { recursive: true, force: true });
  const entries = zipEntries(vsix);
  const stray = entries.filter((e) => !e.name.endsWith('/') && !allowed.some((re) => re.test(e.name)));
  if (stray.length) {
    throw new Error(`${vsix} holds files that must not ship (fix .vscodeignore):\n  ${stray.map((e) => e.name).join('\n  ')}`);
  }
  if (!quiet) {
    const total = statSync(vsix).size;
    console.log(`\n${vsix}: ${human(total)} (${entries.length} files, ${human(entries.reduce((s, e) => s + e.size, 0))} unpacked)`);
    for (const e of entries) console.log(`  ${human(e.size).padStart(10)}  ${e.name}`);
  }
  return vsix;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    packageExtension();
  } catch (e) {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  }
}
