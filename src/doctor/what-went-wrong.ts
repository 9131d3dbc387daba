// A failed check's title and hint: the two lines every sshpod command prints for an error
// (errors.ts, local-file-error.ts), and for a cluster that did not answer in time, what to check.
import { formatErrorForUser } from '../errors.ts';
import { forThePerson } from '../local-file-error.ts';
import { TimedOut } from './bounded.ts';

export function whatWentWrong(error: unknown): { message: string; hint: string } {
  if (error instanceof TimedOut) return { message: `no answer within ${error.seconds} s`, hint: 'check that the cluster is up and reachable from here (VPN, proxy); SSHPOD_TIMEOUT=SECONDS allows more time' };
  const [first = '', second] = formatErrorForUser(forThePerson(error)).split('\n');
  return { message: first.replace(/^sshpod: /, ''), hint: second?.replace(/^hint: /, '') ?? 'run sshpod doctor again with --log-level debug' };
}
