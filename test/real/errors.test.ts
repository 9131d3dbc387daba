// The real lane's failures, as a user sees them through ssh: a missing pod, a container without a
// shell, RBAC users holding only `get` or only `create` on pods/exec and pods/portforward (1.20
// checks `get` for WebSocket upgrades: sshpod must name that verb), and a ServiceAccount token.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { container, hasStackTrace, pod, sshpodLines, type E2E } from '../e2e/harness.ts';
import { realLaneSkipReason, startRealE2E, type RealNamespace } from './harness.ts';

describe('sshpod failures on a real Kubernetes', { skip: realLaneSkipReason() }, () => {
  let e: E2E<RealNamespace>;
  let ns: string;
  before(async () => {
    e = await startRealE2E('errors', [
      pod('api', { containers: [container('main', 'busybox')] }),
      pod('readers', { containers: [container('main', 'busybox')] }),
      pod('creators', { containers: [container('main', 'busybox')] }),
      pod('robot', { containers: [container('main', 'busybox')] }),
      pod('distroless', { containers: [container('main', 'distroless')] }),
    ]);
    ns = e.cluster.namespace;
  });
  after(async () => {
    await e?.stop();
  });

  const failure = async (host: string, env: Record<string, string> = {}): Promise<string[]> => {
    const result = await e.ssh(`root@${host}`, ['true'], { env });
    assert.equal(result.code, 255, `ssh must fail: ${result.stdout} ${result.stderr}`);
    assert.ok(!hasStackTrace(result.stderr), `no stack trace:\n${result.stderr}`);
    const lines = sshpodLines(result.stderr);
    assert.equal(lines.length, 2, `one message and one hint:\n${result.stderr}`);
    return lines;
  };

  test('a pod that does not exist lists the pods there', async () => {
    const [message, hint] = await failure('pod--apx.sshpod');
    assert.equal(message, `sshpod: pod "apx" not found in namespace "${ns}"`);
    assert.equal(hint, `hint: pods in namespace "${ns}": api, creators, distroless, readers, robot`);
  });

  test('a container without a shell on 1.20, whose ephemeral containers are off (or the pre-1.23 API)', async () => {
    const [message, hint] = await failure('pod--distroless.sshpod');
    assert.match(message ?? '', /^sshpod: container "main" of pod "distroless" has no shell \(sh\), and this cluster('s ephemeral containers API is an older one| does not serve ephemeral containers)/);
    assert.match(hint ?? '', /Kubernetes 1\.23\+|kubectl debug -it distroless -n \S+ --image=busybox --target=main/);
  });

  test('a user with only `get` on pods/exec and pods/portforward gets in: 1.20 checks get for WebSockets', async () => {
    const kubeconfig = e.cluster.writeKubeconfigFor(join(e.home, 'get-only.kubeconfig'), 'getOnly');
    const result = await e.ssh('root@pod--readers.sshpod', ['echo in'], { env: { KUBECONFIG: kubeconfig } });
    assert.equal(result.stdout, 'in\n', result.stderr);
  });

  test('a user with only `create` is refused, and the message and hint name the verb the server checked: get', async () => {
    const kubeconfig = e.cluster.writeKubeconfigFor(join(e.home, 'create-only.kubeconfig'), 'createOnly');
    const [message, hint] = await failure('pod--creators.sshpod', { KUBECONFIG: kubeconfig });
    assert.equal(
      message,
      `sshpod: not allowed to get pods/exec "creators" in namespace "${ns}": pods "creators" is forbidden: User "sshpod-create-only" cannot get resource "pods/exec" in API group "" in the namespace "${ns}"`,
    );
    assert.match(hint ?? '', new RegExp(`^hint: ask your cluster admin for RBAC permission to get pods/exec in namespace "${ns}" \\(sshpod needs .*get and create on pods/exec and pods/portforward\\)$`));
  });

  test("a ServiceAccount token kubeconfig bound to the README's Role", async () => {
    const kubeconfig = e.cluster.serviceAccountKubeconfig(join(e.home, 'robot.kubeconfig'));
    const result = await e.ssh('root@pod--robot.sshpod', ['echo robot'], { env: { KUBECONFIG: kubeconfig } });
    assert.equal(result.stdout, 'robot\n', result.stderr);
  });
});
