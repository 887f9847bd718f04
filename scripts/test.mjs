// Runs every test suite: static checks, the TypeScript tests under Node's test runner, the
// Python runner's pytest suite and the end-to-end suite in a real VS Code (code-server).
// `node scripts/test.mjs [static|unit|python|e2e]...` runs a subset; no argument runs all.
// Prints one closing line "tests: N passed, N failed, N skipped" summed over the suites.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const wanted = process.argv.slice(2);
const suites = wanted.length ? wanted : ['static', 'unit', 'python', 'e2e'];
const totals = { passed: 0, failed: 0, skipped: 0 };
let failedSteps = [];

function findTests(dir, pred) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findTests(p, pred));
    else if (pred(p)) out.push(p);
  }
  return out.sort();
}

function run(label, cmd, args, opts = {}) {
  return new Promise((resolve) => {
    process.stdout.write(`\n=== ${label}: ${cmd} ${args.join(' ')}\n`);
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], ...opts });
    let text = '';
    child.stdout.on('data', (d) => { text += d; process.stdout.write(d); });
    child.on('close', (code) => resolve({ code: code ?? 1, text }));
  });
}

function count(text, re) {
  const m = text.match(re);
  return m ? Number(m[1]) : 0;
}

const timings = [];

async function step(label, cmd, args, parse) {
  const started = Date.now();
  const { code, text } = await run(label, cmd, args);
  const seconds = Math.round((Date.now() - started) / 1000);
  timings.push(`${label} ${seconds} s`);
  process.stdout.write(`=== ${label}: ${code === 0 ? 'ok' : `exit ${code}`} in ${seconds} s\n`);
  if (parse) {
    const r = parse(text);
    totals.passed += r.passed; totals.failed += r.failed; totals.skipped += r.skipped;
  }
  if (code !== 0) failedSteps.push(label);
}

const nodeTap = (t) => ({
  passed: count(t, /^# pass (\d+)/m),
  failed: count(t, /^# fail (\d+)/m) + count(t, /^# cancelled (\d+)/m),
  skipped: count(t, /^# skipped (\d+)/m) + count(t, /^# todo (\d+)/m),
});
const pytest = (t) => ({
  passed: count(t, /(\d+) passed/), failed: count(t, /(\d+) failed/) + count(t, /(\d+) errors?\b/), skipped: count(t, /(\d+) skipped/),
});

const npx = join(root, 'node_modules/.bin');
for (const suite of suites) {
  if (suite === 'static') {
    await step('typecheck', join(npx, 'tsc'), ['--noEmit', '-p', '.']);
    await step('lint', join(npx, 'eslint'), ['src', 'test', 'bench']);
    await step('build', process.execPath, ['scripts/build.mjs']);
  } else if (suite === 'unit') {
    const files = findTests(join(root, 'test'), (p) => p.endsWith('.test.ts') && !p.includes('/e2e/'));
    await step('unit', process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', '--test-concurrency=2', ...files], nodeTap);
  } else if (suite === 'python') {
    const py = join(root, 'python-runner/.venv/bin/python');
    if (!existsSync(py)) {
      console.error('python-runner/.venv is missing: run `bash scripts/setup-python.sh` (CI does this in .ci/run).');
      failedSteps.push('python');
      continue;
    }
    await step('python', py, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'python-runner/tests'], pytest);
  } else if (suite === 'e2e') {
    const files = findTests(join(root, 'test/e2e'), (p) => p.endsWith('.test.ts'));
    if (files.length === 0) continue;
    await step('e2e', process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', '--test-concurrency=1', ...files], nodeTap);
  } else {
    console.error(`unknown suite "${suite}"; use static, unit, python or e2e`);
    process.exit(2);
  }
}

console.log(`\nsuite times: ${timings.join(', ')}`);
console.log(`\ntests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
if (failedSteps.length) {
  console.log(`failed steps: ${failedSteps.join(', ')}`);
  process.exit(1);
}
