// An exec in a running container: nsexec joins the container's namespaces (its PID 1's), runs
// as the container's user in its working directory with its environment, and for a terminal
// allocates a pseudo-terminal in the container's own devpts and relays it.
//
// stdio of the helper: 0 stdin, 1 stdout, 2 stderr (unused with a terminal: it merges into
// stdout), 3 status (see helper/status.ts), 4 resize lines (terminal only).
import type { Duplex, Readable } from 'node:stream';
import type { Launcher } from '../helper/launch.ts';
import { launch } from '../helper/launch.ts';
import { readStatus } from '../helper/status.ts';
import type { Container } from '../pod/container.ts';
import type { ExecOptions, ExecProcess, ExecResult } from '../types.ts';
import { execResult } from './result.ts';

export function startExec(launcher: Launcher, container: Container, options: ExecOptions): ExecProcess {
  const pid = container.pid;
  const { uid, gid, env } = container.execIdentity(options.tty);
  const ns = (name: string): string => `/proc/${pid}/ns/${name}`;
  const child = launch(
    launcher,
    {
      // The mount namespace last: joining it changes what /proc means.
      join: [ns('ipc'), ns('uts'), ns('net'), ns('pid'), ns('mnt')],
      tty: options.tty,
      pidFd: 3,
      statusFd: 3,
      controlFd: options.tty ? 4 : undefined,
      uid,
      gid,
      cwd: container.workingDir,
      env,
      command: options.command,
    },
    [options.stdin ? 'pipe' : 'ignore', 'pipe', options.tty ? 'ignore' : 'pipe', 'pipe', options.tty ? 'pipe' : 'ignore'],
  );
  // Writes after the process ended fail with EPIPE; the caller learns the end from `done`.
  child.stdin?.on('error', () => undefined);
  const control = options.tty ? (child.stdio[4] as Duplex) : undefined;
  control?.on('error', () => undefined);
  control?.resume(); // never carries data back, but its end must be read for 'close' to come

  const status = readStatus(child.stdio[3] as Readable);
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('close', (code: number | null, signal: NodeJS.Signals | null) => resolve({ code, signal }));
    child.once('error', () => resolve({ code: 126, signal: null }));
  });
  const done: Promise<ExecResult> = Promise.all([status, closed]).then(([s, exit]) =>
    execResult(s, exit, options.command[0] ?? '', container.workingDir),
  );

  return {
    stdin: child.stdin,
    stdout: child.stdout as Readable,
    stderr: options.tty ? null : (child.stderr as Readable),
    resize(columns: number, rows: number): void {
      if (!control || control.destroyed || !Number.isInteger(columns) || !Number.isInteger(rows)) return;
      if (columns < 0 || rows < 0 || columns > 65535 || rows > 65535) return;
      control.write(`${columns} ${rows}\n`);
    },
    done,
    kill(): void {
      // The helper (outside the container) SIGKILLs the process group of the command.
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    },
  };
}
