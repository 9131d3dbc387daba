// The remote script is a real file (prepare-sshd.sh: linted, tested with dash and busybox) that
// the bundle embeds at build time. It travels on the exec's stdin, read by a one-line bootstrap
// that is the exec's command: the request URL carries only that line and the values (a 13 KB
// script in the URL would exceed the request-line limits of common proxies in front of API
// servers — nginx's is 8 KB). Comments and indentation are dropped to keep it small. Every value
// goes in as a positional parameter, never into the script text.
import { readFileSync } from 'node:fs';

declare const __SSHPOD_PREPARE_SCRIPT__: string | undefined;

export const REMOTE_PROTOCOL = '2';

/**
 * `sh -c BOOTSTRAP sshpod <script-bytes> ARGS…`: reads exactly the script's bytes from stdin (so
 * that the install that may follow stays in step), then runs it with ARGS as $1…. `head` reads
 * no further than asked; `dd` one byte at a time is the slow fallback for images without head.
 */
export const BOOTSTRAP =
  'n=$1; shift; if command -v head >/dev/null 2>&1; then s=$(head -c "$n"); else s=$(dd bs=1 count="$n" 2>/dev/null); fi; ' +
  'if [ -n "$s" ]; then eval "$s"; else printf \'status=error\\nerror=no-tools\\nmessage=%s\\nend=error\\n\' "the container has neither head nor dd to read sshpod\'s script"; fi';

function scriptSource(): string {
  if (typeof __SSHPOD_PREPARE_SCRIPT__ === 'string') return __SSHPOD_PREPARE_SCRIPT__;
  return readFileSync(new URL('./prepare-sshd.sh', import.meta.url), 'utf8');
}

/** The script without comment lines, blank lines and indentation. */
export function compactScript(source: string): string {
  return source
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .join('\n');
}

export interface PrepareArguments {
  podUid: string;
  container: string;
  login: string;
  /** `uname -m` value → bundle version, e.g. { x86_64: '…', aarch64: '…' }. */
  versions: Record<string, string>;
  publicKey: string;
  ports: number[];
  /** Seconds without a connection after which sshd exits and removes its files; 0: never. */
  idleSeconds?: number;
  /** Run in sshpod's ephemeral container, for the view of a container without a shell. */
  view?: boolean;
}

export interface PrepareExec {
  /** The exec's argv. */
  command: string[];
  /** What to write to its stdin first: the script. */
  script: Buffer;
}

let compacted: Buffer | undefined;

/** The exec that prepares the container. */
export function prepareCommand(args: PrepareArguments): PrepareExec {
  compacted ??= Buffer.from(compactScript(scriptSource()), 'utf8');
  const versions = Object.entries(args.versions)
    .map(([machine, version]) => `${machine}=${version}`)
    .join(' ');
  const command = [
    'sh',
    '-c',
    BOOTSTRAP,
    'sshpod',
    String(compacted.length),
    REMOTE_PROTOCOL,
    args.podUid,
    args.container,
    args.login,
    versions,
    args.publicKey,
    args.ports.join(' '),
    String(args.idleSeconds ?? 0),
    ...(args.view ? ['view'] : []),
  ];
  return { command, script: compacted };
}

/** Candidate ports for sshd: below Linux's ephemeral range, so outgoing connections rarely
 *  hold one; several of them, so that a taken port costs a retry inside the same exec. */
export function candidatePorts(count = 8, random: () => number = Math.random): number[] {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(20000 + Math.floor(random() * 12000));
  return [...ports];
}
