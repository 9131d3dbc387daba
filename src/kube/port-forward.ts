// One TCP connection into a pod as a Node Duplex, over the port-forward WebSocket
// (kubelet's portforward/websocket.go): channel 0 carries data, channel 1 errors; each channel's
// first message is the port as 2 bytes little endian, which is not data. Backpressure and the
// first-byte bound come from channel-duplex.ts.
import type WebSocket from 'ws';
import { ChannelDuplex } from './channel-duplex.ts';
import type { KubeApi } from './api.ts';
import { seconds, TIMEOUT_HINT } from '../timeout.ts';
import { SshpodError } from '../errors.ts';
import { podPath } from './paths.ts';

const DATA = 0;
const ERROR = 1;
export const PORT_FORWARD_PROTOCOLS = ['v4.channel.k8s.io'];

export interface PortForwardRequest {
  namespace: string;
  pod: string;
  port: number;
}

export class PortForwardStream extends ChannelDuplex {
  private dataPrefixPending = true;
  private errorPrefixPending = true;
  private errorText = '';
  private closing = false;

  constructor(
    socket: WebSocket,
    private readonly target: PortForwardRequest,
  ) {
    super(socket);
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
      this.pushFromPod(payload, 'port-forward');
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
    this.failWithoutFirstByte(
      ms,
      () => new SshpodError('timeout', `sshd in pod "${this.target.pod}" did not answer on port ${this.target.port} within ${seconds(ms)}`, { hint: TIMEOUT_HINT }),
    );
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

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.sendOn(DATA, chunk, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    // The v4 protocol cannot half-close one direction: ending ours ends the connection.
    this.closing = true;
    this.socket.close(1000);
    callback();
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
