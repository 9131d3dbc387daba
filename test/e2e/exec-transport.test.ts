// The exec transport: where RBAC forbids pods/portforward, sshpod carries SSH over an exec of
// `sshd -i` (stdin/stdout the SSH stream) — chosen by itself when port-forward is refused and
// remembered for the context, or forced with SSHPOD_TRANSPORT / --transport. Real ssh, scp, sftp
// and rsync through the block `sshpod configure` wrote, on exec v5 and on v4 (no stdin half-close,
// Kubernetes before 1.30), connection sharing included, and 10 first connections at once.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { container, countSshdListeners, e2eSkipReason, hasStackTrace, pod, run, sshOptions, sshpodLines, startE2E, type E2E } from './harness.ts';

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

for (const protocol of ['v5.channel.k8s.io', 'v4.channel.k8s.io']) {
  describe(`the exec transport with port-forward denied by RBAC (exec ${protocol})`, { skip: e2eSkipReason() }, () => {
    let e: E2E;
    let work: string;
    before(async () => {
      e = await startE2E({
        execProtocols: [protocol],
        objects: [
          pod('app', { containers: [container('main', 'busybox')] }),
          pod('deb', { containers: [container('main', 'debian')] }),
          pod('crowd', { containers: [container('main', 'busybox')] }),
        ],
      });
      e.cluster.deny({ user: 'admin', resource: 'pods/portforward' });
      work = mkdtempSync(join(tmpdir(), 'sshpod-exec-transport-'));
    });
    after(async () => {
      await e?.stop();
      rmSync(work, { recursive: true, force: true });
    });

    const sshCommand = (): string => `ssh -F ${e.sshConfig} ${sshOptions.join(' ')}`;
    const upgrades = (name: string, subresource: string) => e.cluster.requests({ name, subresource });

    test('ssh: the first connection falls back to exec, says why, and passes the exit status', async () => {
      const first = await e.ssh('root@pod--app.sshpod', ['echo over-exec; exit 7'], { env: { SSHPOD_LOG_LEVEL: 'debug' } });
      assert.equal(first.stdout, 'over-exec\n', first.stderr);
      assert.equal(first.code, 7);
      assert.match(first.stderr, /transport: port-forward first \(auto: port-forward first\)/);
      assert.match(first.stderr, /transport: exec, because the cluster refused port-forward \(not allowed to get pods\/portforward "app"/);
      assert.match(first.stderr, new RegExp(`transport: exec \\(${protocol.replace(/\./g, '\\.')}\\)`));
      assert.ok(!hasStackTrace(first.stderr));
      // The exec's stderr never reached ssh's stream: the session output is exactly the command's.
      const second = await e.ssh('root@pod--app.sshpod', ['echo again'], { env: { SSHPOD_LOG_LEVEL: 'debug' } });
      assert.equal(second.stdout, 'again\n', second.stderr);
      assert.match(second.stderr, /transport: exec first \(this context refused port-forward \d+ min ago\)/);
      assert.match(second.stderr, /remembered sshd answered with its install id \(exec\)/);
      // Remembered: no port-forward was tried for the second connection.
      assert.equal(upgrades('app', 'portforward').length, 1, 'one refused port-forward on the first connection, none after');
    });

    test('scp up and down keeps every byte; sftp lists and fetches', async () => {
      const data = randomBytes(8 * 1024 * 1024 + 17);
      writeFileSync(join(work, 'up.bin'), data);
      const up = await e.scp([join(work, 'up.bin'), 'root@pod--deb.sshpod:/tmp/up.bin']);
      assert.equal(up.code, 0, up.stderr);
      const remote = await e.ssh('root@pod--deb.sshpod', ['sha256sum /tmp/up.bin']);
      assert.equal(remote.stdout.split(' ')[0], sha256(data));
      const down = await e.scp(['root@pod--deb.sshpod:/tmp/up.bin', join(work, 'down.bin')]);
      assert.equal(down.code, 0, down.stderr);
      assert.equal(sha256(readFileSync(join(work, 'down.bin'))), sha256(data));

      const batch = join(work, 'batch');
      writeFileSync(batch, `ls /tmp\nget /tmp/up.bin ${join(work, 'sftp.bin')}\n`);
      const sftp = await e.sftp(['-b', batch, 'root@pod--deb.sshpod']);
      assert.equal(sftp.code, 0, sftp.stderr);
      assert.match(sftp.stdout, /up\.bin/);
      assert.equal(sha256(readFileSync(join(work, 'sftp.bin'))), sha256(data));
    });

    test('rsync syncs a tree, then only what changed', async () => {
      const source = join(work, 'tree');
      mkdirSync(join(source, 'sub'), { recursive: true });
      writeFileSync(join(source, 'a.txt'), 'alpha\n');
      writeFileSync(join(source, 'sub', 'b.bin'), randomBytes(300_000));
      const first = await run('rsync', ['-a', '--stats', '-e', sshCommand(), `${source}/`, 'root@pod--deb.sshpod:/tmp/tree/'], { env: e.env });
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stdout, /Number of regular files transferred: 2/);
      writeFileSync(join(source, 'a.txt'), 'alpha, changed\n');
      const second = await run('rsync', ['-a', '--stats', '-e', sshCommand(), `${source}/`, 'root@pod--deb.sshpod:/tmp/tree/'], { env: e.env });
      assert.equal(second.code, 0, second.stderr);
      assert.match(second.stdout, /Number of regular files transferred: 1/);
      const check = await e.ssh('root@pod--deb.sshpod', ['cat /tmp/tree/a.txt']);
      assert.equal(check.stdout, 'alpha, changed\n');
    });

    test('connection sharing: sessions through one master, over one exec stream', async () => {
      const options = { shared: true };
      const one = await e.ssh('root@pod--app.sshpod', ['echo one'], options);
      assert.equal(one.stdout, 'one\n', one.stderr);
      const before = upgrades('app', 'exec').length;
      const two = await e.ssh('root@pod--app.sshpod', ['echo two'], options);
      assert.equal(two.stdout, 'two\n', two.stderr);
      assert.equal(upgrades('app', 'exec').length, before, 'the second session used the master: no new exec');
    });

    test('10 simultaneous first connections to a fresh pod all succeed, with one sshd', async () => {
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => e.ssh('root@pod--crowd.sshpod', [`echo ok-${i}`])));
      results.forEach((result, i) => assert.equal(result.stdout, `ok-${i}\n`, `connection ${i}: ${result.stderr}`));
      assert.equal((await e.podShell('default', 'crowd', 'main', countSshdListeners)).trim(), '1');
      assert.ok(upgrades('crowd', 'exec').every((r) => r.protocol === protocol));
    });
  });
}

