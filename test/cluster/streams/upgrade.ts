// Upgrade requests on pods/exec, pods/attach and pods/portforward: the pod and container
// checks kube-apiserver makes before connecting (404, 400 with its messages), then the
// protocol: WebSocket channel protocols, SPDY/3.1 for port-forward, or SPDY tunnelled over a
// WebSocket (kubectl 1.31+ port-forward). Refusals are plain HTTP responses with a Status body,
// which clients show (and kubectl uses to decide whether to fall back to SPDY).
import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, createWebSocketStream } from 'ws';
import type { WebSocket } from 'ws';
import type { PodHandle } from '../runtime/types.ts';
import type { Pod } from '../api/types.ts';
import type { Registry } from '../api/registry.ts';
import type { RequestInfo } from '../api/request-info.ts';
import { resourceByName } from '../api/resources.ts';
import type { ResourceType } from '../api/resources.ts';
import { StatusError, badRequest } from '../api/status.ts';
import { ChannelSocket } from './channels.ts';
import { execProtocols, parseExecQuery, serveExec } from './exec.ts';
import { parsePorts, portForwardProtocols, servePortForward } from './portforward.ts';
import { serveSpdyPortForward, spdyTunnelProtocol } from './spdy.ts';
import { negotiateSpdyExec, serveSpdyExec, spdyExecProtocols } from './spdy-exec.ts';

/**
 * kube-apiserver 1.20 + kubelet + containerd ended a port-forward 3–5 s after `kubectl delete pod`
 * (measured on the real lane), with a normal close and no error frame.
 */
export const DEFAULT_PORT_FORWARD_CLOSE_DELAY_MS = 3000;

export interface UpgradeContext {
  registry: Registry;
  handleFor(uid: string): PodHandle | undefined;
  execProtocols?: string[];
  /** How long a port-forward stays open after its pod began to go away (kubelet + containerd take a few seconds). */
  portForwardCloseDelayMs?: number;
  log: (message: string) => void;
}

export interface UpgradeOutcome {
  code: number;
  protocol: string;
}

const chosenProtocols = new WeakMap<IncomingMessage, string>();
const wss = new WebSocketServer({
  noServer: true,
  perMessageDeflate: false,
  // golang.org/x/net/websocket's limit, which kube-apiserver and kubelet inherit.
  maxPayload: 32 << 20,
  handleProtocols: (_offered, req) => chosenProtocols.get(req) || false,
});
// `SPDY/3.1+portforward.k8s.io` is not an RFC 6455 token ('/' is a separator), so ws refuses
// it; Go's gorilla/websocket (kubectl's side and kube-apiserver's) does not. Such a protocol is
// taken out of the request before ws sees it and put into the 101 response here.
const untokenProtocols = new WeakMap<IncomingMessage, string>();
wss.on('headers', (headers: string[], req: IncomingMessage) => {
  const protocol = untokenProtocols.get(req);
  if (protocol) headers.push(`Sec-WebSocket-Protocol: ${protocol}`);
});
const tokenPattern = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export function rejectUpgrade(socket: Duplex, error: unknown): number {
  let code = 500;
  let body: string;
  if (error instanceof StatusError) {
    code = error.status.code;
    body = JSON.stringify(error.status);
  } else {
    body = JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `Internal error occurred: ${error instanceof Error ? error.message : String(error)}`, reason: 'InternalError', code: 500 });
  }
  if (!socket.destroyed) {
    socket.end(`HTTP/1.1 ${code} ${STATUS_CODES[code] ?? ''}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  }
  return code;
}

function offeredProtocols(req: IncomingMessage): string[] {
  return (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim()).filter((p) => p.length > 0);
}

/** wsstream's handshake: the first protocol the client offers that the server supports; none offered is fine. */
function negotiate(req: IncomingMessage, supported: string[]): string {
  const offered = offeredProtocols(req);
  if (offered.length === 0) return '';
  const match = offered.find((p) => supported.includes(p));
  if (match === undefined) throw badRequest(`requested protocol(s) are not supported: [${offered.join(' ')}]; supports [${supported.join(' ')}]`);
  return match;
}

/** Answers a SPDY/3.1 upgrade with the stream protocol `choose` picks from the client's, or
 *  refuses it with kube-apiserver's message; returns the protocol. */
function acceptSpdy(req: IncomingMessage, socket: Duplex, head: Buffer, choose: (offered: string[]) => string | undefined, supported: string[]): string {
  const offered = streamProtocols(req);
  const protocol = choose(offered);
  if (protocol === undefined) throw badRequest(`unable to upgrade: unable to negotiate protocol: client supports [${offered.join(' ')}], server supports [${supported.join(' ')}]`);
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${protocol}\r\n\r\n`);
  if (head.length > 0) socket.unshift(head);
  return protocol;
}

/** X-Stream-Protocol-Version may be repeated or comma-separated. */
function streamProtocols(req: IncomingMessage): string[] {
  const raw = req.headersDistinct['x-stream-protocol-version'] ?? [];
  return raw.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v.length > 0);
}

