import { test } from 'node:test';
import assert from 'node:assert/strict';
import { choosePod, describePodState } from '../../src/resolve/choose-pod.ts';
import { chooseContainer } from '../../src/resolve/choose-container.ts';
import type { Pod } from '../../src/kube/types.ts';

function pod(name: string, created: string, phase: string, ready: boolean, extra: Partial<Pod['metadata']> = {}): Pod {
  return {
    metadata: { name, creationTimestamp: created, ...extra },
    status: { phase, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  };
}

test('the oldest ready pod is chosen, whatever the list order', () => {
  const pods = [
    pod('web-c', '2026-01-03T00:00:00Z', 'Running', true),
    pod('web-a', '2026-01-02T00:00:00Z', 'Running', true),
    pod('web-old', '2026-01-01T00:00:00Z', 'Running', false),
    pod('web-pending', '2026-01-01T00:00:00Z', 'Pending', false),
  ];
  assert.equal(choosePod(pods, 'deployment', 'web', 'ns').metadata.name, 'web-a');
  assert.equal(choosePod([...pods].reverse(), 'deployment', 'web', 'ns').metadata.name, 'web-a');
});

test('same age: the name decides', () => {
  const pods = [pod('web-b', '2026-01-01T00:00:00Z', 'Running', true), pod('web-a', '2026-01-01T00:00:00Z', 'Running', true)];
  assert.equal(choosePod(pods, 'deployment', 'web', 'ns').metadata.name, 'web-a');
});

test('statefulsets prefer the lowest ordinal', () => {
  const pods = [
    pod('db-10', '2026-01-01T00:00:00Z', 'Running', true),
    pod('db-2', '2026-01-01T00:00:00Z', 'Running', true),
    pod('db-0', '2026-01-05T00:00:00Z', 'Running', true),
  ];
  assert.equal(choosePod(pods, 'statefulset', 'db', 'ns').metadata.name, 'db-0');
});

test('without a ready pod, a running one is chosen; terminating pods never are', () => {
  const pods = [
    pod('job-a', '2026-01-01T00:00:00Z', 'Running', false, { deletionTimestamp: '2026-01-02T00:00:00Z' }),
    pod('job-b', '2026-01-02T00:00:00Z', 'Running', false),
  ];
  assert.equal(choosePod(pods, 'job', 'job', 'ns').metadata.name, 'job-b');
});

test('no running pod: the error lists the pods and their states', () => {
  const waiting: Pod = {
    metadata: { name: 'web-x' },
    status: { phase: 'Pending', containerStatuses: [{ name: 'c', state: { waiting: { reason: 'ErrImagePull' } } }] },
  };
  const done = pod('web-y', '2026-01-01T00:00:00Z', 'Succeeded', false);
  assert.throws(() => choosePod([waiting, done], 'deployment', 'web', 'shop'), {
    message: 'deployment "web" in namespace "shop" has no running pod: web-x (Pending (ErrImagePull)), web-y (Succeeded)',
  });
  assert.throws(() => choosePod([], 'job', 'migrate', 'shop'), { message: 'job "migrate" in namespace "shop" has no pods' });
});

test('pod states read like kubectl', () => {
  assert.equal(describePodState(pod('a', '', 'Running', false)), 'Running, not ready');
  assert.equal(describePodState(pod('a', '', 'Running', true)), 'Running');
});

const twoContainers: Pod = {
  metadata: { name: 'api', annotations: {} },
  spec: { containers: [{ name: 'app' }, { name: 'sidecar' }] },
};

test('containers: named, annotated default, only one, or an error listing them', () => {
  assert.equal(chooseContainer(twoContainers, 'sidecar'), 'sidecar');
  assert.throws(() => chooseContainer(twoContainers, 'nope'), {
    message: 'pod "api" has no container "nope"; its containers: app, sidecar',
  });
  assert.throws(() => chooseContainer(twoContainers, undefined), {
    message: 'pod "api" has 2 containers (app, sidecar); say which one',
  });
  const annotated: Pod = {
    ...twoContainers,
    metadata: { name: 'api', annotations: { 'kubectl.kubernetes.io/default-container': 'sidecar' } },
  };
  assert.equal(chooseContainer(annotated, undefined), 'sidecar');
  assert.equal(chooseContainer({ metadata: { name: 'x' }, spec: { containers: [{ name: 'only' }] } }, undefined), 'only');
});
