// The scheduler's nodeSelector check and the events scheduler and kubelet record about pods.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unschedulableMessage } from './scheduling.ts';
import { podEventObject } from './events.ts';
import type { KubeObject, Pod } from '../api/types.ts';

const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', labels: { 'kubernetes.io/os': 'linux', 'kubernetes.io/hostname': 'n1' } } } as unknown as KubeObject;
const pod = (nodeSelector?: Record<string, string>): Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns', uid: 'u1' }, spec: { containers: [{ name: 'c', image: 'busybox' }], ...(nodeSelector ? { nodeSelector } : {}) } }) as unknown as Pod;

test("a nodeSelector the node's labels satisfy schedules; another leaves the pod unschedulable, in kube-scheduler's words", () => {
  assert.equal(unschedulableMessage(pod(), node), undefined);
  assert.equal(unschedulableMessage(pod({ 'kubernetes.io/os': 'linux' }), node), undefined);
  assert.match(unschedulableMessage(pod({ pool: 'gpu' }), node) ?? '', /^0\/1 nodes are available: 1 node\(s\) didn't match Pod's node affinity\/selector\./);
});

test('an event names its pod by uid, its source and its container', () => {
  const event = podEventObject(pod(), { type: 'Warning', reason: 'Failed', message: 'Error: ErrImagePull', component: 'kubelet', fieldPath: 'spec.containers{c}' }, 'n1', new Date('2025-01-01T00:00:00Z')) as Record<string, unknown>;
  assert.match((event['metadata'] as { name: string }).name, /^p\.[0-9a-f]{16}$/);
  assert.deepEqual(event['involvedObject'], { kind: 'Pod', namespace: 'ns', name: 'p', uid: 'u1', apiVersion: 'v1', fieldPath: 'spec.containers{c}' });
  assert.deepEqual(event['source'], { component: 'kubelet', host: 'n1' });
  assert.equal(event['lastTimestamp'], '2025-01-01T00:00:00Z');
  assert.equal(event['type'], 'Warning');
  assert.deepEqual(podEventObject(pod(), { type: 'Normal', reason: 'Scheduled', message: 'm', component: 'default-scheduler' }, 'n1')['source'], { component: 'default-scheduler' });
});
