// The web terminal as a mountable handler: createWebTerminalHandler() returns what an HTTP server
// calls for its requests and upgrades — `sshpod web` mounts it on a loopback server of its own
// (standalone.ts); the gateway (`sshpod gateway --web`) mounts the same handler beside its SSH
// listener, with its own sign-in as `authorize` and impersonating connections as `kube`.
//
// Every request is hostile until checked, in this order: method and path (a fixed table), Host
// (DNS rebinding), Fetch metadata and Origin (cross-site requests and WebSockets), then the
// mounting server's authorize(). Bounded: terminals in all and per user, on-demand pods per user,
// WebSocket messages (64 KiB), buffered output per terminal (terminal.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { fetchSiteAllowed, hostAllowed, originAllowed, type HostPolicy } from './access.ts';
import { loadAssets } from './assets.ts';
import { acceptsGzip } from './encoding.ts';
import type { KubeAccess, WebUser } from './kube-access.ts';
import type { Audit } from './audit.ts';
import { TerminalPods } from './terminal-pods.ts';
import { runTerminal, type TerminalContext } from './terminal.ts';
import { initialSize } from './messages.ts';
import { listNamespaces, listTargets } from './catalog.ts';
import { isSshpodError } from '../errors.ts';
import type { ReleaseSpec } from '../ondemand/on-demand-pod.ts';
import type { Guard } from '../ondemand/guard.ts';
import { log } from '../log.ts';
import { contextInHostname } from '../target/context-alias.ts';

function safeContextWord(name: string, names: string[]): string | null {
  try {
    return contextInHostname(name, names);
  } catch {
    return null; // two contexts share the alias: only the exact name in the hostname field works
  }
}

export interface WebTerminalLimits {
  /** Terminals open at once, all users together. */
  terminals: number;
  terminalsPerUser: number;
  /** On-demand (template--) pods one user may have at once. */
  podsPerUser: number;
}

export const DEFAULT_LIMITS: WebTerminalLimits = { terminals: 64, terminalsPerUser: 16, podsPerUser: 8 };
/** A WebSocket message larger than this closes the socket (a paste is sent in pieces). */
export const MAX_MESSAGE = 64 * 1024;

export interface WebTerminalOptions {
  /** Who makes the request, or undefined to refuse it (401). The mounting server's sign-in. */
  authorize(request: IncomingMessage, url: URL): WebUser | undefined | Promise<WebUser | undefined>;
  kube: KubeAccess;
  /** The names and port the server answers to (checked against Host). */
  hosts: HostPolicy;
  /** Served over https (the Origin must then be https too). */
  secure: boolean;
  /** How long an on-demand pod (and a terminal) outlives the page's last heartbeat. */
  heartbeatMs: number;
  limits?: Partial<WebTerminalLimits>;
  audit: Audit;
  /** A watcher that releases an on-demand pod if this process dies (src/ondemand/guard.ts). */
  guard?: (context: string, spec: ReleaseSpec) => Guard | undefined;
  /** Where the page is mounted ("/" or "/web/"). */
  basePath?: string;
}

export interface WebTerminalHandler {
  /** Answers an HTTP request under basePath (false: not one of the page's paths; the caller answers). */
  handleRequest(request: IncomingMessage, response: ServerResponse): Promise<boolean>;
  /** Takes a WebSocket upgrade under basePath (false: not the page's; the caller answers). */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<boolean>;
  /** Ends every terminal and deletes every on-demand pod (SIGTERM). */
  close(): Promise<void>;
  readonly terminals: number;
}

