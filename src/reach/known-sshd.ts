// The warm path without the prepare script: a port-forward to the port sshd listened on last time
// (or, on the exec transport, `sshd -i` started in the install directory it used), whose first
// line — sshd's banner — must carry the install id for that pod uid, container and bundle version
// (remote/install-id.ts). That banner is a routing hint, not a proof: anyone who can connect to
// the port can read it. It says the pod is the same incarnation, the container the same and the
// bundle current, so the exec can be skipped; who answers is proven by the host key ssh checks
// against the pin for this hostname. The banner goes back into the stream for ssh to read.
// Anything else — nothing listening, another program, an older sshd — returns undefined, and the
// connection takes the exec path, which repairs whatever changed.
import type { Duplex } from 'node:stream';
import { log } from '../log.ts';

const BANNER_LIMIT = 255; // RFC 4253 §4.2
const BANNER_WAIT_MS = 3000;

/** Reads the first line of the stream, or gives up (undefined) on error, end, length or time. */
function readBanner(stream: Duplex): Promise<{ line: string; consumed: Buffer } | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const finish = (result: { line: string; consumed: Buffer } | undefined): void => {
      clearTimeout(timer);
      stream.off('data', onData);
      stream.off('error', onFailure);
      stream.off('end', onFailure);
      stream.pause();
      resolve(result);
    };
    const onFailure = (): void => finish(undefined);
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      length += chunk.length;
      const consumed = Buffer.concat(chunks, length);
      const newline = consumed.indexOf(0x0a);
      if (newline >= 0) finish({ line: consumed.subarray(0, newline).toString('latin1').replace(/\r$/, ''), consumed });
      else if (length > BANNER_LIMIT) finish(undefined);
    };
    const timer = setTimeout(onFailure, BANNER_WAIT_MS);
    stream.on('data', onData);
    stream.once('error', onFailure);
    stream.once('end', onFailure);
  });
}

/**
 * The stream to the remembered sshd, or undefined. `open` makes the stream (a port-forward, or an
 * exec of `sshd -i`); its first line must end with `installId`. The stream keeps a listener that
 * absorbs errors until the caller uses it — the caller may first await other lookups, and a stream
 * that breaks meanwhile must not crash the process: the caller checks `usable()` at hand-over instead.
 */
export async function openKnownSshd(open: () => Promise<Duplex>, installId: string, how: string): Promise<Duplex | undefined> {
  let stream: Duplex;
  try {
    stream = await open();
  } catch (error) {
    log.debug(`remembered sshd: ${how} failed (${(error as Error).message})`);
    return undefined;
  }
  stream.on('error', (error: Error) => log.debug(`remembered sshd: stream error before use (${error.message})`));
  const banner = await readBanner(stream);
  if (banner && banner.line.startsWith('SSH-2.0-') && banner.line.split(' ').at(-1) === installId) {
    stream.unshift(banner.consumed);
    log.debug(`remembered sshd answered with its install id (${how})`);
    return stream;
  }
  log.debug(`remembered sshd not found through ${how} (${banner ? `banner "${banner.line.slice(0, 80)}"` : 'no banner'})`);
  stream.destroy();
  return undefined;
}

/** Whether a stream from openKnownSshd is still good to hand to ssh. */
export function usable(stream: Duplex | undefined): stream is Duplex {
  return stream !== undefined && !stream.destroyed && !stream.readableEnded;
}
