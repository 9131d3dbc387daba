// The safeguard script (pod-watchdog.sh: a real file, linted, tested with dash and busybox sh),
// embedded in the bundle at build time like the remote script, and sent without its comments and
// indentation: it becomes part of the pod's spec, which `kubectl get pod -o yaml` shows.
import { readFileSync } from 'node:fs';
import { compactScript } from '../remote/script.ts';

declare const __SSHPOD_WATCHDOG_SCRIPT__: string | undefined;

let compacted: string | undefined;

export function watchdogScript(): string {
  compacted ??= compactScript(typeof __SSHPOD_WATCHDOG_SCRIPT__ === 'string' ? __SSHPOD_WATCHDOG_SCRIPT__ : readFileSync(new URL('./pod-watchdog.sh', import.meta.url), 'utf8'));
  return compacted;
}
