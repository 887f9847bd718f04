// Starts and stops a private code-server (VS Code in a browser) with the packaged extension
// installed. Shared by `npm start` (scripts/start.mjs) and the e2e suite (test/e2e/harness.ts), so
// the demo a newcomer sees and the workbench the tests drive are started by the same code.
//
// Everything code-server writes (user data, extensions, HOME, XDG dirs) goes under one base folder,
// so a run never touches the user's own VS Code state and needs no account or marketplace.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(new URL('..', import.meta.url).pathname);
export const codeServerVersion = '4.100.3';
const entry = join(repoRoot, '.tools/code-server/node_modules/code-server/out/node/entry.js');

/** Path of code-server's entry script, running scripts/setup-code-server.sh first when missing. */
export function ensureCodeServer({ quiet = false } = {}) {
  if (existsSync(entry) && existsSync(join(repoRoot, '.tools/code-server/.installed'))) return entry;
  const r = spawnSync('bash', [join(repoRoot, 'scripts/setup-code-server.sh')], {
    cwd: repoRoot,
    stdio: quiet ? ['ignore', 'pipe', 'inherit'] : 'inherit',
  });
  if (r.status !== 0 || !existsSync(entry)) {
    throw new Error('code-server is not installed and scripts/setup-code-server.sh failed; see its output above');
  }
  return entry;
}

/** A free TCP port on 127.0.0.1, asked from the kernel. */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

/** Settings that keep the workbench quiet and deterministic: no welcome page, no update or telemetry calls. */
export const baseSettings = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'chat.commandCenter.enabled': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'git.enabled': false,
  'git.openRepositoryInParentFolders': 'never',
};

/**
 * Runs code-server's CLI once (e.g. --install-extension) against the same dirs the server uses.
 * @param {{userDataDir: string, extensionsDir: string, env: NodeJS.ProcessEnv}} dirs
 * @param {string[]} args
 */
function codeServerCli(dirs, args) {
  const r = spawnSync(process.execPath, [ensureCodeServer(), '--user-data-dir', dirs.userDataDir, '--extensions-dir', dirs.extensionsDir, ...args], {
    cwd: repoRoot,
    env: dirs.env,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`code-server ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** Folders and environment for one code-server, all under `base`. */
export function codeServerDirs(base, extraEnv = {}) {
  const home = join(base, 'home');
  const userDataDir = join(base, 'user-data');
  const extensionsDir = join(base, 'extensions');
  for (const d of [home, userDataDir, extensionsDir, join(home, '.config'), join(home, '.cache'), join(home, '.local/share'), join(userDataDir, 'User')]) {
    mkdirSync(d, { recursive: true });
  }
  const env = {
    ...process.env,
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_CACHE_HOME: join(home, '.cache'),
    XDG_DATA_HOME: join(home, '.local/share'),
    // code-server would otherwise pick up the terminal's VS Code IPC hooks when started from one.
    VSCODE_IPC_HOOK_CLI: '',
    ...extraEnv,
  };
  return { base, home, userDataDir, extensionsDir, env };
}

/** Installs a .vsix into the dirs' extensions folder (a folder path does not work; a .vsix does). */
export function installExtension(dirs, vsixPath) {
  return codeServerCli(dirs, ['--install-extension', vsixPath, '--force']);
}

async function waitForHealth(url, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let exited = null;
  child.once('exit', (code, signal) => { exited = `${code ?? signal}`; });
  while (Date.now() < deadline) {
    if (exited !== null) throw new Error(`code-server exited (${exited}) before it answered ${url}/healthz`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`code-server did not answer ${url}/healthz within ${timeoutMs} ms`);
}

/**
 * Starts code-server with the extension from `vsix` installed and `workspace` open.
 * @param {{base: string, vsix?: string, workspace: string, port?: number, settings?: Record<string, unknown>,
 *          env?: Record<string, string>, log?: (line: string) => void, timeoutMs?: number}} options
 */
export async function startCodeServer(options) {
  const dirs = codeServerDirs(options.base, options.env ?? {});
  writeFileSync(join(dirs.userDataDir, 'User/settings.json'), JSON.stringify({ ...baseSettings, ...(options.settings ?? {}) }, null, 2));
  if (options.vsix) installExtension(dirs, options.vsix);
  const port = options.port ?? (await freePort());
  const args = [
    ensureCodeServer(),
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--user-data-dir', dirs.userDataDir,
    '--extensions-dir', dirs.extensionsDir,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    options.workspace,
  ];
  // Its own process group (setsid): every page load starts an extension host that would otherwise
  // wait up to 3 hours for the browser; stop() ends the whole group.
  const child = spawn(process.execPath, args, { cwd: options.workspace, env: dirs.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = [];
  const onData = (d) => {
    for (const line of String(d).split('\n')) {
      if (!line) continue;
      output.push(line);
      if (output.length > 400) output.shift();
      options.log?.(line);
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const url = `http://127.0.0.1:${port}`;
  let stopped;
  const stop = () => {
    stopped ??= new Promise((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done();
      const kill = (signal) => {
        try {
          process.kill(-child.pid, signal);
        } catch {
          // group already gone
        }
      };
      const hard = setTimeout(() => kill('SIGKILL'), 5000);
      child.once('exit', () => {
        clearTimeout(hard);
        // Extension hosts and language servers are in the same group; make sure none outlives it.
        kill('SIGKILL');
        done();
      });
      kill('SIGTERM');
    });
    return stopped;
  };
  try {
    await waitForHealth(url, child, options.timeoutMs ?? 60_000);
  } catch (e) {
    await stop();
    throw new Error(`${e instanceof Error ? e.message : e}\n${output.join('\n')}`);
  }
  /** URL that opens `folder` (default: the workspace) in the workbench. */
  const folderUrl = (folder = options.workspace) => `${url}/?folder=${encodeURIComponent(folder)}`;
  return { url, port, folderUrl, dirs, process: child, output, stop };
}
