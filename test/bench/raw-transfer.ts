// The raw port-forward cases: bytes through sshpod's own port-forward stream, nothing else.
import type { Duplex } from 'node:stream';

const WRITE_SIZE = 64 * 1024; // as ssh hands them to the proxy

/** Writes `data` in 64 KiB pieces with backpressure, then ends the stream. */
export async function sendAll(stream: Duplex, data: Buffer): Promise<void> {
  for (let offset = 0; offset < data.length; offset += WRITE_SIZE) {
    if (!stream.write(data.subarray(offset, offset + WRITE_SIZE))) await new Promise((resolve) => stream.once('drain', resolve));
  }
  await new Promise<void>((resolve, reject) => {
    stream.on('error', reject);
    stream.end(() => resolve());
  });
}

/** Resolves once `total` bytes arrived; fails if the stream ends first. */
export function receiveAll(stream: Duplex, total: number): Promise<void> {
  let received = 0;
  return new Promise<void>((resolve, reject) => {
    stream.on('error', reject);
    stream.on('data', (data: Buffer) => {
      received += data.length;
      if (received >= total) resolve();
    });
    stream.on('end', () => (received >= total ? resolve() : reject(new Error(`only ${received} bytes arrived`))));
  });
}
