// The one way the runtime starts a process: the nsexec helper, tied to the runtime's life
// (--die-with) and to the pod's cgroup when there is one.
import type { ChildProcess, StdioOptions } from 'node:child_process';
import { spawn } from 'node:child_process';
import type { HelperOptions } from './argv.ts';
import { helperArgv } from './argv.ts';

/** What the runtime's own helpers run with; container processes get their own environment. */
export const HOST_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface Launcher {
  helper: string;
  cgroupProcs?: string;
  /** Called with every process started, so the pod can kill and await them all. */
  track(child: ChildProcess): void;
}

export function launch(launcher: Launcher, options: HelperOptions, stdio: StdioOptions, env: Record<string, string> = {}): ChildProcess {
  const argv = helperArgv({ dieWith: process.pid, cgroupProcs: launcher.cgroupProcs, ...options });
  // detached: a session of its own, so a Ctrl-C in the cluster's terminal reaches the runtime,
  // which stops its pods in order, instead of killing every container behind its back. The
  // parent-death signal still ties the helper to the runtime.
  const child = spawn(launcher.helper, argv, { stdio, env: { PATH: HOST_PATH, ...env }, detached: true });
  // A failed spawn (the helper binary vanished) ends the process's streams and emits 'error'
  // instead of 'exit'; callers see it as a process that failed to start.
  child.on('error', () => undefined);
  launcher.track(child);
  return child;
}

/** Resolves when the process has exited (at once if it already has). */
export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
}
