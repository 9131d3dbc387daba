// `sshpod gateway`: one SSH endpoint for a team. Every byte a client sends is hostile until its
// public key signed the session: connections are rate-limited per source address and bounded in
// number, authentication is public-key only, bounded in time and tries, and an unknown user is
// answered exactly like a known user with the wrong key. After that, two modes:
//  - jump (`ssh -J user@gw:port root@pod--x.sshpod`): a direct-tcpip channel to an sshpod hostname,
//    port 22, is connected to that pod's sshd (jump.ts), so the client authenticates end to end;
//  - shell (`ssh -p port user@gw`): sessions run in the person's default target (shell.ts).
// Every event is one audit line; counters are served as Prometheus metrics.
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import type { Server as SshServer, Connection, AuthContext, Session, ClientChannel, Client, TcpipRequestInfo } from 'ssh2';
import type { Duplex } from 'node:stream';
import { formatErrorForUser, isSshpodError, SshpodError } from '../errors.ts';
import { generateKeyPair } from '../ssh/openssh-key.ts';
import { stepTimeoutMs } from '../timeout.ts';
import { printable } from '../text/printable.ts';
import { forThePerson } from '../local-file-error.ts';
import type { AuditLog } from './audit.ts';
import type { Metrics } from './metrics.ts';
import { RateLimiter, Slots, type Limits } from './limits.ts';
import { RefusalAudit } from './refusal-audit.ts';
import { findKey, fingerprint, type GatewayUser, type UserKey, type UserRegistry } from './users.ts';
import type { Backend, ReachedTarget } from './backend.ts';
import { bridgeSession } from './shell.ts';
import { rejectWithDescription } from './channel-refusal.ts';
import type { GatewayWeb } from './web.ts';
import { WEB_SUBSYSTEM } from './web-sign-in.ts';

export interface GatewayOptions {
  hostKeys: string[];
  users: () => UserRegistry;
  backend: Backend;
  audit: AuditLog;
  metrics: Metrics;
  limits: Limits;
  /** `--web`: hands out sign-in links through the sshpod-web subsystem. */
  web?: () => GatewayWeb | undefined;
}

interface Conn {
  id: string;
  address: string;
  ssh: Connection | undefined;
  socket: Socket;
  user?: GatewayUser;
  key?: UserKey;
  lastActivity: number;
  /** The pod-side SSH connection of shell mode, made at the first session. */
  shellBackend?: Promise<{ client: Client; reached: ReachedTarget }>;
  end(): void;
}

const SSH_SUFFIX = /\.sshpod\.?$/i;
let connectionCounter = 0;

/** One line for an error the person behind the client should read (control characters removed). */
function forClient(error: unknown): string {
  return formatErrorForUser(forThePerson(error));
}

function errorKind(error: unknown): string {
  return isSshpodError(error) ? error.kind : 'internal';
}

export class Gateway {
  private readonly tcp: NetServer;
  private ssh!: SshServer;
  private readonly rate: RateLimiter;
  private readonly refusals = new RefusalAudit();
  private readonly sessions: Slots;
  private readonly connections = new Set<Conn>();
  private unauthenticated = 0;
  private draining = false;
  private readonly idleTimer: NodeJS.Timeout;
  /** The gateway's own key for shell mode's logins to pods: in memory only, new at each start. */
  private readonly clientKey = generateKeyPair('sshpod-gateway');

  private constructor(private readonly options: GatewayOptions) {
    this.rate = new RateLimiter(options.limits.connectionsPerMinute);
    this.sessions = new Slots(options.limits.maxSessions, options.limits.maxSessionsPerUser);
    this.tcp = createServer({ pauseOnConnect: true }, (socket) => this.onSocket(socket));
    this.tcp.maxConnections = options.limits.maxConnections;
    this.idleTimer = setInterval(() => this.closeIdle(), 5_000);
    this.idleTimer.unref();
  }

  static async start(options: GatewayOptions, host: string, port: number): Promise<Gateway> {
    const gateway = new Gateway(options);
    const { Server } = await import('ssh2');
    gateway.ssh = new Server(
      {
        hostKeys: options.hostKeys,
        ident: 'sshpod-gateway',
        keepaliveInterval: options.limits.keepAliveSeconds * 1000,
        keepaliveCountMax: 4,
      },
      (client, info) => gateway.onClient(client, info.ip),
    );
    await new Promise<void>((resolve, reject) => {
      gateway.tcp.once('error', reject);
      gateway.tcp.listen(port, host, () => resolve());
    });
    return gateway;
  }

