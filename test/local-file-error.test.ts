import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forThePerson, localFileError } from '../src/local-file-error.ts';
import { SshpodError, formatErrorForUser } from '../src/errors.ts';

function fsError(code: string, syscall: string, path: string, dest?: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: something, ${syscall} '${path}'`), { code, syscall, path, ...(dest ? { dest } : {}) });
}

const table: Array<[NodeJS.ErrnoException, string, string]> = [
  [
    fsError('EROFS', 'open', '/home/ann/.cache/sshpod/known_hosts.4242.0a1b2c3d.tmp'),
    'sshpod: cannot open /home/ann/.cache/sshpod/known_hosts: the file system is read-only',
    'hint: /home/ann/.cache/sshpod is on a read-only file system; sshpod needs to write there',
  ],
  [
    fsError('ENOSPC', 'write', '/home/ann/.ssh/config.sshpod-4242-0a1b2c3d.tmp'),
    'sshpod: cannot write /home/ann/.ssh/config: no space left on the device',
    'hint: free some space on the file system that holds /home/ann/.ssh, then try again',
  ],
  [
    fsError('EACCES', 'rename', '/home/ann/.ssh/config.sshpod-1-0a1b2c3d.tmp', '/home/ann/.ssh/config'),
    'sshpod: cannot replace /home/ann/.ssh/config: permission denied',
    'hint: check who owns /home/ann/.ssh and who may write there (ls -ld /home/ann/.ssh)',
  ],
  [
    fsError('ENOTDIR', 'mkdir', '/home/ann/.cache/sshpod'),
    'sshpod: cannot create the directory /home/ann/.cache/sshpod: a part of the path is not a directory',
    'hint: something else is in the way at /home/ann/.cache/sshpod: move it aside, then try again',
  ],
  [
    fsError('EDQUOT', 'copyfile', '/home/ann/.ssh/config', '/home/ann/.ssh/config.sshpod-backup-20250101T000000Z'),
    'sshpod: cannot back up /home/ann/.ssh/config: disk quota exceeded',
    'hint: free some space on the file system that holds /home/ann/.ssh, then try again',
  ],
  [fsError('EWEIRD', 'unlink', '/x/y.pub'), 'sshpod: cannot remove /x/y.pub: EWEIRD', 'hint: check /x/y.pub and the directories above it'],
];

for (const [error, message, hint] of table) {
  test(`${error.code} from ${error.syscall}: one line naming the file, and a hint`, () => {
    assert.equal(formatErrorForUser(forThePerson(error)), `${message}\n${hint}`);
    assert.equal(localFileError(error)?.kind, 'local');
    assert.equal((localFileError(error) as SshpodError).cause, error);
  });
}

test('anything else is left as it is', () => {
  const network = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED', syscall: 'connect', address: '127.0.0.1' });
  assert.equal(localFileError(network), undefined);
  const mine = new SshpodError('usage', 'bad');
  assert.equal(forThePerson(mine), mine);
  assert.equal(localFileError('a string'), undefined);
});

test("real errors from Node's fs carry what it needs", (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sshpod-fs-error-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'file'), '');
  const caught = (action: () => unknown): unknown => {
    try {
      action();
    } catch (error) {
      return error;
    }
    return undefined;
  };
  assert.equal(formatErrorForUser(forThePerson(caught(() => mkdirSync(join(dir, 'file', 'sub'), { recursive: true })))).split('\n')[0], `sshpod: cannot create the directory ${join(dir, 'file', 'sub')}: a part of the path is not a directory`);
  assert.equal(formatErrorForUser(forThePerson(caught(() => readFileSync(join(dir, 'absent'))))).split('\n')[0], `sshpod: cannot open ${join(dir, 'absent')}: no such file or directory`);
  assert.match(formatErrorForUser(forThePerson(caught(() => renameSync(join(dir, 'absent.1.0a1b2c3d.tmp'), join(dir, 'target'))))), /^sshpod: cannot replace .*target: no such file or directory$/m);
});
