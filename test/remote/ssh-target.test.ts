// Host resolution from an ssh config (aliases, HostName/Port/User/IdentityFile, IdentitiesOnly,
// UserKnownHostsFile, ProxyJump chains) and a real two-hop ProxyJump connection.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import SSHConfig from 'ssh-config';
import { listConfiguredHosts, parseUserHostPort, resolveTarget } from '../../src/core/remote/ssh-target';
import { openHost } from '../../src/core/remote/open-host';
import { closeAllConnections } from '../../src/core/remote/ssh-connection';
import { startSshd, sshdUnavailable, type SshdServer } from '../helpers/sshd';

const CONFIG = SSHConfig.parse(`
Host gpu
  HostName 10.1.2.3
  Port 2222
  User alice
  IdentityFile ~/.ssh/gpu_key
  IdentitiesOnly yes
  UserKnownHostsFile /etc/ssh/kh_gpu
  ProxyJump bastion,carol@inner:2200

Host bastion
  HostName bastion.example.org
  User jump

Host inner
  ProxyJump bastion

Host *.lab
  User labuser
`);

describe('ssh target resolution', () => {
  test('user@host[:port] and IPv6', () => {
    assert.deepEqual(parseUserHostPort('bob@box:2200'), { user: 'bob', host: 'box', port: 2200 });
    assert.deepEqual(parseUserHostPort('box'), { host: 'box' });
    assert.deepEqual(parseUserHostPort('u@[::1]:22'), { user: 'u', host: '::1', port: 22 });
    assert.throws(() => parseUserHostPort('a b'), /not a host/);
    assert.throws(() => parseUserHostPort('h:70000'), /out of range/);
  });

  test('an alias with a ProxyJump chain resolves hop by hop', () => {
    const t = resolveTarget('gpu', { config: CONFIG });
    assert.equal(t.kind, 'ssh');
    if (t.kind !== 'ssh') return;
    const ep = t.endpoint;
    assert.equal(ep.host, '10.1.2.3');
    assert.equal(ep.port, 2222);
    assert.equal(ep.user, 'alice');
    assert.ok(ep.identityFiles[0]!.endsWith('/.ssh/gpu_key') && !ep.identityFiles[0]!.startsWith('~'));
    assert.equal(ep.identitiesOnly, true);
    assert.deepEqual(ep.knownHostsFiles, ['/etc/ssh/kh_gpu']);
    // bastion, then inner (whose own jump is bastion again), then the target.
    assert.deepEqual(ep.jumps.map((j) => `${j.user}@${j.host}:${j.port}`), ['jump@bastion.example.org:22', 'jump@bastion.example.org:22', 'carol@inner:2200']);
  });

  test('wildcard blocks apply to user@host targets; local is local', () => {
    const t = resolveTarget('box.lab:2022', { config: CONFIG });
    assert.ok(t.kind === 'ssh' && t.endpoint.user === 'labuser' && t.endpoint.port === 2022 && t.endpoint.jumps.length === 0);
    assert.deepEqual(resolveTarget('local', { config: CONFIG }), { kind: 'local' });
    assert.deepEqual(listConfiguredHosts(CONFIG), ['gpu', 'bastion', 'inner']);
  });
});

describe('ProxyJump through a real sshd', { skip: sshdUnavailable() }, () => {
  let sshd: SshdServer;
  before(async () => {
    sshd = await startSshd();
    Object.assign(process.env, sshd.env);
  });
  after(async () => {
    closeAllConnections();
    await sshd?.stop();
  });

  test('testhost-jump reaches the server through testhost (forwardOut)', async () => {
    const host = openHost('testhost-jump');
    const r = await host.exec('echo "via $SSH_CONNECTION"');
    assert.equal(r.code, 0, r.stderr);
    // The second hop arrives from the server itself (the jump host forwards from 127.0.0.1).
    assert.match(r.stdout, /^via 127\.0\.0\.1 \d+ 127\.0\.0\.1 \d+/);
  });
});
