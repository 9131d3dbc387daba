// Diagnostics go to stderr only: stdout of `sshpod proxy` is the SSH byte stream. Lines quote
// what pods and servers said, so they pass through printable() like every message.
import { printable } from './text/printable.ts';

// At debug level every line carries the milliseconds since process start, so a run prints
// a timeline of the connect path (start-up, kubeconfig, API calls, execs, port-forward, first byte).

export type LogLevel = 'error' | 'info' | 'debug';

const ranks: Record<LogLevel, number> = { error: 0, info: 1, debug: 2 };
let current: LogLevel = 'error';

export function setLogLevel(level: LogLevel): void {
  current = level;
}

export function logLevel(): LogLevel {
  return current;
}

export function isLogLevel(value: string): value is LogLevel {
  return value in ranks;
}

function write(level: LogLevel, message: string): void {
  if (ranks[level] > ranks[current]) return;
  const elapsed = performance.now().toFixed(0).padStart(5, ' ');
  const text = message.split('\n').map(printable).join('\n'); // stacks keep their lines
  process.stderr.write(current === 'debug' ? `sshpod ${elapsed}ms ${text}\n` : `sshpod: ${text}\n`);
}

export const log = {
  error: (message: string): void => write('error', message),
  info: (message: string): void => write('info', message),
  debug: (message: string): void => write('debug', message),
};
