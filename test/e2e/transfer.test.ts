// File transfer tools through sshpod: scp (SFTP protocol and legacy -O), recursive copies, sftp
// batches, rsync and git over ssh, with content checked by SHA-256.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { container, e2eSkipReason, pod, run, sshOptions, startE2E, type E2E } from './harness.ts';

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function tree(root: string, dir = ''): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? tree(root, join(dir, entry.name)) : [`${join(dir, entry.name)} ${sha256(readFileSync(join(root, dir, entry.name)))}`],
  ).sort();
}

describe('file transfer through sshpod', { skip: e2eSkipReason() }, () => {
  let e: E2E;
  let work: string;
  before(async () => {
    e = await startE2E({ objects: [pod('deb', { containers: [container('main', 'debian')] }), pod('bb', { containers: [container('main', 'busybox')] })] });
    work = mkdtempSync(join(tmpdir(), 'sshpod-transfer-'));
  });
  after(async () => {
    await e?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  /** The ssh that rsync and git run: the test HOME's config, as `e.ssh` uses it. */
  const sshCommand = (): string => `ssh -F ${join(e.home, '.ssh', 'config')} ${sshOptions.join(' ')}`;

  test('scp of a 50 MiB random file up and down keeps every byte', async () => {
    const data = randomBytes(50 * 1024 * 1024);
    writeFileSync(join(work, 'big.bin'), data);
    const up = await e.scp([join(work, 'big.bin'), 'root@pod--deb.sshpod:/tmp/big.bin']);
    assert.equal(up.code, 0, up.stderr);
    const remote = await e.ssh('root@pod--deb.sshpod', ['sha256sum /tmp/big.bin']);
    assert.equal(remote.stdout.split(' ')[0], sha256(data));
    const down = await e.scp(['root@pod--deb.sshpod:/tmp/big.bin', join(work, 'back.bin')]);
    assert.equal(down.code, 0, down.stderr);
    assert.equal(sha256(readFileSync(join(work, 'back.bin'))), sha256(data));
  });

  test('scp -r copies a directory tree both ways', async () => {
    const source = join(work, 'tree');
    mkdirSync(join(source, 'a', 'b'), { recursive: true });
    writeFileSync(join(source, 'top.txt'), 'top\n');
    writeFileSync(join(source, 'a', 'mid.bin'), randomBytes(100_000));
    writeFileSync(join(source, 'a', 'b', 'deep.txt'), 'deep\n');
    const up = await e.scp(['-r', source, 'root@pod--bb.sshpod:/tmp/']);
    assert.equal(up.code, 0, up.stderr);
    const back = join(work, 'tree-back');
    const down = await e.scp(['-r', 'root@pod--bb.sshpod:/tmp/tree', back]);
    assert.equal(down.code, 0, down.stderr);
    assert.deepEqual(tree(back), tree(source));
  });

  test('legacy scp -O works where the container has scp', async () => {
    const data = randomBytes(1024 * 1024);
    writeFileSync(join(work, 'legacy.bin'), data);
    const up = await e.scp(['-O', join(work, 'legacy.bin'), 'root@pod--deb.sshpod:/tmp/legacy.bin']);
    assert.equal(up.code, 0, up.stderr);
    const down = await e.scp(['-O', 'root@pod--deb.sshpod:/tmp/legacy.bin', join(work, 'legacy-back.bin')]);
    assert.equal(down.code, 0, down.stderr);
    assert.equal(sha256(readFileSync(join(work, 'legacy-back.bin'))), sha256(data));
  });

  test('an sftp batch: mkdir, put, ls, get, rm', async () => {
    writeFileSync(join(work, 'note.txt'), 'sftp works\n');
    const batch = join(work, 'batch');
    writeFileSync(batch, [`mkdir /tmp/sftp-dir`, `put ${join(work, 'note.txt')} /tmp/sftp-dir/note.txt`, 'ls /tmp/sftp-dir', `get /tmp/sftp-dir/note.txt ${join(work, 'note-back.txt')}`, 'rm /tmp/sftp-dir/note.txt', 'rmdir /tmp/sftp-dir'].join('\n'));
    const result = await e.sftp(['-b', batch, 'root@pod--bb.sshpod']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /note\.txt/);
    assert.equal(readFileSync(join(work, 'note-back.txt'), 'utf8'), 'sftp works\n');
  });

  test('rsync over ssh syncs a tree and then only what changed', async () => {
    const source = join(work, 'rsync-src');
    mkdirSync(join(source, 'sub'), { recursive: true });
    for (let i = 0; i < 20; i++) writeFileSync(join(source, 'sub', `f${i}.bin`), randomBytes(10_000));
    const rsh = sshCommand();
    const first = await run('rsync', ['-a', '--stats', '-e', rsh, `${source}/`, 'root@pod--deb.sshpod:/tmp/rsync-dst/'], { env: e.env });
    assert.equal(first.code, 0, first.stderr);
    writeFileSync(join(source, 'sub', 'f3.bin'), randomBytes(10_001)); // a new size: rsync's quick check sees it
    const second = await run('rsync', ['-a', '--stats', '-e', rsh, `${source}/`, 'root@pod--deb.sshpod:/tmp/rsync-dst/'], { env: e.env });
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /Number of regular files transferred: 1\b/);
    const back = join(work, 'rsync-back');
    const pull = await run('rsync', ['-a', '-e', rsh, 'root@pod--deb.sshpod:/tmp/rsync-dst/', `${back}/`], { env: e.env });
    assert.equal(pull.code, 0, pull.stderr);
    assert.deepEqual(tree(back), tree(source));
  });

  test('git clones from, and pushes to, a repository in the pod', async () => {
    const made = await e.ssh('root@pod--deb.sshpod', ['git init -q --bare /srv/app.git && git -C /srv/app.git symbolic-ref HEAD refs/heads/main']);
    assert.equal(made.code, 0, made.stderr);
    const gitEnv = {
      GIT_SSH_COMMAND: sshCommand(),
      GIT_AUTHOR_NAME: 'sshpod test',
      GIT_AUTHOR_EMAIL: 'test@sshpod.invalid',
      GIT_COMMITTER_NAME: 'sshpod test',
      GIT_COMMITTER_EMAIL: 'test@sshpod.invalid',
    };
    const git = (args: string[], cwd = work) => run('git', args, { env: { ...e.env, ...gitEnv }, cwd });
    const clone = join(work, 'app');
    const cloned = await git(['clone', '-q', 'root@pod--deb.sshpod:/srv/app.git', clone]);
    assert.equal(cloned.code, 0, cloned.stderr);
    writeFileSync(join(clone, 'README'), 'pushed through sshpod\n');
    assert.equal((await git(['add', 'README'], clone)).code, 0);
    assert.equal((await git(['commit', '-q', '-m', 'first'], clone)).code, 0);
    const pushed = await git(['push', '-q', 'origin', 'HEAD:main'], clone);
    assert.equal(pushed.code, 0, pushed.stderr);
    const shown = await e.ssh('root@pod--deb.sshpod', ['git -C /srv/app.git show main:README']);
    assert.equal(shown.stdout, 'pushed through sshpod\n', shown.stderr);
  });
});
