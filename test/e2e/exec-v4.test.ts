// Kubernetes before 1.30 offers exec only up to v4.channel.k8s.io, which cannot half-close stdin:
// the install payload and the prepare script must not depend on stdin's end there.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { container, countSshdListeners, e2eSkipReason, pod, startE2E, type E2E } from './harness.ts';

describe('an API server without exec v5 (Kubernetes before 1.30)', { skip: e2eSkipReason() }, () => {
  let e: E2E;
  before(async () => {
    e = await startE2E({
      execProtocols: ['v4.channel.k8s.io'],
      objects: [
        pod('gz', { containers: [container('main', 'busybox')] }),
        pod('raw', { containers: [container('main', 'minimal')] }),
        pod('crowd', { containers: [container('main', 'busybox')] }),
      ],
    });
  });
  after(async () => {
    await e?.stop();
  });

  const execProtocols = (name: string): string[] => e.cluster.requests({ name, subresource: 'exec' }).map((r) => r.protocol);

  test('first and later connections work, with the bundle sent gzip-compressed', async () => {
    const cold = await e.ssh('root@pod--gz.sshpod', ['echo cold'], { env: { SSHPOD_LOG_LEVEL: 'debug' } });
    assert.equal(cold.stdout, 'cold\n', cold.stderr);
    assert.match(cold.stderr, /installing sshd for x86_64 in \S+ \(gzip, \d+ bytes\)/);
    const warm = await e.ssh('root@pod--gz.sshpod', ['echo warm']);
    assert.equal(warm.stdout, 'warm\n', warm.stderr);
    assert.ok(execProtocols('gz').length > 0);
    assert.deepEqual([...new Set(execProtocols('gz'))], ['v4.channel.k8s.io']);
  });

  test('a container without gzip gets the bundle uncompressed', async () => {
    const result = await e.ssh('root@pod--raw.sshpod', ['echo raw'], { env: { SSHPOD_LOG_LEVEL: 'debug' } });
    assert.equal(result.stdout, 'raw\n', result.stderr);
    assert.match(result.stderr, /exec protocol v4\.channel\.k8s\.io/);
    assert.match(result.stderr, /installing sshd for x86_64 in \S+ \(raw, \d+ bytes\)/);
  });

  test('another login name takes the exec path again and works', async () => {
    const result = await e.ssh('daemon@pod--gz.sshpod', ['id -un']);
    assert.equal(result.stdout, 'daemon\n', result.stderr);
  });

  test('10 simultaneous first connections to a fresh pod all succeed, with one sshd', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => e.ssh('root@pod--crowd.sshpod', [`echo ok-${i}`])));
    results.forEach((result, i) => assert.equal(result.stdout, `ok-${i}\n`, `connection ${i}: ${result.stderr}`));
    assert.equal((await e.podShell('default', 'crowd', 'main', countSshdListeners)).trim(), '1');
  });
});
