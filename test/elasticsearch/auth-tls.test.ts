// Auth failures and TLS mismatches give messages that name the cluster and the fix, never the
// secret. The embedded test node has no security module (no users, no TLS), so these tests use a
// real Node HTTP server that answers 401/403 the way Elasticsearch does, and a real HTTPS server
// with a CA and certificate made by the openssl CLI; the client on the other side is the real one.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttp, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, runCliAsync } from './cli-async';

let dir: string;
const servers: Server[] = [];
const seen: { authorization?: string }[] = [];
const noStack = (s: string) => assert.doesNotMatch(s, /\n\s+at .+:\d+:\d+/, `no stack trace in: ${s}`);

const searchResponse = JSON.stringify({ took: 1, timed_out: false, _shards: { total: 1, successful: 1, skipped: 0, failed: 0 }, hits: { total: { value: 1, relation: 'eq' }, max_score: 1, hits: [{ _index: 'shop', _id: '1', _score: 1, _source: { status: 'shipped' } }] } });

/** Answers like a secured Elasticsearch: 401 without or with wrong credentials, 403 for the "reader-without-rights" key. */
function secured(req: IncomingMessage, res: ServerResponse): void {
  seen.push({ authorization: req.headers.authorization });
  req.resume();
  const auth = req.headers.authorization;
  const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch', ...headers });
    res.end(JSON.stringify(body));
  };
  if (auth === 'ApiKey reader-without-rights') {
    json(403, { error: { root_cause: [{ type: 'security_exception', reason: 'action [indices:data/read/search] is unauthorized for API key id [k1] of user [bob] on indices [shop]' }], type: 'security_exception', reason: 'action [indices:data/read/search] is unauthorized for API key id [k1] of user [bob] on indices [shop]' }, status: 403 });
    return;
  }
  const reason = auth ? 'unable to authenticate with provided credentials and anonymous access is not allowed for this request' : `missing authentication credentials for REST request [${req.url}]`;
  json(401, { error: { root_cause: [{ type: 'security_exception', reason }], type: 'security_exception', reason }, status: 401 }, { 'www-authenticate': 'Basic realm="security" charset="UTF-8", ApiKey' });
}

function tlsAnswer(req: IncomingMessage, res: ServerResponse): void {
  req.resume();
  res.writeHead(200, { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch' });
  res.end(searchResponse);
}

async function listen(server: Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

let httpPort: number;
let httpsPort: number;
let caFingerprint: string;
let otherFingerprint: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'distillery-es-auth-'));
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  ssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=Distillery Test CA');
  ssl('req', '-x509', ...ec, '-keyout', 'other.key', '-out', 'other-ca.crt', '-days', '2', '-subj', '/CN=Some Other CA');
  ssl('req', ...ec, '-keyout', 'node.key', '-out', 'node.csr', '-subj', '/CN=localhost');
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  ssl('x509', '-req', '-in', 'node.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'node.crt', '-days', '2', '-extfile', 'san.ext');
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  caFingerprint = new X509Certificate(read('ca.crt')).fingerprint256;
  otherFingerprint = new X509Certificate(read('other-ca.crt')).fingerprint256;
  httpPort = await listen(createHttp(secured));
  // Like Elasticsearch's http.p12, the server presents its certificate with the CA behind it.
  httpsPort = await listen(createHttps({ key: read('node.key'), cert: read('node.crt') + read('ca.crt') }, tlsAnswer));
  writeFileSync(join(dir, 'body.json'), JSON.stringify({ query: { term: { status: 'shipped' } } }));
  const url = `https://127.0.0.1:${httpsPort}`;
  writeFileSync(join(dir, 'distillery.json'), JSON.stringify({
    clusters: [
      { name: 'secured', url: `http://127.0.0.1:${httpPort}`, index: 'shop' },
      { name: 'tls-plain', url, index: 'shop' },
      { name: 'tls-fingerprint', url, index: 'shop', caFingerprint },
      { name: 'tls-wrong-fingerprint', url, index: 'shop', caFingerprint: otherFingerprint },
      { name: 'tls-ca', url, index: 'shop', caFile: 'ca.crt' },
      { name: 'tls-wrong-ca', url, index: 'shop', caFile: 'other-ca.crt' },
      { name: 'tls-missing-ca', url, index: 'shop', caFile: 'nowhere/ca.crt' },
    ],
  }));
});
after(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
  rmSync(dir, { recursive: true, force: true });
});

const query = (cluster: string, env: NodeJS.ProcessEnv = {}) => runCliAsync(['query', 'body.json', '--cluster', cluster], { cwd: dir, env: cleanEnv(env) });

test('401 without credentials says which cluster and which variables to set', async () => {
  const r = await query('secured');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /cluster "secured" \(http:\/\/127\.0\.0\.1:\d+\) refused the request as unauthenticated \(401\): it needs credentials: set ES_API_KEY to an API key, or ES_USERNAME and ES_PASSWORD/);
  noStack(r.stderr);
});

test('a refused API key is named as such and never printed', async () => {
  const secret = 'c2VjcmV0LWtleS1kby1ub3QtcHJpbnQ=';
  seen.length = 0;
  const r = await query('secured', { ES_API_KEY: secret });
  assert.equal(r.status, 1);
  assert.equal(seen[0]?.authorization, `ApiKey ${secret}`, 'the key was sent');
  assert.match(r.stderr, /refused the request as unauthenticated \(401\): the API key was refused; check it/);
  assert.ok(!r.stderr.includes(secret) && !r.stdout.includes(secret), 'the key is not in the output');
  const basic = await query('secured', { ES_USERNAME: 'alice', ES_PASSWORD: 'hunter2-secret' });
  assert.match(basic.stderr, /the password of user "alice" was refused/);
  assert.ok(!basic.stderr.includes('hunter2-secret'));
});

test('403 says which privileges the key lacks', async () => {
  const r = await query('secured', { ES_API_KEY: 'reader-without-rights' });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /cluster "secured" .* denied the request \(403: action \[indices:data\/read\/search\] is unauthorized .*\); give the API key the "read" and "view_index_metadata" privileges/);
});

test('TLS: verified by default; a self-signed CA needs caFile or caFingerprint, and a wrong one is named', async () => {
  const plain = await query('tls-plain');
  assert.equal(plain.status, 1);
  assert.match(plain.stderr, /cluster "tls-plain" .*: TLS certificate check failed \(.*\); set "caFile" to the CA certificate .* or "caFingerprint"/);
  noStack(plain.stderr);
  const wrongFingerprint = await query('tls-wrong-fingerprint');
  assert.equal(wrongFingerprint.status, 1);
  assert.match(wrongFingerprint.stderr, /cluster "tls-wrong-fingerprint" .*TLS certificate check failed \(Server certificate CA fingerprint does not match.*\); the server certificate's CA does not have the "caFingerprint" configured/);
  const wrongCa = await query('tls-wrong-ca');
  assert.equal(wrongCa.status, 1);
  assert.match(wrongCa.stderr, /cluster "tls-wrong-ca" .*TLS certificate check failed/);
  const missingCa = await query('tls-missing-ca');
  assert.equal(missingCa.status, 1);
  assert.match(missingCa.stderr, /cluster "tls-missing-ca": caFile .*nowhere\/ca\.crt cannot be read \(ENOENT\); fix the path in distillery\.json/);
});

test('TLS: the right CA fingerprint or CA file connects', async () => {
  for (const name of ['tls-fingerprint', 'tls-ca']) {
    const r = await query(name);
    assert.equal(r.status, 0, `${name}: ${r.stderr}`);
    assert.match(r.stdout, /^total 1, took 1 ms/);
  }
});
