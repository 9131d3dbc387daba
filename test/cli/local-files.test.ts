// Local file failures in words: ~/.ssh/config that may not be written, a read-only ~/.cache, a
// full disk. Each is one sshpod: line naming the file and a hint, exit status 1, the ssh config
// unchanged and no temporary or backup file left — never "unexpected failure" with a stack.
// The real conditions need a user root is not (permissions do not stop root) and, for a read-only
// or full file system, a private mount: as root, setpriv and unshare provide them.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const bin = new URL('../../bin/sshpod.cjs', import.meta.url).pathname;
const isRoot = process.getuid?.() === 0;
const canMount = isRoot && process.platform === 'linux' && spawnSync('unshare', ['--mount', 'true']).status === 0;
const NOBODY = 65534;

const originalConfig = `Host bastion\n  User ops\n${'# a long comment to fill the disk\n'.repeat(1200)}`;

describe('local file failures', () => {
  let base: string;
  before(() => {
    // Short: with long paths configure leaves connection sharing out and says so in a note.
    base = mkdtempSync('/tmp/spl-');
    chmodSync(base, 0o755);
  });
  after(() => rmSync(base, { recursive: true, force: true }));

  function freshHome(name: string, owner = process.getuid?.() ?? 0): string {
    const home = join(base, name);
    mkdirSync(join(home, '.ssh'), { recursive: true });
    writeFileSync(join(home, '.ssh', 'config'), originalConfig);
    for (const path of [home, join(home, '.ssh'), join(home, '.ssh', 'config')]) chownSync(path, owner, owner);
    return home;
  }

  test('~/.ssh may not be written: which file, why, what to check', () => {
    const home = freshHome('nw', isRoot ? NOBODY : undefined);
    chmodSync(join(home, '.ssh'), 0o500);
    const command = [process.execPath, bin, 'configure', '--yes'];
    const result = isRoot
      ? spawnSync('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', ...command], { encoding: 'utf8', env: { PATH: process.env['PATH'], HOME: home } })
      : spawnSync(command[0] as string, command.slice(1), { encoding: 'utf8', env: { PATH: process.env['PATH'], HOME: home } });
    assert.equal(result.status, 1, result.stderr);
    assert.equal(
      result.stderr,
      `sshpod: cannot back up ${join(home, '.ssh', 'config')}: permission denied\nhint: check who owns ${join(home, '.ssh')} and who may write there (ls -ld ${join(home, '.ssh')})\n`,
    );
    assert.equal(readFileSync(join(home, '.ssh', 'config'), 'utf8'), originalConfig);
    assert.deepEqual(readdirSync(join(home, '.ssh')), ['config']);
  });

  /** Runs `sshpod configure --yes` with a tmpfs mounted at HOME/<at> (private to the run), then lists HOME/.ssh. */
  function configureWithMount(home: string, at: string, options: string, prepare = ''): { status: string; stderr: string; after: string[] } {
    const script = `set -e
mount -t tmpfs -o ${options} sshpod-test "$HOME/${at}"
${prepare}
set +e
"${process.execPath}" "${bin}" configure --yes 2>"$HOME/stderr"
echo "status=$?"
ls -A "$HOME/.ssh"
cat "$HOME/.ssh/config" | cmp -s - "$HOME/original" && echo unchanged`;
    writeFileSync(join(home, 'original'), originalConfig);
    const result = spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script], { encoding: 'utf8', env: { PATH: process.env['PATH'], HOME: home } });
    assert.equal(result.stderr, '', 'the set-up worked');
    const [status = '', ...after] = result.stdout.trim().split('\n');
    return { status, stderr: readFileSync(join(home, 'stderr'), 'utf8'), after };
  }

  test('a read-only ~/.cache', { skip: canMount ? undefined : 'needs root and mount namespaces' }, () => {
    const home = freshHome('ro');
    mkdirSync(join(home, '.cache'));
    const result = configureWithMount(home, '.cache', 'ro,size=1m');
    assert.equal(result.status, 'status=1');
    assert.equal(
      result.stderr,
      `sshpod: cannot create the directory ${join(home, '.cache', 'sshpod')}: the file system is read-only\nhint: ${join(home, '.cache')} is on a read-only file system; sshpod needs to write there\n`,
    );
    assert.deepEqual(result.after, ['config', 'unchanged'], 'the ssh config is untouched');
  });

  test('a full disk under ~/.ssh', { skip: canMount ? undefined : 'needs root and mount namespaces' }, () => {
    const home = freshHome('full');
    // Room for the config, not for its backup too.
    const result = configureWithMount(home, '.ssh', 'size=64k', 'cp "$HOME/original" "$HOME/.ssh/config"');
    assert.equal(result.status, 'status=1');
    const [message, hint] = result.stderr.split('\n');
    assert.match(message ?? '', new RegExp(`^sshpod: cannot (back up|write) ${join(home, '.ssh', 'config')}: no space left on the device$`));
    assert.equal(hint, `hint: free some space on the file system that holds ${join(home, '.ssh')}, then try again`);
    assert.deepEqual(result.after, ['config', 'unchanged'], 'no temporary file, no half backup, the config untouched');
  });
});
