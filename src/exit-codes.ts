// sshpod's exit statuses, in one place: what the commands return, and the table `sshpod --help`
// and README show. Through ssh, the person sees ssh's status instead: the remote command's, or
// 255 when the connection failed (sshpod's own status is not passed on).
import { isSshpodError } from './errors.ts';

export const EXIT_OK = 0;
/** Something went wrong; the `sshpod:` line says what. */
export const EXIT_FAILURE = 1;
/** The command line or the hostname is wrong: an unknown option, a missing argument. */
export const EXIT_USAGE = 2;

export function exitCodeFor(error: unknown): number {
  return isSshpodError(error) && error.kind === 'usage' ? EXIT_USAGE : EXIT_FAILURE;
}

export const EXIT_STATUS_HELP = `
Exit status:
  0      success; through ssh, the remote command's own status (ssh passes it on)
  1      sshpod could not do it: the sshpod: line says why, the hint: line what to do
  2      usage: an unknown option, a missing argument, a hostname that does not parse
  128+N  stopped by signal N (130: Ctrl-C, 143: SIGTERM)
  255    (from ssh) the connection failed: sshpod's lines above say why, or sshpod last-error`;
