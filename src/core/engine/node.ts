// Starts and stops a local single-node Elasticsearch from the tools/es-engine launcher:
// a detached JVM on 127.0.0.1, its state (data, logs, pid) in one directory per HTTP port.
// Elasticsearch refuses to run as root, so as root the JVM runs as `nobody` (runuser) and the
// state directory is handed to that user.
import { spawn, spawnSync } from 'node:child_process';
import { chownSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@elastic/elasticsearch';
import { checkJava, EngineError, engineBuild, javaCommand, type EngineBuild } from './build';
import { seed as seedDir, type SeededIndex } from './seed';
import { isProcessAlive } from '../system/process';

export interface StartOptions {
  /** HTTP port; default a free one. */
  port?: number;
  /** JVM heap, e.g. 512m or 1g (-Xms and -Xmx). */
  heap?: string;
  /** A seed directory (see seed.ts), loaded and refreshed before start returns. */
  seed?: string;
  /** Where per-port state directories go; default defaultStateRoot(). */
  stateRoot?: string;
  /** How long to wait for the node to answer green. */
  timeoutMs?: number;
  build?: EngineBuild;
}

export interface RunningEngine {
  url: string;
  port: number;
  /** The JVM's pid. */
  pid: number;
  stateDir: string;
  logFile: string;
  seeded: SeededIndex[];
}

export const DEFAULT_HEAP = '512m';
const UNPRIVILEGED_USER = 'nobody';

const isRoot = () => process.getuid?.() === 0;

/**
 * DISTILLERY_ENGINE_STATE, else ~/.distillery/engine — but as root the node runs as `nobody`,
 * who cannot enter /root, so there it is under the system temp dir.
 */
export function defaultStateRoot(): string {
  const fromEnv = process.env['DISTILLERY_ENGINE_STATE'];
  if (fromEnv) return fromEnv;
  return isRoot() ? join(tmpdir(), 'distillery-engine') : join(homedir(), '.distillery', 'engine');
}

/** A port nothing listens on right now (the kernel's pick). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export function parseHeap(heap: string): string {
  if (!/^\d+[mMgG]$/.test(heap) || /^0+[mMgG]$/.test(heap)) {
    throw new EngineError(`--heap must be a size such as 512m or 1g, got "${heap}"`);
  }
  return heap.toLowerCase();
}

function nobodyIds(): { uid: number; gid: number } {
  const id = (flag: string) => Number(spawnSync('id', [flag, UNPRIVILEGED_USER], { encoding: 'utf8' }).stdout.trim());
  const uid = id('-u');
  const gid = id('-g');
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) {
    throw new EngineError(`Elasticsearch refuses to run as root and there is no user "${UNPRIVILEGED_USER}" to run it as; start Distillery as an ordinary user`);
  }
  return { uid, gid };
}

/** As root: hand the state dir to nobody and check that nobody can reach it and read the jars. */
function prepareForNobody(stateDir: string, build: EngineBuild): void {
  const { uid, gid } = nobodyIds();
  const chownTree = (dir: string) => {
    chownSync(dir, uid, gid);
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, entry.name);
      if (entry.isDirectory()) chownTree(p);
      else chownSync(p, uid, gid);
    }
  };
  chownTree(stateDir);
  const probe = spawnSync('runuser', ['-u', UNPRIVILEGED_USER, '--', 'sh', '-c', 'test -w "$1" && test -r "$2" && test -r "$3"', 'probe', stateDir, build.launcherJar, build.libDir]);
  if (probe.error) throw new EngineError(`running as root needs \`runuser\` (util-linux) to start Elasticsearch as "${UNPRIVILEGED_USER}": ${probe.error.message}`);
  if (probe.status !== 0) {
    throw new EngineError(
      `Elasticsearch refuses to run as root, so it runs as "${UNPRIVILEGED_USER}", who cannot write ${stateDir} or read ${build.projectDir}/target: choose a state directory whose parents everyone may enter (--state-dir or DISTILLERY_ENGINE_STATE, e.g. under /tmp) and make the repository world-readable`,
    );
  }
}

