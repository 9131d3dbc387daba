// Every kind of container sshpod meets: glibc and busybox userlands, one without gzip, arm64 under
// emulation, non-root with and without a passwd entry, and no usable /tmp.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { container, e2eSkipReason, pod, startE2E, type E2E } from './harness.ts';

const emptyDir = (name: string, mountPath: string): { volumes: object[]; mounts: object[] } => ({
  volumes: [{ name, emptyDir: {} }],
  mounts: [{ name, mountPath }],
});

describe('every image through sshpod', { skip: e2eSkipReason() }, () => {
  let e: E2E;
  before(async () => {
    const scratch = emptyDir('scratch', '/scratch');
    e = await startE2E({
      objects: [
        pod('deb', { containers: [container('main', 'debian:12')] }),
        pod('bb', { containers: [container('main', 'busybox:1.36')] }),
        pod('minimal', { containers: [container('main', 'minimal')] }),
        pod('arm', { containers: [container('main', 'arm64')] }),
        pod('nobody', { containers: [container('main', 'busybox', { securityContext: { runAsUser: 65534, runAsGroup: 65534 } })] }),
        pod('nameless', { containers: [container('main', 'busybox', { securityContext: { runAsUser: 4242, runAsGroup: 4242 } })] }),
        pod('noexec', { containers: [container('main', 'busybox')] }, { annotations: { 'sshpod.test/noexec-tmp': 'true' } }),
        pod(
          'readonly',
          {
            volumes: scratch.volumes,
            containers: [container('main', 'busybox', { securityContext: { readOnlyRootFilesystem: true }, volumeMounts: scratch.mounts })],
          },
          { annotations: { 'sshpod.test/readonly-tmp': 'true' } },
        ),
      ],
    });
  });
  after(async () => {
    await e?.stop();
  });

  const where = async (host: string, user = 'root'): Promise<{ out: string; dir: string }> => {
    const result = await e.ssh(`${user}@${host}`, ['echo "$(id -u) $(uname -m)"'], { env: { SSHPOD_LOG_LEVEL: 'info' } });
    assert.equal(result.code, 0, result.stderr);
    const dir = /sshd listens on 127\.0\.0\.1:\d+ in (\S+)/.exec(result.stderr)?.[1] ?? '';
    return { out: result.stdout.trim(), dir };
  };

  test('debian (glibc, bash)', async () => {
    assert.equal((await where('pod--deb.sshpod')).out, '0 x86_64');
  });

  test('busybox', async () => {
    assert.equal((await where('pod--bb.sshpod')).out, '0 x86_64');
  });

  test('minimal: no gzip, so sshd travels uncompressed', async () => {
    assert.equal((await where('pod--minimal.sshpod')).out, '0 x86_64');
  });

  test('arm64: the arm64 sshd, under emulation', async () => {
    assert.equal((await where('pod--arm.sshpod')).out, '0 aarch64');
  });

  test('non-root with a passwd entry: that user logs in', async () => {
    assert.equal((await where('pod--nobody.sshpod', 'nobody')).out, '65534 x86_64');
  });

  test('non-root without a passwd entry: any name maps to the container uid', async () => {
    assert.equal((await where('pod--nameless.sshpod', 'dev')).out, '4242 x86_64');
    assert.equal((await where('pod--nameless.sshpod', 'root')).out, '4242 x86_64');
  });

  test('a noexec /tmp: sshd goes somewhere it can run', async () => {
    const { out, dir } = await where('pod--noexec.sshpod');
    assert.equal(out, '0 x86_64');
    assert.ok(dir && !dir.startsWith('/tmp/'), `installed in ${dir}`);
  });

  test('a read-only root and /tmp: sshd goes to a writable volume', async () => {
    const { out, dir } = await where('pod--readonly.sshpod');
    assert.equal(out, '0 x86_64');
    assert.ok(dir && !dir.startsWith('/tmp/'), `installed in ${dir}`);
  });
});