  address(): { host: string; port: number } {
    const address = this.tcp.address();
    if (address === null || typeof address === 'string') throw new Error('not listening');
    return { host: address.address, port: address.port };
  }

  private audit(event: string, conn: Conn | undefined, fields: Record<string, string | number | boolean | undefined> = {}): void {
    this.options.audit.write({ event, connection: conn?.id, source: conn?.address, user: conn?.user?.name, ...fields });
  }

  private onSocket(socket: Socket): void {
    const address = socket.remoteAddress ?? 'unknown';
    const metrics = this.options.metrics;
    metrics.add('sshpod_gateway_connections_total');
    const refuse = (reason: string): void => {
      metrics.add('sshpod_gateway_connections_refused_total', 1, { reason });
      const line = this.refusals.take(address, reason);
      if (line.write) this.options.audit.write({ event: 'connection-refused', source: address, reason, ...(line.suppressed > 0 ? { alsoRefused: line.suppressed } : {}) });
      socket.destroy();
    };
    if (this.draining) return refuse('shutting-down');
    if (!this.rate.take(address)) return refuse('rate-limit');
    if (this.unauthenticated >= this.options.limits.maxUnauthenticated) return refuse('unauthenticated-limit');
    socket.on('error', () => undefined);
    socket.setNoDelay(true);
    const conn: Conn = {
      id: `c${++connectionCounter}`,
      address,
      ssh: undefined,
      socket,
      lastActivity: Date.now(),
      end: () => socket.destroy(),
    };
    this.connections.add(conn);
    this.unauthenticated += 1;
    metrics.set('sshpod_gateway_connections', this.connections.size);
    let authenticated = false;
    const authTimer = setTimeout(() => {
      metrics.add('sshpod_gateway_auth_timeouts_total');
      this.audit('auth-timeout', conn);
      socket.destroy();
    }, this.options.limits.authTimeoutSeconds * 1000);
    (socket as Socket & { sshpodConn?: Conn }).sshpodConn = conn;
    socket.once('close', () => {
      clearTimeout(authTimer);
      if (!authenticated) this.unauthenticated -= 1;
      this.connections.delete(conn);
      metrics.set('sshpod_gateway_connections', this.connections.size);
      void conn.shellBackend?.then(
        ({ client, reached }) => {
          client.end();
          reached.stream.destroy();
          return reached.release();
        },
        () => undefined,
      );
      this.audit('connection-closed', conn);
    });
    (conn as Conn & { authenticated: () => void }).authenticated = () => {
      authenticated = true;
      this.unauthenticated -= 1;
      clearTimeout(authTimer);
    };
    this.audit('connection', conn);
    this.ssh.injectSocket(socket);
    socket.resume();
  }

  private onClient(client: Connection, ip: string): void {
    // ssh2 hands the socket it was given; the Conn rides on it.
    const socket = (client as unknown as { _sock?: Socket })._sock;
    const conn = (socket as (Socket & { sshpodConn?: Conn }) | undefined)?.sshpodConn;
    if (!conn) {
      client.end();
      return;
    }
    conn.ssh = client;
    conn.end = () => {
      // A polite end (SSH disconnect, then FIN) waits for the client's FIN; a client that stopped
      // reading never sends it, so the socket goes a few seconds later in any case.
      client.end();
      setTimeout(() => socket?.destroy(), 5_000).unref();
    };
    conn.address ||= ip;
    client.on('error', (error: Error & { level?: string }) => {
      // ssh2's keep-alive gave up: the client answered none of them (stopped, or its network gone).
      if (error.level === 'client-timeout') {
        this.audit('keepalive-timeout', conn);
        socket?.destroy();
      }
    });
    let failures = 0;
    client.on('authentication', (ctx) => {
      // Requests already in flight when the tries ran out get no answer: the connection is ending.
      if (failures >= this.options.limits.maxAuthTries) return;
      this.onAuthentication(conn, ctx, () => ++failures);
    });
    client.on('ready', () => {
      (conn as Conn & { authenticated: () => void }).authenticated();
      conn.lastActivity = Date.now();
    });
    client.on('session', (accept, reject) => this.onSession(conn, accept, reject));
    client.on('tcpip', (accept, reject, info) => this.onJump(conn, accept, reject, info));
    // Remote forwarding through the gateway itself is not offered (jump mode forwards end to end).
    client.on('request', (accept, reject) => reject?.());
  }

