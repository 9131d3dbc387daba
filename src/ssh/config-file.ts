// Writing ~/.ssh/config safely: the real file behind a symlink (dotfile managers), a timestamped
// backup of what was there, a temporary file renamed into place (never half-written), mode 0600.
import { constants, copyFileSync, mkdirSync, realpathSync, renameSync, rmSync, writeFileSync, chmodSync, openSync, fsyncSync, closeSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';
import { readTextIfExists } from '../local-file.ts';

export function resolveConfigPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

export function readConfig(path: string): string {
  return readTextIfExists(path) ?? '';
}

function timestamp(now: Date): string {
  return now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/** Replaces the file's content; returns the backup's path, if there was a file to back up. */
export function writeConfig(path: string, text: string, existed: boolean, now = new Date()): string | undefined {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  let backup: string | undefined;
  if (existed) {
    for (let attempt = 0; backup === undefined; attempt++) {
      const candidate = `${path}.sshpod-backup-${timestamp(now)}${attempt > 0 ? `-${attempt}` : ''}`;
      try {
        copyFileSync(path, candidate, constants.COPYFILE_EXCL);
        backup = candidate;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
          rmSync(candidate, { force: true }); // a copy cut short by a full disk; it was not there before (EXCL)
          throw error;
        }
      }
    }
    chmodSync(backup, 0o600);
  }
  const temporary = `${path}.sshpod-${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(temporary, text, { mode: 0o600 });
    const fd = openSync(temporary, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
  } catch (error) {
    // A full disk or a read-only directory: no half-written temporary file, and no backup of a
    // file that did not change.
    rmSync(temporary, { force: true });
    if (backup) rmSync(backup, { force: true });
    throw error;
  }
  chmodSync(path, 0o600);
  return backup;
}
