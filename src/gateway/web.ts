// `sshpod gateway --web HOST:PORT`: the web terminal (src/web/handler.ts) beside the SSH listener.
// People sign in with the key they already have: `ssh -p PORT alice@gw -s sshpod-web` prints a
// one-time link (web-sign-in.ts); the page then acts as that gateway user — every API request
// impersonates them (web-kube.ts), so the cluster's RBAC decides — and each terminal, pod and refusal
// is a line of the gateway's audit log (event `web-…`). Plain HTTP: serve it on loopback or a
// trusted network, or behind nothing that rewrites Host and Origin (TLS is not terminated here).
import http from 'node:http';
import { defaultHostNames, cookieName, cookieValue, hostAllowed, type HostPolicy } from '../web/access.ts';
import { createWebTerminalHandler, type WebTerminalHandler } from '../web/handler.ts';
import { startGuard } from '../ondemand/guard.ts';
import { SshpodError } from '../errors.ts';
import type { AuditLog } from './audit.ts';
import type { Backend } from './backend.ts';
import type { UserRegistry } from './users.ts';
import { gatewayKubeAccess } from './web-kube.ts';
import { WebSignIn } from './web-sign-in.ts';
export { WEB_SUBSYSTEM } from './web-sign-in.ts';

const HEARTBEAT_MS = 60_000;

export interface GatewayWeb {
  /** A one-time sign-in link for `user`, for a client that reached the gateway at `reachedAt`. */
  link(user: string, reachedAt: string | undefined): string;
  address(): { host: string; port: number };
  close(): Promise<void>;
}

export async function startGatewayWeb(options: { host: string; port: number; backend: Backend; users: () => UserRegistry; audit: AuditLog }): Promise<GatewayWeb> {
  const signIn = new WebSignIn();
  const server = http.createServer({ headersTimeout: 10_000, requestTimeout: 30_000, keepAliveTimeout: 5_000, maxHeaderSize: 16 * 1024 });
  server.maxConnections = 256;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(new SshpodError('local', `cannot listen on ${options.host}:${options.port} for --web: ${error.code ?? error.message}`, { hint: 'pick another --web HOST:PORT' })));
    server.listen(options.port, options.host, () => resolve());
  });
  const bound = server.address() as { address: string; port: number };
  const cookie = cookieName(bound.port);
  const names = defaultHostNames(options.host);
  const hosts: HostPolicy = { port: bound.port, names: names.names, anyAddress: names.anyAddress };
  const handler: WebTerminalHandler = createWebTerminalHandler({
    authorize: (request) => {
      const name = signIn.user(cookieValue(request.headers.cookie, cookie));
      const user = name === undefined ? undefined : options.users().get(name);
      return user ? { name: user.name, owner: { local: `${user.name}@sshpod-gateway`, kubeUser: user.kubeUser } } : undefined;
    },
    kube: gatewayKubeAccess(options.backend, options.users),
    hosts,
    secure: false,
    heartbeatMs: HEARTBEAT_MS,
    audit: (event) => {
      const { action, ...fields } = event;
      options.audit.write({ event: `web-${action}`, ...fields });
    },
    guard: startGuard,
  });

  server.on('request', (request: http.IncomingMessage, response: http.ServerResponse) => {
    void (async () => {
      const url = new URL(request.url ?? '/', 'http://sshpod.invalid');
      const login = url.searchParams.get('login');
      if (url.pathname === '/' && login && request.method === 'GET' && hostAllowed(request.headers.host, hosts)) {
        const redeemed = signIn.redeem(login.slice(0, 128));
        options.audit.write({ event: redeemed ? 'web-sign-in' : 'web-sign-in-refused', user: redeemed?.user, source: request.socket.remoteAddress });
        const headers = { 'Referrer-Policy': 'no-referrer', 'Cache-Control': 'no-store', 'Content-Length': '0' };
        if (!redeemed) {
          response.writeHead(401, headers);
          response.end();
          return;
        }
        response.writeHead(303, { ...headers, Location: '/', 'Set-Cookie': `${cookie}=${redeemed.session}; HttpOnly; SameSite=Strict; Path=/` });
        response.end();
        return;
      }
      if (!(await handler.handleRequest(request, response))) {
        response.writeHead(404, { 'Content-Type': 'text/plain' });
        response.end('not found\n');
      }
    })().catch(() => response.destroy());
  });
  server.on('upgrade', (request: http.IncomingMessage, socket, head: Buffer) => {
    void handler.handleUpgrade(request, socket, head).then(
      (taken) => {
        if (!taken) socket.destroy();
      },
      () => socket.destroy(),
    );
  });

  return {
    link(user, reachedAt) {
      // Bound to every address: the link names the one this person's SSH connection reached.
      const host = names.anyAddress && reachedAt ? reachedAt.replace(/^::ffff:/, '') : bound.address;
      const shown = host.includes(':') ? `[${host}]` : host;
      return `http://${shown}:${bound.port}/?login=${signIn.link(user)}`;
    },
    address: () => ({ host: bound.address, port: bound.port }),
    async close() {
      await handler.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
