// `sshpod web`: the web terminal on this machine, for the person running it. A loopback HTTP
// server (unless --listen says otherwise) whose page needs the access token printed on stdout —
// the only thing printed there: `sshpod web | xargs xdg-open` works. The first request carries the
// token in its URL; the server answers with a cookie and a redirect to the same page without it,
// so that the token leaves the address bar and the history. Diagnostics and the audit trail go to
// stderr (or --audit-log FILE). SIGTERM/SIGINT: every terminal ends, every pod it made is deleted,
// then the process exits (bounded).
import http from 'node:http';
import { openSync, writeSync, closeSync } from 'node:fs';
import { hostname as machineName, userInfo } from 'node:os';
import { SshpodError } from '../errors.ts';
import { parseHostname } from '../target/hostname.ts';
import { startGuard } from '../ondemand/guard.ts';
import { log } from '../log.ts';
import { cookieName, defaultHostNames, hostAllowed, newAccessToken, presentedToken, tokensMatch, type HostPolicy } from './access.ts';
import { createWebTerminalHandler } from './handler.ts';
import { localKubeAccess } from './local-kube.ts';
import { auditLine, type Audit } from './audit.ts';
import type { WebUser } from './kube-access.ts';
import { parseListen } from './listen.ts';

export interface WebOptions {
  listen?: string;
  open?: string;
  heartbeat?: string;
  allowHost?: string[];
  auditLog?: string;
}

/** However the API behaves, a stop signal ends the process within this long. */
const STOP_BOUND_MS = 15_000;
export const DEFAULT_HEARTBEAT_SECONDS = 60;

function heartbeatSeconds(value: string | undefined): number {
  if (value === undefined) return DEFAULT_HEARTBEAT_SECONDS;
  if (!/^\d{1,5}$/.test(value) || Number(value) < 2 || Number(value) > 86_400) {
    throw new SshpodError('usage', `--heartbeat ${value.slice(0, 20)} is not a number of seconds from 2 to 86400`, { hint: `the default is ${DEFAULT_HEARTBEAT_SECONDS}` });
  }
  return Number(value);
}

function auditTo(file: string | undefined): Audit {
  if (!file) return (event) => process.stderr.write(auditLine(event));
  let fd: number;
  try {
    fd = openSync(file, 'a', 0o600);
  } catch (error) {
    throw new SshpodError('local', `cannot open the audit log ${file}: ${(error as Error).message}`, { hint: 'name a file you may write' });
  }
  process.once('exit', () => closeSync(fd));
  return (event) => {
    try {
      writeSync(fd, auditLine(event));
    } catch (error) {
      log.error(`audit log: ${(error as Error).message}`);
    }
  };
}

export async function runWeb(options: WebOptions): Promise<void> {
  const listen = parseListen(options.listen);
  if (options.open !== undefined) parseHostname(options.open.endsWith('.sshpod') ? options.open : `${options.open}.sshpod`);
  const heartbeatMs = heartbeatSeconds(options.heartbeat) * 1000;
  const audit = auditTo(options.auditLog);
  const token = newAccessToken();
  let person: string;
  try {
    person = userInfo().username;
  } catch {
    person = `uid-${process.getuid?.() ?? 'unknown'}`;
  }
  const user: WebUser = { name: person, owner: { local: `${person}@${machineName()}` } };
  const kube = localKubeAccess();

  const server = http.createServer({ headersTimeout: 10_000, requestTimeout: 30_000, keepAliveTimeout: 5_000, maxHeaderSize: 16 * 1024 });
  server.maxConnections = 256;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new SshpodError('local', `cannot listen on ${listen.display}: ${error.code ?? error.message}`, { hint: error.code === 'EADDRINUSE' ? 'another program uses that port: pick another with --listen 127.0.0.1:PORT' : 'check the --listen address' })),
    );
    server.listen(listen.port, listen.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : listen.port;
  const cookie = cookieName(port);
  const names = defaultHostNames(listen.host);
  const hosts: HostPolicy = { port, names: [...names.names, ...(options.allowHost ?? []).map((n) => n.toLowerCase())], anyAddress: names.anyAddress };

  const handler = createWebTerminalHandler({
    authorize: (request, url) => (tokensMatch(presentedToken(url, request.headers, cookie), token) ? user : undefined),
    kube,
    hosts,
    secure: false,
    heartbeatMs,
    audit,
    guard: startGuard,
  });

  server.on('request', (request: http.IncomingMessage, response: http.ServerResponse) => {
    void (async () => {
      // The token's one trip in a URL: swapped for a cookie, and the URL shown without it.
      const url = new URL(request.url ?? '/', 'http://sshpod.invalid');
      if (url.pathname === '/' && hostAllowed(request.headers.host, hosts) && url.searchParams.has('token') && tokensMatch(url.searchParams.get('token') ?? undefined, token)) {
        url.searchParams.delete('token');
        response.writeHead(303, {
          Location: `/${url.search}`,
          'Set-Cookie': `${cookie}=${token}; HttpOnly; SameSite=Strict; Path=/`,
          'Referrer-Policy': 'no-referrer',
          'Cache-Control': 'no-store',
          'Content-Length': '0',
        });
        response.end();
        return;
      }
      if (!(await handler.handleRequest(request, response))) {
        response.writeHead(404, { 'Content-Type': 'text/plain' });
        response.end('not found\n');
      }
    })().catch((error: unknown) => {
      log.debug(`web: ${(error as Error).message}`);
      response.destroy();
    });
  });
  server.on('upgrade', (request: http.IncomingMessage, socket, head: Buffer) => {
    void handler.handleUpgrade(request, socket, head).then(
      (taken) => {
        if (!taken) socket.destroy();
      },
      () => socket.destroy(),
    );
  });
  server.on('clientError', (_error, socket) => socket.destroy());

  const shown = listen.host.includes(':') ? `[${listen.host}]` : listen.host === '0.0.0.0' ? '127.0.0.1' : listen.host;
  const query = new URLSearchParams({ token });
  if (options.open) query.set('open', options.open);
  process.stdout.write(`http://${shown}:${port}/?${query.toString()}\n`);
  process.stderr.write(`sshpod web: serving the web terminal on ${listen.host}:${port}; open the URL above (Ctrl-C stops and deletes the pods it made)\n`);
  audit({ action: 'server-start', user: user.name, listen: `${listen.host}:${port}` });

  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals): void => {
      if (stopping) return;
      stopping = true;
      setTimeout(() => process.exit(1), STOP_BOUND_MS).unref();
      server.close();
      void handler.close().finally(() => {
        audit({ action: 'server-stop', user: user.name, reason: signal });
        kube.close();
        server.closeAllConnections();
        resolve();
      });
    };
    for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, stop);
  });
}
