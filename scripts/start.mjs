// `npm start`: builds and packages the extension, makes sure code-server is installed, starts it on
// 127.0.0.1 with the .vsix installed and examples/ open, prints the URL, and stops the whole
// process group on Ctrl+C / SIGTERM. Nothing leaves the machine: no account (--auth none), no
// telemetry, no update checks, and its own user-data / extensions / HOME under .e2e/start/.
//
// PORT=8080 npm start picks the port (default: a free one); DISTILLERY_WORKSPACE=dir opens another
// folder; DISTILLERY_VSIX=file.vsix runs a given package instead of building one.
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { codeServerVersion, ensureCodeServer, repoRoot, startCodeServer } from './code-server.mjs';
import { packageExtension } from './package.mjs';
import { startLocalEngine } from './start-engine.mjs';

const step = (text) => console.log(`\n» ${text}`);

let vsix = process.env.DISTILLERY_VSIX;
if (vsix) {
  step(`using the package named by DISTILLERY_VSIX`);
} else {
  step('building and packaging the extension');
  vsix = packageExtension({ quiet: true });
}
console.log(`  ${vsix}`);

step(`checking code-server ${codeServerVersion} in .tools/code-server`);
ensureCodeServer();

const base = join(repoRoot, '.e2e', 'start');
// A fresh profile each start: the extension under test is the one just packaged, never a stale copy.
rmSync(join(base, 'extensions'), { recursive: true, force: true });
const workspace = resolve(process.env.DISTILLERY_WORKSPACE ?? join(repoRoot, 'examples'));
const port = process.env.PORT ? Number(process.env.PORT) : undefined;
if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) {
  console.error(`PORT=${process.env.PORT} is not a TCP port number; use e.g. PORT=8080 npm start`);
  process.exit(2);
}

step('starting the local Elasticsearch with the examples\' orders (docs/elasticsearch-engine.md)');
const engine = await startLocalEngine({ root: repoRoot, workspace });
// The node runs detached: stop it on every way out, including a failed code-server start.
process.on('exit', () => engine?.stop());

step('starting code-server');
const verbose = Boolean(process.env.DEBUG);
const server = await startCodeServer({
  base,
  vsix,
  workspace,
  ...(port !== undefined ? { port } : {}),
  log: (line) => {
    if (verbose || /error/i.test(line)) console.log(`  [code-server] ${line}`);
  },
});

console.log(`
  Distillery is running in VS Code (code-server ${codeServerVersion}):

      ${server.folderUrl()}

  Workspace: ${workspace}
  Elasticsearch: ${engine ? `${engine.url} (cluster "local", index orders)` : 'not started (see above)'}
  Profile:   ${base}
  Press Ctrl+C to stop.
`);

let stopping = false;
async function shutdown(signal) {
  if (stopping) return;
  stopping = true;
  console.log(`\n» ${signal}: stopping code-server${engine ? ' and Elasticsearch' : ''}`);
  await server.stop();
  engine?.stop();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGHUP', () => void shutdown('SIGHUP'));
server.process.on('exit', (code, signal) => {
  if (stopping) return;
  console.error(`code-server exited unexpectedly (${code ?? signal}); last output:\n${server.output.slice(-30).join('\n')}`);
  process.exit(1);
});
