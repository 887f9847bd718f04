// One SSH connection per host: ssh2 over TCP or hop by hop through ProxyJump (forwardOut),
// host keys checked against known_hosts, auth by agent, key files (passphrase callback) and
// keyboard-interactive, keepalive, and reconnect with backoff when the link drops.
import { existsSync, readFileSync } from 'node:fs';
import { Client, utils, type AnyAuthMethod, type AuthenticationType, type ConnectConfig, type SFTPWrapper } from 'ssh2';
import type { Readable } from 'node:stream';
import { addHostKey, checkHostKey, describeVerdict, HostKeyError, knownHostsName, knownKeyTypes, type HostKeyVerdict } from './known-hosts';
import type { SshEndpoint } from './ssh-target';

export interface HostKeyQuestion {
  label: string;
  /** known_hosts name: host or [host]:port. */
  name: string;
  keyType: string;
  fingerprint: string;
}

export interface ConnectOptions {
  /** CLI --accept-new-host-key: an unknown key is added to known_hosts and accepted. */
  acceptNewHostKey?: boolean;
  /** Asked for an unknown key (the extension shows the fingerprint); true accepts and records it. */
  confirmHostKey?: (q: HostKeyQuestion) => Promise<boolean>;
  /** Asked for an encrypted key file; undefined skips the key. */
  passphrase?: (keyFile: string) => Promise<string | undefined>;
  /** keyboard-interactive / 2FA prompts; one answer per prompt, undefined aborts. */
  keyboardInteractive?: (q: { label: string; name: string; instructions: string; prompts: { prompt: string; echo: boolean }[] }) => Promise<string[] | undefined>;
  /** ssh-agent socket; defaults to SSH_AUTH_SOCK. */
  agent?: string;
  keepaliveIntervalMs?: number;
  readyTimeoutMs?: number;
  /** Reconnect attempts after a network failure (not after a host key or auth refusal). */
  maxAttempts?: number;
  log?: (line: string) => void;
}

export class AuthError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuthError';
  }
}

function isRetryable(e: unknown): boolean {
  if (e instanceof HostKeyError || e instanceof AuthError) return false;
  const code = (e as NodeJS.ErrnoException)?.code ?? '';
  const msg = (e as Error)?.message ?? '';
  return ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'EAI_AGAIN'].includes(code) || /handshake|timed out|socket|closed|reset/i.test(msg);
}

/** Builds the auth sequence OpenSSH would try: agent, identity files, keyboard-interactive. */
function authHandler(ep: SshEndpoint, opts: ConnectOptions, failures: string[]): ConnectConfig['authHandler'] {
  const agent = opts.agent ?? process.env['SSH_AUTH_SOCK'];
  const steps: (() => Promise<AnyAuthMethod | undefined>)[] = [];
  if (agent && !(ep.identitiesOnly && ep.identityFiles.length > 0)) {
    steps.push(async () => ({ type: 'agent', username: ep.user, agent }));
  }
  for (const file of ep.identityFiles) {
    steps.push(async () => {
      if (!existsSync(file)) return undefined;
      const data = readFileSync(file);
      let parsed = utils.parseKey(data);
      if (parsed instanceof Error && /passphrase|encrypted/i.test(parsed.message)) {
        const pass = await opts.passphrase?.(file);
        if (pass === undefined) {
          failures.push(`${file} is encrypted and no passphrase was given`);
          return undefined;
        }
        parsed = utils.parseKey(data, pass);
        if (parsed instanceof Error) {
          failures.push(`wrong passphrase for ${file}`);
          return undefined;
        }
        return { type: 'publickey', username: ep.user, key: data, passphrase: pass };
      }
      if (parsed instanceof Error) {
        failures.push(`cannot read key ${file}: ${parsed.message}`);
        return undefined;
      }
      return { type: 'publickey', username: ep.user, key: data };
    });
  }
  if (opts.keyboardInteractive) {
    const ask = opts.keyboardInteractive;
    steps.push(async () => ({
      type: 'keyboard-interactive',
      username: ep.user,
      prompt: (name, instructions, _lang, prompts, finish) => {
        if (prompts.length === 0) return finish([]);
        ask({ label: ep.label, name, instructions, prompts: prompts.map((p) => ({ prompt: p.prompt, echo: !!p.echo })) }).then(
          (answers) => finish(answers ?? []),
          () => finish([]),
        );
      },
    }));
  }
  let i = 0;
  const handler = (methodsLeft: AuthenticationType[] | null, _partial: boolean | null, next: (m: AnyAuthMethod | AuthenticationType | false) => void): void => {
    const tryNext = (): void => {
      const step = steps[i++];
      if (!step) return next(false);
      step().then(
        (m) => {
          if (!m) return tryNext();
          const wanted = m.type === 'agent' ? 'publickey' : m.type;
          if (methodsLeft && !methodsLeft.includes(wanted as AuthenticationType)) return tryNext();
          next(m);
        },
        () => tryNext(),
      );
    };
    tryNext();
  };
  return handler as unknown as ConnectConfig['authHandler'];
}

