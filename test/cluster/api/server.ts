// The HTTPS front of the test cluster: TLS with the cluster's own CA (client certificates
// requested, verified against it), authentication, authorisation, the request log, discovery
// and non-resource paths, resource requests (rest.ts) and upgrades (streams/upgrade.ts).
import { createServer } from 'node:https';
import { DEFAULT_CIPHERS } from 'node:tls';
import type { Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import type { ClusterPki } from '../pki/certs.ts';
import type { Registry } from './registry.ts';
import type { Authenticator, UserInfo } from './authn.ts';
import type { Authorizer } from './authz.ts';
import { forbiddenMessage } from './authz.ts';
import { impersonate } from './impersonation.ts';
import type { RequestLog, RequestRecord } from './request-log.ts';
import { requestInfo } from './request-info.ts';
import type { RequestInfo } from './request-info.ts';
import * as status from './status.ts';
import { StatusError } from './status.ts';
import { sendError, sendJson } from './http.ts';
import { apiGroup, apiGroupList, apiResourceList, apiVersions, serverVersion } from './discovery.ts';
import { handleResourceRequest } from './rest.ts';
import { openApiDocument, openApiRoot } from './openapi.ts';
import { handlePodUpgrade, rejectUpgrade } from '../streams/upgrade.ts';
import type { PodHandle } from '../runtime/types.ts';
import type { ServiceAccountTokens } from './service-account-tokens.ts';

export interface ApiServerOptions {
  host: string;
  port: number;
  pki: ClusterPki;
  registry: Registry;
  authenticator: Authenticator;
  authorizer: Authorizer;
  requestLog: RequestLog;
  serviceAccountTokens?: ServiceAccountTokens;
  handleFor(uid: string): PodHandle | undefined;
  /** WebSocket exec protocols to accept; default all that streams/exec.ts implements. */
  execProtocols?: string[];
  portForwardCloseDelayMs?: number;
  log: (message: string) => void;
}

/** Readable without credentials, as the system:public-info-viewer role makes them on real clusters. */
const publicPaths = new Set(['/healthz', '/livez', '/readyz', '/version']);

/** Node's TLS 1.2 cipher list, in its order (only the TLS 1.3 order is changed below). */
const tls12Ciphers = DEFAULT_CIPHERS.split(':').filter((c) => !c.startsWith('TLS_'));

export class ApiServer {
  readonly server: Server;
  private readonly options: ApiServerOptions;
  private readonly sockets = new Set<Duplex>();
  url = '';

  private constructor(options: ApiServerOptions) {
    this.options = options;
    this.server = createServer({
      key: options.pki.server.keyPem,
      cert: options.pki.server.certPem,
      ca: options.pki.ca.certPem,
      requestCert: true,
      rejectUnauthorized: false,
      // Go's TLS 1.3 server chooses by its own order, AES-128-GCM first on CPUs with AES
      // instructions (crypto/tls, handshake_server_tls13.go), so kube-apiserver gives Node
      // clients TLS_AES_128_GCM_SHA256; Node's server would take the client's first choice,
      // AES-256-GCM, and spend a third more CPU on every streamed byte than kube-apiserver.
      ciphers: ['TLS_AES_128_GCM_SHA256', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_256_GCM_SHA384', ...tls12Ciphers].join(':'),
      honorCipherOrder: true,
      // Go and Node clients reuse connections; watches and streams are long-lived.
      keepAliveTimeout: 60_000,
    });
    this.server.on('request', (req: IncomingMessage, res: ServerResponse) => void this.onRequest(req, res));
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => void this.onUpgrade(req, socket, head));
    this.server.on('secureConnection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    this.server.on('tlsClientError', () => {});
  }

  static async start(options: ApiServerOptions): Promise<ApiServer> {
    const api = new ApiServer(options);
    await new Promise<void>((resolve, reject) => {
      api.server.once('error', reject);
      api.server.listen(options.port, options.host, () => resolve());
    });
    const address = api.server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    api.url = `https://${host}:${address.port}`;
    return api;
  }

  private record(req: IncomingMessage, info: RequestInfo): RequestRecord {
    const record: RequestRecord = {
      time: Date.now(),
      method: req.method ?? '',
      path: req.url ?? '',
      verb: info.verb,
      apiGroup: info.apiGroup,
      resource: info.resource,
      subresource: info.subresource,
      namespace: info.namespace,
      name: info.name,
      user: '',
      protocol: '',
      code: 0,
    };
    this.options.requestLog.add(record);
    return record;
  }

  /** Authentication and authorisation; throws the 401/403 Status. */
  private admit(req: IncomingMessage, info: RequestInfo, record: RequestRecord): UserInfo | undefined {
    const user = this.options.authenticator.authenticate(req);
    if (!user) {
      if (publicPaths.has(info.path)) return undefined;
      throw status.unauthorized();
    }
    const acting = impersonate(req, user, this.options.authorizer);
    record.user = acting.name;
    if (acting !== user) record.impersonatedBy = user.name;
    const refused = this.options.authorizer.refused(acting, info);
    if (refused) {
      throw status.forbidden({ group: info.apiGroup, resource: info.isResourceRequest ? info.resource : '' }, info.name, forbiddenMessage(refused));
    }
    return acting;
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://localhost');
    const info = requestInfo(req.method ?? 'GET', url);
    const record = this.record(req, info);
    try {
      const user = this.admit(req, info, record);
      if (info.isResourceRequest && user) {
        record.code = await handleResourceRequest(req, res, url, info, user, { registry: this.options.registry, authorizer: this.options.authorizer, ...(this.options.serviceAccountTokens ? { serviceAccountTokens: this.options.serviceAccountTokens } : {}) });
      } else {
        record.code = this.nonResource(req, res, info);
      }
    } catch (error) {
      if (!(error instanceof StatusError)) this.options.log(`${req.method} ${req.url}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      if (res.headersSent) {
        res.destroy();
        record.code = 500;
      } else {
        record.code = sendError(res, error);
      }
    }
  }

  private nonResource(req: IncomingMessage, res: ServerResponse, info: RequestInfo): number {
    if (req.method !== 'GET' && req.method !== 'HEAD') throw status.methodNotAllowed({ group: '', resource: '' }, req.method ?? '');
    const path = info.path.replace(/\/+$/, '') || '/';
    let body: unknown;
    if (path === '/healthz' || path === '/livez' || path === '/readyz') {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
      res.end('ok');
      return 200;
    } else if (path === '/version') body = serverVersion;
    else if (path === '/api') body = apiVersions(this.url.replace(/^https:\/\//, ''));
    else if (path === '/apis') body = apiGroupList();
    else if (path === '/openapi/v3') body = openApiRoot();
    else if (path.startsWith('/openapi/v3/')) {
      const doc = openApiDocument(path);
      if (doc === undefined) throw status.pathNotFound();
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(doc), 'Cache-Control': 'public, immutable' });
      res.end(doc);
      return 200;
    }
    else if (info.apiPrefix === 'api' && info.apiVersion) body = apiResourceList('', info.apiVersion);
    else if (info.apiPrefix === 'apis' && info.apiGroup && info.apiVersion) body = apiResourceList(info.apiGroup, info.apiVersion);
    else if (info.apiPrefix === 'apis' && info.apiGroup) body = apiGroup(info.apiGroup);
    if (body === undefined) throw status.pathNotFound();
    sendJson(res, 200, body);
    return 200;
  }

  private async onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => {});
    const url = new URL(req.url ?? '/', 'https://localhost');
    const info = requestInfo(req.method ?? 'GET', url);
    const record = this.record(req, info);
    try {
      this.admit(req, info, record);
      if (!info.isResourceRequest || info.resource !== 'pods' || !info.name) throw status.badRequest('this endpoint cannot be upgraded');
      const outcome = await handlePodUpgrade(req, socket, head, url, info, { registry: this.options.registry, handleFor: this.options.handleFor, execProtocols: this.options.execProtocols, portForwardCloseDelayMs: this.options.portForwardCloseDelayMs, log: this.options.log });
      record.code = outcome.code;
      record.protocol = outcome.protocol;
    } catch (error) {
      if (!(error instanceof StatusError)) this.options.log(`upgrade ${req.url}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      record.code = rejectUpgrade(socket, error);
    }
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }
}
