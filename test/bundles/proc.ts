// Reads what the kernel says about a process: enough to check sshd's privilege separation
// (which uid, which root directory, which seccomp mode) from outside.
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

export interface ProcFacts {
  pid: number;
  cmdline: string;
  uid: number;
  /** 0 = none, 2 = a seccomp filter is installed. */
  seccomp: number;
  root: string;
}

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name in parentheses may hold spaces; the fields after it do not.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined; // exited while we looked
  }
}

export function descendantsOf(pid: number): number[] {
  const all = readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map(Number);
  const parents = new Map(all.map((p) => [p, parentOf(p)]));
  const found: number[] = [];
  let frontier = [pid];
  while (frontier.length > 0) {
    frontier = all.filter((p) => frontier.includes(parents.get(p) ?? -1));
    found.push(...frontier);
  }
  return found;
}

export function procFacts(pid: number): ProcFacts | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string) => status.match(new RegExp(`^${name}:\\s+(\\d+)`, 'm'))?.[1];
    return {
      pid,
      cmdline: readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim(),
      uid: Number(field('Uid')),
      seccomp: Number(field('Seccomp') ?? 0),
      root: readlinkSync(`/proc/${pid}/root`),
    };
  } catch {
    return undefined;
  }
}
