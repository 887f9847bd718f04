// The local engine itself: start (CLI contract: first line "url …", detached), seed (three mapping
// shapes, _id), stop, and the errors a user meets (port busy, no build, no Java, a node that dies).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client } from '@elastic/elasticsearch';
import { createIndexBody, EngineError, engineBuild, startEngine, stopEngine } from '../../src/core/engine';
import { cliArgs, runCli } from '../helpers/cli';
import { engineUnavailable } from '../helpers/es-engine';

const unavailable = engineUnavailable();
const scratch = mkdtempSync(join(tmpdir(), 'distillery-engine-test-'));
chmodSync(scratch, 0o755); // as root the node runs as nobody, who must reach its state dir
after(() => rmSync(scratch, { recursive: true, force: true }));

function writeSeed(dir: string): string {
  const put = (index: string, mapping: unknown, docs: unknown[]) => {
    mkdirSync(join(dir, index), { recursive: true });
    writeFileSync(join(dir, index, 'mapping.json'), JSON.stringify(mapping));
    writeFileSync(join(dir, index, 'docs.ndjson'), docs.map((d) => JSON.stringify(d)).join('\n') + '\n');
  };
  // One index per mapping shape.
  put('from-get-response', { 'from-get-response': { mappings: { properties: { n: { type: 'integer' } } } } }, [{ _id: 'a', n: 1 }, { _id: 'b', n: 2 }]);
  put('from-create-body', { settings: { number_of_shards: 1 }, mappings: { properties: { tag: { type: 'keyword' } } } }, [{ tag: 'x' }]);
  put('bare', { properties: { title: { type: 'text' } }, runtime: { len: { type: 'long', script: { source: "emit(doc['title'].size())" } } } }, [{ _id: 7, title: 'hello world' }]);
  mkdirSync(join(dir, 'not-an-index')); // no mapping.json: ignored
  return dir;
}

describe('createIndexBody', () => {
  test('accepts the three mapping shapes and sets no replicas', () => {
    const props = { properties: { a: { type: 'keyword' } } };
    for (const shape of [{ idx: { mappings: props } }, { mappings: props }, props]) {
      const { body } = createIndexBody(shape, 'm.json');
      assert.deepEqual(body['mappings'], props);
      assert.deepEqual(body['settings'], { number_of_replicas: 0 });
    }
  });
  test('drops runtime fields with scripts (no painless) and reports them', () => {
    const { body, dropped } = createIndexBody({ properties: {}, runtime: { h: { type: 'long', script: 'emit(1)' }, k: { type: 'keyword' } } }, 'm.json');
    assert.deepEqual((body['mappings'] as { runtime: unknown }).runtime, { k: { type: 'keyword' } });
    assert.deepEqual(dropped, ['runtime field "h" (its script needs painless)']);
  });
  test('names the file when the JSON is no mapping', () => {
    assert.throws(() => createIndexBody([1, 2], 'seed/x/mapping.json'), /seed\/x\/mapping\.json: expected one index mapping/);
  });
});

describe('missing prerequisites', () => {
  test('an unbuilt launcher names the setup command', () => {
    const empty = join(scratch, 'empty-project');
    mkdirSync(empty);
    assert.throws(() => engineBuild(empty), (e: unknown) => e instanceof EngineError && /not built/.test(e.message) && /scripts\/setup-es-engine\.sh/.test(e.message));
  });
  test('CLI: no build → exit 1 with the fix, no stack trace', () => {
    const empty = join(scratch, 'empty-project-cli');
    mkdirSync(empty);
    writeFileSync(join(empty, 'pom.xml'), '<project/>');
    const r = runCli(['engine', 'start'], { env: { ...process.env, DISTILLERY_ES_ENGINE_DIR: empty } });
    if (/Java was not found|too old/.test(r.stderr)) return; // this machine lacks Java: the next test covers it
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /^distillery engine: the local Elasticsearch engine is not built .*bash scripts\/setup-es-engine\.sh/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
    assert.equal(r.stdout, '');
  });
  test('CLI: no Java → exit 1 saying to install a JDK 17 or use --cluster', () => {
    const env = { ...process.env, PATH: join(scratch, 'no-bin'), JAVA_HOME: '' };
    const r = runCli(['engine', 'start'], { env });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /Java was not found .*install a JDK 17 or point --cluster at your own cluster/);
  });
  test('CLI: a bad --heap is refused before anything starts', () => {
    const r = runCli(['engine', 'start', '--heap', 'lots']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /--heap must be a size such as 512m or 1g, got "lots"/);
  });
});

