// Controllers against the in-process registry (no runtime: pods are marked ready by hand).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Store } from '../api/store.ts';
import { Registry } from '../api/registry.ts';
import { resourceByName } from '../api/resources.ts';
import type { ResourceType } from '../api/resources.ts';
import type { Pod, StoredObject } from '../api/types.ts';
import { startControllers } from './index.ts';

const type = (name: string) => resourceByName(name) as ResourceType;

async function settle(): Promise<void> {
  for (let i = 0; i < 30; i++) await new Promise((r) => setImmediate(r));
}

function cluster(): { r: Registry; stop(): void } {
  const store = new Store();
  const r = new Registry(store);
  const fail = (key: string, error: unknown) => assert.fail(`${key}: ${String(error)}`);
  const controllers = startControllers(r, store, 'CA', fail);
  r.create(type('namespaces'), '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
  r.create(type('nodes'), '', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node', labels: { 'kubernetes.io/hostname': 'node' } } });
  return { r, stop: () => controllers.forEach((c) => c.stop()) };
}

function markReady(r: Registry, p: StoredObject, phase = 'Running'): void {
  r.bind(p.metadata.namespace ?? '', p.metadata.name, 'node');
  r.mutate(type('pods'), p.metadata.namespace ?? '', p.metadata.name, (o) => {
    o.status = { phase, conditions: [{ type: 'Ready', status: phase === 'Running' ? 'True' : 'False' }] };
  }, 'status');
}

const template = (app: string) => ({ metadata: { labels: { app } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });

test('deployment → replicaset → pods with owner references, pod-template-hash and status', async () => {
  const { r, stop } = cluster();
  r.create(type('deployments'), 'default', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: template('web') } });
  await settle();
  const [rs] = r.list(type('replicasets'), 'default').items;
  assert.ok(rs);
  const hash = rs.metadata.labels?.['pod-template-hash'];
  assert.equal(rs.metadata.name, `web-${hash}`);
  assert.equal(rs.metadata.ownerReferences?.[0]?.kind, 'Deployment');
  assert.equal(rs.metadata.annotations?.['deployment.kubernetes.io/revision'], '1');
  const pods = r.list(type('pods'), 'default').items;
  assert.equal(pods.length, 2);
  for (const p of pods) {
    assert.match(p.metadata.name, new RegExp(`^web-${hash}-[a-z0-9]{5}$`));
    assert.equal(p.metadata.labels?.['pod-template-hash'], hash);
    assert.deepEqual(p.metadata.ownerReferences?.map((o) => [o.kind, o.name, o.controller]), [['ReplicaSet', rs.metadata.name, true]]);
    markReady(r, p);
  }
  await settle();
  const d = r.get(type('deployments'), 'default', 'web');
  assert.deepEqual((({ observedGeneration, replicas, updatedReplicas, readyReplicas, availableReplicas }) => ({ observedGeneration, replicas, updatedReplicas, readyReplicas, availableReplicas }))(d.status as Record<string, number>), { observedGeneration: 1, replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2 });

  r.delete(type('deployments'), 'default', 'web', { propagationPolicy: 'Background' });
  await settle();
  assert.equal(r.list(type('replicasets'), 'default').items.length, 0);
  assert.equal(r.list(type('pods'), 'default').items.filter((p) => !p.metadata.deletionTimestamp).length, 0);
  stop();
});

test('statefulset pods get ordinal names, one at a time until each is ready', async () => {
  const { r, stop } = cluster();
  r.create(type('statefulsets'), 'default', { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db' }, spec: { replicas: 2, serviceName: 'db', selector: { matchLabels: { app: 'db' } }, template: template('db') } });
  await settle();
  assert.deepEqual(r.list(type('pods'), 'default').items.map((p) => p.metadata.name), ['db-0']);
  const first = r.get(type('pods'), 'default', 'db-0') as Pod;
  assert.equal(first.spec.hostname, 'db-0');
  assert.equal(first.spec.subdomain, 'db');
  assert.equal(first.metadata.labels?.['statefulset.kubernetes.io/pod-name'], 'db-0');
  markReady(r, first);
  await settle();
  assert.deepEqual(r.list(type('pods'), 'default').items.map((p) => p.metadata.name), ['db-0', 'db-1']);
  stop();
});

test('job pods carry job-name and controller-uid labels; success completes the job', async () => {
  const { r, stop } = cluster();
  const job = r.create(type('jobs'), 'default', { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'once' }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } } });
  await settle();
  const [p] = r.list(type('pods'), 'default').items;
  assert.ok(p);
  assert.deepEqual(
    Object.fromEntries(['batch.kubernetes.io/job-name', 'job-name', 'controller-uid', 'batch.kubernetes.io/controller-uid'].map((k) => [k, p.metadata.labels?.[k]])),
    { 'batch.kubernetes.io/job-name': 'once', 'job-name': 'once', 'controller-uid': job.metadata.uid, 'batch.kubernetes.io/controller-uid': job.metadata.uid },
  );
  markReady(r, p, 'Succeeded');
  await settle();
  const done = r.get(type('jobs'), 'default', 'once');
  const conditions = (done.status as { conditions?: { type: string; status: string }[] }).conditions ?? [];
  assert.ok(conditions.some((c) => c.type === 'Complete' && c.status === 'True'));
  assert.equal((done.status as { succeeded?: number }).succeeded, 1);
  stop();
});

