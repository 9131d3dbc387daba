// Every failure a user can hit is an SshpodError: one line saying what went wrong, and a hint
// saying what to do. The CLI prints exactly those (stack traces only at --log-level debug), and
// only through printable(): messages quote pods and API servers, which may send control characters.
import { printable } from './text/printable.ts';

export type ErrorKind =
  | 'usage' // bad flags or a hostname that does not parse
  | 'config' // kubeconfig / context problems
  | 'not-found' // pod, workload, container, namespace
  | 'forbidden' // RBAC said no
  | 'api' // any other Kubernetes API failure
  | 'container' // the container cannot host sshd (no sh, no writable dir, arch)
  | 'user' // ssh user not allowed in this container
  | 'stream' // the relay broke
  | 'timeout' // a step of the connection did not finish in time
  | 'local'; // local files (keys, ssh config)

export class SshpodError extends Error {
  override readonly name = 'SshpodError';
  readonly kind: ErrorKind;
  readonly hint: string | undefined;

  constructor(kind: ErrorKind, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    this.hint = options.hint;
  }
}

export function isSshpodError(error: unknown): error is SshpodError {
  return error instanceof SshpodError;
}

/** Messages that quote other programs (YAML parsers, credential plugins) may span lines; what the
 *  user sees is one line each (the whole text is in the --log-level debug output). */
function oneLine(text: string): string {
  const flat = printable(text.replace(/\s*\n\s*/g, ' ').trim());
  return flat.length > 400 ? `${flat.slice(0, 399)}…` : flat;
}

/** The lines the CLI prints for an error: `sshpod: <message>` and, when known, `hint: <hint>`. */
export function formatErrorForUser(error: unknown): string {
  if (isSshpodError(error)) {
    return error.hint ? `sshpod: ${oneLine(error.message)}\nhint: ${oneLine(error.hint)}` : `sshpod: ${oneLine(error.message)}`;
  }
  const message = error instanceof Error ? error.message : String(error);
  return `sshpod: unexpected failure: ${oneLine(message)}\nhint: run again with --log-level debug and report the output`;
}