function connectHop(ep: SshEndpoint, opts: ConnectOptions, sock?: Readable): Promise<Client> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    let hostKeyError: HostKeyError | undefined;
    const failures: string[] = [];
    const keyHost = ep.hostKeyAlias ?? ep.host;
    const preferred = knownKeyTypes(ep.knownHostsFiles, keyHost, ep.port);
    const verify = (key: Buffer, done: (ok: boolean) => void): void => {
      const verdict: HostKeyVerdict = checkHostKey(ep.knownHostsFiles, keyHost, ep.port, key);
      if (verdict.status === 'known') return done(true);
      const refuse = (): void => {
        hostKeyError = new HostKeyError(describeVerdict(ep.label, keyHost, ep.port, verdict), verdict, keyHost, ep.port);
        done(false);
      };
      if (verdict.status !== 'unknown') return refuse();
      const record = (): void => {
        addHostKey(ep.knownHostsFiles[0]!, keyHost, ep.port, key);
        opts.log?.(`added ${verdict.keyType} ${verdict.fingerprint} for ${knownHostsName(keyHost, ep.port)} to ${ep.knownHostsFiles[0]}`);
        done(true);
      };
      if (opts.acceptNewHostKey) return record();
      if (!opts.confirmHostKey) return refuse();
      opts.confirmHostKey({ label: ep.label, name: knownHostsName(keyHost, ep.port), keyType: verdict.keyType, fingerprint: verdict.fingerprint }).then(
        (yes) => (yes ? record() : refuse()),
        () => refuse(),
      );
    };
    const config: ConnectConfig = {
      host: ep.host,
      port: ep.port,
      username: ep.user,
      hostVerifier: verify as unknown as ConnectConfig['hostVerifier'],
      authHandler: authHandler(ep, opts, failures),
      keepaliveInterval: opts.keepaliveIntervalMs ?? 15_000,
      keepaliveCountMax: 3,
      readyTimeout: opts.readyTimeoutMs ?? 20_000,
      ...(sock ? { sock } : {}),
    };
    if (preferred.length) {
      // Ask for a key type known_hosts has, so a known host is not misreported as unknown.
      const defaults = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];
      const expand = (t: string) => (t === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [t]);
      const order = [...new Set([...preferred.flatMap(expand), ...defaults])];
      config.algorithms = { serverHostKey: order as NonNullable<ConnectConfig['algorithms']>['serverHostKey'] };
    }
    let settled = false;
    client.once('ready', () => {
      settled = true;
      resolve(client);
    });
    client.once('error', (e: Error & { level?: string }) => {
      if (settled) return;
      settled = true;
      client.end();
      if (hostKeyError) return reject(hostKeyError);
      if (e.level === 'client-authentication') {
        const why = failures.length ? ` (${failures.join('; ')})` : '';
        return reject(new AuthError(`authentication to ${ep.label} as ${ep.user} failed${why}: load a key into ssh-agent, set IdentityFile in the ssh config, or check the user name`));
      }
      reject(e);
    });
    client.connect(config);
  });
}

function forwardOut(client: Client, host: string, port: number): Promise<Readable> {
  return new Promise((resolve, reject) => {
    client.forwardOut('127.0.0.1', 0, host, port, (err, stream) => (err ? reject(new Error(`ProxyJump to ${host}:${port} failed: ${err.message}`)) : resolve(stream)));
  });
}

