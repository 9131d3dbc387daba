// Files sshpod keeps on the user's machine. Private ones (cached targets and credentials,
// known_hosts) are written so that a reader sees the old content or the new, never half of it,
// and never a moment of wider permissions.
import { closeSync, constants, fstatSync, mkdirSync, openSync, readFileSync, readSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';

/** The file's text, or undefined when there is no such file (any other failure is thrown). */
export function readTextIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * The text of a file a person names (KUBECONFIG, a pod template), which may be anything: opened
 * non-blocking (a FIFO would block a plain read for ever), refused unless it is a regular file of
 * at most `limit` bytes (a device would fill the memory). The Error names the file and what was
 * wrong; when the file could not be opened, its `code` is the errno (ENOENT: there is none).
 */
export function readRegularFile(file: string, limit: number): string {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw Object.assign(new Error(`${file}: ${code ?? (error as Error).message}`), { code });
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new Error(`${file} is not a regular file`);
    if (stat.size > limit) throw new Error(`${file} is larger than ${limit / 1024 / 1024} MiB`);
    const buffer = Buffer.alloc(stat.size);
    let read = 0;
    while (read < buffer.length) {
      const n = readSync(fd, buffer, read, buffer.length - read, read);
      if (n === 0) break;
      read += n;
    }
    return buffer.subarray(0, read).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

export function writePrivateFile(file: string, content: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(temporary, content, { mode: 0o600 });
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}
