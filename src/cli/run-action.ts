// Every command's failure ends the same way: one line saying what went wrong, one hint line, a
// non-zero exit; the stack trace only at --log-level debug. A file-system error is put in words
// first (local-file-error.ts), so that no failure a person can cause reads "unexpected failure".
import { formatErrorForUser } from '../errors.ts';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, exitCodeFor } from '../exit-codes.ts';
import { forThePerson } from '../local-file-error.ts';
import { isLogLevel, logStack, setLogLevel, type LogLevel } from '../log.ts';

/** --log-level, else SSHPOD_LOG_LEVEL (ssh passes the environment to its ProxyCommand). */
export function applyLogLevel(level: string | undefined): void {
  const chosen = level ?? process.env['SSHPOD_LOG_LEVEL'];
  if (chosen === undefined || chosen === '') return;
  if (!isLogLevel(chosen)) {
    process.stderr.write(`sshpod: unknown log level "${chosen}" in SSHPOD_LOG_LEVEL\nhint: use error, info or debug\n`);
    process.exit(EXIT_USAGE);
  }
  setLogLevel(chosen as LogLevel);
}

/** The default end of a failed command: the lines on stderr; returns the exit status. */
export function printFailure(error: unknown): number {
  const shown = forThePerson(error);
  process.stderr.write(`${formatErrorForUser(shown)}\n`);
  logStack(error);
  return exitCodeFor(shown);
}

/** Runs a command's action and exits: with its status (0 if it returns none), or as `report` says. */
export async function runAction(action: () => Promise<number | void>, report: (error: unknown) => number | Promise<number> = printFailure): Promise<never> {
  let status: number;
  try {
    status = (await action()) ?? EXIT_OK;
  } catch (error) {
    try {
      status = await report(error);
    } catch {
      status = EXIT_FAILURE;
    }
  }
  process.exit(status);
}