test('daemonset: one pod per node with revision labels, status, rolling update, garbage collection', async () => {
  const { r, stop } = cluster();
  const ds = r.create(type('daemonsets'), 'default', { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent' }, spec: { selector: { matchLabels: { app: 'agent' } }, template: template('agent') } });
  assert.deepEqual(ds.status, { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 });
  assert.deepEqual((ds.spec as Record<string, unknown>).updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
  await settle();
  const [first, ...others] = r.list(type('pods'), 'default').items as Pod[];
  assert.ok(first);
  assert.equal(others.length, 0);
  assert.match(first.metadata.name, /^agent-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  const hash = first.metadata.labels?.['controller-revision-hash'];
  assert.deepEqual(first.metadata.labels, { app: 'agent', 'controller-revision-hash': hash, 'pod-template-generation': '1' });
  assert.deepEqual(first.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: ds.metadata.uid, controller: true, blockOwnerDeletion: true }]);
  assert.deepEqual(first.spec.affinity, { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node'] }] }] } } });
  assert.ok((first.spec.tolerations as { key: string }[]).some((t) => t.key === 'node.kubernetes.io/unschedulable'));
  const waiting = r.get(type('daemonsets'), 'default', 'agent').status;
  assert.deepEqual(waiting, { currentNumberScheduled: 1, numberMisscheduled: 0, desiredNumberScheduled: 1, numberReady: 0, observedGeneration: 1, updatedNumberScheduled: 1, numberUnavailable: 1 });
  markReady(r, first);
  await settle();
  assert.deepEqual(r.get(type('daemonsets'), 'default', 'agent').status, { currentNumberScheduled: 1, numberMisscheduled: 0, desiredNumberScheduled: 1, numberReady: 1, observedGeneration: 1, updatedNumberScheduled: 1, numberAvailable: 1 });

  // A new template: the old pod goes (maxUnavailable 1), a new one with the new labels comes.
  r.patch(type('daemonsets'), 'default', 'agent', 'merge', { spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox:1.37' }] } } } });
  await settle();
  const active = (r.list(type('pods'), 'default').items as Pod[]).filter((p) => !p.metadata.deletionTimestamp);
  assert.equal(active.length, 1);
  const second = active[0] as Pod;
  assert.notEqual(second.metadata.name, first.metadata.name);
  assert.notEqual(second.metadata.labels?.['controller-revision-hash'], hash);
  assert.equal(second.metadata.labels?.['pod-template-generation'], '2');
  assert.ok(r.get(type('pods'), 'default', first.metadata.name).metadata.deletionTimestamp);
  markReady(r, second);
  await settle();
  const rolled = r.get(type('daemonsets'), 'default', 'agent').status as Record<string, number>;
  assert.deepEqual([rolled.observedGeneration, rolled.updatedNumberScheduled, rolled.numberAvailable], [2, 1, 1]);

  r.delete(type('daemonsets'), 'default', 'agent', { propagationPolicy: 'Background' });
  await settle();
  assert.equal(r.list(type('pods'), 'default').items.filter((p) => !p.metadata.deletionTimestamp).length, 0);
  stop();
});

test('daemonset: a nodeSelector no node matches runs nothing until a node gets the label', async () => {
  const { r, stop } = cluster();
  const spec = { selector: { matchLabels: { app: 'gpu' } }, template: { ...template('gpu'), spec: { nodeSelector: { gpu: 'yes' }, containers: [{ name: 'c', image: 'busybox' }] } } };
  r.create(type('daemonsets'), 'default', { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'gpu' }, spec });
  await settle();
  assert.equal(r.list(type('pods'), 'default').items.length, 0);
  assert.deepEqual(r.get(type('daemonsets'), 'default', 'gpu').status, { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0, observedGeneration: 1 });
  r.patch(type('nodes'), '', 'node', 'merge', { metadata: { labels: { gpu: 'yes' } } });
  await settle();
  assert.equal(r.list(type('pods'), 'default').items.length, 1);
  stop();
});

test('a deleted namespace is emptied, then removed; new namespaces get a default service account', async () => {
  const { r, stop } = cluster();
  r.create(type('namespaces'), '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'tmp' } });
  await settle();
  assert.ok(r.tryGet(type('serviceaccounts'), 'tmp', 'default'));
  r.create(type('pods'), 'tmp', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
  r.delete(type('namespaces'), '', 'tmp');
  await settle();
  assert.equal(r.tryGet(type('namespaces'), '', 'tmp'), undefined);
  stop();
});