  private onAuthentication(conn: Conn, ctx: AuthContext, failed: () => number): void {
    const metrics = this.options.metrics;
    const limits = this.options.limits;
    const fail = (): void => {
      if (ctx.method !== 'none') {
        metrics.add('sshpod_gateway_auth_failures_total');
        const tries = failed();
        this.audit('auth-failure', conn, {
          login: printable(ctx.username).slice(0, 64),
          method: ctx.method,
          ...(ctx.method === 'publickey' ? { fingerprint: fingerprint(ctx.key.data), keyType: ctx.key.algo } : {}),
        });
        if (tries >= limits.maxAuthTries) {
          // As sshd does: no further "try another" answer, the connection ends here.
          this.audit('auth-too-many', conn);
          conn.end();
          return;
        }
      }
      ctx.reject(['publickey']);
    };
    if (ctx.method !== 'publickey') return fail();
    // Unknown user and unregistered key take the same path and give the same answer.
    const user = this.options.users().get(ctx.username);
    const key = findKey(user, ctx.key.data);
    if (!user || !key) return fail();
    // Without a signature this is ssh asking whether the key would do: a yes costs nothing.
    if (!ctx.signature || !ctx.blob) return ctx.accept();
    void (async () => {
      const { utils } = await import('ssh2');
      const parsed = utils.parseKey(ctx.key.data);
      const valid = !(parsed instanceof Error) && !Array.isArray(parsed) && parsed.verify(ctx.blob as Buffer, ctx.signature as Buffer, ctx.hashAlgo) === true;
      if (!valid) return fail();
      conn.user = user;
      conn.key = key;
      metrics.add('sshpod_gateway_auth_success_total');
      this.audit('auth-success', conn, { fingerprint: key.fingerprint, keyType: key.type });
      ctx.accept();
    })();
  }

  private takeSlot(conn: Conn, type: 'session' | 'jump'): (() => void) | string {
    if (this.draining) return 'the gateway is shutting down';
    const slot = this.sessions.take(conn.user?.name ?? '');
    if ('refused' in slot) {
      this.options.metrics.add('sshpod_gateway_sessions_refused_total', 1, { reason: slot.refused });
      this.audit('session-refused', conn, { type, reason: slot.refused });
      return slot.refused === 'total' ? 'the gateway has as many sessions as it takes; try again later' : 'you have as many sessions open as the gateway allows one person';
    }
    const metrics = this.options.metrics;
    metrics.add('sshpod_gateway_sessions_total', 1, { type });
    metrics.add('sshpod_gateway_sessions', 1, { type });
    conn.lastActivity = Date.now();
    return () => {
      slot.release();
      metrics.add('sshpod_gateway_sessions', -1, { type });
    };
  }

  private backendFailed(conn: Conn, target: string, error: unknown): void {
    this.options.metrics.add('sshpod_gateway_backend_errors_total', 1, { kind: errorKind(error) });
    this.audit('target-failed', conn, { target, kind: errorKind(error), reason: forClient(error).split('\n')[0] });
  }

  // ---- jump mode --------------------------------------------------------------------------

