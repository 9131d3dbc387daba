// The real lane: sshpod through kube-apiserver + kubelet + containerd v1.20 (exec v4 only), with the
// real OpenSSH tools and the block `sshpod configure` wrote — commands, the warm path, file
// transfer, workloads, a non-root container, many first connections at once, a recreated pod.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { container, countSshdListeners, pod, run, sshOptions, type E2E } from '../e2e/harness.ts';
import { realLaneSkipReason, startRealE2E, type RealNamespace } from './harness.ts';

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');
const template = (labels: Record<string, string>, extra: Record<string, unknown> = {}): object => ({
  metadata: { labels },
  spec: { containers: [container('app', 'busybox', extra)] },
});

describe('ssh through sshpod on a real Kubernetes', { skip: realLaneSkipReason() }, () => {
  let e: E2E<RealNamespace>;
  let work: string;
  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'sshpod-real-'));
    e = await startRealE2E('ssh', [
      pod('deb', { containers: [container('main', 'debian', { env: [{ name: 'GREETING', value: 'hello from the pod spec' }] })] }),
      pod('bb', { containers: [container('main', 'busybox')] }),
      pod('warm', { containers: [container('main', 'busybox')] }),
      pod('crowd', { containers: [container('main', 'busybox')] }),
      pod('nobody', { containers: [container('main', 'busybox', { securityContext: { runAsUser: 65534, runAsGroup: 65534 } })] }),
      pod('reborn', { containers: [container('main', 'busybox')] }),
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }) } },
      { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db' }, spec: { replicas: 2, serviceName: 'db', selector: { matchLabels: { app: 'db' } }, template: template({ app: 'db' }) } },
      {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { name: 'migrate' },
        spec: { template: { spec: { restartPolicy: 'Never', containers: [container('job', 'busybox', { command: ['sleep', '3600'] })] } } },
      },
    ]);
  });
  after(async () => {
    await e?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('a command runs in the container, with its environment, and its exit status comes back', async () => {
    const result = await e.ssh('root@pod--deb.sshpod', ['echo "$GREETING"; cat /etc/hostname; exit 3']);
    assert.equal(result.stdout, 'hello from the pod spec\ndeb\n', result.stderr);
    assert.equal(result.code, 3);
  });

  test('stdin reaches the command and a terminal works', async () => {
    const input = randomBytes(64 * 1024);
    const counted = await e.ssh('root@pod--bb.sshpod', ['wc -c'], { input });
    assert.equal(counted.stdout.trim(), String(input.length), counted.stderr);
    const tty = await e.ssh('root@pod--bb.sshpod', ['tty'], { sshOptions: ['-tt'] });
    assert.equal(tty.code, 0, tty.stderr);
    assert.match(tty.stdout, /^\/dev\/pts\/\d+\r?$/m);
  });

  test('warm path: the second connection goes straight to the remembered sshd, without an exec', async () => {
    const cold = await e.ssh('root@pod--warm.sshpod', ['echo cold'], { env: { SSHPOD_LOG_LEVEL: 'debug' } });
    assert.equal(cold.stdout, 'cold\n', cold.stderr);
    assert.match(cold.stderr, /exec protocol v4\.channel\.k8s\.io/, 'the 1.20 server offers exec v4 only');
    assert.match(cold.stderr, /installing sshd for x86_64/);
    const warm = await e.ssh('root@pod--warm.sshpod', ['echo warm'], { env: { SSHPOD_LOG_LEVEL: 'debug' } });
    assert.equal(warm.stdout, 'warm\n', warm.stderr);
    assert.match(warm.stderr, /remembered sshd answered with its install id/);
    assert.doesNotMatch(warm.stderr, /exec protocol/, 'no exec on the warm path');
  });

  test('connection sharing: a second ssh rides the first one', async () => {
    const first = await e.ssh('root@pod--bb.sshpod', ['echo first'], { shared: true });
    assert.equal(first.stdout, 'first\n', first.stderr);
    const second = await e.ssh('root@pod--bb.sshpod', ['echo second'], { shared: true, env: { SSHPOD_LOG_LEVEL: 'debug' } });
    assert.equal(second.stdout, 'second\n', second.stderr);
  });

  test('scp of 20 MiB up and down keeps every byte', async () => {
    const data = randomBytes(20 * 1024 * 1024);
    writeFileSync(join(work, 'big.bin'), data);
    const up = await e.scp([join(work, 'big.bin'), 'root@pod--deb.sshpod:/tmp/big.bin']);
    assert.equal(up.code, 0, up.stderr);
    assert.equal((await e.ssh('root@pod--deb.sshpod', ['sha256sum /tmp/big.bin'])).stdout.split(' ')[0], sha256(data));
    const down = await e.scp(['root@pod--deb.sshpod:/tmp/big.bin', join(work, 'back.bin')]);
    assert.equal(down.code, 0, down.stderr);
    assert.equal(sha256(readFileSync(join(work, 'back.bin'))), sha256(data));
  });

  test('an sftp batch: mkdir, put, ls, get, rm', async () => {
    writeFileSync(join(work, 'note.txt'), 'sftp works\n');
    const batch = join(work, 'batch');
    writeFileSync(batch, ['mkdir /tmp/sftp-dir', `put ${join(work, 'note.txt')} /tmp/sftp-dir/note.txt`, 'ls /tmp/sftp-dir', `get /tmp/sftp-dir/note.txt ${join(work, 'note-back.txt')}`, 'rm /tmp/sftp-dir/note.txt', 'rmdir /tmp/sftp-dir'].join('\n'));
    const result = await e.sftp(['-b', batch, 'root@pod--bb.sshpod']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(readFileSync(join(work, 'note-back.txt'), 'utf8'), 'sftp works\n');
  });

  test('rsync over ssh syncs a tree, then only what changed', async () => {
    const source = join(work, 'rsync-src');
    mkdirSync(join(source, 'sub'), { recursive: true });
    for (let i = 0; i < 10; i++) writeFileSync(join(source, 'sub', `f${i}.bin`), randomBytes(10_000));
    const rsh = `ssh -F ${join(e.home, '.ssh', 'config')} ${sshOptions.join(' ')}`;
    const first = await run('rsync', ['-a', '-e', rsh, `${source}/`, 'root@pod--deb.sshpod:/tmp/rsync-dst/'], { env: e.env });
    assert.equal(first.code, 0, first.stderr);
    writeFileSync(join(source, 'sub', 'f3.bin'), randomBytes(10_001));
    const second = await run('rsync', ['-a', '--stats', '-e', rsh, `${source}/`, 'root@pod--deb.sshpod:/tmp/rsync-dst/'], { env: e.env });
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /Number of regular files transferred: 1\b/);
    const back = join(work, 'rsync-back');
    const pull = await run('rsync', ['-a', '-e', rsh, 'root@pod--deb.sshpod:/tmp/rsync-dst/', `${back}/`], { env: e.env });
    assert.equal(pull.code, 0, pull.stderr);
    assert.deepEqual(readdirSync(join(back, 'sub')).sort(), readdirSync(join(source, 'sub')).sort());
    assert.equal(sha256(readFileSync(join(back, 'sub', 'f3.bin'))), sha256(readFileSync(join(source, 'sub', 'f3.bin'))));
  });

  test('a non-root container: its user logs in, as its uid', async () => {
    const result = await e.ssh('nobody@pod--nobody.sshpod', ['id -u']);
    assert.equal(result.stdout, '65534\n', result.stderr);
  });

  test('workloads: a deployment (the same pod every time), a statefulset (its first ordinal), a job', async () => {
    const hostname = async (host: string): Promise<string> => {
      const result = await e.ssh(`root@${host}`, ['cat /etc/hostname']);
      assert.equal(result.code, 0, result.stderr);
      return result.stdout.trim();
    };
    const web = await hostname('deployment--web.sshpod');
    assert.match(web, /^web-[a-z0-9]+-[a-z0-9]{5}$/);
    assert.equal(await hostname('deploy--web.sshpod'), web);
    assert.equal(await hostname('statefulset--db.sshpod'), 'db-0');
    assert.match(await hostname('job--migrate.sshpod'), /^migrate-[a-z0-9]{5}$/);
  });

  test('10 simultaneous first connections to a fresh pod all succeed, with one sshd', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => e.ssh('root@pod--crowd.sshpod', [`echo ok-${i}`])));
    results.forEach((result, i) => {
      assert.equal(result.code, 0, `connection ${i}: ${result.stderr}`);
      assert.equal(result.stdout, `ok-${i}\n`);
    });
    assert.equal((await e.podShell(e.cluster.namespace, 'crowd', 'main', countSshdListeners)).trim(), '1');
  });

  test('a pod recreated under the same name: the remembered sshd is not used, the new pod is prepared', async () => {
    assert.equal((await e.ssh('root@pod--reborn.sshpod', ['echo first'])).code, 0);
    await e.cluster.deleteAndWait('pod', 'reborn');
    await e.cluster.apply([pod('reborn', { containers: [container('main', 'busybox', { env: [{ name: 'GENERATION', value: 'second' }] })] })], { wait: true });
    const again = await e.ssh('root@pod--reborn.sshpod', ['echo "$GENERATION"'], { env: { SSHPOD_LOG_LEVEL: 'debug' } });
    assert.equal(again.stdout, 'second\n', again.stderr);
    assert.match(again.stderr, /remembered sshd( not found|: port-forward failed)/);
  });
});
