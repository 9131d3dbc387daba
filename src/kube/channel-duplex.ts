// What the port-forward and exec streams share: a Node Duplex over a Kubernetes channel WebSocket
// (each binary message is one channel byte, then payload). Backpressure holds both ways: a write
// completes when the socket took the frame, and a full read buffer pauses the socket until Node
// reads again. sshd speaks first, so a stream whose first byte does not come in time fails with a
// message instead of leaving ssh waiting for ever. Subclasses decode their channels and decide what
// a close means.
import { Duplex } from 'node:stream';
import type WebSocket from 'ws';
import { log } from '../log.ts';

export abstract class ChannelDuplex extends Duplex {
  private firstByteSeen = false;
  protected firstByteTimer: NodeJS.Timeout | undefined;
  private frame = Buffer.alloc(0);

  constructor(protected readonly socket: WebSocket) {
    super({ allowHalfOpen: true });
    socket.binaryType = 'nodebuffer';
  }

  /** Passes bytes from the pod on to the reader (pausing the socket when the reader is full). */
  protected pushFromPod(payload: Buffer, what: string): void {
    if (payload.length === 0) return;
    if (!this.firstByteSeen) {
      this.firstByteSeen = true;
      clearTimeout(this.firstByteTimer);
      log.debug(`${what}: first byte from the pod`);
    }
    if (!this.push(payload)) this.socket.pause();
  }

  /** Fails the stream with `error()` unless the pod sends something within `ms`. */
  protected failWithoutFirstByte(ms: number, error: () => Error): void {
    if (this.firstByteSeen) return;
    this.firstByteTimer = setTimeout(() => this.destroy(error()), ms);
  }

  /**
   * Sends `chunk` on `channel`. One frame buffer, reused: the stream calls _write again only after
   * `callback`, which ws calls once the frame went out, so the buffer is free again by then. Fewer
   * short-lived buffers keep the proxy's memory lower during large transfers.
   */
  protected sendOn(channel: number, chunk: Buffer, callback: (error?: Error | null) => void): void {
    if (this.frame.length < chunk.length + 1) this.frame = Buffer.allocUnsafe(Math.max(chunk.length + 1, 64 * 1024 + 1));
    const frame = this.frame.subarray(0, chunk.length + 1);
    frame[0] = channel;
    chunk.copy(frame, 1);
    this.socket.send(frame, callback);
  }

  override _read(): void {
    this.socket.resume();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    clearTimeout(this.firstByteTimer);
    if (this.socket.readyState !== this.socket.CLOSED) this.socket.terminate();
    callback(error);
  }
}
