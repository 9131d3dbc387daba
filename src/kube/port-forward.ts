// One TCP connection into a pod as a Node Duplex, over the port-forward WebSocket
// (kubelet's portforward/websocket.go): channel 0 carries data, channel 1 errors; each channel's
// first message is the port as 2 bytes little endian, which is not data. Backpressure holds both
// ways: a write completes when the socket took the frame, and a full read buffer pauses the socket.
// sshd speaks first (its banner), so a forward whose first byte does not come in time is named
// instead of leaving ssh waiting for ever.
import { Duplex } from 'node:stream';
import type WebSocket from 'ws';
import type { KubeApi } from './api.ts';
import { seconds, TIMEOUT_HINT } from '../timeout.ts';
import { SshpodError } from '../errors.ts';
import { log } from '../log.ts';
import { podPath } from './paths.ts';

const DATA = 0;
const ERROR = 1;
export const PORT_FORWARD_PROTOCOLS = ['v4.channel.k8s.io'];

export interface PortForwardRequest {
  namespace: string;
  pod: string;
  port: number;
}

export class PortForwardStream extends Duplex {
  private dataPrefixPending = true;
  private errorPrefixPending = true;
  private errorText = '';
  private firstByteSeen = false;
  private firstByteTimer: NodeJS.Timeout | undefined;
  private closing = false;
  private frame = Buffer.alloc(0);

  constructor(
    private readonly socket: WebSocket,
    private readonly target: PortForwardRequest,
  ) {
    super({ allowHalfOpen: true });
    socket.binaryType = 'nodebuffer';
    socket.on('message', (data: Buffer, isBinary: boolean) => this.receive(data, isBinary));
    socket.on('close', (code: number) => this.onSocketClosed(code));
    socket.on('error', (error: Error) => this.destroy(this.broken(error.message)));
  }

  private receive(data: Buffer, isBinary: boolean): void {
    if (!isBinary || data.length === 0) return;
    let payload = data.subarray(1);
    if (data[0] === DATA) {
      if (this.dataPrefixPending) {
        this.dataPrefixPending = false;
        payload = payload.subarray(2);
      }
      if (payload.length === 0) return;
      if (!this.firstByteSeen) {
        this.firstByteSeen = true;
        clearTimeout(this.firstByteTimer);
        log.debug('port-forward: first byte from the pod');
      }
      if (!this.push(payload)) this.socket.pause();
    } else if (data[0] === ERROR) {
      if (this.errorPrefixPending) {
        this.errorPrefixPending = false;
        payload = payload.subarray(2);
      }
      this.errorText += payload.toString('utf8');
    }
  }

  /** Fails the stream unless the pod sends something within `ms`. */
  expectFirstByte(ms: number): void {
    if (this.firstByteSeen) return;
    this.firstByteTimer = setTimeout(() => {
      this.destroy(
        new SshpodError('timeout', `sshd in pod "${this.target.pod}" did not answer on port ${this.target.port} within ${seconds(ms)}`, { hint: TIMEOUT_HINT }),
      );
    }, ms);
  }

  private broken(reason: string): SshpodError {
    return new SshpodError('stream', `the connection to port ${this.target.port} of pod "${this.target.pod}" broke: ${reason}`, {
      hint: 'run again; if it keeps failing, run with --log-level debug',
    });
  }

  private onSocketClosed(code: number): void {
    if (this.errorText.trim()) {
      this.destroy(this.broken(this.errorText.trim()));
    } else if (code === 1000 || code === 1005 || this.closing) {
      this.push(null);
    } else {
      this.destroy(this.broken(`the API server closed the stream abnormally (WebSocket code ${code})`));
    }
  }

  override _read(): void {
    this.socket.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    // One frame buffer, reused: the stream calls _write again only after `callback`, which ws
    // calls once the frame went out, so the buffer is free again by then. Fewer short-lived
    // buffers keep the proxy's memory lower during large transfers.
    if (this.frame.length < chunk.length + 1) this.frame = Buffer.allocUnsafe(Math.max(chunk.length + 1, 64 * 1024 + 1));
    const frame = this.frame.subarray(0, chunk.length + 1);
    frame[0] = DATA;
    chunk.copy(frame, 1);
    this.socket.send(frame, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    // The v4 protocol cannot half-close one direction: ending ours ends the connection.
    this.closing = true;
    this.socket.close(1000);
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    clearTimeout(this.firstByteTimer);
    if (this.socket.readyState !== this.socket.CLOSED) this.socket.terminate();
    callback(error);
  }
}

export async function openPortForward(connection: KubeApi, request: PortForwardRequest): Promise<PortForwardStream> {
  const socket = await connection.openWebSocket(
    podPath(request.namespace, request.pod, 'portforward'),
    new URLSearchParams({ ports: String(request.port) }),
    PORT_FORWARD_PROTOCOLS,
    { verb: 'create', resource: 'pods/portforward', namespace: request.namespace, name: request.pod },
  );
  return new PortForwardStream(socket, request);
}