function tail(file: string, lines = 30): string {
  if (!existsSync(file)) return '(no log)';
  const text = readFileSync(file, 'utf8').trimEnd().split('\n');
  // The last lines of a Java stack trace are frames; the cause is the last non-frame lines.
  const meaningful = text.filter((l) => !/^\s+at |^\s+\.\.\. \d+ more/.test(l));
  return meaningful.slice(-lines).join('\n');
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function stateDirFor(port: number, stateRoot = defaultStateRoot()): string {
  return join(stateRoot, String(port));
}

/** Starts a node and returns once it answers green (and the seed is loaded). */
export async function startEngine(options: StartOptions = {}): Promise<RunningEngine> {
  const heap = parseHeap(options.heap ?? DEFAULT_HEAP);
  const java = javaCommand();
  checkJava(java);
  const build = options.build ?? engineBuild();
  const port = options.port ?? (await freePort());
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new EngineError(`--port must be 1–65535, got ${port}`);
  if (!(await portIsFree(port))) {
    throw new EngineError(`port ${port} on 127.0.0.1 is busy (another engine or program listens there): choose another --port or leave it out for a free one`);
  }
  const transportPort = await freePort();
  const stateRoot = options.stateRoot ?? defaultStateRoot();
  const stateDir = stateDirFor(port, stateRoot);
  const existing = readPid(stateDir);
  if (existing !== undefined && isProcessAlive(existing)) {
    throw new EngineError(`an engine is already recorded for port ${port} (pid ${existing}); run \`distillery engine stop --port ${port}\` first`);
  }
  // The local engine is scratch: each start begins with empty data, so a seed always loads cleanly.
  rmSync(stateDir, { recursive: true, force: true });
  mkdirSync(stateRoot, { recursive: true });
  if (isRoot()) chmodSync(stateRoot, 0o755);
  mkdirSync(stateDir, { recursive: true });
  const logFile = join(stateDir, 'engine.log');
  const jvm = [
    `-Xms${heap}`,
    `-Xmx${heap}`,
    '-XX:+UseSerialGC',
    '-Djava.awt.headless=true',
    '-Dfile.encoding=UTF-8',
    `-Djava.io.tmpdir=${join(stateDir, 'tmp')}`,
    '--module-path',
    build.libDir,
    '--add-modules',
    'ALL-MODULE-PATH',
    '-cp',
    build.launcherJar,
    'dev.distillery.engine.EngineMain',
    build.homeDir,
    stateDir,
    String(port),
    String(transportPort),
  ];
  mkdirSync(join(stateDir, 'tmp'));
  writeFileSync(logFile, '');
  if (isRoot()) prepareForNobody(stateDir, build);
  const [command, args] = isRoot() ? ['runuser', ['-u', UNPRIVILEGED_USER, '--', java, ...jvm]] : [java, jvm];
  const log = openSync(logFile, 'a');
  const child = spawn(command as string, args as string[], { detached: true, stdio: ['ignore', log, log] });
  closeSync(log);
  let exited: number | null | undefined;
  let spawnError: Error | undefined;
  child.on('exit', (code) => (exited = code));
  child.on('error', (e) => (spawnError = e));
  child.unref();
  writeFileSync(join(stateDir, 'launcher.pid'), `${child.pid}\n`);

  const url = `http://127.0.0.1:${port}`;
  // Generous per request: a bulk batch on a busy 2-core machine can take many seconds. The
  // health polls below carry their own short timeout.
  const client = new Client({ node: url, requestTimeout: 120_000, maxRetries: 0 });
  const deadline = Date.now() + (options.timeoutMs ?? 180_000);
  const fail = async (message: string): Promise<never> => {
    await stopByState(stateDir, child.pid);
    await client.close();
    throw new EngineError(`${message}\n--- last lines of ${logFile} ---\n${tail(logFile)}`);
  };
  try {
    for (;;) {
      if (spawnError) return await fail(`could not start ${command}: ${spawnError.message}`);
      if (exited !== undefined) return await fail(`the Elasticsearch node exited (code ${exited}) before it answered`);
      if (Date.now() > deadline) return await fail(`the Elasticsearch node did not turn green within ${Math.round((options.timeoutMs ?? 180_000) / 1000)} s`);
      try {
        const health = await client.cluster.health({ wait_for_status: 'green', timeout: '1s' }, { requestTimeout: 5000 });
        if (!health.timed_out) break;
      } catch {
        await wait(200); // not listening yet
      }
    }
    const pid = await waitForPid(stateDir, () => exited !== undefined);
    const seeded = options.seed ? await seedDir(client, options.seed) : [];
    if (seeded.length) await client.cluster.health({ wait_for_status: 'green', timeout: '60s' });
    return { url, port, pid, stateDir, logFile, seeded };
  } catch (e) {
    if (e instanceof EngineError && !existsSync(join(stateDir, 'launcher.pid'))) throw e;
    await stopByState(stateDir, child.pid);
    throw e instanceof EngineError ? e : new EngineError(`the Elasticsearch node failed while starting: ${(e as Error).message}`);
  } finally {
    await client.close();
  }
}

/** The JVM writes engine.pid once Node.start() returned; green comes a moment later or earlier. */
async function waitForPid(stateDir: string, died: () => boolean): Promise<number> {
  for (let i = 0; i < 100; i++) {
    const pid = readPid(stateDir);
    if (pid !== undefined) return pid;
    if (died()) break;
    await wait(50);
  }
  throw new EngineError(`the Elasticsearch node answered but wrote no ${join(stateDir, 'engine.pid')}`);
}

function readPid(stateDir: string, file = 'engine.pid'): number | undefined {
  const p = join(stateDir, file);
  if (!existsSync(p)) return undefined;
  const pid = Number(readFileSync(p, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/**
 * Stops the node recorded in a state dir: SIGTERM to the JVM (its shutdown hook closes the node),
 * then to the launcher's process group, SIGKILL after the grace period. Returns whether anything ran.
 */
async function stopByState(stateDir: string, launcherPid?: number, graceMs = 20_000): Promise<boolean> {
  const pids = [readPid(stateDir), launcherPid ?? readPid(stateDir, 'launcher.pid')].filter((p): p is number => p !== undefined);
  const running = pids.filter(isProcessAlive);
  if (running.length === 0) {
    rmSync(join(stateDir, 'engine.pid'), { force: true });
    rmSync(join(stateDir, 'launcher.pid'), { force: true });
    return false;
  }
  const signal = (sig: NodeJS.Signals) => {
    for (const pid of running) {
      try {
        process.kill(pid, sig);
      } catch {
        /* already gone */
      }
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (running.some(isProcessAlive) && Date.now() < deadline) await wait(100);
  if (running.some(isProcessAlive)) {
    signal('SIGKILL');
    while (running.some(isProcessAlive)) await wait(50);
  }
  rmSync(join(stateDir, 'engine.pid'), { force: true });
  rmSync(join(stateDir, 'launcher.pid'), { force: true });
  return true;
}

/** Stops the engine on one port, or every engine recorded under the state root. Returns the ports stopped. */
export async function stopEngine(options: { port?: number; stateRoot?: string } = {}): Promise<number[]> {
  const stateRoot = options.stateRoot ?? defaultStateRoot();
  const ports = options.port !== undefined ? [options.port] : existsSync(stateRoot) ? readdirSync(stateRoot).filter((n) => /^\d+$/.test(n)).map(Number) : [];
  const stopped: number[] = [];
  for (const port of ports) {
    if (await stopByState(stateDirFor(port, stateRoot))) stopped.push(port);
  }
  return stopped;
}
