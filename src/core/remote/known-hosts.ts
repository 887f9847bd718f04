// Host-key checking against OpenSSH known_hosts files, plain and hashed (|1|salt|hash, an
// HMAC-SHA1 of the host name keyed by the salt), with [host]:port names for non-22 ports,
// wildcard and negated patterns, and @revoked markers. @cert-authority lines are skipped
// (certificates are not supported; such hosts come out as unknown, never as accepted).
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';

export type HostKeyVerdict =
  | { status: 'known' }
  | { status: 'unknown'; fingerprint: string; keyType: string; knownTypes: string[] }
  | { status: 'changed'; fingerprint: string; keyType: string; file: string; line: number }
  | { status: 'revoked'; fingerprint: string; keyType: string; file: string; line: number };

/** The name OpenSSH looks up: `host` on port 22, else `[host]:port`. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** OpenSSH's fingerprint: SHA256:<base64 without padding> of the key blob. */
export function fingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type named inside the blob (string length-prefixed at its start). */
export function keyTypeOf(keyBlob: Buffer): string {
  if (keyBlob.length < 4) return 'unknown';
  const n = keyBlob.readUInt32BE(0);
  return keyBlob.subarray(4, 4 + n).toString('latin1');
}

function globMatch(pattern: string, name: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  return re.test(name);
}

function hostFieldMatches(field: string, name: string): boolean {
  if (field.startsWith('|1|')) {
    const [, , salt, hash] = field.split('|');
    if (!salt || !hash) return false;
    const digest = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
    return digest === hash;
  }
  let matched = false;
  for (const pattern of field.split(',')) {
    if (pattern.startsWith('!')) {
      if (globMatch(pattern.slice(1), name)) return false;
    } else if (globMatch(pattern, name)) {
      matched = true;
    }
  }
  return matched;
}

interface Entry {
  marker?: string;
  keyType: string;
  key: Buffer;
  file: string;
  line: number;
}

function entriesFor(files: string[], name: string): Entry[] {
  const out: Entry[] = [];
  for (const file of files) {
    if (!existsSync(file)) continue;
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((raw, i) => {
      const text = raw.trim();
      if (!text || text.startsWith('#')) return;
      const parts = text.split(/\s+/);
      const marker = parts[0]?.startsWith('@') ? parts.shift() : undefined;
      const [hosts, keyType, key] = parts;
      if (!hosts || !keyType || !key || !hostFieldMatches(hosts, name)) return;
      out.push({ ...(marker ? { marker } : {}), keyType, key: Buffer.from(key, 'base64'), file, line: i + 1 });
    });
  }
  return out;
}

/** Key types known_hosts holds for this host: offered first so the server presents one we can check. */
export function knownKeyTypes(files: string[], host: string, port: number): string[] {
  const name = knownHostsName(host, port);
  return [...new Set(entriesFor(files, name).filter((e) => !e.marker).map((e) => e.keyType))];
}

export function checkHostKey(files: string[], host: string, port: number, keyBlob: Buffer): HostKeyVerdict {
  const name = knownHostsName(host, port);
  const keyType = keyTypeOf(keyBlob);
  const fp = fingerprint(keyBlob);
  const entries = entriesFor(files, name);
  const revoked = entries.find((e) => e.marker === '@revoked' && e.key.equals(keyBlob));
  if (revoked) return { status: 'revoked', fingerprint: fp, keyType, file: revoked.file, line: revoked.line };
  const plain = entries.filter((e) => !e.marker);
  if (plain.some((e) => e.key.equals(keyBlob))) return { status: 'known' };
  const sameType = plain.find((e) => e.keyType === keyType);
  if (sameType) return { status: 'changed', fingerprint: fp, keyType, file: sameType.file, line: sameType.line };
  return { status: 'unknown', fingerprint: fp, keyType, knownTypes: [...new Set(plain.map((e) => e.keyType))] };
}

/** Appends the key as OpenSSH's accept-new would (hashed, like HashKnownHosts yes). */
export function addHostKey(file: string, host: string, port: number, keyBlob: Buffer, opts: { hashed?: boolean } = {}): void {
  const name = knownHostsName(host, port);
  let field = name;
  if (opts.hashed ?? true) {
    const salt = randomBytes(20);
    field = `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
  }
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const existing = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const sep = existing && !existing.endsWith('\n') ? '\n' : '';
  appendFileSync(file, `${sep}${field} ${keyTypeOf(keyBlob)} ${keyBlob.toString('base64')}\n`, { mode: 0o600 });
}

/** The error raised when a host key is refused; the CLI maps it to exit 4. */
export class HostKeyError extends Error {
  constructor(message: string, readonly verdict: HostKeyVerdict, readonly host: string, readonly port: number) {
    super(message);
    this.name = 'HostKeyError';
  }
}

export function describeVerdict(label: string, host: string, port: number, v: HostKeyVerdict): string {
  const name = knownHostsName(host, port);
  switch (v.status) {
    case 'known':
      return `host key for ${name} is known`;
    case 'unknown':
      return `host key for ${label} (${name}) is not in known_hosts: ${v.keyType} ${v.fingerprint}. Check the fingerprint with the host's owner, then connect once with --accept-new-host-key (or \`ssh ${label}\`) to add it.`;
    case 'changed':
      return `host key for ${label} (${name}) has CHANGED: the server now presents ${v.keyType} ${v.fingerprint}, which does not match ${v.file}:${v.line}. Someone could be intercepting the connection, or the host was reinstalled. Refusing to connect; if the change is expected, remove the old entry (ssh-keygen -R '${name}') and connect again.`;
    case 'revoked':
      return `host key for ${label} (${name}) is marked @revoked in ${v.file}:${v.line}; refusing to connect.`;
  }
}
