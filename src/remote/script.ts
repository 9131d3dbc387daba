// The remote script is a real file (prepare-sshd.sh: linted, tested with dash and busybox) that
// the bundle embeds at build time. It travels in the exec request's argv, so its comments and
// indentation are dropped to keep that request small; every value goes in as a positional
// parameter, never into the script text.
import { readFileSync } from 'node:fs';

declare const __SSHPOD_PREPARE_SCRIPT__: string | undefined;

export const REMOTE_PROTOCOL = '1';

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
}

let compacted: string | undefined;

/** argv of the exec that prepares the container: `sh -c SCRIPT sshpod ARGS…`. */
export function prepareCommand(args: PrepareArguments): string[] {
  compacted ??= compactScript(scriptSource());
  const versions = Object.entries(args.versions)
    .map(([machine, version]) => `${machine}=${version}`)
    .join(' ');
  return [
    'sh',
    '-c',
    compacted,
    'sshpod',
    REMOTE_PROTOCOL,
    args.podUid,
    args.container,
    args.login,
    versions,
    args.publicKey,
    args.ports.join(' '),
  ];
}

/** Candidate ports for sshd: below Linux's ephemeral range, so outgoing connections rarely
 *  hold one; several of them, so that a taken port costs a retry inside the same exec. */
export function candidatePorts(count = 8, random: () => number = Math.random): number[] {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(20000 + Math.floor(random() * 12000));
  return [...ports];
}
