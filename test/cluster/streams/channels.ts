// The channel.k8s.io WebSocket framing (k8s.io/apimachinery/pkg/util/httpstream/wsstream):
// every message starts with a channel byte; base64 variants carry an ASCII digit and base64
// payload in text frames; v5 adds a close signal, a frame [255, channel].
//
// Flow control is the WebSocket/TCP connection's own, as in kube-apiserver: incoming frames
// for a slow sink pause reading from the socket, and an outgoing source is paused while the
// socket's send buffer is above a high-water mark. Neither side ever buffers a whole transfer.
import type { Readable, Writable } from 'node:stream';
import type { WebSocket } from 'ws';

export const closeSignal = 255;

/** Subprotocols whose frames are base64 text. */
function isBase64(protocol: string): boolean {
  return protocol.includes('base64.channel.k8s.io');
}

const highWaterMark = 1024 * 1024;
const lowWaterMark = 256 * 1024;

export class ChannelSocket {
  readonly ws: WebSocket;
  readonly protocol: string;
  readonly supportsClose: boolean;
  private readonly base64: boolean;
  private readonly sinks = new Map<number, Writable>();
  private readonly frameHandlers = new Map<number, (data: Buffer) => void>();
  private readonly closeHandlers = new Map<number, () => void>();
  private pausedBy = new Set<number>();
  private waitingForSpace: (() => void)[] = [];

  constructor(ws: WebSocket, protocol: string) {
    this.ws = ws;
    this.protocol = protocol;
    this.base64 = isBase64(protocol);
    this.supportsClose = protocol === 'v5.channel.k8s.io';
    ws.on('message', (data: Buffer, isBinary: boolean) => this.onMessage(Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer), isBinary));
    ws.once('close', () => this.checkSpace());
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    if (data.length === 0) return;
    if (this.supportsClose && data[0] === closeSignal) {
      const channel = data[1];
      if (data.length === 2 && channel !== undefined) this.closeHandlers.get(channel)?.();
      return;
    }
    let channel = data[0] as number;
    let payload = data.subarray(1);
    if (this.base64) {
      channel -= 0x30; // the ASCII digit '0'
      payload = Buffer.from(payload.toString('latin1'), 'base64');
    }
    void isBinary;
    const handler = this.frameHandlers.get(channel);
    if (handler) {
      handler(payload);
      return;
    }
    const sink = this.sinks.get(channel);
    // Frames for channels that do not exist (or were not requested) are ignored, as wsstream does.
    if (!sink || payload.length === 0 || sink.writableEnded || sink.destroyed) return;
    if (!sink.write(payload)) {
      this.pause(channel);
      sink.once('drain', () => this.resume(channel));
    }
  }

  private pause(channel: number): void {
    if (this.pausedBy.size === 0) this.ws.pause();
    this.pausedBy.add(channel);
  }

  private resume(channel: number): void {
    if (!this.pausedBy.delete(channel)) return;
    if (this.pausedBy.size === 0 && this.ws.readyState === this.ws.OPEN) this.ws.resume();
  }

  /** Incoming data on `channel` is written to `sink`, with backpressure. */
  routeTo(channel: number, sink: Writable): void {
    this.sinks.set(channel, sink);
    sink.on('error', () => {
      this.sinks.delete(channel);
      this.resume(channel);
    });
    sink.on('close', () => this.resume(channel));
  }

  /** Small control channels (resize) are handled frame by frame. */
  onFrame(channel: number, handler: (data: Buffer) => void): void {
    this.frameHandlers.set(channel, handler);
  }

  /** v5 close signal from the client for `channel`. */
  onClose(channel: number, handler: () => void): void {
    this.closeHandlers.set(channel, handler);
  }

  private encode(channel: number, data: Buffer): Buffer | string {
    if (this.base64) return String.fromCharCode(0x30 + channel) + data.toString('base64');
    const frame = Buffer.allocUnsafe(data.length + 1);
    frame[0] = channel;
    data.copy(frame, 1);
    return frame;
  }

  get open(): boolean {
    return this.ws.readyState === this.ws.OPEN;
  }

  /** Sends one frame; resolves once there is room for more (the send buffer is below the low-water mark). */
  send(channel: number, data: Buffer): Promise<void> {
    if (!this.open) return Promise.resolve();
    this.ws.send(this.encode(channel, data), () => this.checkSpace());
    if (this.ws.bufferedAmount < highWaterMark) return Promise.resolve();
    return new Promise((resolve) => this.waitingForSpace.push(resolve));
  }

  private checkSpace(): void {
    if (this.waitingForSpace.length === 0) return;
    if (this.ws.bufferedAmount > lowWaterMark && this.open) return;
    const waiting = this.waitingForSpace;
    this.waitingForSpace = [];
    for (const resolve of waiting) resolve();
  }

  /** Copies `source` to `channel` until it ends; resolves when everything was handed to the socket. */
  async pump(channel: number, source: Readable): Promise<void> {
    try {
      for await (const chunk of source) {
        if (!this.open) break;
        const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
        if (buf.length > 0) await this.send(channel, buf);
      }
    } catch {
      // The source broke (e.g. the process was killed); what was sent stays sent.
    }
  }

  onSocketClose(handler: () => void): void {
    if (this.ws.readyState === this.ws.CLOSED) handler();
    else this.ws.once('close', handler);
  }

  /** Ends the session the way kube-apiserver does: a close frame, then wait for the client's. */
  close(): void {
    this.checkSpace();
    if (this.ws.readyState === this.ws.OPEN) this.ws.close(1000);
  }
}
