// The relay's ends: a normal close exits 0; a stream that breaks ends ssh promptly with a message.
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
});
