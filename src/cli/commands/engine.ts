// `distillery engine start|stop`: a local single-node Elasticsearch for tests and the demo
// (docs/ARCHITECTURE.md, "Elasticsearch contract"; docs/elasticsearch-engine.md).
import { DEFAULT_HEAP, EngineError, startEngine, stopEngine } from '../../core/engine';
import { EXIT, numberFlag, parse, UsageError, UserError } from '../usage';

const HELP = `usage: distillery engine start [--port P] [--seed DIR] [--heap ${DEFAULT_HEAP}] [--state-dir D]
       distillery engine stop  [--port P] [--state-dir D]

Runs a local single-node Elasticsearch 8.15 on 127.0.0.1 (built by scripts/setup-es-engine.sh;
needs a JDK 17). \`start\` prints "url http://127.0.0.1:P" as its first line once the node is green
and the seed is loaded; the node keeps running detached until \`stop\`. Each start begins with
empty data.

  --port P        HTTP port (default: a free one)
  --seed DIR      load every DIR/<index>/ holding mapping.json + docs.ndjson into index <index>
  --heap SIZE     JVM heap (default ${DEFAULT_HEAP})
  --state-dir D   where data, logs and pid files go (default: DISTILLERY_ENGINE_STATE,
                  ~/.distillery/engine, or under the temp dir when run as root)
  stop without --port stops every engine recorded in the state dir.`;

export async function run(argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  if (!action || action === '--help' || action === '-h') {
    process.stdout.write(`${HELP}\n`);
    return action ? EXIT.ok : EXIT.usage;
  }
  if (action !== 'start' && action !== 'stop') throw new UsageError(`distillery engine: unknown action "${action}"; use start or stop.\n\n${HELP}`);
  const { values } = parse(`engine ${action}`, rest, {
    port: { type: 'string' },
    'state-dir': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
    ...(action === 'start' ? { seed: { type: 'string' }, heap: { type: 'string' } } : {}),
  } as const);
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return EXIT.ok;
  }
  const port = numberFlag('port', values.port, { integer: true, min: 1 });
  const stateRoot = values['state-dir'];
  try {
    if (action === 'start') {
      const v = values as { seed?: string; heap?: string };
      const engine = await startEngine({ port, stateRoot, seed: v.seed, heap: v.heap });
      for (const s of engine.seeded) {
        for (const d of s.dropped) process.stderr.write(`distillery engine: index ${s.index}: left out ${d}\n`);
      }
      // One write, url first: a reader that takes only the first line (`| head -1`) gets it whole.
      const lines = [`url ${engine.url}`, `pid ${engine.pid}`, `state ${engine.stateDir}`, ...engine.seeded.map((s) => `seeded ${s.index} ${s.docs} docs`)];
      process.stdout.write(`${lines.join('\n')}\n`);
      return EXIT.ok;
    }
    const stopped = await stopEngine({ port, stateRoot });
    if (stopped.length === 0) {
      process.stderr.write(port !== undefined ? `distillery engine: no engine running on port ${port}\n` : 'distillery engine: no engine running\n');
      return EXIT.ok;
    }
    for (const p of stopped) process.stdout.write(`stopped ${p}\n`);
    return EXIT.ok;
  } catch (e) {
    if (e instanceof EngineError) throw new UserError(e.message);
    throw e;
  }
}
