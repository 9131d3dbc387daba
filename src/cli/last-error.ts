// `sshpod last-error`: what the last failed connection said, read back from its record — for when
// ssh was quiet (-q, LogLevel QUIET), the session had already started, or the terminal is gone.
import { sshpodPaths } from '../ssh/paths.ts';
import { lastFailureFile, readLastFailure, renderLastFailure } from '../failure/last-failure.ts';

export function showLastError(options: { timeline?: boolean }, paths = sshpodPaths(), now = Date.now()): void {
  const record = readLastFailure(paths);
  if (!record) {
    process.stdout.write(`sshpod: no failed connection recorded (${lastFailureFile(paths)})\n`);
    return;
  }
  process.stdout.write(`${renderLastFailure(record, now, options.timeline === true).join('\n')}\n`);
}
