// Diagnostics go to stderr only: stdout of `sshpod proxy` is the SSH byte stream.
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
  process.stderr.write(current === 'debug' ? `sshpod ${elapsed}ms ${message}\n` : `sshpod: ${message}\n`);
}

export const log = {
  error: (message: string): void => write('error', message),
  info: (message: string): void => write('info', message),
  debug: (message: string): void => write('debug', message),
};
