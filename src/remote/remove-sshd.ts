// One exec that looks at (status) or removes (remove) what sshpod installed in a container: the
// script (remove-sshd.sh) travels on stdin behind the same bootstrap as prepare-sshd.sh, so the
// exec request stays small, and answers in `key=value` lines, read here with bounds (it is the
// pod talking: at most 64 KiB, 16 installs; values are kept to what they should look like).
import { readFileSync } from 'node:fs';
import type { KubeApi } from '../kube/api.ts';
import { startExec } from '../kube/exec.ts';
import { SshpodError } from '../errors.ts';
import { seconds, stepTimeoutMs, TIMEOUT_HINT } from '../timeout.ts';
import type { TargetRef } from '../target/target-ref.ts';
import { BOOTSTRAP, REMOTE_PROTOCOL, compactScript } from './script.ts';

declare const __SSHPOD_REMOVE_SCRIPT__: string | undefined;

export interface InstallState {
  dir: string;
  running: boolean;
  pid?: number;
  port?: number;
  sessions: number;
  /** At most this many seconds since the last change there (undefined: the container cannot tell). */
  idleAtMost?: number;
  /** mode remove: whether its files are gone; false with busy when a connection held its lock. */
  removed?: boolean;
  busy?: boolean;
}

const REPLY_LIMIT = 64 * 1024;
const INSTALL_LIMIT = 16;

let compacted: Buffer | undefined;

function script(): Buffer {
  compacted ??= Buffer.from(compactScript(typeof __SSHPOD_REMOVE_SCRIPT__ === 'string' ? __SSHPOD_REMOVE_SCRIPT__ : readFileSync(new URL('./remove-sshd.sh', import.meta.url), 'utf8')), 'utf8');
  return compacted;
}

export function removeCommand(target: Pick<TargetRef, 'podUid' | 'container'>, mode: 'status' | 'remove'): { command: string[]; script: Buffer } {
  const body = script();
  return { command: ['sh', '-c', BOOTSTRAP, 'sshpod', String(body.length), REMOTE_PROTOCOL, target.podUid, target.container, mode], script: body };
}

const number = (text: string | undefined): number | undefined => (text !== undefined && /^\d{1,10}$/.test(text) ? Number(text) : undefined);

/** The script's answer, or a sentence saying what was wrong with it (pure). */
export function parseRemoveReplies(text: string): { installs: InstallState[]; end: string } | string {
  const installs: InstallState[] = [];
  let end: string | undefined;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const at = line.indexOf('=');
    if (at <= 0) return 'a line without key=value';
    const key = line.slice(0, at);
    const value = line.slice(at + 1);
    const current = installs.at(-1);
    if (key === 'dir') {
      if (installs.length >= INSTALL_LIMIT) return 'too many installs';
      installs.push({ dir: value.replace(/[^A-Za-z0-9/._-]/g, '?').slice(0, 200), running: false, sessions: 0 });
    } else if (key === 'end') {
      end = /^[a-z-]{1,20}$/.test(value) ? value : 'unknown';
    } else if (current) {
      if (key === 'running') current.running = value === '1';
      else if (key === 'pid') current.pid = number(value);
      else if (key === 'port') current.port = number(value);
      else if (key === 'sessions') current.sessions = number(value) ?? 0;
      else if (key === 'idle') current.idleAtMost = number(value);
      else if (key === 'removed') current.removed = value === '1';
      else if (key === 'busy') current.busy = value === '1';
    }
  }
  for (const install of installs) {
    for (const field of ['pid', 'port', 'idleAtMost'] as const) if (install[field] === undefined) delete install[field];
  }
  if (end === undefined) return 'no end';
  return { installs, end };
}

/** Runs the script in the container; the installs it found (and, for remove, took away). */
export async function inspectOrRemoveSshd(api: KubeApi, target: TargetRef, mode: 'status' | 'remove'): Promise<InstallState[]> {
  const { command, script: body } = removeCommand(target, mode);
  const session = await startExec(api, { namespace: target.namespace, pod: target.pod, container: target.container, stdin: true, command });
  session.write(body).catch(() => undefined);
  let text = '';
  session.onStdout((chunk) => {
    if (text.length < REPLY_LIMIT) text += chunk.toString('utf8');
  });
  const timeoutMs = stepTimeoutMs();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      session.close();
      reject(new SshpodError('timeout', `container "${target.container}" of pod "${target.pod}" did not answer within ${seconds(timeoutMs)}`, { hint: TIMEOUT_HINT }));
    }, timeoutMs);
  });
  const result = await Promise.race([session.result, timedOut]).finally(() => clearTimeout(timer));
  const parsed = parseRemoveReplies(text);
  if (typeof parsed === 'string' || parsed.end !== 'finished') {
    const why = typeof parsed === 'string' ? parsed : parsed.end;
    throw new SshpodError('container', `the clean-up in container "${target.container}" of pod "${target.pod}" did not finish (${why}${result.exitCode ? `, exit code ${result.exitCode}` : ''})`, {
      hint: 'the container needs a POSIX sh; run again with --log-level debug',
    });
  }
  return parsed.installs;
}