const SECURITY_HEADERS: Record<string, string> = {
  // xterm.js sets styles from script (its <style> elements need 'unsafe-inline' for styles only).
  'Content-Security-Policy': "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  // The page's URL carried the token once: no Referer may carry it further.
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

function peerOf(request: IncomingMessage): string {
  return `${request.socket.remoteAddress ?? '?'}:${request.socket.remotePort ?? '?'}`;
}

function reply(response: ServerResponse, status: number, type: string, body: string | Buffer, extra: Record<string, string> = {}): void {
  response.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Cache-Control': 'no-store', 'Content-Length': String(Buffer.byteLength(body)), ...extra });
  response.end(body);
}

function json(response: ServerResponse, status: number, value: unknown): void {
  reply(response, status, 'application/json; charset=utf-8', JSON.stringify(value));
}

function refuseUpgrade(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`);
}

export function createWebTerminalHandler(options: WebTerminalOptions): WebTerminalHandler {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const base = (options.basePath ?? '/').replace(/\/*$/, '/');
  const pods = new TerminalPods(options.heartbeatMs, (pod, reason) =>
    options.audit({ action: 'pod-deleted', user: pod.user, context: pod.context, hostname: pod.hostname, namespace: pod.namespace, pod: pod.pod, container: pod.container, reason }),
  );
  const sweeper = setInterval(() => pods.sweep(), Math.max(250, Math.floor(options.heartbeatMs / 4)));
  sweeper.unref();
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE, perMessageDeflate: false, clientTracking: false });
  const stops = new Set<(reason: string) => Promise<void>>();
  const perUser = new Map<string, number>();
  let open = 0;
  let closing = false;
  // Loaded now: a page that was not built is said at start-up, not at the first request.
  const assets = loadAssets();

  /** The path under basePath, or undefined when the request is not for the page. */
  const route = (request: IncomingMessage): { path: string; url: URL } | undefined => {
    const raw = request.url ?? '';
    if (raw.length > 4096 || !raw.startsWith('/')) return undefined;
    let url: URL;
    try {
      url = new URL(raw, 'http://sshpod.invalid');
    } catch {
      return undefined;
    }
    if (url.pathname === base.slice(0, -1)) return { path: '', url };
    if (!url.pathname.startsWith(base)) return undefined;
    return { path: url.pathname.slice(base.length), url };
  };

  /** The checks every request passes; a reason to refuse it, or undefined. */
  const refusal = (request: IncomingMessage, websocket: boolean): string | undefined => {
    if (!hostAllowed(request.headers.host, options.hosts, options.secure)) return `Host "${String(request.headers.host ?? '').slice(0, 100)}" is not this server's`;
    const site = request.headers['sec-fetch-site'];
    if (!fetchSiteAllowed(typeof site === 'string' ? site : undefined)) return `a request from another site (Sec-Fetch-Site: ${String(site).slice(0, 40)})`;
    if (!originAllowed(request.headers.origin, request.headers.host, options.secure, websocket)) return `Origin "${String(request.headers.origin ?? '(none)').slice(0, 100)}" is not this server's`;
    return undefined;
  };

  const audited = (request: IncomingMessage, reason: string): void => options.audit({ action: 'refused', peer: peerOf(request), reason });

  async function handleRequest(request: IncomingMessage, response: ServerResponse): Promise<boolean> {
    const routed = route(request);
    if (!routed) return false;
    const { path, url } = routed;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      reply(response, 405, 'text/plain; charset=utf-8', 'only GET\n', { Allow: 'GET, HEAD' });
      return true;
    }
    const refused = refusal(request, false);
    if (refused) {
      audited(request, refused);
      reply(response, 403, 'text/plain; charset=utf-8', 'refused: this request does not come from the sshpod web page\n');
      return true;
    }
    const user = await options.authorize(request, url);
    if (!user) {
      audited(request, `not authorized: ${path || '/'}`);
      reply(response, 401, 'text/plain; charset=utf-8', 'sshpod web: open the URL `sshpod web` printed (it carries the access token)\n');
      return true;
    }
    try {
      switch (path) {
        case '':
        case 'index.html':
          return send('index.html'), true;
        case 'assets/app.js':
          return send('app.js'), true;
        case 'assets/app.css':
          return send('app.css'), true;
        case 'api/contexts':
          const contexts = options.kube.contexts(user);
          // The spelling each context takes in a hostname (an alias where the name cannot be one).
          const inHostname = Object.fromEntries(contexts.names.map((name) => [name, safeContextWord(name, contexts.names)]));
          json(response, 200, { ...contexts, inHostname, user: user.name });
          return true;
        case 'api/namespaces': {
          const session = await options.kube.connect(user, url.searchParams.get('context') || undefined);
          json(response, 200, { context: session.context, current: session.namespace, ...(await listNamespaces(session.api, session.namespace)) });
          return true;
        }
        case 'api/targets': {
          const session = await options.kube.connect(user, url.searchParams.get('context') || undefined);
          const namespace = url.searchParams.get('namespace') || session.namespace;
          if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(namespace)) return json(response, 400, { error: 'not a namespace name' }), true;
          json(response, 200, { context: session.context, namespace, ...(await listTargets(session.api, namespace, options.kube.templateNames(user))) });
          return true;
        }
        default:
          reply(response, 404, 'text/plain; charset=utf-8', 'not found\n');
          return true;
      }
    } catch (error) {
      log.debug(`web: ${path}: ${(error as Error).message}`);
      json(response, 502, isSshpodError(error) ? { error: error.message, hint: error.hint } : { error: 'unexpected failure' });
      return true;
    }

    function send(name: string): void {
      const asset = assets.get(name);
      if (!asset) return reply(response, 404, 'text/plain; charset=utf-8', 'not found\n');
      const gzip = acceptsGzip(header(request.headers['accept-encoding']));
      const body = gzip ? asset.gzipped() : asset.body;
      response.writeHead(200, {
        ...SECURITY_HEADERS,
        'Content-Type': asset.type,
        'Cache-Control': 'no-store',
        Vary: 'Accept-Encoding',
        ...(gzip ? { 'Content-Encoding': 'gzip' } : {}),
        'Content-Length': String(body.length),
      });
      response.end(request.method === 'HEAD' ? undefined : body);
    }
  }

  async function handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<boolean> {
    const routed = route(request);
    if (!routed) return false;
    socket.on('error', () => undefined);
    if (routed.path !== 'api/terminal') return refuseUpgrade(socket, 404, 'Not Found'), true;
    const refused = refusal(request, true);
    if (refused) {
      audited(request, refused);
      return refuseUpgrade(socket, 403, 'Forbidden'), true;
    }
    const user = await options.authorize(request, routed.url);
    if (!user) {
      audited(request, 'not authorized: terminal');
      return refuseUpgrade(socket, 401, 'Unauthorized'), true;
    }
    const mine = perUser.get(user.name) ?? 0;
    if (closing || open >= limits.terminals || mine >= limits.terminalsPerUser) {
      audited(request, closing ? 'server stopping' : `too many terminals (${open} open, ${mine} of ${user.name})`);
      return refuseUpgrade(socket, 503, 'Service Unavailable'), true;
    }
    const query = routed.url.searchParams;
    const hostname = (query.get('host') ?? '').slice(0, 512);
    const reattach = query.get('reattach') ?? undefined;
    open++;
    perUser.set(user.name, mine + 1);
    let counted = true;
    const uncount = (): void => {
      if (!counted) return;
      counted = false;
      open--;
      const left = (perUser.get(user.name) ?? 1) - 1;
      if (left > 0) perUser.set(user.name, left);
      else perUser.delete(user.name);
    };
    // ws answers a handshake it refuses (a bad Sec-WebSocket-Key or version) itself, without
    // calling back: the count must not keep that terminal, or a few such requests exhaust the bound.
    let upgraded = false;
    socket.once('close', () => {
      if (!upgraded) uncount();
    });
    wss.handleUpgrade(request, socket, head, (ws: WebSocket) => {
      upgraded = true;
      const ctx: TerminalContext = {
        user,
        peer: peerOf(request),
        kube: options.kube,
        pods,
        audit: options.audit,
        heartbeatMs: options.heartbeatMs,
        podsPerUser: limits.podsPerUser,
        ...(options.guard ? { guard: options.guard } : {}),
        register(stop) {
          stops.add(stop);
          return () => stops.delete(stop);
        },
      };
      ws.on('error', () => undefined);
      void runTerminal(ws, { hostname, ...initialSize(query), ...(reattach ? { reattach } : {}) }, ctx).finally(uncount);
    });
    return true;
  }

  return {
    handleRequest,
    handleUpgrade,
    get terminals() {
      return open;
    },
    async close() {
      closing = true;
      clearInterval(sweeper);
      await Promise.all([...stops].map((stop) => stop('sshpod web is shutting down')));
      await pods.releaseAll('shutdown');
    },
  };
}
