// The status fd protocol of nsexec: "pid <n>" from a forking helper, "exec" just before execve,
// "connected" once a pod connection is up, "fail <stage> <errno>" when a step failed. The fd is
// close-on-exec, so its end of stream says the command is running (or the helper is gone).
import type { Readable } from 'node:stream';
import { getSystemErrorMap } from 'node:util';

export interface HelperFailure {
  /** Which step failed: exec, chdir, user, setns, cgroup, connect, pivot, pty, ... */
  stage: string;
  errno: number;
}

export interface HelperStatus {
  /** The forked child's pid in the runtime's PID namespace. */
  pid?: number;
  /** The helper reached execve (it may still have failed: see failure). */
  execed: boolean;
  connected: boolean;
  failure?: HelperFailure;
}

export function parseStatus(text: string): HelperStatus {
  const status: HelperStatus = { execed: false, connected: false };
  for (const line of text.split('\n')) {
    const [word, a, b] = line.split(' ');
    if (word === 'pid' && a) status.pid = Number(a);
    else if (word === 'exec') status.execed = true;
    else if (word === 'connected') status.connected = true;
    else if (word === 'fail' && a && b) status.failure ??= { stage: a, errno: Number(b) };
  }
  return status;
}

/** Reads the status stream to its end. */
export async function readStatus(stream: Readable): Promise<HelperStatus> {
  let text = '';
  stream.setEncoding('utf8');
  for await (const chunk of stream) text += chunk as string;
  return parseStatus(text);
}

/** The errno's text the way Go (and so runc and kubelet) spells it: "connection refused". */
export function errnoMessage(errno: number): string {
  const known = getSystemErrorMap().get(-errno);
  return known ? known[1] : `errno ${errno}`;
}