  private onJump(conn: Conn, accept: () => ClientChannel | import('ssh2').ServerChannel, reject: () => void, info: TcpipRequestInfo): void {
    const client = conn.ssh as Connection;
    const host = info.destIP;
    const refuse = (message: string): void => rejectWithDescription(client, reject, message);
    if (!conn.user || !conn.key) return refuse('sshpod: not authenticated');
    const user = conn.user;
    if (!SSH_SUFFIX.test(host) || info.destPort !== 22) {
      this.audit('jump-refused', conn, { target: printable(host).slice(0, 256), port: info.destPort });
      return refuse(`sshpod: the gateway connects only to sshpod hostnames on port 22 (not ${printable(host).slice(0, 100)}:${info.destPort}); hint: ssh -J ${user.name}@gateway root@pod--NAME.namespace--NS.sshpod`);
    }
    const slot = this.takeSlot(conn, 'jump');
    if (typeof slot === 'string') return refuse(`sshpod: ${slot}`);
    const key = this.jumpKey(user, conn.key);
    if (!key) {
      slot();
      return refuse('sshpod: jump mode installs your key in the pod, and the pod\'s sshd takes ed25519 keys only; hint: register an ssh-ed25519 key for you in the gateway\'s users file');
    }
    const began = Date.now();
    void (async () => {
      let reached: ReachedTarget;
      try {
        reached = await this.options.backend.reach(user, host, { login: user.login, authorizedKey: key.line, keyFingerprint: key.fingerprint });
      } catch (error) {
        slot();
        this.backendFailed(conn, host, error);
        return refuse(forClient(error).replace('\nhint: ', '; hint: '));
      }
      this.audit('target', conn, { mode: 'jump', target: host, pod: reached.where, port: reached.sshd.port });
      if (!this.connections.has(conn)) {
        // The client left while the pod was being prepared.
        reached.stream.destroy();
        await reached.release();
        slot();
        return;
      }
      const channel = accept() as unknown as Duplex;
      this.audit('channel-open', conn, { type: 'direct-tcpip', target: host });
      this.relayJump(conn, channel, reached, host, began, slot);
    })();
  }

  /** The key jump mode installs: the one the person logged in with, if the pod's sshd can check it. */
  private jumpKey(user: GatewayUser, used: UserKey): UserKey | undefined {
    if (used.type === 'ssh-ed25519') return used;
    return user.keys.find((key) => key.type === 'ssh-ed25519');
  }

  private relayJump(conn: Conn, channel: Duplex, reached: ReachedTarget, host: string, began: number, release: () => void): void {
    const metrics = this.options.metrics;
    const stream = reached.stream;
    let up = 0;
    let down = 0;
    channel.on('data', (chunk: Buffer) => {
      up += chunk.length;
      conn.lastActivity = Date.now();
    });
    stream.on('data', (chunk: Buffer) => {
      down += chunk.length;
      conn.lastActivity = Date.now();
    });
    channel.pipe(stream);
    stream.pipe(channel);
    let closed = false;
    const finish = (): void => {
      if (closed) return;
      closed = true;
      channel.destroy();
      stream.destroy();
      metrics.add('sshpod_gateway_bytes_total', up, { direction: 'up' });
      metrics.add('sshpod_gateway_bytes_total', down, { direction: 'down' });
      release();
      this.audit('channel-close', conn, { type: 'direct-tcpip', target: host, bytesUp: up, bytesDown: down, durationMs: Date.now() - began });
      void reached.release();
    };
    channel.once('close', finish);
    stream.once('close', finish);
    channel.on('error', finish);
    stream.on('error', finish);
  }

  // ---- shell mode -------------------------------------------------------------------------

  private onSession(conn: Conn, accept: () => Session, reject: () => void): void {
    const user = conn.user;
    if (!user) return reject();
    const slot = this.takeSlot(conn, 'session');
    if (typeof slot === 'string') {
      // A session can carry the reason: accepted, it says it on stderr and ends.
      const session = accept();
      const say = (acceptChannel: () => import('ssh2').ServerChannel): void => {
        const channel = acceptChannel();
        channel.stderr.write(`sshpod: ${slot}\nhint: close other sessions, or try again later\n`);
        channel.exit(255);
        channel.end();
      };
      session.on('shell', (a) => say(a));
      session.on('exec', (a) => say(a));
      session.on('subsystem', (a) => say(a));
      session.on('pty', (a) => a?.());
      return;
    }
    const session = accept();
    const metrics = this.options.metrics;
    let released = false;
    const done = (): void => {
      if (released) return;
      released = true;
      slot();
    };
    (session as unknown as NodeJS.EventEmitter).once('close', done);
    bridgeSession(session, {
      backend: async () => (await this.shellBackend(conn, user)).client,
      failed: (error) => forClient(error),
      opened: (kind, detail) => this.audit('channel-open', conn, { type: 'session', request: kind, ...(kind === 'subsystem' ? { subsystem: detail } : { command: detail }), target: user.default }),
      closed: (result) => {
        metrics.add('sshpod_gateway_bytes_total', result.bytesUp, { direction: 'up' });
        metrics.add('sshpod_gateway_bytes_total', result.bytesDown, { direction: 'down' });
        this.audit('channel-close', conn, { type: 'session', request: result.kind, command: result.command, exitStatus: result.exitStatus, exitSignal: result.exitSignal, bytesUp: result.bytesUp, bytesDown: result.bytesDown, durationMs: result.durationMs });
        done();
      },
      activity: () => (conn.lastActivity = Date.now()),
      local: (subsystem) => {
        const web = this.options.web?.();
        if (subsystem !== WEB_SUBSYSTEM || !web) return undefined;
        return (channel) => {
          this.audit('web-link', conn);
          channel.write(`${web.link(user.name, conn.socket.localAddress)}\n`);
          channel.exit(0);
          channel.end();
          done();
        };
      },
    });
  }

