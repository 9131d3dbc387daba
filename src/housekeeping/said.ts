// An error as the one line `sshpod ls` and `sshpod cleanup` report beside the thing it concerns
// (the person's own `sshpod:` wording, without the prefix), so that one unreachable pod or context
// is a line in the report rather than the end of the command.
import { formatErrorForUser } from '../errors.ts';

export function saidOf(error: unknown): string {
  return (formatErrorForUser(error).split('\n')[0] ?? '').replace(/^sshpod: /, '');
}

/** `3m`, `2h`, `45s`: how long, for tables. */
export function duration(seconds: number): string {
  if (seconds < 90) return `${Math.max(0, Math.round(seconds))}s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)}m`;
  if (seconds < 36 * 3600) return `${Math.round(seconds / 3600)}h`;
  return `${Math.round(seconds / 86400)}d`;
}
