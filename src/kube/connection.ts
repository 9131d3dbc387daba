// One authenticated line to the API server for the whole connect path: credentials are applied
// once (an exec credential plugin runs at most once, and not at all while its cached credential
// is valid), and a keep-alive agent lets the requests that follow reuse the TLS connection or at
// least resume its session. Every request and upgrade is bounded by the step timeout
// (src/timeout.ts): a server that accepts the TCP connection and never answers is named, not
// waited for. A server-side caller (the gateway) may act for someone else through Kubernetes
// impersonation headers, so that the cluster's RBAC decides what that person may do.
import http from 'node:http';
import https from 'node:https';
import WebSocket from 'ws';
import type { SelectedContext } from './kubeconfig.ts';
import { SshpodError } from '../errors.ts';
import { log } from '../log.ts';
import { apiError, timeoutError, transportError, type Operation } from './api-error.ts';
import type { HttpMethod, KubeApi, RequestOptions } from './api.ts';
import { stepTimeoutMs } from '../timeout.ts';
import { defaultCertificateAuthorities } from './trust.ts';
import { loadProxyAgents } from './lazy/proxy-agents.ts';
import { KubeConfig } from '@kubernetes/client-node/dist/config.js';
import { credentialCacheFile } from './credential-cache.ts';
import { ExecPluginError, execConfigOf, type ExecCredentialStatus } from './exec-credential.ts';
import { PluginCredentials } from './plugin-credentials.ts';

type TlsOptions = Pick<https.AgentOptions, 'ca' | 'cert' | 'key' | 'pfx' | 'passphrase' | 'rejectUnauthorized' | 'servername'>;

export interface ConnectionOptions {
  /** Where exec plugin credentials may be kept between connections (none if undefined). */
  cacheDir?: string;
  /** Bound of each request and upgrade; the step timeout by default. */
  timeoutMs?: number;
  /** Act as this user (Impersonate-User / Impersonate-Group headers). */
  impersonate?: { user: string; groups?: string[] };
}

/** Errors of a request written on a reused kept-alive socket that the other end had closed. */
const STALE_SOCKET = new Set(['ECONNRESET', 'EPIPE']);
const STALE_SOCKET_ATTEMPTS = 4;

class StaleSocket extends Error {
  constructor(override readonly cause: unknown) {
    super('stale kept-alive socket');
  }
}

export class ApiConnection implements KubeApi {
  readonly server: URL;
  readonly context: string;
  readonly timeoutMs: number;
  private readonly selected: SelectedContext;
  private readonly extraHeaders: Record<string, string | string[]>;
  private readonly plugin: PluginCredentials | undefined;
  private agent: http.Agent;
  private headers: Record<string, string>;
  private readonly retiredAgents: http.Agent[] = [];
  private renewal: Promise<boolean> | undefined;

  private constructor(selected: SelectedContext, options: https.RequestOptions, plugin: PluginCredentials | undefined, connectionOptions: ConnectionOptions) {
    this.server = new URL(selected.server);
    this.context = selected.context;
    this.timeoutMs = connectionOptions.timeoutMs ?? stepTimeoutMs();
    this.extraHeaders = impersonationHeaders(connectionOptions.impersonate);
    this.selected = selected;
    this.plugin = plugin;
    const { agent, headers } = transportFor(selected, options);
    this.agent = agent;
    this.headers = headers;
  }

  static async open(selected: SelectedContext, connectionOptions: ConnectionOptions = {}): Promise<ApiConnection> {
    const { cacheDir } = connectionOptions;
    const options: https.RequestOptions = {};
    if (selected.kubeConfig.getCurrentCluster()?.proxyUrl) await loadProxyAgents();
    const user = selected.kubeConfig.getCurrentUser();
    let plugin: PluginCredentials | undefined;
    try {
      let kubeConfig = selected.kubeConfig;
      if (user?.exec) {
        const exec = execConfigOf(user.exec);
        plugin = new PluginCredentials(exec, cacheDir === undefined ? undefined : credentialCacheFile(cacheDir, exec, selected.server));
        kubeConfig = withPluginCredential(kubeConfig, user.name, await plugin.current());
      }
      await kubeConfig.applyToHTTPSOptions(options);
    } catch (error) {
      throw credentialError(selected, error);
    }
    return new ApiConnection(selected, options, plugin, connectionOptions);
  }

  /** The same server and credentials, acting as another user (for the gateway). */
  impersonating(user: string, groups: string[] = []): ApiConnection {
    const copy = Object.create(ApiConnection.prototype) as ApiConnection;
    Object.assign(copy, this, { extraHeaders: impersonationHeaders({ user, groups }) });
    return copy;
  }

