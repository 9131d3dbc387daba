// Where sshpod keeps its files on the user's machine: ~/.cache/sshpod, private to the user.
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface SshpodPaths {
  cacheDir: string;
  clientKey: string;
  /** sshpod's local host key: never sent anywhere (see known-hosts.ts). */
  hostKey: string;
  /** Where sshpod before protocol 2 kept the host key it gave to every pod. */
  legacyHostKey: string;
  knownHosts: string;
  controlDir: string;
  sshConfig: string;
}

export function sshpodPaths(home = homedir()): SshpodPaths {
  const cacheDir = join(home, '.cache', 'sshpod');
  return {
    cacheDir,
    clientKey: join(cacheDir, 'id_ed25519'),
    hostKey: join(cacheDir, 'local_host_ed25519_key'),
    legacyHostKey: join(cacheDir, 'host_ed25519_key'),
    knownHosts: join(cacheDir, 'known_hosts'),
    // Short on purpose: ssh's control sockets live here and socket paths are limited (see config-block.ts).
    controlDir: join(cacheDir, 'cm'),
    sshConfig: join(home, '.ssh', 'config'),
  };
}
