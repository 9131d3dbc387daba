// port-forward over SPDY/3.1, as kubectl speaks it: directly after an HTTP upgrade, or (1.31+)
// tunnelled through a WebSocket with subprotocol SPDY/3.1+portforward.k8s.io. The client opens
// an error stream and a data stream per forwarded connection, paired by the requestID header
// (kubelet's httpStreamHandler); the server connects to the port in the pod and relays.
//
// spdy-transport does the framing. Two adjustments make it talk to Go's moby/spdystream:
// SYN_STREAM frames from spdystream carry no :method/:path pseudo-headers (spdy-transport
// would reject them), and spdystream implements no flow control at all (it neither sends
// WINDOW_UPDATE nor reads ours), so our per-stream send window must never block.
import type { Duplex } from 'node:stream';
import transport from 'spdy-transport';
import type { SpdyConnection, SpdyStream } from 'spdy-transport';
import { forwardErrorText } from './portforward.ts';
import type { PortForwardTarget } from './portforward.ts';

const halfCloseGraceMs = 1000;

export const spdyTunnelProtocol = 'SPDY/3.1+portforward.k8s.io';

interface Pair {
  data?: SpdyStream;
  error?: SpdyStream;
}

interface ParserInternals {
  parseKVs(buffer: unknown, callback: (err: Error | null, headers?: Record<string, string>) => void): void;
}

interface ConnectionInternals {
  _spdyState: { parser: ParserInternals };
}

interface StreamInternals {
  _spdyState: { window: { send: { update(size: number, callback?: () => void): void } } };
}

function acceptPseudoHeaderlessStreams(conn: unknown): void {
  const parser = (conn as ConnectionInternals)._spdyState.parser;
  const parseKVs = parser.parseKVs.bind(parser);
  parser.parseKVs = (buffer, callback) =>
    parseKVs(buffer, (err, headers) => {
      if (!err && headers && headers[':method'] === undefined) {
        headers[':method'] = 'POST';
        headers[':path'] = '/';
      }
      callback(err, headers);
    });
}

function disableSendFlowControl(stream: SpdyStream): void {
  const send = (stream as unknown as StreamInternals)._spdyState.window.send;
  send.update = (_size, callback) => {
    if (callback) process.nextTick(callback);
  };
}

async function forward(pair: Required<Pair>, port: number, target: PortForwardTarget): Promise<void> {
  let conn: Duplex;
  try {
    conn = await target.connect(port);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    pair.error.end(forwardErrorText(port, target.podName, target.uid, reason));
    pair.data.end();
    return;
  }
  conn.on('error', () => {});
  pair.data.on('error', () => conn.destroy());
  // Both directions with backpressure; a FIN in one direction is passed on as a FIN. Once one
  // direction has ended the other gets a second (as containerd gives it), then the streams
  // close: client-go waits for the error stream to end before it lets go of the connection.
  let timer: NodeJS.Timeout | undefined;
  let finished = false;
  const finish = (): void => {
    if (finished) return;
    finished = true;
    if (timer) clearTimeout(timer);
    conn.destroy();
    if (!pair.data.writableEnded) pair.data.end();
    if (!pair.error.writableEnded) pair.error.end();
  };
  const oneDirectionDone = (): void => {
    timer ??= setTimeout(finish, halfCloseGraceMs);
  };
  pair.data.pipe(conn);
  conn.pipe(pair.data);
  pair.data.once('end', oneDirectionDone);
  conn.once('end', oneDirectionDone);
  conn.once('close', finish);
  // The SPDY connection went away (kubectl exited): nothing more will flow either way.
  pair.data.once('close', finish);
}

/** A SPDY/3.1 server connection on `socket` that talks to Go's spdystream. Each stream the
 *  client opens is passed to `onStream` (its send window already unblocked). */
export function spdyServer(socket: Duplex, onStream: (stream: SpdyStream) => void, onError: (message: string) => void): SpdyConnection {
  const conn = transport.connection.create(socket, { protocol: 'spdy', isServer: true });
  acceptPseudoHeaderlessStreams(conn);
  conn.on('error', (error) => {
    onError(error.message);
    socket.destroy();
  });
  conn.on('stream', (stream) => {
    disableSendFlowControl(stream);
    stream.on('error', () => {});
    onStream(stream);
  });
  socket.on('close', () => conn.destroyStreams());
  return conn;
}

export function serveSpdyPortForward(socket: Duplex, target: PortForwardTarget, log: (message: string) => void): void {
  const pairs = new Map<string, Pair>();
  spdyServer(socket, (stream) => {
    const headers = stream.headers;
    const port = Number(headers.port);
    const type = headers.streamtype;
    if (!Number.isInteger(port) || port < 1 || port > 65535 || (type !== 'data' && type !== 'error')) {
      stream.abort('PROTOCOL_ERROR');
      return;
    }
    stream.respond(200, {});
    // Old clients send no requestID; kubelet derives one from the stream ids (error n, data n+2).
    const requestID = headers.requestid ?? String(type === 'error' ? stream.id : stream.id - 2);
    const pair = pairs.get(requestID) ?? {};
    pairs.set(requestID, pair);
    if (pair[type]) {
      stream.abort('PROTOCOL_ERROR');
      return;
    }
    pair[type] = stream;
    if (pair.data && pair.error) {
      pairs.delete(requestID);
      void forward(pair as Required<Pair>, port, target);
    }
  }, (message) => log(`port-forward to ${target.podName}: spdy: ${message}`));
}