/** Connects through every ProxyJump hop to the endpoint; returns the chain (last = target). */
export async function connectChain(ep: SshEndpoint, opts: ConnectOptions = {}): Promise<Client[]> {
  const hops = [...ep.jumps, ep];
  const clients: Client[] = [];
  try {
    for (const hop of hops) {
      const prev = clients[clients.length - 1];
      const sock = prev ? await forwardOut(prev, hop.host, hop.port) : undefined;
      clients.push(await connectHop(hop, opts, sock));
    }
    return clients;
  } catch (e) {
    for (const c of clients.reverse()) c.end();
    throw e;
  }
}

/**
 * A pooled, self-healing connection: `client()` returns the live one or reconnects with
 * exponential backoff (250 ms doubling to 5 s). Host key and auth refusals are never retried.
 */
export class SshConnection {
  private chain: Client[] | undefined;
  private pending: Promise<Client> | undefined;
  private sftpSession: Promise<SFTPWrapper> | undefined;
  private closed = false;
  /** Bumped on every new connection so callers can tell a reconnect happened. */
  generation = 0;

  constructor(readonly endpoint: SshEndpoint, private readonly opts: ConnectOptions = {}) {}

  client(): Promise<Client> {
    if (this.closed) return Promise.reject(new Error(`connection to ${this.endpoint.label} was closed`));
    const live = this.chain?.[this.chain.length - 1];
    if (live) return Promise.resolve(live);
    this.pending ??= this.connectWithBackoff().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async connectWithBackoff(): Promise<Client> {
    const max = this.opts.maxAttempts ?? 6;
    let delay = 250;
    for (let attempt = 1; ; attempt++) {
      try {
        const chain = await connectChain(this.endpoint, this.opts);
        const target = chain[chain.length - 1]!;
        this.chain = chain;
        this.generation++;
        const drop = (): void => {
          if (this.chain === chain) {
            this.chain = undefined;
            this.sftpSession = undefined;
            for (const c of chain) c.end();
          }
        };
        for (const c of chain) {
          c.on('close', drop);
          c.on('error', (e: Error) => {
            this.opts.log?.(`ssh ${this.endpoint.label}: ${e.message}`);
            drop();
          });
        }
        target.on('end', drop);
        return target;
      } catch (e) {
        if (!isRetryable(e) || attempt >= max || this.closed) throw e;
        this.opts.log?.(`ssh ${this.endpoint.label}: ${(e as Error).message}; retrying in ${delay} ms`);
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 5_000);
      }
    }
  }

  async sftp(): Promise<SFTPWrapper> {
    const client = await this.client();
    this.sftpSession ??= new Promise<SFTPWrapper>((resolve, reject) =>
      client.sftp((err, s) => {
        if (err) return reject(err);
        s.on('close', () => {
          this.sftpSession = undefined;
        });
        resolve(s);
      }),
    ).catch((e: unknown) => {
      this.sftpSession = undefined;
      throw e;
    });
    return this.sftpSession;
  }

  /** Drops the current link (tests use it to simulate a network cut); the next call reconnects. */
  dropForTest(): void {
    const chain = this.chain;
    this.chain = undefined;
    this.sftpSession = undefined;
    for (const c of chain ?? []) c.destroy();
  }

  close(): void {
    this.closed = true;
    for (const c of this.chain ?? []) c.end();
    this.chain = undefined;
  }
}

const pool = new Map<string, SshConnection>();

/** The shared connection for an endpoint (one per user@host:port via its jump chain). */
export function pooledConnection(ep: SshEndpoint, opts: ConnectOptions = {}): SshConnection {
  const key = [...ep.jumps, ep].map((h) => `${h.user}@${h.host}:${h.port}`).join('>');
  let conn = pool.get(key);
  if (!conn || (conn as unknown as { closed: boolean }).closed) {
    conn = new SshConnection(ep, opts);
    pool.set(key, conn);
  }
  return conn;
}

export function closeAllConnections(): void {
  for (const c of pool.values()) c.close();
  pool.clear();
}
