import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configure, unconfigure } from '../../src/cli/configure.ts';
import { sshpodPaths } from '../../src/ssh/paths.ts';

test('configure edits the real file behind a symlinked ~/.ssh/config, keeps a backup, and unconfigure undoes it', async () => {
  const home = mkdtempSync(join(tmpdir(), 'sshpod-configure-'));
  try {
    mkdirSync(join(home, 'dotfiles'));
    mkdirSync(join(home, '.ssh'), { mode: 0o700 });
    const real = join(home, 'dotfiles', 'ssh_config');
    writeFileSync(real, 'Host bastion\n  User ops\n', { mode: 0o644 });
    symlinkSync(real, join(home, '.ssh', 'config'));
    const paths = sshpodPaths(home);

    await configure({ yes: true }, paths);
    assert.ok(lstatSync(join(home, '.ssh', 'config')).isSymbolicLink(), 'the symlink stays');
    const text = readFileSync(real, 'utf8');
    assert.match(text, /^# >>> sshpod >>>/);
    assert.match(text, /Host bastion\n {2}User ops\n$/);
    assert.equal(statSync(real).mode & 0o777, 0o600);
    const backups = readdirSync(join(home, 'dotfiles')).filter((name) => name.startsWith('ssh_config.sshpod-backup-'));
    assert.equal(backups.length, 1);
    assert.equal(readFileSync(join(home, 'dotfiles', backups[0] as string), 'utf8'), 'Host bastion\n  User ops\n');
    assert.equal(statSync(paths.cacheDir).mode & 0o777, 0o700);
    assert.match(readFileSync(paths.knownHosts, 'utf8'), /^\*\.sshpod,\*\.sshpod\. ssh-ed25519 /m);

    await configure({ yes: true }, paths);
    assert.equal(readdirSync(join(home, 'dotfiles')).filter((name) => name.includes('backup')).length, 1, 'no change, no new backup');

    unconfigure({ purge: true }, paths);
    assert.equal(readFileSync(real, 'utf8'), 'Host bastion\n  User ops\n');
    assert.throws(() => statSync(paths.cacheDir), /ENOENT/);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test('configure --print writes nothing', async () => {
  const home = mkdtempSync(join(tmpdir(), 'sshpod-configure-'));
  try {
    await configure({ print: true }, sshpodPaths(home));
    assert.deepEqual(readdirSync(home), []);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