function acceptWebSocket(req: IncomingMessage, socket: Duplex, head: Buffer, protocol: string): Promise<WebSocket> {
  if (protocol && !tokenPattern.test(protocol)) {
    delete req.headers['sec-websocket-protocol'];
    untokenProtocols.set(req, protocol);
  }
  chosenProtocols.set(req, protocol);
  return new Promise((resolve, reject) => {
    // ws answers a malformed handshake itself (400) and never calls back; the socket closes.
    const refused = (): void => reject(new Error('the WebSocket handshake was refused'));
    socket.once('close', refused);
    wss.handleUpgrade(req, socket, head, (ws) => {
      socket.off('close', refused);
      // Protocol violations (e.g. an oversized message) close this connection, nothing else.
      ws.on('error', () => ws.terminate());
      resolve(ws);
    });
  });
}

function runningPod(ctx: UpgradeContext, info: RequestInfo): { pod: Pod; handle: PodHandle | undefined } {
  const pods = resourceByName('pods') as ResourceType;
  const pod = ctx.registry.get(pods, info.namespace, info.name) as Pod;
  if (!pod.spec.nodeName) throw badRequest(`pod ${pod.metadata.name} does not have a host assigned`);
  return { pod, handle: ctx.handleFor(pod.metadata.uid) };
}

/** kube-apiserver's container resolution for exec/attach. */
function containerFor(pod: Pod, requested: string): string {
  const names = pod.spec.containers.map((c) => c.name);
  if (!requested) {
    if (names.length === 1) return names[0] as string;
    throw badRequest(`a container name must be specified for pod ${pod.metadata.name}, choose one of: [${names.join(' ')}]`);
  }
  const others = [...(pod.spec.initContainers ?? []), ...(pod.spec.ephemeralContainers ?? [])];
  if (!names.includes(requested) && !others.some((c) => c.name === requested)) {
    throw badRequest(`container ${requested} is not valid for pod ${pod.metadata.name}`);
  }
  return requested;
}

function containerRunning(handle: PodHandle | undefined, container: string): handle is PodHandle {
  return handle !== undefined && handle.containerStates().some((s) => s.name === container && s.running);
}

export async function handlePodUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL, info: RequestInfo, ctx: UpgradeContext): Promise<UpgradeOutcome> {
  const upgrade = (req.headers.upgrade ?? '').toLowerCase();
  const query = url.searchParams;
  switch (info.subresource) {
    case 'exec': {
      const request = parseExecQuery(query);
      const { pod, handle } = runningPod(ctx, info);
      const container = containerFor(pod, request.container);
      if (!containerRunning(handle, container)) throw badRequest(`container not found ("${container}")`);
      if (upgrade === 'spdy/3.1') {
        const protocol = acceptSpdy(req, socket, head, negotiateSpdyExec, spdyExecProtocols);
        serveSpdyExec(socket, protocol, { ...request, container }, () => handle.exec({ container, command: request.command, stdin: request.stdin, tty: request.tty }), ctx.log);
        return { code: 101, protocol: `SPDY/3.1+${protocol}` };
      }
      if (upgrade !== 'websocket') throw badRequest(`unable to upgrade: unsupported upgrade "${req.headers.upgrade ?? ''}"`);
      const protocol = negotiate(req, ctx.execProtocols ?? execProtocols);
      const ws = await acceptWebSocket(req, socket, head, protocol);
      const proc = handle.exec({ container, command: request.command, stdin: request.stdin, tty: request.tty });
      void serveExec(new ChannelSocket(ws, protocol), { ...request, container }, proc).catch((error: unknown) => {
        ctx.log(`exec in ${pod.metadata.namespace}/${pod.metadata.name}: ${error instanceof Error ? error.message : String(error)}`);
        ws.terminate();
      });
      return { code: 101, protocol };
    }
    case 'portforward': {
      const { pod, handle } = runningPod(ctx, info);
      if (!handle) throw badRequest(`pod ${pod.metadata.name} is not running`);
      const target = {
        podName: pod.metadata.name,
        uid: pod.metadata.uid,
        connect: (port: number) => handle.connect(port),
        // A pod the kubelet is stopping (or has stopped) no longer has a handle.
        closeDelayMs: () => (ctx.handleFor(pod.metadata.uid) ? 0 : (ctx.portForwardCloseDelayMs ?? DEFAULT_PORT_FORWARD_CLOSE_DELAY_MS)),
      };
      if (upgrade === 'websocket') {
        const offered = offeredProtocols(req);
        if (offered.includes(spdyTunnelProtocol) && !offered.some((p) => portForwardProtocols.includes(p))) {
          const ws = await acceptWebSocket(req, socket, head, spdyTunnelProtocol);
          serveSpdyPortForward(createWebSocketStream(ws), target, ctx.log);
          return { code: 101, protocol: spdyTunnelProtocol };
        }
        const ports = parsePorts(query);
        const protocol = negotiate(req, portForwardProtocols);
        const ws = await acceptWebSocket(req, socket, head, protocol);
        void servePortForward(new ChannelSocket(ws, protocol), ports, target);
        return { code: 101, protocol };
      }
      if (upgrade === 'spdy/3.1') {
        acceptSpdy(req, socket, head, (offered) => (offered.includes('portforward.k8s.io') ? 'portforward.k8s.io' : undefined), ['portforward.k8s.io']);
        serveSpdyPortForward(socket, target, ctx.log);
        return { code: 101, protocol: 'SPDY/3.1+portforward.k8s.io' };
      }
      throw badRequest(`unable to upgrade: unsupported upgrade "${req.headers.upgrade ?? ''}"`);
    }
    case 'attach':
      throw badRequest('attach is not supported by the sshpod test cluster');
    default:
      throw badRequest('Upgrade request required');
  }
}
