// Doctor: sshpod's files on this machine — its directory private to you, the client key ssh
// authenticates with and the local host key, each readable, unencrypted ed25519 and 0600, and the
// known_hosts line that pins that host key for *.sshpod. Nothing is created or repaired here:
// `sshpod configure` does that.
import { statSync } from 'node:fs';
import { publicKeyOfPrivate } from '../ssh/openssh-key.ts';
import { knownHostsAccept } from '../failure/known-hosts-match.ts';
import { readTextIfExists } from '../local-file.ts';
import type { SshpodPaths } from '../ssh/paths.ts';
import { failed, passed, type Check } from './checklist.ts';

function mode(path: string): number | undefined {
  try {
    return statSync(path).mode & 0o777;
  } catch {
    return undefined;
  }
}

function octal(value: number): string {
  return `0${value.toString(8).padStart(3, '0')}`;
}

function checkPrivate(path: string, what: string, wanted: number, isDirectory: boolean): Check {
  const actual = mode(path);
  const title = `${what} ${path} is ${octal(wanted)}`;
  if (actual === undefined) return failed(title, `it does not exist: run sshpod configure`);
  const owner = statSync(path).uid;
  if (process.getuid && owner !== process.getuid()) return failed(title, `it belongs to uid ${owner}, not to you: chown it, or move it away and run sshpod configure`);
  if ((actual & 0o077) !== 0) return failed(`${title} (it is ${octal(actual)})`, `chmod ${octal(wanted)} ${path}${isDirectory ? '' : ' (ssh refuses a private key others can read)'}`);
  return passed(title);
}

function checkKey(path: string, what: string): { check: Check; publicKey?: string } {
  const modes = checkPrivate(path, what, 0o600, false);
  if (!modes.ok) return { check: modes };
  try {
    const text = readTextIfExists(path) ?? '';
    return { check: modes, publicKey: publicKeyOfPrivate(text) };
  } catch {
    return { check: failed(`${what} ${path} is an unencrypted OpenSSH ed25519 key`, `move it away and run sshpod configure (it makes a new one)`) };
  }
}

export function checkLocalFiles(paths: SshpodPaths): Check[] {
  const checks: Check[] = [checkPrivate(paths.cacheDir, "sshpod's directory", 0o700, true)];
  checks.push(checkKey(paths.clientKey, 'the client key').check);
  const host = checkKey(paths.hostKey, 'the local host key');
  checks.push(host.check);
  if (host.publicKey) {
    let knownHosts: string | undefined;
    try {
      knownHosts = readTextIfExists(paths.knownHosts);
    } catch {
      knownHosts = undefined;
    }
    // The question ssh asks when sshpod answers a failed connection with this key.
    const pinned = knownHostsAccept(knownHosts ?? '', 'doctor-probe.sshpod', host.publicKey);
    checks.push(
      pinned
        ? passed(`${paths.knownHosts} pins the local host key for *.sshpod`)
        : failed(`${paths.knownHosts} pins the local host key for *.sshpod`, 'run sshpod configure (it writes the pin)'),
    );
  }
  return checks;
}
