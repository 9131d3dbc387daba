// What a template asks of sshpod, in its metadata's annotations, so that the file stays a Pod (or
// pod template) kubectl accepts as it is:
//   sshpod/shared: "true"          connections to the same hostname share one pod (shared-holders.ts)
//   sshpod/idle-timeout: "SECONDS" the safeguard: the pod ends after this long without any ssh
//                                  session (pod-watchdog.sh); "0" turns it off
// Pure.
import { SshpodError } from '../errors.ts';
import { ANNOTATIONS } from './labels.ts';
import type { PodTemplate } from './template.ts';

/**
 * Two minutes: the safeguard only acts when the client vanished without deleting the pod (it
 * deletes it at the end otherwise), and it counts from the container's start, so it must also
 * cover the first connection's own set-up (exec, sshd upload, key exchange — seconds, but each
 * step may take up to SSHPOD_TIMEOUT on a slow cluster). Long enough for that, short enough
 * that a forgotten pod costs little.
 */
export const DEFAULT_POD_IDLE_SECONDS = 120;
/** More than a day would defeat the point; a template that wants no end says "0". */
const MAX_POD_IDLE_SECONDS = 86_400;

export interface TemplateOptions {
  shared: boolean;
  /** Seconds without an ssh session after which the pod ends (0: never). */
  idleSeconds: number;
}

export function templateOptions(template: PodTemplate): TemplateOptions {
  const annotations = template.annotations;
  const invalid = (what: string, value: string, expected: string): SshpodError =>
    new SshpodError('config', `template "${template.name}" (${template.source}): annotation ${what} is "${value.slice(0, 40)}"`, { hint: `use ${expected}` });
  const shared = annotations[ANNOTATIONS.shared];
  if (shared !== undefined && shared !== 'true' && shared !== 'false') throw invalid(ANNOTATIONS.shared, shared, '"true" or "false"');
  const idle = annotations[ANNOTATIONS.idleTimeout];
  let idleSeconds = DEFAULT_POD_IDLE_SECONDS;
  if (idle !== undefined) {
    if (!/^\d{1,6}$/.test(idle) || Number(idle) > MAX_POD_IDLE_SECONDS) throw invalid(ANNOTATIONS.idleTimeout, idle, `a number of seconds from 0 (never) to ${MAX_POD_IDLE_SECONDS}`);
    idleSeconds = Number(idle);
  }
  return { shared: shared === 'true', idleSeconds };
}
