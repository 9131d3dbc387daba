// Every command's failure ends the same way: one line saying what went wrong, one hint line, a
// non-zero exit; the stack trace only at --log-level debug.
import { formatErrorForUser, isSshpodError } from '../errors.ts';
import { isLogLevel, log, logLevel, setLogLevel, type LogLevel } from '../log.ts';

export function applyLogLevel(level: string | undefined): void {
  const chosen = level ?? process.env['SSHPOD_LOG_LEVEL'];
  if (chosen === undefined) return;
  if (!isLogLevel(chosen)) {
    process.stderr.write(`sshpod: unknown log level "${chosen}" (use error, info or debug)\n`);
    process.exit(2);
  }
  setLogLevel(chosen as LogLevel);
}

export function exitCodeFor(error: unknown): number {
  return isSshpodError(error) && error.kind === 'usage' ? 2 : 1;
}

export async function runAction(action: () => Promise<void>): Promise<never> {
  try {
    await action();
    process.exit(0);
  } catch (error) {
    process.stderr.write(`${formatErrorForUser(error)}\n`);
    if (logLevel() === 'debug' && error instanceof Error && error.stack) {
      log.debug(error.stack);
      if (error.cause instanceof Error && error.cause.stack) log.debug(`caused by: ${error.cause.stack}`);
    }
    process.exit(exitCodeFor(error));
  }
}
