// ssh's end of the ProxyCommand: its stdin goes to the pod, the pod's bytes to its stdout.
// Backpressure comes from pipe(); each half-close is passed on (ssh's EOF ends the forward, the
// pod's end ends stdout). The promise settles when both directions are done or one breaks,
// so the proxy never outlives the connection. When the pod's end finishes first while ssh is still
// connected, `remoteEndedFirst` may name a reason before stdout ends (ssh exits at its EOF).
import { Socket } from 'node:net';
import { fstatSync } from 'node:fs';
import type { Duplex, Readable, Writable } from 'node:stream';

/** stdout as an asynchronous stream: Node writes pipes synchronously through process.stdout,
 *  which would stall the event loop (and the other direction) while ssh is slow to read. */
export function asyncStdout(): Writable {
  try {
    const stat = fstatSync(1);
    if (stat.isFIFO() || stat.isSocket()) return new Socket({ fd: 1, readable: false, writable: true });
  } catch {
    // fall through
  }
  return process.stdout;
}

let started = false;

/** Whether relay() has taken over stdin and stdout: from then on only sshd may speak to ssh. */
export function relayStarted(): boolean {
  return started;
}

export interface RelayOptions {
  /** The remote stream ended while `input` was still open: an error to fail with, or undefined for a normal end. */
  remoteEndedFirst?: () => Promise<Error | undefined>;
}

export function relay(input: Readable, output: Writable, remote: Duplex, options: RelayOptions = {}): Promise<void> {
  started = true;
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (error: Error): void => {
      if (settled) return;
      settled = true;
      remote.destroy();
      reject(error);
    };
    const done = (): void => {
      if (settled) return;
      settled = true;
      resolve();
    };

    remote.on('error', fail);
    output.on('error', (error: NodeJS.ErrnoException) => {
      // ssh went away mid-write: nothing is left to deliver to.
      if (error.code === 'EPIPE' || error.code === 'ECONNRESET') done();
      else fail(error);
    });
    input.on('error', fail);

    let inputEnded = false;
    input.once('end', () => (inputEnded = true));
    input.pipe(remote);
    remote.pipe(output, { end: false });
    remote.once('end', () => {
      const explain = options.remoteEndedFirst;
      if (inputEnded || !explain) return void output.end();
      explain().then(
        (error) => (error && !inputEnded ? fail(error) : output.end()),
        () => output.end(),
      );
    });
    output.on('finish', done);
  });
}
