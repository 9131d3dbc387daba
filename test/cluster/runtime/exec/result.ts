// How an exec ended, in the words containerd/runc use for the same failures (they reach users
// through kubectl and sshpod, and sshpod's tests match on them).
import { constants } from 'node:os';
import type { HelperStatus } from '../helper/status.ts';
import { errnoMessage } from '../helper/status.ts';
import type { ExecResult } from '../types.ts';

const ENOENT = 2;

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** The exit code a shell (and kubelet) reports: the code, or 128 + the signal's number. */
export function exitCodeOf(exit: ProcessExit): number {
  if (exit.code !== null) return exit.code;
  return 128 + (exit.signal ? constants.signals[exit.signal] : 0);
}

/** Why a command did not start, or undefined when it did. */
export function startFailure(status: HelperStatus, command: string, cwd: string): { exitCode: number; message: string } | undefined {
  const failure = status.failure;
  if (!failure) {
    return status.execed ? undefined : { exitCode: 126, message: 'the process was stopped before it started' };
  }
  const reason = errnoMessage(failure.errno);
  if (failure.stage === 'exec') {
    const quoted = JSON.stringify(command);
    if (failure.errno !== ENOENT) return { exitCode: 126, message: `exec: ${quoted}: ${reason}` };
    return command.includes('/')
      ? { exitCode: 127, message: `exec: ${quoted}: stat ${command}: ${reason}` }
      : { exitCode: 127, message: `exec: ${quoted}: executable file not found in $PATH` };
  }
  if (failure.stage === 'chdir') {
    return { exitCode: 126, message: `chdir to cwd (${JSON.stringify(cwd)}) set in config.json failed: ${reason}` };
  }
  return { exitCode: 126, message: `${failure.stage}: ${reason}` };
}

export function execResult(status: HelperStatus, exit: ProcessExit, command: string, cwd: string): ExecResult {
  const failure = startFailure(status, command, cwd);
  if (failure) return { started: false, ...failure };
  return { started: true, exitCode: exitCodeOf(exit) };
}
