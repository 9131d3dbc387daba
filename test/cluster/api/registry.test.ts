import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Store } from './store.ts';
import { Registry } from './registry.ts';
import { statusOf } from '../testing.ts';
import { resourceByName } from './resources.ts';
import type { ResourceType } from './resources.ts';
import type { Pod, Workload } from './types.ts';

const pods = resourceByName('pods') as ResourceType;
const namespaces = resourceByName('namespaces') as ResourceType;
const deployments = resourceByName('deployments') as ResourceType;

function registry(): Registry {
  const r = new Registry(new Store());
  r.create(namespaces, '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
  return r;
}

const pod = (name: string, extra: object = {}) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, ...extra }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });

test('create fills system fields and defaults, as kube-apiserver does', () => {
  const r = registry();
  const created = r.create(pods, 'default', { ...pod(''), metadata: { generateName: 'web-' } }) as Pod;
  assert.match(created.metadata.name, /^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  assert.match(created.metadata.uid, /^[0-9a-f-]{36}$/);
  assert.match(created.metadata.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(created.metadata.namespace, 'default');
  assert.equal(created.spec.restartPolicy, 'Always');
  assert.equal(created.spec.serviceAccountName, 'default');
  assert.equal(created.spec.containers[0]?.imagePullPolicy, 'Always');
  assert.equal(created.status?.phase, 'Pending');
});

test('404 for a missing namespace, 409 for a duplicate, 422 for a bad name', () => {
  const r = registry();
  assert.deepEqual(
    (({ code, message }) => ({ code, message }))(statusOf(() => r.create(pods, 'nope', pod('a')))),
    { code: 404, message: 'namespaces "nope" not found' },
  );
  r.create(pods, 'default', pod('a'));
  assert.equal(statusOf(() => r.create(pods, 'default', pod('a'))).reason, 'AlreadyExists');
  assert.equal(statusOf(() => r.create(pods, 'default', pod('Bad_Name'))).code, 422);
  assert.equal(statusOf(() => r.get(pods, 'default', 'zzz')).message, 'pods "zzz" not found');
});

test('optimistic concurrency: a stale resourceVersion conflicts; a no-op update changes nothing', () => {
  const r = registry();
  const created = r.create(pods, 'default', pod('a'));
  const labelled = r.patch(pods, 'default', 'a', 'merge', { metadata: { labels: { x: '1' } } });
  assert.notEqual(labelled.metadata.resourceVersion, created.metadata.resourceVersion);
  assert.equal(statusOf(() => r.update(pods, 'default', 'a', created)).reason, 'Conflict');
  const again = r.update(pods, 'default', 'a', labelled);
  assert.equal(again.metadata.resourceVersion, labelled.metadata.resourceVersion);
});

test('generation counts spec changes only; a running pod spec is immutable except images', () => {
  const r = registry();
  const d = r.create(deployments, 'default', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd' },
    spec: { selector: { matchLabels: { app: 'd' } }, template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
  }) as Workload;
  assert.equal(d.metadata.generation, 1);
  assert.equal(d.spec.replicas, 1);
  assert.equal(r.patch(deployments, 'default', 'd', 'merge', { metadata: { labels: { a: 'b' } } }).metadata.generation, 1);
  assert.equal(r.patch(deployments, 'default', 'd', 'merge', { spec: { replicas: 3 } }).metadata.generation, 2);
  r.create(pods, 'default', pod('p'));
  assert.equal(r.patch(pods, 'default', 'p', 'strategic', { spec: { containers: [{ name: 'c', image: 'debian' }] } }).metadata.name, 'p');
  const forbidden = statusOf(() => r.patch(pods, 'default', 'p', 'strategic', { spec: { containers: [{ name: 'c', command: ['x'] }] } }));
  assert.equal(forbidden.code, 422);
  assert.match(forbidden.message ?? '', /spec: Forbidden: pod updates may not change fields other than/);
});

test('selector must match template labels (422)', () => {
  const r = registry();
  const status = statusOf(() =>
    r.create(deployments, 'default', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd' },
      spec: { selector: { matchLabels: { app: 'x' } }, template: { metadata: { labels: { app: 'y' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
    }),
  );
  assert.match(status.message ?? '', /spec.template.metadata.labels: Invalid value: .*`selector` does not match template `labels`/);
});

test('pod deletion: graceful once on a node, immediate before; namespaces terminate', () => {
  const r = registry();
  r.create(pods, 'default', pod('unbound'));
  assert.equal(r.delete(pods, 'default', 'unbound').removed, true);
  r.create(pods, 'default', pod('bound'));
  r.bind('default', 'bound', 'node');
  const result = r.delete(pods, 'default', 'bound');
  assert.equal(result.removed, false);
  assert.ok(result.object.metadata.deletionTimestamp);
  assert.equal(result.object.metadata.deletionGracePeriodSeconds, 30);
  assert.equal(r.delete(pods, 'default', 'bound', { gracePeriodSeconds: 0 }).removed, true);
  assert.equal(statusOf(() => r.delete(namespaces, '', 'default')).message, 'namespaces "default" is forbidden: this namespace may not be deleted');
  r.create(namespaces, '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'tmp' } });
  const ns = r.delete(namespaces, '', 'tmp');
  assert.equal((ns.object.status as { phase: string }).phase, 'Terminating');
  assert.match(statusOf(() => r.create(pods, 'tmp', pod('late'))).message ?? '', /unable to create new content in namespace tmp because it is being terminated/);
});

test('watch history: events after a resourceVersion, or expired', () => {
  const store = new Store();
  const r = new Registry(store);
  const start = Number(store.resourceVersion());
  r.create(namespaces, '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' } });
  r.create(namespaces, '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'b' } });
  assert.deepEqual(store.eventsSince(start)?.map((e) => `${e.type} ${e.object.metadata.name}`), ['ADDED a', 'ADDED b']);
  assert.deepEqual(store.eventsSince(start + 1)?.map((e) => e.object.metadata.name), ['b']);
  assert.equal(store.eventsSince(1), undefined);
});
