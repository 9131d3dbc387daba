// How long the sshd sshpod starts in a pod may sit without any connection before it exits and
// removes its files (the bundle's idle exit: bundles/compat/idle-exit.c), so that nothing sshpod
// starts in a pod stays there for ever. SSHPOD_SSHD_IDLE in seconds (ssh passes the environment to
// its ProxyCommand); 0 keeps it until the pod ends.
//
// Thirty minutes by default. A connection-sharing master (ControlPersist 10m in the block) keeps
// one connection open for ten minutes after the last session, so sshd counts as idle only after
// that; thirty more minutes keep the next `ssh` within a working session on the warm path (one API
// round trip), and an sshd nobody came back to is gone within the hour. After it exited, the next
// connection installs sshd again through the exec path, which costs a few hundred milliseconds.
// The value applies when sshd starts (the exec path); a running sshd keeps the one it started with.
import { SshpodError } from '../errors.ts';

export const DEFAULT_SSHD_IDLE_SECONDS = 30 * 60;
/** The idle period for a newly started sshd: SSHPOD_SSHD_IDLE, else the default. */
export function sshdIdleSeconds(environment: NodeJS.ProcessEnv = process.env): number {
  const value = environment['SSHPOD_SSHD_IDLE']?.trim();
  if (value === undefined || value === '') return DEFAULT_SSHD_IDLE_SECONDS;
  if (!/^\d{1,9}$/.test(value)) {
    throw new SshpodError('usage', `SSHPOD_SSHD_IDLE is "${value.slice(0, 20)}", not a number of seconds`, { hint: 'set it to the seconds an unused sshd stays in a pod (0: until the pod ends), or unset it for 30 minutes' });
  }
  return Number(value);
}
