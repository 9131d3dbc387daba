// Every test image, started for real: what sshpod will find in each.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PodHandle } from './types.ts';
import { container, podSpec, run, sh, skipReason, testRuntime } from './testing.ts';

describe('test images', { skip: skipReason }, () => {
  let runtime: Awaited<ReturnType<typeof testRuntime>>;
  let pod: PodHandle;

  before(async () => {
    runtime = await testRuntime();
    pod = await runtime.startPod(
      podSpec('images', [
        container('debian', 'debian'),
        container('busybox', 'busybox'),
        container('minimal', 'minimal'),
        container('arm64', 'arm64'),
        container('distroless', 'distroless'),
      ]),
    );
  });
  after(() => runtime?.close());

  test('every image runs its default sleeper', () => {
    assert.deepEqual(
      pod.containerStates().map((s) => [s.name, s.running]),
      ['debian', 'busybox', 'minimal', 'arm64', 'distroless'].map((name) => [name, true]),
    );
  });

  test('uname -m is x86_64 natively and aarch64 in arm64 (through qemu-user)', async () => {
    for (const name of ['debian', 'busybox', 'minimal']) assert.equal((await sh(pod, name, 'uname -m')).trim(), 'x86_64', name);
    assert.equal((await sh(pod, 'arm64', 'uname -m')).trim(), 'aarch64');
  });

  test('the hostname is the pod hostname in every container', async () => {
    for (const name of ['debian', 'busybox', 'minimal', 'arm64']) assert.equal((await sh(pod, name, 'hostname')).trim(), 'images', name);
  });

  test('debian has a full userland and users from the host', async () => {
    const tools = ['bash', 'python3', 'rsync', 'xz', 'gzip', 'tar', 'sha256sum', 'mount', 'setsid'];
    await sh(pod, 'debian', tools.map((t) => `command -v ${t} >/dev/null || { echo missing ${t}; exit 1; }`).join('\n'));
    assert.match(await sh(pod, 'debian', 'id nobody'), /uid=65534\(nobody\)/);
  });

  test("debian shows none of the host's own data", async () => {
    const out = await sh(pod, 'debian', 'ls -A /; echo ---; ls -A /root /home /tmp /var/tmp /usr/local/bin /opt; echo ---; ls /etc/ssh');
    const [top = '', emptied = '', ssh = ''] = out.split('---\n');
    assert.doesNotMatch(top, /^work$/m);
    assert.deepEqual(emptied.split('\n').filter((l) => l && !l.endsWith(':')), []);
    assert.doesNotMatch(ssh, /ssh_host_/);
  });

  test('busybox has the archive applets, minimal has none of them', async () => {
    await sh(pod, 'busybox', 'command -v gzip && command -v gunzip && command -v tar && command -v xz && command -v ps && command -v awk');
    for (const tool of ['gzip', 'gunzip', 'zcat', 'xz', 'tar']) {
      const { result } = await run(pod, 'minimal', ['sh', '-c', `command -v ${tool}`]);
      assert.notEqual(result.exitCode, 0, `${tool} is in minimal`);
    }
    await sh(pod, 'minimal', 'command -v ls && command -v head && command -v id');
  });

  test('busybox images have the official passwd (root, nobody)', async () => {
    for (const name of ['busybox', 'minimal', 'arm64']) {
      assert.match(await sh(pod, name, 'cat /etc/passwd'), /^root:x:0:0:root:\/root:\/bin\/sh$/m, name);
      assert.match(await sh(pod, name, 'cat /etc/passwd'), /^nobody:x:65534:65534:/m, name);
    }
  });

  test('distroless has no shell at all', async () => {
    const { result } = await run(pod, 'distroless', ['sh', '-c', 'true']);
    assert.deepEqual(result, { started: false, exitCode: 127, message: 'exec: "sh": executable file not found in $PATH' });
  });
});
