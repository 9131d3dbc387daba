// What the web terminal runs in a container, and how its end reads (pure). The exec API runs one
// command with a pty; sshpod asks for `sh` and lets it pick the best shell the image has, so that
// a person gets bash (history, line editing) where there is one and busybox's sh elsewhere. TERM
// says what the browser's terminal (xterm.js) understands: colours, cursor keys, the alternate
// screen for vi and top.
import type { ExecResult } from '../kube/exec.ts';
import { SshpodError } from '../errors.ts';

const PICK_SHELL = [
  'TERM=xterm-256color; export TERM',
  // A login shell in the home directory, as ssh gives it; /bin/sh when there is no better one.
  'cd 2>/dev/null || cd /',
  'for s in /bin/bash /usr/bin/bash /bin/ash /bin/sh; do [ -x "$s" ] && exec "$s" -l; done',
  'exec sh',
].join('\n');

export const SHELL_COMMAND = ['sh', '-c', PICK_SHELL, 'sshpod-web'];

export interface Place {
  namespace: string;
  pod: string;
  container: string;
}

/**
 * Whether an exec that ended like this never found a shell to run (distroless, scratch). Decided
 * from what the runtime says — the exec's status, or its own first line on the terminal ("OCI
 * runtime exec failed: …", before anything the container prints) — never from the words of a
 * shell that did run: a session whose last command printed "No such file or directory" before
 * `exit 1` is a shell that ended, not a missing one.
 */
export function isNoShell(result: Pick<ExecResult, 'exitCode' | 'status'>, firstOutput: string): boolean {
  const notFound = /executable file not found|no such file or directory/i;
  if (notFound.test(result.status?.message ?? '')) return true;
  if (/^OCI runtime exec failed:/.test(firstOutput) && notFound.test(firstOutput.split('\n')[0] ?? '')) return true;
  // Without any output, 126/127 is the shell itself that could not run.
  return firstOutput.trim() === '' && (result.exitCode === 126 || result.exitCode === 127);
}

export function noShellError(place: Place): SshpodError {
  return new SshpodError('container', `container "${place.container}" of pod "${place.pod}" has no shell (sh)`, {
    hint: `distroless and scratch images have none: pick another container, open template--debug in namespace "${place.namespace}", or attach a debug container: kubectl debug -it ${place.pod} -n ${place.namespace} --image=busybox --target=${place.container}`,
  });
}

/** The line the terminal shows when the shell ended. */
export function exitMessage(result: Pick<ExecResult, 'exitCode' | 'status'>): string {
  if (result.exitCode !== undefined) return `the shell ended (exit status ${result.exitCode})`;
  const message = result.status?.message;
  return message ? `the session ended: ${message.slice(0, 300)}` : 'the connection to the container ended';
}
