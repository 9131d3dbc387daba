// The `Host *.sshpod` block that `sshpod configure` writes. Why each line is there:
//  ProxyCommand            absolute node and script paths, so it works whatever PATH ssh runs with;
//                          --use-openssl-ca spares every connect ~25 ms of parsing Node's bundled
//                          root certificates (see src/kube/trust.ts: the trust does not change).
//                          (No V8 heap flags: any of them costs ~20 ms of start-up, because Node's
//                          built-in snapshot and code cache only apply with the default flags.)
//  IdentityFile/…Only      sshpod's own key, and only it (no agent keys offered to pods)
//  UserKnownHostsFile      the file sshpod pins pod host keys in; StrictHostKeyChecking stays yes
//  UpdateHostKeys no       ssh must not rewrite that file
//  CheckHostIP no          there is no IP to check behind a ProxyCommand
//  HostKeyAlgorithms       the pods' sshd has exactly one ed25519 host key
//  Password/KbdInteractive never: sshpod's sshd accepts keys only
//  ServerAliveInterval     keeps idle sessions alive through the API server's load balancers
//  Control*                connection sharing: a second ssh/scp to the same host starts at once
//  Host *.sshpod.          a hostname with a trailing dot (pod--api.sshpod.) is another name to
//                          ssh: without the second pattern it would skip the block and ask DNS
//  Host * (last)           ends the block, so settings after it in the file stay global
import type { SshpodPaths } from './paths.ts';

/** Node flags of the ProxyCommand (see the top of this file). */
export const NODE_FLAGS = ['--use-openssl-ca'];

/** The names the block is for: ssh matches `Host` patterns against the name as typed. */
export const HOST_PATTERNS = ['*.sshpod', '*.sshpod.'];

export const BEGIN_MARKER = '# >>> sshpod >>> managed by `sshpod configure`; `sshpod unconfigure` removes it';
export const END_MARKER = '# <<< sshpod <<<';

export interface BlockInput {
  nodePath: string;
  scriptPath: string;
  paths: SshpodPaths;
  platform: NodeJS.Platform;
}

function escapePath(path: string, platform: NodeJS.Platform): string {
  // ssh_config expands %-tokens in these paths; Windows' ssh.exe wants forward slashes.
  return (platform === 'win32' ? path.replace(/\\/g, '/') : path).replace(/%/g, '%%');
}

function quoteIfNeeded(value: string): string {
  return /[\s"]/.test(value) ? `"${value.replace(/"/g, '\\"')}"` : value;
}

function forSsh(path: string, platform: NodeJS.Platform): string {
  return quoteIfNeeded(escapePath(path, platform));
}

function commandWord(path: string, platform: NodeJS.Platform): string {
  const escaped = path.replace(/%/g, '%%');
  if (platform === 'win32') return `"${escaped.replace(/\\/g, '/')}"`;
  // ssh runs ProxyCommand through the user's shell: single quotes keep every character literal.
  return `'${escaped.replace(/'/g, `'\\''`)}'`;
}

// A control socket's path is `<controlDir>/<40-hex %C>` plus the 17-character temporary suffix
// ssh adds while it creates it, and must fit a Unix socket address (107 bytes on Linux, 103 on
// macOS). A longer one makes ssh fail outright, so then the block goes without sharing.
const SOCKET_PATH_LIMIT: Partial<Record<NodeJS.Platform, number>> = { linux: 107, darwin: 103 };

/** Whether the block can turn on connection sharing (Windows' OpenSSH has none). */
export function sharingFits(paths: SshpodPaths, platform: NodeJS.Platform): boolean {
  if (platform === 'win32') return false;
  const limit = SOCKET_PATH_LIMIT[platform] ?? 103;
  return Buffer.byteLength(`${paths.controlDir}/`) + 40 + 17 <= limit;
}

export function renderBlock(input: BlockInput): string[] {
  const { paths, platform } = input;
  const lines = [
    BEGIN_MARKER,
    `Host ${HOST_PATTERNS.join(' ')}`,
    `    ProxyCommand ${commandWord(input.nodePath, platform)} ${NODE_FLAGS.join(' ')} ${commandWord(input.scriptPath, platform)} proxy --host %h --user %r --port %p`,
    `    IdentityFile ${forSsh(paths.clientKey, platform)}`,
    '    IdentitiesOnly yes',
    `    UserKnownHostsFile ${forSsh(paths.knownHosts, platform)}`,
    '    StrictHostKeyChecking yes',
    '    UpdateHostKeys no',
    '    CheckHostIP no',
    '    HostKeyAlgorithms ssh-ed25519',
    '    PasswordAuthentication no',
    '    KbdInteractiveAuthentication no',
    '    ServerAliveInterval 30',
  ];
  if (sharingFits(paths, platform)) {
    lines.push('    ControlMaster auto', `    ControlPath ${quoteIfNeeded(`${escapePath(paths.controlDir, platform)}/%C`)}`, '    ControlPersist 10m');
  }
  lines.push('Host *', END_MARKER);
  return lines;
}
