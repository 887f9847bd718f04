// The one quoting function, property-tested by running hostile strings through a real remote
// shell (sshd → sh -s) and through the local /bin/sh, and comparing the argv printf echoes back.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { shellJoin, shellQuote } from '../../src/core/remote/shell-quote';
import { openHost } from '../../src/core/remote/open-host';
import { closeAllConnections } from '../../src/core/remote/ssh-connection';
import type { Host } from '../../src/core/remote/host';
import { startSshd, sshdUnavailable, type SshdServer } from '../helpers/sshd';

const canary = join(mkdtempSync(join(tmpdir(), 'distillery-canary-')), 'pwned');

const HOSTILE = [
  '',
  ' ',
  'two words',
  "it's",
  "''",
  '"double"',
  `$(touch ${canary})`,
  `\`touch ${canary}\``,
  `; touch ${canary}`,
  `&& touch ${canary} ||`,
  `| tee ${canary}`,
  `> ${canary}`,
  '$HOME ${HOME} $0 $@ $* $$ $? $!',
  'line1\nline2\n',
  '\ttab\r\n',
  'back\\slash\\',
  '\\',
  "'\\''",
  '*',
  '~',
  '~root',
  '-n',
  '--',
  '=x',
  'a=b',
  '#comment',
  '!event',
  '{a,b}',
  '[abc]',
  'ü, 日本語, emoji 🚀, ǅ',
  '\u00a0nbsp\u2028sep',
  '%s%n%x',
  '\x01\x1b[31mred\x1b[0m\x7f',
  'x'.repeat(5000),
];

/** Deterministic random strings over an alphabet heavy in shell metacharacters. */
function randomStrings(n: number, seed = 42): string[] {
  let s = seed >>> 0;
  const next = (): number => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const alphabet = ['\'', '"', '$', '(', ')', '`', ';', '&', '|', '<', '>', '\\', '\n', ' ', '*', '?', '[', ']', '{', '}', '~', '#', '!', '=', '%', 'a', 'Z', '0', 'ü', '日', '🚀', '\t', '-'];
  return Array.from({ length: n }, () => Array.from({ length: Math.floor(next() * 24) }, () => alphabet[Math.floor(next() * alphabet.length)]!).join(''));
}

/** What a shell hands to printf: every argument back, NUL-terminated. */
async function echoArgv(host: Host, args: string[]): Promise<string[]> {
  const r = await host.exec(shellJoin(['printf', '%s\\0', ...args]));
  assert.equal(r.code, 0, r.stderr);
  const parts = r.stdout.split('\0');
  parts.pop();
  return parts;
}

describe('shellQuote', () => {
  test('leaves plain words readable and quotes everything else', () => {
    assert.equal(shellQuote('abc-1.2/x_y:z@h,p+q%'), 'abc-1.2/x_y:z@h,p+q%');
    assert.equal(shellQuote(''), "''");
    assert.equal(shellQuote("it's"), "'it'\\''s'");
    assert.equal(shellQuote('~'), "'~'");
    assert.equal(shellQuote('=x'), "'=x'");
    assert.throws(() => shellQuote('a\0b'), /NUL/);
  });

  test('round-trips hostile strings through the local /bin/sh', async () => {
    const local = openHost('local');
    const args = [...HOSTILE, ...randomStrings(300)];
    assert.deepEqual(await echoArgv(local, args), args);
    assert.ok(!existsSync(canary), 'no command in a string was run');
  });
});

describe('shellQuote through a real remote shell', { skip: sshdUnavailable() }, () => {
  let sshd: SshdServer;
  let host: Host;
  before(async () => {
    sshd = await startSshd();
    Object.assign(process.env, sshd.env);
    host = openHost('testhost', { remoteHome: tmpdir() });
  });
  after(async () => {
    closeAllConnections();
    await sshd?.stop();
  });

  test('hostile strings come back as the same argv', async () => {
    assert.deepEqual(await echoArgv(host, HOSTILE), HOSTILE);
    assert.ok(!existsSync(canary), 'no command in a string was run');
  });

  test('1000 random metacharacter strings come back as the same argv', async () => {
    const args = randomStrings(1000, 7);
    for (let i = 0; i < args.length; i += 250) {
      const batch = args.slice(i, i + 250);
      assert.deepEqual(await echoArgv(host, batch), batch);
    }
    assert.ok(!existsSync(canary));
  });

  test('hostile file names survive a create, list and read round trip', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'distillery-names-'));
    const names = HOSTILE.filter((n) => n && !n.includes('/') && n !== '.' && n !== '..' && n.length < 200);
    const script = names.map((n, i) => `printf '%s' ${shellQuote(String(i))} > ${shellQuote(join(dir, n))}`).join('\n');
    const r = await host.exec(script);
    assert.equal(r.code, 0, r.stderr);
    for (const [i, n] of names.entries()) assert.equal((await host.readFile(join(dir, n))).toString(), String(i));
    assert.ok(!existsSync(canary));
  });
});
