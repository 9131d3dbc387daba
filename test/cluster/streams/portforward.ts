// port-forward over WebSocket (kubelet's handleWebSocketStreams): one TCP connection per
// requested port, data on channel 2i and errors on 2i+1, each starting with the port number as
// two little-endian bytes. A connection that ends in one direction is given a second for the
// other, as containerd does, before the streams close; the WebSocket closes once all are done.
import { PassThrough } from 'node:stream';
import type { Duplex } from 'node:stream';
import type { ChannelSocket } from './channels.ts';
import { badRequest } from '../api/status.ts';

export const portForwardProtocols = ['v4.channel.k8s.io', 'v4.base64.channel.k8s.io'];

/** `ports` (kube-apiserver) or `port` (kubelet), repeated or comma-separated. */
export function parsePorts(query: URLSearchParams): number[] {
  const raw = [...query.getAll('ports'), ...query.getAll('port')];
  if (raw.length === 0) throw badRequest('query parameter "port" is required');
  const ports: number[] = [];
  for (const value of raw) {
    if (value === '') throw badRequest('query parameter "port" cannot be empty');
    for (const p of value.split(',')) {
      const port = /^\d+$/.test(p) ? Number(p) : NaN;
      if (!Number.isInteger(port) || port > 65535) throw badRequest(`unable to parse "${value}" as a port: strconv.ParseUint: parsing "${p}": invalid syntax`);
      if (port < 1) throw badRequest(`port "${value}" must be > 0`);
      ports.push(port);
    }
  }
  return ports;
}

export function portPrefix(port: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(port);
  return b;
}

/** The message kubelet writes on the error stream when forwarding fails (containerd's wording inside). */
export function forwardErrorText(port: number, podName: string, uid: string, reason: string): string {
  return `error forwarding port ${port} to pod ${podName}, uid ${uid}: failed to connect to localhost:${port} inside namespace of pod ${podName}: dial tcp4 127.0.0.1:${port}: connect: ${reason}`;
}

export interface PortForwardTarget {
  podName: string;
  uid: string;
  connect(port: number): Promise<Duplex>;
  /**
   * How long to hold the WebSocket open once the forwarded connections ended, 0 unless the pod is
   * going away: a real kubelet ends the stream a few seconds after a pod's deletion, with a normal
   * close and no error frame (the client learns nothing from the stream itself).
   */
  closeDelayMs?(): number;
}

/** Grace given to the second direction once the first has ended (containerd uses one second). */
const halfCloseGraceMs = 1000;

async function forwardOne(ch: ChannelSocket, index: number, port: number, target: PortForwardTarget): Promise<void> {
  const dataChannel = index * 2;
  const errorChannel = dataChannel + 1;
  // The client may send before the connection in the pod exists: hold its data (pausing the
  // WebSocket once this small buffer is full) instead of dropping it, as kubelet's pipe does.
  const pending = new PassThrough();
  ch.routeTo(dataChannel, pending);
  ch.onSocketClose(() => pending.end());
  let conn: Duplex;
  try {
    conn = await target.connect(port);
  } catch (error) {
    pending.resume();
    const reason = error instanceof Error ? error.message : String(error);
    await ch.send(errorChannel, Buffer.from(forwardErrorText(port, target.podName, target.uid, reason)));
    return;
  }
  conn.on('error', () => {});

  await new Promise<void>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      if (timer) clearTimeout(timer);
      pending.destroy();
      conn.destroy();
      resolve();
    };
    const oneDirectionDone = (): void => {
      timer ??= setTimeout(finish, halfCloseGraceMs);
    };
    // Client → pod, with backpressure; the client closing the WebSocket is its EOF, passed on as a FIN.
    pending.pipe(conn);
    pending.once('end', oneDirectionDone);
    // Pod → client: when the pod's side ends, the client gets no EOF signal on v4 (there is
    // none); the streams close after the grace period, which closes the WebSocket.
    void ch.pump(dataChannel, conn).then(oneDirectionDone);
    conn.once('close', finish);
  });
}

export async function servePortForward(ch: ChannelSocket, ports: number[], target: PortForwardTarget): Promise<void> {
  for (const [i, port] of ports.entries()) {
    await ch.send(i * 2, portPrefix(port));
    await ch.send(i * 2 + 1, portPrefix(port));
  }
  await Promise.all(ports.map((port, i) => forwardOne(ch, i, port, target)));
  const delay = target.closeDelayMs?.() ?? 0;
  if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
  ch.close();
}