  /**
   * After a 401: when the credential came from the cache, the plugin runs again (once, however many
   * requests were refused) and true says to retry with the new one.
   */
  private renewCredential(): Promise<boolean> {
    this.renewal ??= (async () => {
      const user = this.selected.kubeConfig.getCurrentUser();
      const options: https.RequestOptions = {};
      let credential: ExecCredentialStatus | undefined;
      try {
        credential = await this.plugin?.renew();
        if (!credential || !user) return false;
        await withPluginCredential(this.selected.kubeConfig, user.name, credential).applyToHTTPSOptions(options);
      } catch (error) {
        throw credentialError(this.selected, error);
      }
      const { agent, headers } = transportFor(this.selected, options);
      this.retiredAgents.push(this.agent); // streams opened on it may still be running
      this.agent = agent;
      this.headers = headers;
      return true;
    })();
    return this.renewal;
  }

  url(path: string, query: URLSearchParams | undefined, scheme: 'http' | 'ws'): URL {
    const url = new URL(this.server.href);
    const secure = url.protocol === 'https:' || url.protocol === 'wss:';
    url.protocol = scheme === 'ws' ? (secure ? 'wss:' : 'ws:') : secure ? 'https:' : 'http:';
    url.pathname = `${url.pathname.replace(/\/+$/, '')}${path}`;
    url.search = query ? query.toString() : '';
    return url;
  }

  get<T>(path: string, operation: Operation, query?: URLSearchParams): Promise<T> {
    return this.request<T>('GET', path, operation, { query });
  }

  /** A JSON request, bounded by the step timeout; a 401 after a cached credential renews it once. */
  async request<T>(method: HttpMethod, path: string, operation: Operation, options: RequestOptions = {}, retried = false): Promise<T> {
    const url = this.url(path, options.query, 'http');
    const started = performance.now();
    const transport = url.protocol === 'https:' ? https : http;
    let payload: string | undefined;
    const headers: Record<string, string | string[]> = { ...this.headers, ...this.extraHeaders, Accept: 'application/json' };
    if (options.body !== undefined) {
      payload = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      headers['Content-Type'] = options.contentType ?? 'application/json';
      // Node sends a DELETE's body neither chunked nor with a length unless told: the server would
      // read it as the start of the next request on the kept-alive connection.
      headers['Content-Length'] = String(Buffer.byteLength(payload));
    }
    const send = (): Promise<{ status: number; body: string }> => new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = transport.request(url, { method, agent: this.agent, headers }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          clearTimeout(timer);
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
        });
        response.on('error', reject);
      });
      const timer = setTimeout(() => {
        request.destroy();
        reject(timeoutError(this, operation, this.timeoutMs));
      }, this.timeoutMs);
      request.on('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(request.reusedSocket && STALE_SOCKET.has(error.code ?? '') ? new StaleSocket(error) : error);
      });
      request.end(payload);
    });
    // A kept-alive connection the server (or a load balancer) closed while it sat idle fails the
    // next request written on it before the server read a byte of it: that request is sent again,
    // on the next pooled connection or a new one (a few times: after a burst, several pooled
    // connections may have gone stale together). Without this, a gateway or web server idle for a
    // few seconds lost the DELETE of an on-demand pod at logout.
    const sendPastStaleSockets = async (attempts = STALE_SOCKET_ATTEMPTS): Promise<{ status: number; body: string }> => {
      try {
        return await send();
      } catch (error) {
        if (error instanceof StaleSocket && attempts > 1) return sendPastStaleSockets(attempts - 1);
        throw error;
      }
    };
    const { status, body } = await sendPastStaleSockets()
      .catch((error: unknown) => {
        const cause = error instanceof StaleSocket ? error.cause : error;
        throw cause instanceof SshpodError ? cause : transportError(cause, this);
      });
    log.debug(`${method} ${url.pathname}${url.search} → ${status} (${(performance.now() - started).toFixed(0)} ms)`);
    if (status === 401 && !retried && (await this.renewCredential())) return this.request(method, path, operation, options, true);
    if (status < 200 || status >= 300) throw apiError(status, body, operation, this.context);
    try {
      return JSON.parse(body) as T;
    } catch (error) {
      throw new SshpodError('api', `the API server answered ${url.pathname} with something that is not JSON`, { cause: error });
    }
  }

  /**
   * Opens a WebSocket for a streaming subresource (exec, portforward), paused: the caller resumes
   * it once its listeners are attached. An HTTP error in place of the upgrade (403, 404, …)
   * becomes the same SshpodError a GET would give.
   */
  openWebSocket(path: string, query: URLSearchParams, protocols: string[], operation: Operation, retried = false): Promise<WebSocket> {
    const url = this.url(path, query, 'ws');
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, protocols, {
        agent: this.agent,
        headers: { ...this.headers, ...this.extraHeaders },
        perMessageDeflate: false,
        handshakeTimeout: this.timeoutMs,
        // Masking protects browsers' proxies from cache poisoning; a CLI talking to the API
        // server gains nothing from it, and a zero mask lets ws skip a pass over every byte.
        generateMask: (mask: Buffer) => {
          mask.fill(0);
        },
      });
      let settled = false;
      socket.on('upgrade', (response) => {
        response.socket.setKeepAlive(true, 30_000);
      });
      socket.once('open', () => {
        // ws starts reading right after 'open', and frames that came with the 101 response would be
        // emitted before the caller's listeners exist. Paused, nothing is read until the caller
        // has its listeners in place and resumes.
        socket.pause();
        settled = true;
        log.debug(`WS ${url.pathname} open, protocol ${socket.protocol || '(none)'} (${(performance.now() - started).toFixed(0)} ms)`);
        resolve(socket);
      });
      socket.once('unexpected-response', (_request, response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          settled = true;
          const body = Buffer.concat(chunks).toString('utf8');
          log.debug(`WS ${url.pathname} refused: ${response.statusCode} ${body.slice(0, 300)}`);
          const refusal = apiError(response.statusCode ?? 0, body, operation, this.context);
          if (response.statusCode !== 401 || retried) return reject(refusal);
          this.renewCredential().then(
            (renewed) => (renewed ? resolve(this.openWebSocket(path, query, protocols, operation, true)) : reject(refusal)),
            reject,
          );
        });
      });
      socket.once('error', (error) => {
        if (settled) return;
        settled = true;
        // ws words its handshake timeout as an error; it is the server not answering in time.
        reject(/handshake has timed out/i.test(error.message) ? timeoutError(this, operation, this.timeoutMs) : transportError(error, this));
      });
    });
  }

  close(): void {
    this.agent.destroy();
    for (const agent of this.retiredAgents) agent.destroy();
  }
}

