// The exec transport's command, run for real by dash and busybox sh with a fake sshd: it starts
// sshd -i from the install directory with every file named through /proc/self/cwd, and refuses
// (exit 97, one line on stderr, nothing on stdout) a directory that is missing, reached through a
// symlink, or not its own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INETD_SCRIPT, NO_INSTALL_EXIT, inetdCommand } from '../../src/remote/inetd-sshd.ts';

const shells = [['dash'], ['busybox', 'sh']] as const;
const isRoot = process.getuid?.() === 0;

function install(): { base: string; dir: string } {
  const base = mkdtempSync(join(tmpdir(), 'sshpod-inetd-'));
  const dir = join(base, 'sshpod', 'uid-1', 'app');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'sshd'), '#!/bin/sh\nprintf "argv=%s\\n" "$*"; printf "cwd=%s\\n" "$(pwd -P)"; printf "passwd=%s privsep=%s\\n" "$SSHPOD_PASSWD" "$SSHPOD_PRIVSEP_DIR"; cat\n');
  chmodSync(join(dir, 'sshd'), 0o755);
  writeFileSync(join(dir, 'sshd_config'), 'ListenAddress 127.0.0.1\n');
  return { base, dir };
}

function runInetd(shell: readonly string[], dir: string, input = ''): { code: number | null; stdout: string; stderr: string } {
  const [command, ...prefix] = shell;
  const [, , script, name, argument] = inetdCommand(dir);
  const result = spawnSync(command as string, [...prefix, '-c', script as string, name as string, argument as string], { input, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('the command is sh -c SCRIPT with the directory as a value, never in the script', () => {
  assert.deepEqual(inetdCommand('/tmp/sshpod/u/c'), ['sh', '-c', INETD_SCRIPT, 'sshpod', '/tmp/sshpod/u/c']);
  assert.ok(!INETD_SCRIPT.includes('/tmp/sshpod/u/c'));
  assert.equal(spawnSync('dash', ['-n', '-c', INETD_SCRIPT]).status, 0);
});

for (const shell of shells) {
  test(`${shell.join(' ')}: sshd -i runs in the install directory, stdin and stdout its stream`, () => {
    const { base, dir } = install();
    try {
      const result = runInetd(shell, dir, 'SSH-2.0-client\n');
      assert.equal(result.code, 0, result.stderr);
      assert.equal(
        result.stdout,
        `argv=-i -f /proc/self/cwd/sshd_config -E /proc/self/cwd/sshd.log\ncwd=${dir}\npasswd=/proc/self/cwd/passwd privsep=/proc/self/cwd/empty\nSSH-2.0-client\n`,
      );
      assert.equal(result.stderr, '');
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });

  test(`${shell.join(' ')}: a missing install, a symlink on the way, a path of another shape: exit 97, stdout empty`, () => {
    const { base, dir } = install();
    try {
      const missing = runInetd(shell, join(base, 'sshpod', 'uid-2', 'app'));
      assert.equal(missing.code, NO_INSTALL_EXIT);
      assert.equal(missing.stdout, '');
      assert.match(missing.stderr, /^sshpod: no sshd installed in /);

      // base/alias/sshpod → base/sshpod: the right shape, but not the directory it names.
      mkdirSync(join(base, 'alias'));
      symlinkSync(join(base, 'sshpod'), join(base, 'alias', 'sshpod'));
      const linked = runInetd(shell, join(base, 'alias', 'sshpod', 'uid-1', 'app'));
      assert.equal(linked.code, NO_INSTALL_EXIT, linked.stdout);
      assert.equal(linked.stdout, '');

      const shape = runInetd(shell, '/etc');
      assert.equal(shape.code, NO_INSTALL_EXIT);
      assert.equal(shape.stderr, 'sshpod: bad install directory\n');
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });

  test(`${shell.join(' ')}: a directory another uid owns is refused`, { skip: isRoot ? false : 'needs root to chown' }, () => {
    const { base, dir } = install();
    try {
      chownSync(dir, 65534, 65534);
      const result = runInetd(shell, dir);
      assert.equal(result.code, NO_INSTALL_EXIT);
      assert.equal(result.stdout, '');
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
}
