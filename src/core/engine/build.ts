// Where the launcher built by tools/es-engine lives, and whether this machine can run it.
// Both checks produce the one message a user needs: what is missing and how to get it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** A failure the user can fix (missing Java, unbuilt launcher, busy port, a node that died). */
export class EngineError extends Error {}

export const NO_ENGINE_HINT = 'install a JDK 17 or point --cluster at your own cluster';
export const SETUP_COMMAND = 'bash scripts/setup-es-engine.sh';

export interface EngineBuild {
  /** tools/es-engine */
  projectDir: string;
  launcherJar: string;
  /** The server jars, for the module path. */
  libDir: string;
  /** path.home: holds modules/transport-netty4; the node only reads it. */
  homeDir: string;
}

/** Finds tools/es-engine from the repository or the bundled CLI; DISTILLERY_ES_ENGINE_DIR overrides. */
export function findEngineProject(start = __dirname): string {
  const fromEnv = process.env['DISTILLERY_ES_ENGINE_DIR'];
  if (fromEnv) return fromEnv;
  let dir = start;
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, 'tools', 'es-engine');
    if (existsSync(join(candidate, 'pom.xml'))) return candidate;
    dir = dirname(dir);
  }
  throw new EngineError(
    `cannot find tools/es-engine next to Distillery (the local engine is part of the repository, not the packaged extension); set DISTILLERY_ES_ENGINE_DIR or ${NO_ENGINE_HINT}`,
  );
}

/** The built launcher, or an EngineError naming the setup command. */
export function engineBuild(projectDir = findEngineProject()): EngineBuild {
  const target = join(projectDir, 'target');
  const build: EngineBuild = {
    projectDir,
    launcherJar: join(target, 'es-engine-launcher.jar'),
    libDir: join(target, 'lib'),
    homeDir: join(target, 'home'),
  };
  const netty = join(build.homeDir, 'modules', 'transport-netty4', 'plugin-descriptor.properties');
  if (![build.launcherJar, build.libDir, netty].every((p) => existsSync(p))) {
    throw new EngineError(`the local Elasticsearch engine is not built (${target} is incomplete): run \`${SETUP_COMMAND}\` (needs a JDK 17 and Maven), or point --cluster at your own cluster`);
  }
  return build;
}

/** The Java executable: JAVA_HOME's, else `java` on PATH. */
export function javaCommand(): string {
  const home = process.env['JAVA_HOME'];
  return home && existsSync(join(home, 'bin', 'java')) ? join(home, 'bin', 'java') : 'java';
}

/** Checks that Java 17 or newer runs; throws EngineError with the fix otherwise. */
export function checkJava(java = javaCommand()): number {
  const probe = spawnSync(java, ['-version'], { encoding: 'utf8' });
  if (probe.error) throw new EngineError(`Java was not found (${java}): ${NO_ENGINE_HINT}`);
  const major = Number(/version "(\d+)/.exec(`${probe.stderr}${probe.stdout}`)?.[1] ?? NaN);
  if (!Number.isFinite(major)) throw new EngineError(`cannot read the Java version from \`${java} -version\`: ${NO_ENGINE_HINT}`);
  if (major < 17) throw new EngineError(`Java ${major} is too old for Elasticsearch 8 (${java}): ${NO_ENGINE_HINT}`);
  return major;
}
