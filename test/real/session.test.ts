// A pod deleted under a live session on a real Kubernetes: kube-apiserver 1.20 + kubelet end the
// port-forward with a normal close and no error frame a few seconds after the delete. sshpod
// must say what happened. ssh runs without connection sharing (the harness's default), so the
// proxy's stderr reaches this test.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { container, pod, sshpodLines, type E2E } from '../e2e/harness.ts';
import { realLaneSkipReason, startRealE2E, type RealNamespace } from './harness.ts';

describe('a pod deleted mid-session on a real Kubernetes', { skip: realLaneSkipReason() }, () => {
  let e: E2E<RealNamespace>;
  before(async () => {
    e = await startRealE2E('session', [pod('doomed', { containers: [container('main', 'busybox')] })]);
  });
  after(async () => {
    await e?.stop();
  });

  test('ssh ends with sshpod saying the pod was deleted', async () => {
    const session = e.ssh('root@pod--doomed.sshpod', ['echo started; sleep 600'], { timeoutMs: 300_000 });
    // Wait until the session's command runs in the pod, then delete the pod under it.
    const sessionRuns = `for p in /proc/[0-9]*; do case "$(tr '\\0' ' ' < $p/cmdline 2>/dev/null)" in "sleep 600 "*) echo yes ;; esac; done`;
    for (let i = 0; i < 600 && !(await e.podShell(e.cluster.namespace, 'doomed', 'main', sessionRuns)).includes('yes'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await e.cluster.mustKubectl(['delete', 'pod', 'doomed', '--wait=false']);
    const result = await session;
    assert.equal(result.code, 255, result.stderr);
    assert.match(result.stdout, /started/);
    const lines = sshpodLines(result.stderr);
    assert.match(lines[0] ?? '', new RegExp(`^sshpod: the pod "doomed" in namespace "${e.cluster.namespace}" was deleted during the session`), result.stderr);
    assert.match(lines[1] ?? '', /^hint: connect again/);
  });
});
