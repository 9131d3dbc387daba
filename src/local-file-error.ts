// A failure to read or write a file on this machine (~/.ssh/config not writable, a read-only
// ~/.cache, a full disk) in words: which file, what the system said, what to do. Node's own
// message (`EROFS: read-only file system, open '/home/…/known_hosts.123.ab12cd34.tmp'`) names a
// system call and a temporary file the person never asked for.
import { accessSync, constants, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { SshpodError } from './errors.ts';

const ACTIONS: Record<string, string> = {
  open: 'open',
  read: 'read',
  write: 'write',
  fsync: 'write',
  ftruncate: 'write',
  close: 'write',
  copyfile: 'back up',
  rename: 'replace',
  link: 'create',
  symlink: 'create',
  mkdir: 'create the directory',
  unlink: 'remove',
  rmdir: 'remove',
  chmod: 'change the permissions of',
  scandir: 'list',
  stat: 'read',
  lstat: 'read',
  realpath: 'read',
  access: 'read',
};

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  ENOTDIR: 'a part of the path is not a directory',
  EISDIR: 'it is a directory',
  ENOENT: 'no such file or directory',
  EEXIST: 'it already exists',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'the name is too long',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files',
  EIO: 'input/output error',
};

// The temporary names sshpod writes before renaming into place: `file.<pid>.<hex>.tmp` (and its
// `.pub`), `config.sshpod-<pid>-<hex>.tmp`. The person knows the file, not the temporary.
const TEMPORARY = /\.(?:sshpod-)?\d+[.-][0-9a-f]{8}\.tmp(?:\.pub)?$/;

function hintFor(code: string, file: string): string {
  const dir = dirname(file);
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return `check who owns ${dir} and who may write there (ls -ld ${dir})`;
    case 'EROFS':
      return `${dir} is on a read-only file system; sshpod needs to write there`;
    case 'ENOSPC':
    case 'EDQUOT':
      return `free some space on the file system that holds ${dir}, then try again`;
    case 'ENOTDIR':
    case 'EISDIR':
    case 'EEXIST':
      return `something else is in the way at ${file}: move it aside, then try again`;
    default:
      return `check ${file} and the directories above it`;
  }
}

/**
 * Node's recursive mkdir reports ENOENT for the directory it could not make, whatever stopped it
 * (a read-only file system, no permission): the first existing directory above it says why.
 */
function mkdirReason(path: string): string | undefined {
  let dir = dirname(path);
  while (!existsSync(dir) && dir !== dirname(dir)) dir = dirname(dir);
  try {
    accessSync(dir, constants.W_OK);
    return undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code;
  }
}

/** The SshpodError for a Node file-system error, or undefined for anything else. */
export function localFileError(error: unknown): SshpodError | undefined {
  const failure = error as Partial<NodeJS.ErrnoException> & { dest?: unknown };
  if (!(error instanceof Error) || typeof failure.code !== 'string' || typeof failure.syscall !== 'string' || typeof failure.path !== 'string') return undefined;
  const action = ACTIONS[failure.syscall];
  if (action === undefined) return undefined;
  const named = failure.syscall === 'rename' && typeof failure.dest === 'string' ? failure.dest : failure.path;
  const file = named.replace(TEMPORARY, '');
  const code = (failure.syscall === 'mkdir' && failure.code === 'ENOENT' && mkdirReason(failure.path)) || failure.code;
  return new SshpodError('local', `cannot ${action} ${file}: ${REASONS[code] ?? code}`, { hint: hintFor(code, file), cause: error });
}

/** What the person is told about `error`: a file-system failure in words, anything else as it is. */
export function forThePerson(error: unknown): unknown {
  return localFileError(error) ?? error;
}