describe('choosing the transport', { skip: e2eSkipReason() }, () => {
  let e: E2E;
  before(async () => {
    e = await startE2E({ objects: [pod('app', { containers: [container('main', 'busybox')] })] });
  });
  after(async () => {
    await e?.stop();
  });

  test('SSHPOD_TRANSPORT=exec forces it where port-forward is allowed', async () => {
    e.cluster.clearRequests();
    const result = await e.ssh('root@pod--app.sshpod', ['echo forced'], { env: { SSHPOD_TRANSPORT: 'exec', SSHPOD_LOG_LEVEL: 'debug' } });
    assert.equal(result.stdout, 'forced\n', result.stderr);
    assert.match(result.stderr, /transport: exec first \(forced \(exec\)\)/);
    assert.equal(e.cluster.requests({ name: 'app', subresource: 'portforward' }).length, 0);
  });

  test('without it, port-forward (the default)', async () => {
    e.cluster.clearRequests();
    const result = await e.ssh('root@pod--app.sshpod', ['echo default']);
    assert.equal(result.stdout, 'default\n', result.stderr);
    assert.equal(e.cluster.requests({ name: 'app', subresource: 'portforward' }).length, 1);
  });

  test('SSHPOD_TRANSPORT=port-forward where it is refused: the message says so and names the way out', async () => {
    e.cluster.deny({ user: 'admin', resource: 'pods/portforward' });
    try {
      const result = await e.ssh('root@pod--app.sshpod', ['true'], { env: { SSHPOD_TRANSPORT: 'port-forward' } });
      assert.equal(result.code, 255);
      const [message, hint] = sshpodLines(result.stderr);
      assert.match(message ?? '', /^sshpod: not allowed to get pods\/portforward "app" in namespace "default"/);
      assert.match(hint ?? '', /SSHPOD_TRANSPORT=exec/);
    } finally {
      e.cluster.resetAccess();
    }
  });

  test('a transport that does not exist is a usage error', async () => {
    const result = await e.ssh('root@pod--app.sshpod', ['true'], { env: { SSHPOD_TRANSPORT: 'carrier-pigeon' } });
    assert.equal(result.code, 255);
    assert.deepEqual(sshpodLines(result.stderr), [
      'sshpod: SSHPOD_TRANSPORT is "carrier-pigeon", which is not a transport',
      'hint: set SSHPOD_TRANSPORT to auto (port-forward, or exec when port-forward is refused), port-forward or exec',
    ]);
  });
});
