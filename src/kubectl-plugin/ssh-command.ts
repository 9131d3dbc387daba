// The ssh and scp command lines `kubectl ssh` runs. Pure, so that what reaches ssh is table-tested.
//
// kubectl exec runs its COMMAND words as an argv; ssh hands one string to the login shell. Each
// word is therefore single-quoted for a POSIX shell, so `kubectl ssh api -- sh -c 'echo $HOME'`
// runs exactly `sh`, `-c`, `echo $HOME` in the pod. `--` before the destination stops ssh from
// reading anything after it as its own options.

export interface SshInvocation {
  host: string;
  login: string;
  tty: boolean;
  command: readonly string[];
  /** Given --kubeconfig: no connection sharing (see below). */
  ownKubeconfig: boolean;
}

/** A word quoted for a POSIX shell, left bare when it needs no quoting. */
export function shellQuote(word: string): string {
  if (word !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * ssh's connection sharing keys a master connection on the hostname, and the hostname does not
 * say which kubeconfig it was resolved with: with --kubeconfig, a master opened with another
 * kubeconfig must not be reused, nor this one kept for others.
 */
const UNSHARED = ['-o', 'ControlMaster=no', '-o', 'ControlPath=none'];

export function sshArgs(invocation: SshInvocation): string[] {
  return [
    ...(invocation.tty ? ['-t'] : []),
    ...(invocation.ownKubeconfig ? UNSHARED : []),
    '--',
    `${invocation.login}@${invocation.host}`,
    ...(invocation.command.length > 0 ? [invocation.command.map(shellQuote).join(' ')] : []),
  ];
}

export interface ScpEnd {
  local?: string;
  remote?: { login: string; host: string; path: string };
}

function scpWord(end: ScpEnd): string {
  if (end.remote) return `${end.remote.login}@${end.remote.host}:${end.remote.path}`;
  const local = end.local as string;
  // scp reads a word with a colon before any slash as host:path; `./` keeps a local name local.
  return /^[^/]*:/.test(local) ? `./${local}` : local;
}

/** `kubectl cp` copies directories as well as files: scp needs -r for those, and -r is harmless for files. */
export function scpArgs(source: ScpEnd, destination: ScpEnd, ownKubeconfig: boolean): string[] {
  return ['-r', ...(ownKubeconfig ? UNSHARED : []), '--', scpWord(source), scpWord(destination)];
}
