// The guard of an on-demand pod: a small detached process the proxy starts as soon as its pod
// exists, holding the read end of a pipe from the proxy. The proxy deletes its pod itself when the
// connection ends, on SIGHUP/SIGINT/SIGTERM and on failure, and then tells the guard so; if the
// proxy dies without that — SIGKILL, the OOM killer, a crash — the pipe closes unannounced and the
// guard deletes the pod (or leaves the shared one) in its place, within a second or so. What a
// guard cannot cover (the whole machine gone) the pod's own safeguard does (pod-watchdog.sh).
//
// The guard is the same sshpod program (`sshpod __ondemand-guard`), in a session of its own so
// that a terminal's Ctrl-C or hang-up, meant for ssh and the proxy, does not reach it; it reads
// the kubeconfig again and is bounded by the same step timeout as every API call.
import { spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import { loadKubeConfig, selectContext } from '../kube/kubeconfig.ts';
import { ApiConnection } from '../kube/connection.ts';
import { sshpodPaths } from '../ssh/paths.ts';
import { log } from '../log.ts';
import { ensureKeys } from '../ssh/keys.ts';
import { unpinHostKey } from '../ssh/known-hosts.ts';
import { releasePod, type ReleaseSpec } from './on-demand-pod.ts';

const RELEASED = 'released';
/** What the guard reads at most: one line of JSON and the word. */
const INPUT_LIMIT = 16 * 1024;

export interface Guard {
  /** The host key pinned for the pod (known_hosts pattern and key): the guard unpins it if it releases. */
  pinned(pattern: string, key: string): void;
  /** The proxy released the pod itself: the guard ends without doing anything. */
  released(): void;
}

/** Starts the guard for `spec` in kubeconfig context `context`; undefined where it cannot run. */
export function startGuard(context: string, spec: ReleaseSpec): Guard | undefined {
  const program = process.argv[1];
  if (!program || process.platform === 'win32') return undefined;
  try {
    const child = spawn(process.execPath, [...process.execArgv, program, '__ondemand-guard'], { detached: true, stdio: ['pipe', 'ignore', 'ignore'], env: process.env });
    child.on('error', (error) => log.debug(`guard: ${error.message}`));
    const input = child.stdin as Socket;
    input.on('error', () => undefined);
    input.write(`${JSON.stringify({ context, ...spec })}\n`);
    // Neither the child nor the pipe keeps the proxy alive: it exits when its connection does.
    child.unref();
    input.unref();
    log.debug(`guard ${child.pid} watches pod ${spec.pod}`);
    return {
      pinned: (pattern, key) => input.write(`pin ${pattern} ${key}\n`),
      released: () => input.end(`${RELEASED}\n`),
    };
  } catch (error) {
    log.debug(`guard not started: ${(error as Error).message}`);
    return undefined;
  }
}

function isReleaseSpec(value: unknown): value is ReleaseSpec & { context: string } {
  const v = value as Record<string, unknown> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v['context'] === 'string' &&
    typeof v['namespace'] === 'string' &&
    typeof v['pod'] === 'string' &&
    typeof v['podUid'] === 'string' &&
    (v['holder'] === undefined || typeof v['holder'] === 'string')
  );
}

/** `sshpod __ondemand-guard`: waits for the proxy's pipe to close; releases the pod unless told it was. */
export async function runGuard(): Promise<never> {
  // Signals meant for the terminal's foreground (ssh, the proxy) are not for the guard.
  process.on('SIGINT', () => undefined);
  process.on('SIGHUP', () => undefined);
  const input = await new Promise<string>((resolve) => {
    let text = '';
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (chunk: string) => {
      text += chunk;
      if (text.length > INPUT_LIMIT) resolve(text);
    });
    process.stdin.on('end', () => resolve(text));
    process.stdin.on('error', () => resolve(text));
  });
  const [first, ...rest] = input.split('\n');
  if (rest.includes(RELEASED)) process.exit(0);
  const pins = rest.filter((line) => line.startsWith('pin ')).map((line) => line.split(' ').slice(1));
  let spec: unknown;
  try {
    spec = JSON.parse(first ?? '');
  } catch {
    process.exit(2);
  }
  if (!isReleaseSpec(spec)) process.exit(2);
  const { context, ...release } = spec;
  try {
    const connection = await ApiConnection.open(selectContext(loadKubeConfig(), context), { cacheDir: sshpodPaths().cacheDir });
    await releasePod(connection, release);
    connection.close();
    const paths = sshpodPaths();
    for (const [pattern, type, blob] of pins) {
      if (pattern && type && blob) unpinHostKey(paths.knownHosts, ensureKeys(paths).host.publicKey, pattern, `${type} ${blob}`);
    }
    process.exit(0);
  } catch {
    process.exit(1); // the pod's safeguard and the next sweep remain
  }
}
