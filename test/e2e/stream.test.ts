// The relay's ends: a normal close exits 0; a stream that breaks ends ssh promptly with a message —
// on stderr when ssh shows it, else (sharing on) in the record sshpod last-error reads.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { container, e2eSkipReason, pod, sshpodLines, startE2E } from './harness.ts';

describe('the relay', { skip: e2eSkipReason() }, () => {
  test('when the API server goes away mid-session, ssh ends at once with sshpod\'s message', async () => {
    const e = await startE2E({ objects: [pod('api', { containers: [container('main', 'busybox')] })] });
    let stopped = false;
    try {
      assert.equal((await e.ssh('root@pod--api.sshpod', ['true'])).code, 0);
      const session = e.ssh('root@pod--api.sshpod', ['echo started; sleep 60'], { sshOptions: ['-o', 'ServerAliveInterval=0'], timeoutMs: 30_000 });
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const started = Date.now();
      await e.cluster.stop();
      stopped = true;
      const result = await session;
      assert.ok(Date.now() - started < 15_000, 'no hang');
      assert.equal(result.code, 255);
      assert.match(result.stdout, /started/);
      assert.match(sshpodLines(result.stderr).join('\n'), /^sshpod: the connection to port \d+ of pod "api" broke: /m, result.stderr);
    } finally {
      if (!stopped) await e.cluster.stop();
      await e.stop().catch(() => undefined);
    }
  });

  test('through the block as configured (sharing on), a stream broken mid-session is kept for sshpod last-error', async () => {
    const e = await startE2E({ objects: [pod('api', { containers: [container('main', 'busybox')] })] });
    let stopped = false;
    try {
      // ssh runs the proxy with stderr on /dev/null, and the stream now belongs to the pod's sshd:
      // nothing can be said through ssh any more, so the record is where the message goes.
      const session = e.asPerson(['ssh', '-F', e.sshConfig, '-o', 'ServerAliveInterval=0', 'root@pod--api.sshpod', 'echo started; sleep 60'], { timeoutMs: 60_000 });
      await new Promise((resolve) => setTimeout(resolve, 4000));
      await e.cluster.stop();
      stopped = true;
      const result = await session;
      assert.equal(result.code, 255);
      assert.match(result.stdout, /started/);
      const shown = await e.sshpod(['last-error']);
      const [head, message, hint] = shown.stdout.split('\n');
      assert.match(head ?? '', /^last failure: root@pod--api\.sshpod, \d+ seconds? ago \(.*\), shown nowhere \(ssh had sent stderr to \/dev\/null and the session had started\)$/);
      assert.match(message ?? '', /^sshpod: the connection to port \d+ of pod "api" broke: /);
      assert.match(hint ?? '', /^hint: /);
    } finally {
      if (!stopped) await e.cluster.stop();
      await e.stop().catch(() => undefined);
    }
  });
});