  private shellBackend(conn: Conn, user: GatewayUser): Promise<{ client: Client; reached: ReachedTarget }> {
    conn.shellBackend ??= (async () => {
      const target = user.default;
      if (!target) {
        throw new SshpodError('config', `gateway user "${user.name}" has no default target for shell mode`, {
          hint: `jump to a pod instead (ssh -J ${user.name}@gateway root@pod--NAME.sshpod), or ask the administrator to set "default" for you in the users file`,
        });
      }
      const host = `${target}.sshpod`;
      let reached: ReachedTarget;
      try {
        reached = await this.options.backend.reach(user, host, { login: user.login, authorizedKey: this.clientKey.publicKey, keyFingerprint: 'gateway' });
      } catch (error) {
        this.backendFailed(conn, host, error);
        throw error;
      }
      this.audit('target', conn, { mode: 'shell', target: host, pod: reached.where, port: reached.sshd.port });
      try {
        const client = await this.loginToPod(reached, user.login);
        return { client, reached };
      } catch (error) {
        reached.stream.destroy();
        await reached.release();
        this.backendFailed(conn, host, error);
        throw error;
      }
    })();
    return conn.shellBackend;
  }

  private async loginToPod(reached: ReachedTarget, login: string): Promise<Client> {
    const { Client } = await import('ssh2');
    const expected = Buffer.from(reached.sshd.hostKey.split(' ')[1] ?? '', 'base64');
    return new Promise((resolve, reject) => {
      const client = new Client();
      client.once('ready', () => resolve(client));
      client.once('error', (error) =>
        reject(new SshpodError('stream', `the sshd in pod "${reached.sshd.pod}" did not let the gateway log in: ${error.message}`, { hint: 'try again; if it repeats, tell the gateway\'s administrator' })),
      );
      client.connect({
        sock: reached.stream,
        username: login,
        privateKey: this.clientKey.privateKey,
        // The key the pod's sshd must present is the one the prepare exec reported.
        hostVerifier: (key: Buffer) => key.equals(expected),
        readyTimeout: stepTimeoutMs(),
        keepaliveInterval: this.options.limits.keepAliveSeconds * 1000,
      });
    });
  }

  // ---- bounds and the end -----------------------------------------------------------------

  private closeIdle(): void {
    const idleMs = this.options.limits.idleTimeoutSeconds * 1000;
    if (idleMs <= 0) return;
    const now = Date.now();
    for (const conn of this.connections) {
      if (conn.user && now - conn.lastActivity > idleMs) {
        this.audit('idle-timeout', conn);
        conn.end();
      }
    }
  }

  /** SIGTERM: no new connections or channels; open ones may finish until the deadline. */
  async shutdown(): Promise<void> {
    this.draining = true;
    clearInterval(this.idleTimer);
    const closed = new Promise<void>((resolve) => this.tcp.close(() => resolve()));
    const deadline = Date.now() + this.options.limits.drainSeconds * 1000;
    this.options.audit.write({ event: 'shutdown', connections: this.connections.size });
    // Connections that never authenticated have nothing to finish.
    for (const conn of this.connections) if (!conn.user) conn.socket.destroy();
    while (this.connections.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    for (const conn of this.connections) conn.socket.destroy();
    await closed;
    await this.options.backend.close();
  }
}
