// The nsexec command line as a typed object (see the comment at the top of nsexec.c for what
// each step does and in which order they run).

export type Namespace = 'net' | 'mnt' | 'uts' | 'ipc' | 'pid';

export interface HelperOptions {
  /** The runtime's pid: the helper dies with it. */
  dieWith?: number;
  /** A cgroup.procs file to join first. */
  cgroupProcs?: string;
  /** /proc/<pid>/ns/<x> files, joined in this order. */
  join?: string[];
  unshare?: Namespace[];
  hostname?: string;
  tty?: boolean;
  pidFd?: number;
  statusFd?: number;
  controlFd?: number;
  pivotRoot?: string;
  uid?: number;
  gid?: number;
  cwd?: string;
  /** The command's whole environment (it inherits nothing when given). */
  env?: [string, string][];
  connectPort?: number;
  command?: string[];
}

export function helperArgv(o: HelperOptions): string[] {
  const argv: string[] = [];
  const add = (flag: string, value: string | number | undefined): void => {
    if (value !== undefined) argv.push(flag, String(value));
  };
  add('--die-with', o.dieWith);
  add('--cgroup', o.cgroupProcs);
  for (const ns of o.join ?? []) add('--join', ns);
  if (o.unshare?.length) add('--unshare', o.unshare.join(','));
  add('--hostname', o.hostname);
  if (o.tty) argv.push('--tty');
  add('--pid-fd', o.pidFd);
  add('--status-fd', o.statusFd);
  add('--control-fd', o.controlFd);
  add('--pivot-root', o.pivotRoot);
  add('--uid', o.uid);
  add('--gid', o.gid);
  add('--cwd', o.cwd);
  if (o.env) {
    argv.push('--clear-env');
    for (const [key, value] of o.env) add('--env', `${key}=${value}`);
  }
  add('--connect', o.connectPort);
  if (o.command) argv.push('--', ...o.command);
  return argv;
}
