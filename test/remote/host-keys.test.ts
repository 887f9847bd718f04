// Host-key policy: known_hosts parsing (plain, [host]:port, wildcards, negation, hashed
// |1|salt|hash entries, @revoked) and, against a real sshd through the CLI: a changed key is
// refused with exit 4 and "host key" in the message (even with --accept-new-host-key), an
// unknown key is refused without the flag and recorded with it, a hashed entry is accepted.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { addHostKey, checkHostKey, fingerprint } from '../../src/core/remote/known-hosts';
import { keygen, startSshd, sshdUnavailable, type SshdServer } from '../helpers/sshd';
import { runCli } from './cli-helpers';

function blobOf(pub: string): Buffer {
  return Buffer.from(pub.split(' ')[1]!, 'base64');
}

describe('known_hosts matching', () => {
  const dir = mkdtempSync(join(tmpdir(), 'distillery-kh-'));
  const keyA = blobOf(keygen(join(dir, 'a')));
  const keyB = blobOf(keygen(join(dir, 'b')));

  test('plain names, [host]:port, wildcards and negation', () => {
    const f = join(dir, 'kh1');
    writeFileSync(f, `# comment\nexample.org ssh-ed25519 ${keyA.toString('base64')}\n[gpu.lan]:2222 ssh-ed25519 ${keyA.toString('base64')}\n*.corp,!bad.corp ssh-ed25519 ${keyB.toString('base64')}\n`);
    assert.equal(checkHostKey([f], 'example.org', 22, keyA).status, 'known');
    assert.equal(checkHostKey([f], 'EXAMPLE.org', 22, keyA).status, 'known');
    assert.equal(checkHostKey([f], 'gpu.lan', 2222, keyA).status, 'known');
    assert.equal(checkHostKey([f], 'gpu.lan', 22, keyA).status, 'unknown');
    assert.equal(checkHostKey([f], 'x.corp', 22, keyB).status, 'known');
    assert.equal(checkHostKey([f], 'bad.corp', 22, keyB).status, 'unknown');
    const changed = checkHostKey([f], 'example.org', 22, keyB);
    assert.equal(changed.status, 'changed');
    assert.ok(changed.status === 'changed' && changed.line === 2 && changed.fingerprint === fingerprint(keyB));
  });

  test('hashed entries written by ssh-keygen -H match; added entries are hashed', () => {
    const f = join(dir, 'kh2');
    writeFileSync(f, `[10.0.0.5]:2200 ssh-ed25519 ${keyA.toString('base64')}\n`);
    const r = spawnSync('ssh-keygen', ['-H', '-f', f], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(readFileSync(f, 'utf8'), /^\|1\|/);
    assert.equal(checkHostKey([f], '10.0.0.5', 2200, keyA).status, 'known');
    assert.equal(checkHostKey([f], '10.0.0.5', 2200, keyB).status, 'changed');
    addHostKey(f, 'new.host', 22, keyB);
    assert.doesNotMatch(readFileSync(f, 'utf8'), /new\.host/);
    assert.equal(checkHostKey([f], 'new.host', 22, keyB).status, 'known');
    // OpenSSH itself finds our hashed entry.
    assert.equal(spawnSync('ssh-keygen', ['-F', 'new.host', '-f', f]).status, 0);
  });

  test('@revoked keys are refused', () => {
    const f = join(dir, 'kh3');
    writeFileSync(f, `@revoked * ssh-ed25519 ${keyA.toString('base64')}\nhost ssh-ed25519 ${keyA.toString('base64')}\n`);
    assert.equal(checkHostKey([f], 'host', 22, keyA).status, 'revoked');
  });
});

describe('host keys against a real sshd (CLI)', { skip: sshdUnavailable() }, () => {
  let sshd: SshdServer;
  let home: string;

  /** An ssh config whose only difference is the known_hosts file. */
  function configWith(knownHosts: string): Record<string, string> {
    const cfg = join(sshd.dir, `cfg-${Math.random().toString(36).slice(2)}`);
    writeFileSync(cfg, readFileSync(sshd.sshConfig, 'utf8').replaceAll(sshd.knownHosts, knownHosts));
    return { ...sshd.env, DISTILLERY_SSH_CONFIG: cfg, DISTILLERY_REMOTE_HOME: home };
  }

  before(async () => {
    sshd = await startSshd();
    home = mkdtempSync(join(tmpdir(), 'distillery-home-'));
  });
  after(async () => sshd?.stop());

  test('a changed host key is refused with exit 4, also with --accept-new-host-key', async () => {
    const other = keygen(join(sshd.dir, 'impostor'));
    const kh = join(sshd.dir, 'kh-changed');
    writeFileSync(kh, `[127.0.0.1]:${sshd.port} ${other}\n`);
    for (const extra of [[], ['--accept-new-host-key']]) {
      const r = await runCli(['runs', 'list', '--host', 'testhost', ...extra], configWith(kh));
      assert.equal(r.code, 4, r.stderr);
      assert.match(r.stderr, /host key/);
      assert.match(r.stderr, /CHANGED/);
      assert.equal(readFileSync(kh, 'utf8'), `[127.0.0.1]:${sshd.port} ${other}\n`);
    }
  });

  test('an unknown host key is refused without the flag and recorded with it', async () => {
    const kh = join(sshd.dir, 'kh-empty');
    writeFileSync(kh, '');
    const env = configWith(kh);
    const refused = await runCli(['runs', 'list', '--host', 'testhost'], env);
    assert.equal(refused.code, 4, refused.stderr);
    assert.match(refused.stderr, /host key/);
    assert.match(refused.stderr, /SHA256:/);
    assert.equal(readFileSync(kh, 'utf8'), '');
    const accepted = await runCli(['runs', 'list', '--host', 'testhost', '--accept-new-host-key'], env);
    assert.equal(accepted.code, 0, accepted.stderr);
    assert.match(readFileSync(kh, 'utf8'), /^\|1\|.+ ssh-ed25519 /);
    const again = await runCli(['runs', 'list', '--host', 'testhost', '--format', 'json'], env);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(JSON.parse(again.stdout), []);
  });

  test('a hashed known_hosts entry (ssh-keygen -H) is accepted', async () => {
    const kh = join(sshd.dir, 'kh-hashed');
    writeFileSync(kh, `[127.0.0.1]:${sshd.port} ${sshd.hostKeyPublic}\n`);
    assert.equal(spawnSync('ssh-keygen', ['-H', '-f', kh]).status, 0);
    assert.doesNotMatch(readFileSync(kh, 'utf8'), /127\.0\.0\.1/);
    const r = await runCli(['runs', 'list', '--host', 'testhost'], configWith(kh));
    assert.equal(r.code, 0, r.stderr);
  });
});
