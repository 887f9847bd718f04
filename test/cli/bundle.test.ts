// The built CLI as package.json "bin" runs it: dist/cli.js, a CommonJS launcher that loads the ES
// module chunks in dist/cli/. The other CLI tests run the sources through tsx, so only this file
// notices a chunk that cannot load (a bundled package calling require() or reading __dirname in an
// ES module). Each case loads a different part: OpenAI's client, Elasticsearch's, ssh2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../helpers/cli';

const launcher = join(repoRoot, 'dist/cli.js');
const noStack = (s: string) => assert.doesNotMatch(s, /\n\s+at .+:\d+:\d+/, `no stack trace in: ${s}`);

function cli(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [launcher, ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
  noStack(r.stderr);
  return r;
}

test('the built launcher loads every command and each runs', { skip: existsSync(launcher) ? false : 'dist/cli.js is not built: run npm run build' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'distillery-bundle-'));
  try {
    const top = cli(['--help'], dir);
    assert.equal(top.status, 0, top.stderr);
    const names = [...top.stdout.matchAll(/^ {2}(\w+) /gm)].map((m) => m[1]!);
    assert.ok(names.length >= 10, top.stdout);
    for (const name of names) {
      const r = cli([name, '--help'], dir);
      assert.equal(r.status, 0, `${name} --help: ${r.stderr}`);
      assert.match(r.stdout, new RegExp(`usage: distillery ${name}`), name);
    }

    writeFileSync(join(dir, 'bad.json'), '{"query":{"mtach":{"title":"x"}}}');
    const validate = cli(['validate', 'bad.json', '--format', 'json'], dir);
    assert.equal(validate.status, 1, validate.stderr);
    assert.equal(JSON.parse(validate.stdout).diagnostics[0].code, 'unknown-query');

    const plan = cli(['plan', '--params', '1e8', '--gpu-mem', '24'], dir);
    assert.equal(plan.status, 0, plan.stderr);
    assert.match(plan.stdout, /LoRA/);

    // Elasticsearch's client: a cluster that does not answer is a clear one-line error.
    writeFileSync(join(dir, 'q.json'), '{"query":{"match_all":{}}}');
    const query = cli(['query', 'q.json', '--cluster', 'http://127.0.0.1:9', '--index', 'x'], dir);
    assert.equal(query.status, 1, query.stderr);
    assert.match(query.stderr, /does not answer/);

    // validate --cluster loads its cluster module on demand, in a chunk of its own.
    const clusterValidate = cli(['validate', 'q.json', '--cluster', 'http://127.0.0.1:9', '--index', 'x'], dir);
    assert.equal(clusterValidate.status, 1, clusterValidate.stderr);
    assert.match(clusterValidate.stderr, /does not answer/);

    // ssh2: an unknown host is a clear one-line error.
    const runs = cli(['runs', 'list', '--host', 'nosuchhost.invalid'], dir);
    assert.equal(runs.status, 1, runs.stderr);
    assert.match(runs.stderr, /cannot reach the host/);

    // OpenAI's client: an empty question list has nothing to do.
    writeFileSync(join(dir, 'd.dss.jsonl'), '');
    const generate = cli(['generate', '--dataset', 'd.dss.jsonl', '--base-url', 'http://127.0.0.1:9', '--model', 'm'], dir);
    assert.equal(generate.status, 0, generate.stderr);
    assert.match(generate.stdout + generate.stderr, /nothing to do/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
