// The real lane: the kubectl workstation's token against kube-apiserver v1.20 — sshpod's
// TokenRequest bound to the pod is accepted as the ServiceAccount, RBAC applies, and the API
// server rejects the token once the pod is deleted. The lane's pods cannot reach the API server
// (no kube-proxy, no route from the pod network to the host), so the token is used from the host
// with the lane's own server address; kubectl inside a pod is the stand-in's e2e/workstation.test.ts.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, type E2E } from '../e2e/harness.ts';
import { forRealCluster } from './cluster/config.ts';
import { realLaneSkipReason, startRealE2E, type RealNamespace } from './harness.ts';

const HOST = 'root@template--kubectl.sshpod';
const ACCOUNT = 'sshpod-kubectl';

describe('kubectl workstation on a real Kubernetes', { skip: realLaneSkipReason() }, () => {
  let e: E2E<RealNamespace>;
  before(async () => {
    e = await startRealE2E('workstation', []);
    await e.cluster.mustKubectl(['create', 'serviceaccount', ACCOUNT]);
    await e.cluster.mustKubectl(['create', 'rolebinding', 'workstation-view', '--clusterrole=view', `--serviceaccount=${e.cluster.namespace}:${ACCOUNT}`]);
    // The built-in template, with the lane's rules for pods (its node, its images).
    const dir = join(e.home, '.config', 'sshpod', 'templates');
    mkdirSync(dir, { recursive: true });
    const template = forRealCluster({ apiVersion: 'v1', kind: 'Pod', metadata: { annotations: { 'sshpod/kubectl-service-account': ACCOUNT } }, spec: { containers: [{ name: 'kubectl', image: 'debian' }] } });
    writeFileSync(join(dir, 'kubectl.yaml'), JSON.stringify(template));
  });
  after(async () => {
    spawnSync('ssh', ['-F', e.sshConfig, '-O', 'exit', HOST], { env: e.env, stdio: 'ignore', timeout: 10_000 });
    await e?.stop();
  });

  test("the pod-bound token acts as the ServiceAccount, and the API server rejects it once the pod is deleted", async () => {
    const shown = await e.ssh(HOST, ['cat "$KUBECONFIG"; stat -c %a "$KUBECONFIG"'], { shared: true });
    assert.equal(shown.code, 0, shown.stderr);
    const [json, mode] = shown.stdout.trim().split('\n');
    assert.equal(mode, '600');
    const config = JSON.parse(json ?? '') as { clusters: Array<{ cluster: { server: string } }>; users: Array<{ user: { token: string } }>; contexts: Array<{ context: { namespace: string } }> };
    assert.match(config.clusters[0]?.cluster.server ?? '', /^https:\/\/10\.\d+\.\d+\.\d+:443$/, 'the in-cluster address');
    assert.equal(config.contexts[0]?.context.namespace, e.cluster.namespace);
    const token = config.users[0]?.user.token ?? '';
    const kubeconfig = e.cluster.writeKubeconfigFor(join(e.home, 'workstation.kubeconfig'), { name: 'workstation', token });
    const k = (args: string[]) => run('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', join(e.home, 'kcache'), ...args], { env: e.env });

    const listed = await k(['get', 'pods', '-o', 'name']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /^pod\/sshpod-kubectl-[a-z0-9]{5}$/m);
    const refused = await k(['get', 'secrets']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, new RegExp(`User "system:serviceaccount:${e.cluster.namespace}:${ACCOUNT}" cannot list resource "secrets"`));

    const exit = spawnSync('ssh', ['-F', e.sshConfig, '-O', 'exit', HOST], { env: e.env, encoding: 'utf8', timeout: 10_000 });
    assert.equal(exit.status, 0, exit.stderr);
    // The pod is deleted with a 2 s grace period; the token is invalid once that has passed (the
    // kubelet may take a minute more to remove the object).
    let last = '';
    for (let i = 0; i < 120; i++) {
      const after = await k(['get', 'pods']);
      last = after.stderr;
      if (after.code !== 0 && /You must be logged in to the server/.test(after.stderr)) return;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    assert.fail(`the token still works after the pod's deletion: ${last}`);
  });
});
