// Diagnostics go to stderr only: stdout of `sshpod proxy` is the SSH byte stream. Lines quote
// what pods and servers said, so they pass through printable() like every message.
import { printable } from './text/printable.ts';

// At debug level every line carries the milliseconds since process start, so a run prints
// a timeline of the connect path (start-up, kubeconfig, API calls, execs, port-forward, first byte).
// Whatever the level, every line is also kept in memory (bounded), so that a failed connection can
// leave its timeline in the record `sshpod last-error` reads (src/failure/last-failure.ts).

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

const TIMELINE_LINES = 1000;
const TIMELINE_LINE_LENGTH = 4000;
const timeline: string[] = [];

/** Every line logged so far at any level, with its milliseconds since process start. */
export function timelineSoFar(): string[] {
  return [...timeline];
}

function write(level: LogLevel, message: string): void {
  if (timeline.length < TIMELINE_LINES) timeline.push(`${performance.now().toFixed(0).padStart(5, ' ')}ms ${message.slice(0, TIMELINE_LINE_LENGTH)}`);
  if (ranks[level] > ranks[current]) return;
  const elapsed = performance.now().toFixed(0).padStart(5, ' ');
  const text = message.split('\n').map(printable).join('\n'); // stacks keep their lines
  process.stderr.write(current === 'debug' ? `sshpod ${elapsed}ms ${text}\n` : `sshpod: ${text}\n`);
}

/** An error's stack (and its cause's) at debug level: printed with --log-level debug, kept in the timeline always. */
export function logStack(error: unknown): void {
  if (!(error instanceof Error) || !error.stack) return;
  write('debug', error.stack);
  if (error.cause instanceof Error && error.cause.stack) write('debug', `caused by: ${error.cause.stack}`);
}

export const log = {
  error: (message: string): void => write('error', message),
  info: (message: string): void => write('info', message),
  debug: (message: string): void => write('debug', message),
};
