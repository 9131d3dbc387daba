// The relay's ends: a normal close exits 0; a stream that breaks ends ssh promptly with a message —
// on stderr when ssh shows it, else (sharing on) in the record sshpod last-error reads; a pod deleted
// under a live session (a normal close, no error frame, as kubelet does it) is named.
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

  test('a pod deleted mid-session: the stream just ends, and sshpod says the pod was deleted', async () => {
    // ControlMaster is off in the harness, so the proxy's stderr reaches the test (under the block's
    // ControlPersist OpenSSH would discard it).
    const e = await startE2E({ portForwardCloseDelayMs: 300, objects: [pod('doomed', { containers: [container('main', 'busybox')] })] });
    try {
      const session = e.ssh('root@pod--doomed.sshpod', ['echo started; sleep 60'], { timeoutMs: 60_000 });
      const running = `for p in /proc/[0-9]*; do case "$(tr '\\0' ' ' < $p/cmdline 2>/dev/null)" in "sleep 60 "*) echo yes ;; esac; done`;
      for (let i = 0; i < 300 && !(await e.podShell('default', 'doomed', 'main', running)).includes('yes'); i++) await new Promise((r) => setTimeout(r, 100));
      const forwards = e.cluster.requests({ name: 'doomed', subresource: 'portforward' }).length;
      await e.cluster.delete('pods', 'default', 'doomed');
      const result = await session;
      assert.equal(result.code, 255, result.stderr);
      assert.match(result.stdout, /started/);
      assert.deepEqual(sshpodLines(result.stderr), [
        'sshpod: the pod "doomed" in namespace "default" was deleted during the session',
        'hint: connect again to reach the pod that replaces it (a deployment--/statefulset--… hostname picks a ready one)',
      ]);
      assert.equal(e.cluster.requests({ name: 'doomed', subresource: 'portforward' }).length, forwards, 'no new port-forward: the answer came from one GET');
    } finally {
      await e.stop();
    }
  });
});
