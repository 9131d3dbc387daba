// Error bodies as clients receive them: 401, 403 (also on an exec upgrade, where clients show
// the body of the refused upgrade), 404, 409, 422 — through @kubernetes/client-node and raw HTTPS.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import * as k8s from '@kubernetes/client-node';
import { startCluster } from '../index.ts';
import type { Cluster } from '../index.ts';
import { clusterSkipReason, execWithClientNode } from './helpers.ts';

const skip = clusterSkipReason();

function get(cluster: Cluster, path: string, headers: Record<string, string>): Promise<{ code: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = https.request(`${cluster.server}${path}`, { ca: cluster.caPem, headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ code: res.statusCode ?? 0, body: JSON.parse(text) as unknown }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('Status bodies', { skip, timeout: 120_000 }, () => {
  let cluster: Cluster;
  let core: k8s.CoreV1Api;

  before(async () => {
    cluster = await startCluster({ objects: [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { containers: [{ name: 'main', image: 'busybox', command: ['sleep', '3600'] }] } }] });
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(cluster.kubeconfigPath);
    core = kc.makeApiClient(k8s.CoreV1Api);
  });

  after(async () => {
    await cluster?.stop();
  });

  test('401 without credentials or with a wrong token', async () => {
    const expected = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 };
    assert.deepEqual(await get(cluster, '/api/v1/namespaces/default/pods', {}), { code: 401, body: expected });
    assert.deepEqual(await get(cluster, '/api/v1/namespaces/default/pods', { Authorization: 'Bearer wrong' }), { code: 401, body: expected });
  });

  test('403 from the authorisation table, for a list and for an exec upgrade', async () => {
    const token = cluster.user('admin').token ?? '';
    cluster.deny({ user: 'admin', verb: 'list', resource: 'pods', namespace: 'default' });
    cluster.deny({ user: 'admin', verb: 'create', resource: 'pods/exec', namespace: 'default' });
    try {
      assert.deepEqual(await get(cluster, '/api/v1/namespaces/default/pods', { Authorization: `Bearer ${token}` }), {
        code: 403,
        body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'pods is forbidden: User "admin" cannot list resource "pods" in API group "" in the namespace "default"', reason: 'Forbidden', details: { kind: 'pods' }, code: 403 },
      });
      await assert.rejects(execWithClientNode(cluster.kubeconfigPath, 'default', 'web', 'main', ['true']), (e: unknown) => /Unexpected server response: 403/.test((e as { message?: string }).message ?? ''));
      const upgrade = { Authorization: `Bearer ${token}`, Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Protocol': 'v5.channel.k8s.io' };
      assert.deepEqual(await get(cluster, '/api/v1/namespaces/default/pods/web/exec?command=true&stdout=true', upgrade), {
        code: 403,
        body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'pods "web" is forbidden: User "admin" cannot create resource "pods/exec" in API group "" in the namespace "default"', reason: 'Forbidden', details: { name: 'web', kind: 'pods' }, code: 403 },
      });
      cluster.allow({ user: 'admin', resource: 'pods/exec', namespace: 'default' });
      assert.equal((await execWithClientNode(cluster.kubeconfigPath, 'default', 'web', 'main', ['true'])).exitCode, 0);
    } finally {
      cluster.resetAccess();
    }
    const log = cluster.requests({ subresource: 'exec', code: 403 });
    assert.equal(log.length, 2);
    assert.equal(log[0]?.user, 'admin');
  });

  test('404, 409 and 422 through CoreV1Api', async () => {
    const bodyOf = async (p: Promise<unknown>): Promise<{ code: number; message: string; reason: string }> => {
      try {
        await p;
      } catch (error) {
        const e = error as { code: number; body: string };
        const body = JSON.parse(e.body) as { message: string; reason: string };
        return { code: e.code, message: body.message, reason: body.reason };
      }
      assert.fail('expected an error');
    };
    const pod = (name: string) => ({ metadata: { name }, spec: { containers: [{ name: 'main', image: 'busybox' }] } });
    assert.deepEqual(await bodyOf(core.readNamespacedPod({ namespace: 'default', name: 'nope' })), { code: 404, message: 'pods "nope" not found', reason: 'NotFound' });
    assert.deepEqual(await bodyOf(core.createNamespacedPod({ namespace: 'missing', body: pod('x') })), { code: 404, message: 'namespaces "missing" not found', reason: 'NotFound' });
    assert.deepEqual(await bodyOf(core.createNamespacedPod({ namespace: 'default', body: pod('web') })), { code: 409, message: 'pods "web" already exists', reason: 'AlreadyExists' });
    const invalid = await bodyOf(core.createNamespacedPod({ namespace: 'default', body: pod('Bad_Name') }));
    assert.equal(invalid.code, 422);
    assert.equal(invalid.reason, 'Invalid');
    assert.match(invalid.message, /^Pod "Bad_Name" is invalid: metadata\.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of/);
  });

  test('watch from a list resourceVersion sees later changes', async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(cluster.kubeconfigPath);
    const list = await core.listNamespacedPod({ namespace: 'default' });
    const events: string[] = [];
    const watch = new k8s.Watch(kc);
    let seen: () => void = () => {};
    const gotDeleted = new Promise<void>((resolve) => (seen = resolve));
    const req = await watch.watch('/api/v1/namespaces/default/pods', { resourceVersion: list.metadata?.resourceVersion, fieldSelector: 'metadata.name=watched' }, (type, obj: k8s.V1Pod) => {
      events.push(`${type} ${obj.metadata?.name}`);
      if (type === 'DELETED') seen();
    }, () => {});
    await core.createNamespacedPod({ namespace: 'default', body: { metadata: { name: 'watched' }, spec: { containers: [{ name: 'main', image: 'busybox', command: ['sleep', '3600'] }] } } });
    await cluster.waitForPod('default', 'watched', 'Ready');
    await core.deleteNamespacedPod({ namespace: 'default', name: 'watched' });
    await gotDeleted;
    req.abort();
    assert.equal(events[0], 'ADDED watched');
    assert.ok(events.includes('MODIFIED watched'));
    assert.equal(events[events.length - 1], 'DELETED watched');
  });
});
