// A pod deleted while sshpod is preparing it: the person reads that the pod went away, not
// whatever the broken exec said (which, from kubelet, quoted sshpod's whole script).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { container, e2eSkipReason, hasStackTrace, pod, sshpodLines, startE2E, type E2E } from './harness.ts';

describe('a pod that goes away during a connect', { skip: e2eSkipReason() }, () => {
  let e: E2E;
  before(async () => {
    e = await startE2E({ objects: [pod('doomed', { containers: [container('main', 'busybox')] })] });
  });
  after(async () => {
    await e?.stop();
  });

  test('deleted while sshpod waits to prepare it: the message says so', async () => {
    const uid = (e.cluster.get('pods', 'default', 'doomed') as unknown as { metadata: { uid: string } }).metadata.uid;
    // Another connection "holds the lock" (PID 1 is alive), so the script waits: delete the pod then.
    await e.podShell('default', 'doomed', 'main', `mkdir -p /tmp/sshpod/${uid}/main/lock && echo 1 > /tmp/sshpod/${uid}/main/lock/pid`);
    const connecting = e.ssh('root@pod--doomed.sshpod', ['true']);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await e.cluster.delete('pods', 'default', 'doomed', { wait: true });
    const result = await connecting;
    assert.equal(result.code, 255);
    assert.ok(!hasStackTrace(result.stderr), result.stderr);
    const [message, hint] = sshpodLines(result.stderr);
    assert.match(message ?? '', /^sshpod: the pod "doomed" in namespace "default" was deleted while sshpod was preparing it/);
    assert.match(hint ?? '', /^hint: connect again/);
    assert.ok(!result.stderr.includes('sh -c'), 'the script is not quoted at the person');
  });
});
