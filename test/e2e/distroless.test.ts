// Containers without a shell (distroless, scratch): sshpod adds an ephemeral container that shares
// the target's process namespace, runs sshd there, and sessions land in the target's view — its
// files (chroot into /proc/<pid>/root), its environment, its working directory. Real ssh, scp,
// sftp and a forwarded port through the block `sshpod configure` wrote; the ephemeral container
// is reused, never added twice; refusals (RBAC, the feature off, an image that cannot be pulled,
// another login name) are messages.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { container, e2eSkipReason, hasStackTrace, pod, sshpodLines, startE2E, type E2E } from './harness.ts';
import type { Pod } from '../cluster/api/types.ts';

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');
const distroless = 'gcr.io/distroless/distroless:nonroot';

/** A distroless pod; with `web`, a sidecar that answers on 127.0.0.1:8080 of the pod. */
function distrolessPod(name: string, web = false): object {
  const main = container('main', distroless, { workingDir: '/srv', env: [{ name: 'APP_MODE', value: 'production' }] });
  const sidecar = container('web', 'busybox', { command: ['sh', '-c', 'while :; do nc -l -p 8080 -e echo hello-from-8080; done'] });
  return pod(name, { containers: web ? [main, sidecar] : [main] });
}

describe('a container without a shell, through an ephemeral container', { skip: e2eSkipReason() }, () => {
  let e: E2E;
  let work: string;
  before(async () => {
    e = await startE2E({
      objects: [distrolessPod('app', true), distrolessPod('denied'), distrolessPod('off'), distrolessPod('unpullable'), distrolessPod('viaexec')],
    });
    work = mkdtempSync(join(tmpdir(), 'sshpod-distroless-'));
  });
  after(async () => {
    await e?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  const host = 'container--main.pod--app.sshpod';
  const ephemeral = (name: string): string[] => ((e.cluster.get('pods', 'default', name) as Pod).spec.ephemeralContainers ?? []).map((c) => c.name);

  test('ssh: the session is in the target view (files, environment, working directory), exit status passed', async () => {
    const result = await e.ssh(`root@${host}`, ['pwd; echo "mode=$APP_MODE"; ls /; cat /etc/passwd; exit 5'], { env: { SSHPOD_LOG_LEVEL: 'debug' } });
    assert.equal(result.code, 5, result.stderr);
    const [pwd, mode] = result.stdout.split('\n');
    assert.equal(pwd, '/srv');
    assert.equal(mode, 'mode=production');
    assert.match(result.stdout, /^sleeper$/m, 'the distroless root, not the debug image');
    assert.match(result.stdout, /^nonroot:/m, "the target's /etc/passwd");
    assert.doesNotMatch(result.stdout, /^busybox$/m);
    assert.match(result.stderr, /has no shell: its view through an ephemeral container/);
    assert.match(result.stderr, /adding ephemeral container sshpod-main \(image busybox:1\.36\)/);
    assert.ok(!hasStackTrace(result.stderr));
    assert.deepEqual(ephemeral('app'), ['sshpod-main']);
    const spec = (e.cluster.get('pods', 'default', 'app') as Pod).spec.ephemeralContainers?.[0];
    assert.equal(spec?.targetContainerName, 'main');
  });

  test('scp and sftp reach the target files', async () => {
    const data = randomBytes(2 * 1024 * 1024 + 3);
    writeFileSync(join(work, 'up.bin'), data);
    const up = await e.scp([join(work, 'up.bin'), `root@${host}:/tmp/up.bin`]);
    assert.equal(up.code, 0, up.stderr);
    // Seen from the debug container, the file is in the target's root filesystem.
    const there = await e.podShell('default', 'app', 'sshpod-main', 'sha256sum /proc/1/root/tmp/up.bin; test -e /tmp/up.bin && echo also-in-debug-root || echo not-in-debug-root');
    assert.equal(there.split(' ')[0], sha256(data));
    assert.match(there, /not-in-debug-root/);
    const down = await e.scp([`root@${host}:/sleeper`, join(work, 'sleeper')]);
    assert.equal(down.code, 0, down.stderr);
    assert.ok(readFileSync(join(work, 'sleeper')).subarray(0, 4).equals(Buffer.from('\x7fELF')));
    const batch = join(work, 'batch');
    writeFileSync(batch, `cd /etc\nls\nget passwd ${join(work, 'passwd')}\n`);
    const sftp = await e.sftp(['-b', batch, `root@${host}`]);
    assert.equal(sftp.code, 0, sftp.stderr);
    assert.match(readFileSync(join(work, 'passwd'), 'utf8'), /^nonroot:/m);
  });

  test('-W and -L reach the pod ports', async () => {
    const stdio = await e.ssh(`root@${host}`, [], { sshOptions: ['-W', '127.0.0.1:8080'] });
    assert.equal(stdio.stdout, 'hello-from-8080\n', stdio.stderr);

    const localPort = 20000 + Math.floor(Math.random() * 10000);
    const ssh = spawn('ssh', ['-F', e.sshConfig, '-o', 'BatchMode=yes', '-o', 'ControlMaster=no', '-o', 'ControlPath=none', '-o', 'ExitOnForwardFailure=yes', '-L', `127.0.0.1:${localPort}:127.0.0.1:8080`, `root@${host}`, 'echo forwarding; sleep 20'], { env: e.env, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      await new Promise<void>((resolve, reject) => {
        ssh.stdout.once('data', () => resolve());
        ssh.once('exit', (code) => reject(new Error(`ssh -L exited ${code}`)));
      });
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(localPort, '127.0.0.1');
        let text = '';
        socket.on('data', (chunk) => (text += chunk.toString()));
        socket.on('end', () => resolve(text));
        socket.on('error', reject);
      });
      assert.equal(answer, 'hello-from-8080\n');
    } finally {
      ssh.kill();
    }
  });

  test('later connections reuse the ephemeral container, also on the cold path', async () => {
    for (let i = 0; i < 2; i++) {
      rmSync(join(e.home, '.cache', 'sshpod', 'targets'), { recursive: true, force: true });
      const result = await e.ssh(`root@${host}`, ['echo again'], { env: { SSHPOD_LOG_LEVEL: 'debug' } });
      assert.equal(result.stdout, 'again\n', result.stderr);
      assert.match(result.stderr, /reusing ephemeral container sshpod-main/);
    }
    const warm = await e.ssh(`root@${host}`, ['echo warm'], { env: { SSHPOD_LOG_LEVEL: 'debug' } });
    assert.equal(warm.stdout, 'warm\n', warm.stderr);
    assert.match(warm.stderr, /remembered sshd answered with its install id/);
    assert.deepEqual(ephemeral('app'), ['sshpod-main']);
  });

  test('another login name: sessions there run as root, and the message says so', async () => {
    const result = await e.ssh(`nonroot@${host}`, ['true']);
    assert.equal(result.code, 255);
    const [message, hint] = sshpodLines(result.stderr);
    assert.equal(message, `sshpod: sessions in the view of container "main" of pod "app" run as root: it has no shell, and sshpod's ephemeral container gives its view`);
    assert.equal(hint, `hint: ssh root@${host}`);
  });

  test('the exec transport works there too', async () => {
    const result = await e.ssh('root@pod--viaexec.sshpod', ['ls /; exit 3'], { env: { SSHPOD_TRANSPORT: 'exec' } });
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stdout, /^sleeper$/m);
    assert.deepEqual(ephemeral('viaexec'), ['sshpod-main']);
  });

  test('RBAC refusing the ephemeral container: the message names the verb', async () => {
    e.cluster.deny({ user: 'admin', resource: 'pods/ephemeralcontainers', verb: 'patch' });
    try {
      const result = await e.ssh('root@pod--denied.sshpod', ['true']);
      assert.equal(result.code, 255);
      assert.deepEqual(sshpodLines(result.stderr), [
        'sshpod: container "main" of pod "denied" has no shell (sh), and you may not add the ephemeral container sshpod would run sshd in: RBAC denies "patch" on "pods/ephemeralcontainers"',
        'hint: ask your cluster admin for "patch" on "pods/ephemeralcontainers" in namespace "default" (kubectl debug needs it too), or target a container that has a shell (container--NAME)',
      ]);
      assert.deepEqual(ephemeral('denied'), []);
    } finally {
      e.cluster.resetAccess();
    }
  });

  test('a cluster without ephemeral containers: a message, not a hang', async () => {
    e.cluster.setEphemeralContainers(false);
    try {
      const result = await e.ssh('root@pod--off.sshpod', ['true']);
      assert.equal(result.code, 255);
      const [message, hint] = sshpodLines(result.stderr);
      assert.equal(message, 'sshpod: container "main" of pod "off" has no shell (sh), and this cluster does not serve ephemeral containers (pods/ephemeralcontainers: 404), which sshpod needs to reach it');
      assert.match(hint ?? '', /Kubernetes 1\.23\+/);
    } finally {
      e.cluster.setEphemeralContainers(true);
    }
  });

  test('an image that cannot be pulled: the message names SSHPOD_DEBUG_IMAGE', async () => {
    const result = await e.ssh('root@pod--unpullable.sshpod', ['true'], { env: { SSHPOD_DEBUG_IMAGE: 'registry.example.com/tools/nosuch:1' } });
    assert.equal(result.code, 255);
    const [message, hint] = sshpodLines(result.stderr);
    assert.match(message ?? '', /^sshpod: container "main" of pod "unpullable" has no shell \(sh\), and sshpod's ephemeral container sshpod-main cannot start \(ErrImagePull/);
    assert.match(hint ?? '', /set SSHPOD_DEBUG_IMAGE to an image with a shell this cluster can pull/);
  });
});
