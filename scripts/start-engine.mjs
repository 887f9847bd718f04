// The local Elasticsearch for `npm start` (docs/elasticsearch-engine.md): builds the launcher if
// needed, generates the examples' seed, starts `distillery engine start` with it and points the
// workspace's `local` cluster at it. Never fatal: without Java or Maven it says so and returns
// null, and VS Code starts without an engine.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { applyEdits, modify, parse } from 'jsonc-parser';
import { ensureOrdersSeed } from '../examples/seed/generate.mjs';

/** Elasticsearch's usual port, which examples/distillery.json names; another one only when it is busy. */
const PREFERRED_PORT = 9200;

function cli(root, args) {
  const bundled = join(root, 'dist', 'cli.js');
  const argv = existsSync(bundled) ? [bundled, ...args] : ['--import', 'tsx', join(root, 'src', 'cli', 'main.ts'), ...args];
  return spawnSync(process.execPath, argv, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function portFree(port) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Sets clusters[name=local].url in DIR/distillery.json, keeping its formatting; returns the old text when it changed it. */
function pointLocalCluster(workspace, url) {
  const file = join(workspace, 'distillery.json');
  if (!existsSync(file)) return undefined;
  const text = readFileSync(file, 'utf8');
  const clusters = parse(text)?.clusters;
  const list = Array.isArray(clusters) ? clusters : [];
  const at = list.findIndex((c) => c && c.name === 'local');
  const path = at >= 0 ? ['clusters', at, 'url'] : ['clusters', list.length];
  const value = at >= 0 ? url : { name: 'local', url, index: 'orders' };
  if (at >= 0 && list[at].url === url) return undefined;
  const edited = applyEdits(text, modify(text, path, value, { formattingOptions: { insertSpaces: true, tabSize: 2 } }));
  writeFileSync(file, edited);
  return { file, text };
}

/**
 * Starts the engine; returns { url, port, stop() } or null when it cannot run here (the reason is
 * printed). stop() stops the node and restores distillery.json if it was edited.
 */
export async function startLocalEngine({ root, workspace, log = console.log }) {
  const setup = spawnSync('bash', [join(root, 'scripts', 'setup-es-engine.sh')], { cwd: root, encoding: 'utf8' });
  if (setup.status !== 0) {
    log(`  local Elasticsearch not built (${(setup.stderr || setup.stdout).trim().split('\n').pop()}); starting without it`);
    return null;
  }
  const seed = ensureOrdersSeed();
  const port = process.env.ES_PORT ? Number(process.env.ES_PORT) : (await portFree(PREFERRED_PORT)) ? PREFERRED_PORT : undefined;
  const started = cli(root, ['engine', 'start', '--seed', seed, ...(port ? ['--port', String(port)] : [])]);
  const url = /^url (\S+)$/m.exec(started.stdout)?.[1];
  if (started.status !== 0 || !url) {
    log(`  ${started.stderr.trim().split('\n').join('\n  ')}`);
    log('  starting without a local Elasticsearch: Run needs a cluster (--cluster URL or a "clusters" entry in distillery.json)');
    return null;
  }
  const actualPort = Number(new URL(url).port);
  const seeded = started.stdout.match(/^seeded .*$/gm) ?? [];
  log(`  ${url} (${seeded.join(', ').replace(/seeded /g, '')})`);
  const restore = pointLocalCluster(workspace, url);
  if (restore) log(`  port ${PREFERRED_PORT} is busy: pointed the "local" cluster in ${restore.file} at ${url} until this stops`);
  let stopped = false;
  return {
    url,
    port: actualPort,
    stop() {
      if (stopped) return;
      stopped = true;
      cli(root, ['engine', 'stop', '--port', String(actualPort)]);
      if (restore) writeFileSync(restore.file, restore.text);
    },
  };
}
