// deploy/gateway/ as an administrator applies it, checked by the server: `kubectl apply
// --dry-run=server` with -k (kustomize) and with -f (the directory), against the test cluster, which
// validates RBAC objects with kube-apiserver's rules. The namespace comes first, for real: a server
// dry run creates nothing, and a real server refuses objects in a namespace that does not exist.
// The same check runs against a real kube-apiserver in test/real/gateway-deploy.test.ts.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster, type Cluster } from '../cluster/index.ts';
import { kubectl as runKubectl, kubectlSkipReason } from '../cluster/compat/helpers.ts';
import { repo } from './harness.ts';

const deployDir = join(repo, 'deploy', 'gateway');

/** The objects deploy/gateway/ holds, as `kind/name` the way kubectl prints them. */
const expected = [
  'namespace/sshpod-gateway',
  'serviceaccount/sshpod-gateway',
  'clusterrole.rbac.authorization.k8s.io/sshpod-gateway',
  'clusterrolebinding.rbac.authorization.k8s.io/sshpod-gateway',
  'role.rbac.authorization.k8s.io/sshpod-gateway-users',
  'rolebinding.rbac.authorization.k8s.io/sshpod-gateway-users',
  'configmap/sshpod-gateway-users',
  'deployment.apps/sshpod-gateway',
  'service/sshpod-gateway',
];

describe('deploy/gateway/ on the test cluster', { skip: kubectlSkipReason(), timeout: 180_000 }, () => {
  let cluster: Cluster;
  let dir: string;
  const k = (args: string[], input?: string) => runKubectl(cluster.kubeconfigPath, join(dir, 'cache'), args, input === undefined ? {} : { input });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sshpod-gateway-deploy-'));
    cluster = await startCluster();
    const ns = await k(['apply', '-f', join(deployDir, '00-namespace.yaml')]);
    assert.equal(ns.code, 0, ns.stderr);
  });
  after(async () => {
    await cluster?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('kubectl apply --dry-run=server -k deploy/gateway/ passes, and stores nothing', async () => {
    const result = await k(['apply', '--dry-run=server', '-k', deployDir]);
    assert.equal(result.code, 0, result.stderr);
    for (const object of expected) assert.match(result.stdout, new RegExp(`^${object.replaceAll('.', '\\.')} (created|configured|unchanged) \\(server dry run\\)$`, 'm'), result.stdout);
    assert.equal(cluster.list('clusterroles').length, 0);
    assert.equal(cluster.list('deployments', 'sshpod-gateway').length, 0);
  });

  test('kubectl apply --dry-run=server -f deploy/gateway/ reads the same objects (not the Kustomization)', async () => {
    assert.ok(readdirSync(deployDir).includes('Kustomization'));
    const result = await k(['apply', '--dry-run=server', '-f', deployDir]);
    assert.equal(result.code, 0, result.stderr);
    for (const object of expected) assert.match(result.stdout, new RegExp(`^${object.replaceAll('.', '\\.')} `, 'm'), result.stdout);
  });

  test('applied for real, the RBAC objects read back as written, and a second apply changes nothing', async () => {
    const files = ['service-account.yaml', 'cluster-role.yaml', 'cluster-role-binding.yaml', 'users-role.yaml', 'users-configmap.yaml'].flatMap((f) => ['-f', join(deployDir, f)]);
    const first = await k(['apply', ...files]);
    assert.equal(first.code, 0, first.stderr);
    const role = JSON.parse((await k(['get', 'clusterrole', 'sshpod-gateway', '-o', 'json'])).stdout) as { rules: { resources: string[]; verbs: string[] }[] };
    assert.ok(role.rules.some((r) => r.resources.includes('users') && r.verbs.includes('impersonate')));
    assert.ok(role.rules.some((r) => r.resources.includes('pods/exec') && r.verbs.includes('create')));
    const binding = JSON.parse((await k(['get', 'rolebinding', '-n', 'sshpod-gateway', 'sshpod-gateway-users', '-o', 'json'])).stdout) as { subjects: { kind: string; name: string }[] };
    assert.deepEqual(binding.subjects.map((s) => `${s.kind}/${s.name}`), ['ServiceAccount/sshpod-gateway']);
    const again = await k(['apply', ...files]);
    assert.equal(again.code, 0, again.stderr);
    assert.doesNotMatch(again.stdout, / (created|configured)$/m, again.stdout);
  });

  test('a wrong RBAC manifest is refused in kube-apiserver\'s words', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(
      file,
      [
        'apiVersion: rbac.authorization.k8s.io/v1',
        'kind: ClusterRoleBinding',
        'metadata: { name: "bad:binding" }',
        'roleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: x }',
        'subjects: [{ kind: ServiceAccount, name: sshpod-gateway }]',
        '---',
        'apiVersion: rbac.authorization.k8s.io/v1',
        'kind: ClusterRole',
        'metadata: { name: "bad:role" }',
        'rules: [{ resources: [pods] }]',
        '',
      ].join('\n'),
    );
    const result = await k(['apply', '--dry-run=server', '-f', file]);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /ClusterRoleBinding\.rbac\.authorization\.k8s\.io "bad:binding" is invalid: .*roleRef\.kind: Unsupported value: "Role"/);
    assert.match(result.stderr, /subjects\[0\]\.namespace: Required value/);
    assert.match(result.stderr, /ClusterRole\.rbac\.authorization\.k8s\.io "bad:role" is invalid: .*rules\[0\]\.verbs: Required value: verbs must contain at least one value/);
  });
});
