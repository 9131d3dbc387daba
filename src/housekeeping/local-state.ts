// sshpod's own files on this machine that `sshpod cleanup` prunes: connection-sharing sockets
// nobody listens on any more (~/.cache/sshpod/cm: a master that was killed leaves its socket), and
// known_hosts pins for hostnames nothing leads to any more. A pin is always safe to remove: the
// next connection to that hostname that prepares its pod pins the key it finds again.
import { readdirSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { readTextIfExists } from '../local-file.ts';
import { pinnedPatterns } from '../ssh/known-hosts.ts';

/** ssh's ControlPath %C: 40 hexadecimal characters (its temporary names carry a suffix). */
const SOCKET_NAME = /^[0-9a-f]{40}$/;

function listening(path: string): Promise<boolean | undefined> {
  return new Promise((resolve) => {
    const socket = connect(path);
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(true); // slow to accept, but something holds it
    }, 2000);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(true);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve(error.code === 'ECONNREFUSED' || error.code === 'ENOENT' ? false : undefined);
    });
  });
}

/** The sockets in the control directory no master listens on. */
export async function staleSockets(controlDir: string): Promise<string[]> {
  let names: string[];
  try {
    names = readdirSync(controlDir).filter((name) => SOCKET_NAME.test(name));
  } catch {
    return [];
  }
  const checked = await Promise.all(names.map(async (name) => ({ path: join(controlDir, name), live: await listening(join(controlDir, name)) })));
  return checked.filter((socket) => socket.live === false).map((socket) => socket.path);
}

export function removeFile(path: string): void {
  rmSync(path, { force: true });
}

/** The hostname a known_hosts pattern pins (`host` or `[host]:port`). */
export function hostOfPattern(pattern: string): string {
  const bracketed = /^\[([^\]]+)\]:\d+$/.exec(pattern);
  return (bracketed?.[1] ?? pattern).toLowerCase().replace(/\.$/, '');
}

/** The pinned patterns whose hostname `keep` does not want kept (pure over the file's text). */
export function stalePins(knownHostsText: string, keep: (host: string) => boolean): string[] {
  return pinnedPatterns(knownHostsText).filter((pattern) => !keep(hostOfPattern(pattern)));
}

export function readKnownHosts(path: string): string {
  return readTextIfExists(path) ?? '';
}