function impersonationHeaders(impersonate: ConnectionOptions['impersonate']): Record<string, string | string[]> {
  if (!impersonate) return {};
  const headers: Record<string, string | string[]> = { 'Impersonate-User': impersonate.user };
  if (impersonate.groups && impersonate.groups.length > 0) headers['Impersonate-Group'] = impersonate.groups;
  return headers;
}

function credentialError(selected: SelectedContext, error: unknown): SshpodError {
  return new SshpodError('config', `the credentials of context "${selected.context}" could not be obtained: ${(error as Error).message}`, {
    hint:
      (error instanceof ExecPluginError && error.hint) ||
      'check the user of that context in your kubeconfig (an exec plugin such as aws or gke-gcloud-auth-plugin must be on PATH and logged in)',
    cause: error,
  });
}

/**
 * The same kubeconfig with the user's exec plugin replaced by the credential it gave (sshpod runs
 * plugins itself, to cache what they give), so that client-node applies it like any other token
 * or client certificate — to a proxy-url agent as well.
 */
function withPluginCredential(kubeConfig: KubeConfig, userName: string, credential: ExecCredentialStatus): KubeConfig {
  const base64 = (pem: string): string => Buffer.from(pem).toString('base64');
  const copy = new KubeConfig();
  copy.loadFromOptions({
    clusters: kubeConfig.getClusters(),
    users: kubeConfig.getUsers().map((user) =>
      user.name === userName
        ? {
            ...user,
            exec: undefined,
            token: credential.token,
            ...(credential.clientCertificateData !== undefined && credential.clientKeyData !== undefined
              ? { certData: base64(credential.clientCertificateData), keyData: base64(credential.clientKeyData), certFile: undefined, keyFile: undefined }
              : {}),
          }
        : user,
    ),
    contexts: kubeConfig.getContexts(),
    currentContext: kubeConfig.getCurrentContext(),
  });
  return copy;
}

/** The headers and the keep-alive agent every request of a connection uses. */
function transportFor(selected: SelectedContext, options: https.RequestOptions): { agent: http.Agent; headers: Record<string, string> } {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    if (typeof value === 'string') headers[name] = value;
  }
  if (options.auth) headers['Authorization'] = `Basic ${Buffer.from(options.auth).toString('base64')}`;
  const cluster = selected.kubeConfig.getCurrentCluster();
  if (cluster?.proxyUrl && options.agent instanceof http.Agent) {
    return { agent: options.agent, headers }; // client-node built a proxy agent for proxy-url; keep it
  }
  if (selected.server.startsWith('http:')) return { agent: new http.Agent({ keepAlive: true }), headers };
  const tls: TlsOptions = {};
  for (const key of ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername'] as const) {
    if (options[key] !== undefined) (tls as Record<string, unknown>)[key] = options[key];
  }
  if (tls.rejectUnauthorized !== false) tls.ca ??= defaultCertificateAuthorities();
  return { agent: new https.Agent({ ...tls, keepAlive: true }), headers };
}
