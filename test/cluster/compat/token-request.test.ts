// The real `kubectl create token` against the test cluster's TokenRequest: a token bound to a pod
// (kubectl sends the request as protobuf), accepted as the ServiceAccount, refused by RBAC where
// the account has no right, and rejected (401) once the pod is deleted — as kube-apiserver does.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster, type Cluster } from '../index.ts';
import { kubectl as runKubectl, kubectlSkipReason } from './helpers.ts';

describe('kubectl create token against the test cluster', { skip: kubectlSkipReason(), timeout: 120_000 }, () => {
  let cluster: Cluster;
  let dir: string;
  let kubeconfig: string;
  const k = (args: string[]) => runKubectl(kubeconfig, join(dir, 'cache'), args);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sshpod-token-'));
    cluster = await startCluster({
      objects: [
        { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'alice', namespace: 'default' } },
        { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'ws', namespace: 'default' }, spec: { serviceAccountName: 'alice', containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'] }] } },
      ],
    });
    kubeconfig = await cluster.writeKubeconfig(join(dir, 'kubeconfig'));
  });

  after(async () => {
    await cluster?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('a pod-bound token acts as the ServiceAccount until the pod is gone', async () => {
    const uid = (cluster.get('pods', 'default', 'ws') as { metadata: { uid: string } }).metadata.uid;
    const created = await k(['create', 'token', 'alice', '--bound-object-kind', 'Pod', '--bound-object-name', 'ws', '--bound-object-uid', uid, '--duration', '10m']);
    assert.equal(created.code, 0, created.stderr);
    const token = created.stdout.trim();
    assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as { exp: number; iat: number; 'kubernetes.io': { pod?: { uid: string } } };
    assert.equal(claims.exp - claims.iat, 600, 'the duration kubectl asked for');
    assert.equal(claims['kubernetes.io'].pod?.uid, uid, 'bound to the pod');

    const listed = await k(['--token', token, 'get', 'pods', '-o', 'name']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.equal(listed.stdout, 'pod/ws\n');
    assert.ok(cluster.requests({ user: 'system:serviceaccount:default:alice', resource: 'pods', verb: 'list' }).length > 0, 'as the ServiceAccount');

    cluster.deny({ user: 'system:serviceaccount:default:alice', resource: 'secrets' });
    const refused = await k(['--token', token, 'get', 'secrets']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /secrets is forbidden: User "system:serviceaccount:default:alice" cannot list resource "secrets" in API group "" in the namespace "default"/);
    cluster.resetAccess();

    const deleted = await k(['delete', 'pod', 'ws', '--wait=true']);
    assert.equal(deleted.code, 0, deleted.stderr);
    const after = await k(['--token', token, 'get', 'pods']);
    assert.equal(after.code, 1);
    assert.match(after.stderr, /You must be logged in to the server \(Unauthorized\)/);
  });

  test('refusals: too short, a missing account, a pod of another account', async () => {
    const short = await k(['create', 'token', 'alice', '--duration', '5m']);
    assert.equal(short.code, 1);
    assert.match(short.stderr, /may not specify a duration less than 10 minutes/);
    const missing = await k(['create', 'token', 'bob']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /serviceaccounts "bob" not found/);
    await cluster.apply({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'other', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'] }] } }, { wait: true });
    const other = await k(['create', 'token', 'alice', '--bound-object-kind', 'Pod', '--bound-object-name', 'other']);
    assert.equal(other.code, 1);
    assert.match(other.stderr, /cannot bind token for serviceaccount "alice" to pod running with different serviceaccount name/);
  });
});