describe('a real node', { skip: unavailable }, () => {
  let busy: Server;
  let busyPort: number;
  before(async () => {
    busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    busyPort = (busy.address() as { port: number }).port;
  });
  after(() => new Promise<void>((resolve) => busy.close(() => resolve())));

  test('CLI start prints the url first, seeds every index, returns while the node runs; stop ends it', async () => {
    const state = join(scratch, 'cli-state');
    const seedDir = writeSeed(join(scratch, 'seed'));
    const start = runCli(['engine', 'start', '--seed', seedDir, '--state-dir', state, '--heap', '384m']);
    assert.equal(start.status, 0, start.stderr);
    const first = start.stdout.split('\n')[0]!;
    const m = /^url (http:\/\/127\.0\.0\.1:(\d+))$/.exec(first);
    assert.ok(m, `first line was "${first}"`);
    const [, url, port] = m;
    assert.match(start.stderr, /index bare: left out runtime field "len" \(its script needs painless\)/);
    const client = new Client({ node: url! });
    try {
      const health = await client.cluster.health();
      assert.equal(health.status, 'green');
      assert.equal((await client.count({ index: 'from-get-response' })).count, 2);
      assert.equal((await client.count({ index: 'from-create-body' })).count, 1);
      const doc = await client.get({ index: 'bare', id: '7' });
      assert.deepEqual(doc._source, { title: 'hello world' });
      assert.deepEqual((await client.get({ index: 'from-get-response', id: 'b' }))._source, { n: 2 });
      assert.equal(await client.indices.exists({ index: 'not-an-index' }), false);
      const hits = await client.search({ index: 'bare', query: { match: { title: 'hello' } } });
      assert.equal(hits.hits.hits.length, 1);
    } finally {
      await client.close();
      const stop = runCli(['engine', 'stop', '--port', port!, '--state-dir', state]);
      assert.equal(stop.status, 0, stop.stderr);
      assert.equal(stop.stdout, `stopped ${port}\n`);
    }
    await assert.rejects(fetch(`${url}/_cluster/health`), 'the node no longer answers after stop');
    assert.equal(existsSync(join(state, port!, 'engine.pid')), false);
    const again = runCli(['engine', 'stop', '--port', port!, '--state-dir', state]);
    assert.equal(again.status, 0);
    assert.match(again.stderr, new RegExp(`no engine running on port ${port}`));
  });

  test('an ordinary user starts the JVM directly, without runuser', { skip: process.getuid?.() !== 0 && 'covered by the tests above when not root' }, () => {
    // As root every other test goes through `runuser -u nobody`; here the CLI itself runs as nobody.
    const state = join(scratch, 'as-nobody');
    mkdirSync(state, { mode: 0o777 });
    chmodSync(state, 0o777);
    const asNobody = (args: string[]) => spawnSync('runuser', ['-u', 'nobody', '--', process.execPath, ...cliArgs(args)], { encoding: 'utf8', env: { ...process.env, HOME: state } });
    const start = asNobody(['engine', 'start', '--state-dir', state, '--heap', '256m']);
    assert.equal(start.status, 0, start.stderr);
    const port = /^url http:\/\/127\.0\.0\.1:(\d+)$/m.exec(start.stdout)![1]!;
    const pid = /^pid (\d+)$/m.exec(start.stdout)![1]!;
    try {
      const parent = readFileSync(`/proc/${pid}/status`, 'utf8');
      assert.match(parent, /^Uid:\s+65534\b/m, 'the JVM runs as nobody');
      const launcher = readFileSync(join(state, port, 'launcher.pid'), 'utf8').trim();
      assert.equal(launcher, pid, 'no runuser in between: the spawned process is the JVM');
    } finally {
      const stop = asNobody(['engine', 'stop', '--port', port, '--state-dir', state]);
      assert.equal(stop.status, 0, stop.stderr);
    }
  });

  test('a busy port is refused with the port named', async () => {
    await assert.rejects(
      startEngine({ port: busyPort, stateRoot: join(scratch, 'busy') }),
      (e: unknown) => e instanceof EngineError && e.message.includes(`port ${busyPort} on 127.0.0.1 is busy`),
    );
  });

  test('a node that dies while starting is reported with the tail of its log', async () => {
    // More heap than any machine has: the JVM exits at once with its own reason.
    await assert.rejects(
      startEngine({ heap: '100000g', stateRoot: join(scratch, 'dies') }),
      (e: unknown) => e instanceof EngineError && /exited \(code \d+\) before it answered/.test(e.message) && /last lines of .*engine\.log[\s\S]*(heap|memory|reserve)/i.test(e.message),
    );
  });

  test('a seed with a broken document names the file and line; the node is stopped again', async () => {
    const seedDir = join(scratch, 'bad-seed');
    mkdirSync(join(seedDir, 'idx'), { recursive: true });
    writeFileSync(join(seedDir, 'idx', 'mapping.json'), JSON.stringify({ properties: { n: { type: 'integer' } } }));
    writeFileSync(join(seedDir, 'idx', 'docs.ndjson'), '{"n": 1}\n{"n": oops}\n');
    const stateRoot = join(scratch, 'bad-seed-state');
    await assert.rejects(startEngine({ seed: seedDir, stateRoot }), /idx\/docs\.ndjson:2: not valid JSON/);
    assert.deepEqual(await stopEngine({ stateRoot }), [], 'nothing left running');
  });
});
