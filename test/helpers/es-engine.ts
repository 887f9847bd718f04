// A real single-node Elasticsearch 8.15 for tests (TESTING.md, "Real engines";
// docs/elasticsearch-engine.md), started through src/core/engine with its state in a temp dir
// of its own, so tests never touch a developer's engines.
//
//   const reason = engineUnavailable();           // skip with it when Java or the build is missing
//   const es = await startEngine({ seed: examplesSeed() });
//   ... es.url ...
//   await es.stop();
//
// Starting a node costs seconds (about 10–20 s on a loaded 2-core machine), so a test file that
// needs one in several tests takes `sharedEngine()`: one node per test process and seed, stopped
// when the last holder calls stop(). Any node still running when the process exits is killed, so a
// crashed test does not leave a JVM behind.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkJava, engineBuild, EngineError, startEngine as startNode, stopEngine } from '../../src/core/engine';
import { ensureOrdersSeed } from '../../examples/seed/generate.mjs';

export interface TestEngine {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export interface TestEngineOptions {
  /** A seed dir (DIR/<index>/mapping.json + docs.ndjson), loaded before the promise resolves. */
  seed?: string;
  heap?: string;
}

/** Why a real engine cannot run here (a sentence for a skip), or undefined when it can. */
export function engineUnavailable(): string | undefined {
  try {
    checkJava();
    engineBuild();
    return undefined;
  } catch (e) {
    if (e instanceof EngineError) return e.message;
    throw e;
  }
}

/** JVM pid → its state root, for the last-resort cleanup below. */
const running = new Map<number, string>();
function killRunning(): void {
  for (const [pid, stateRoot] of running) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone already */
    }
    rmSync(stateRoot, { recursive: true, force: true });
  }
  running.clear();
}
process.on('exit', killRunning);
// A test process stopped by a signal (the runner's timeout, Ctrl+C) emits no 'exit': kill the
// nodes, then die of the same signal.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killRunning();
    process.kill(process.pid, signal);
  });
}

/** Starts a fresh node; its state lives in a temp dir removed by stop(). */
export async function startEngine(options: TestEngineOptions = {}): Promise<TestEngine> {
  const stateRoot = mkdtempSync(join(tmpdir(), 'distillery-test-engine-'));
  chmodSync(stateRoot, 0o755); // as root the node runs as nobody, who must reach it
  let node;
  try {
    node = await startNode({ stateRoot, seed: options.seed, heap: options.heap ?? '384m' });
  } catch (e) {
    rmSync(stateRoot, { recursive: true, force: true });
    throw e;
  }
  running.set(node.pid, stateRoot);
  const { pid, port, url } = node;
  let stopped: Promise<void> | undefined;
  return {
    url,
    port,
    stop: () =>
      (stopped ??= (async () => {
        await stopEngine({ port, stateRoot });
        running.delete(pid);
        rmSync(stateRoot, { recursive: true, force: true });
      })()),
  };
}

const shared = new Map<string, { engine: Promise<TestEngine>; holders: number }>();

/** One node per test process and seed; each caller gets a handle whose stop() releases its hold. */
export async function sharedEngine(options: TestEngineOptions = {}): Promise<TestEngine> {
  const key = `${options.seed ?? ''}\0${options.heap ?? ''}`;
  let entry = shared.get(key);
  if (!entry) {
    entry = { engine: startEngine(options), holders: 0 };
    shared.set(key, entry);
    entry.engine.catch(() => shared.delete(key));
  }
  entry.holders++;
  const engine = await entry.engine;
  let released = false;
  const held = entry;
  return {
    url: engine.url,
    port: engine.port,
    stop: async () => {
      if (released) return;
      released = true;
      if (--held.holders === 0) {
        shared.delete(key);
        await engine.stop();
      }
    },
  };
}

/**
 * The examples' seed (several thousand synthetic orders matching examples/mapping.json, index
 * "orders"), generated on first use into a git-ignored directory; returns the seed dir.
 */
export function examplesSeed(): string {
  return ensureOrdersSeed();
}
