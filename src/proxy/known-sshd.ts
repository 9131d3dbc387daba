// The warm path without an exec: a port-forward to the port sshd listened on last time, whose first
// line — sshd's banner — must carry the install id for that pod uid, container and bundle version
// (remote/install-id.ts). Reaching it proves the pod is the same incarnation (a pod created since
// under that name has another uid), the container the same (each container's sshd has its own id
// and port), and the bundle current. The banner goes back into the stream for ssh to read.
// Anything else — nothing listening, another program, an older sshd — returns undefined, and the
// connection takes the exec path, which repairs whatever changed.
import type { ApiConnection } from '../kube/connection.ts';
import { openPortForward, type PortForwardStream } from '../kube/port-forward.ts';
import { log } from '../log.ts';

const BANNER_LIMIT = 255; // RFC 4253 §4.2
const BANNER_WAIT_MS = 3000;

export interface KnownSshd {
  namespace: string;
  pod: string;
  port: number;
  installId: string;
}

/** Reads the first line of the stream, or gives up (undefined) on error, end, length or time. */
function readBanner(stream: PortForwardStream): Promise<{ line: string; consumed: Buffer } | undefined> {
  return new Promise((resolve) => {
    let consumed = Buffer.alloc(0);
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
      consumed = Buffer.concat([consumed, chunk]);
      const newline = consumed.indexOf(0x0a);
      if (newline >= 0) finish({ line: consumed.subarray(0, newline).toString('latin1').replace(/\r$/, ''), consumed });
      else if (consumed.length > BANNER_LIMIT) finish(undefined);
    };
    const timer = setTimeout(onFailure, BANNER_WAIT_MS);
    stream.on('data', onData);
    stream.once('error', onFailure);
    stream.once('end', onFailure);
  });
}

export async function openKnownSshd(connection: ApiConnection, known: KnownSshd): Promise<PortForwardStream | undefined> {
  let stream: PortForwardStream;
  try {
    stream = await openPortForward(connection, { namespace: known.namespace, pod: known.pod, port: known.port });
  } catch (error) {
    log.debug(`remembered sshd: port-forward failed (${(error as Error).message})`);
    return undefined;
  }
  // Until the banner is checked, a failure of this stream only means "not this way".
  const ignore = (): void => undefined;
  stream.on('error', ignore);
  const banner = await readBanner(stream);
  if (banner && banner.line.startsWith('SSH-2.0-') && banner.line.split(' ').at(-1) === known.installId) {
    stream.off('error', ignore);
    stream.unshift(banner.consumed);
    log.debug('remembered sshd answered with its install id');
    return stream;
  }
  log.debug(`remembered sshd not found (${banner ? `banner "${banner.line.slice(0, 80)}"` : 'no banner'})`);
  stream.destroy();
  return undefined;
}
