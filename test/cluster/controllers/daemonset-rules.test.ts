import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject, PodSpec } from '../api/types.ts';
import { daemonPodPlacement, maxUnavailable, nodeWantsDaemon, targetNodeName } from './daemonset-rules.ts';

const node = (labels: Record<string, string>, taints: { key: string; value?: string; effect: string }[] = []): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name: 'n', labels },
  spec: { taints },
});

const spec = (extra: Partial<PodSpec> = {}): PodSpec => ({ containers: [{ name: 'c', image: 'busybox' }], ...extra });

test('which nodes a daemon runs on: nodeSelector and untolerated taints', () => {
  const cases: [string, KubeObject, PodSpec, boolean][] = [
    ['any node without a selector', node({}), spec(), true],
    ['selector matches', node({ disk: 'ssd', zone: 'a' }), spec({ nodeSelector: { disk: 'ssd' } }), true],
    ['selector does not match', node({ disk: 'hdd' }), spec({ nodeSelector: { disk: 'ssd' } }), false],
    ['a NoSchedule taint keeps it out', node({}, [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }]), spec(), false],
    ['a PreferNoSchedule taint does not', node({}, [{ key: 'dedicated', effect: 'PreferNoSchedule' }]), spec(), true],
    ['a matching Equal toleration lets it in', node({}, [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }]), spec({ tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'db' }] }), true],
    ['a toleration for another value does not', node({}, [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }]), spec({ tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'web' }] }), false],
    ['an empty-key Exists toleration tolerates everything', node({}, [{ key: 'x', effect: 'NoExecute' }]), spec({ tolerations: [{ operator: 'Exists' }] }), true],
    ['the controller tolerates unschedulable nodes itself', node({}, [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }]), spec(), true],
    ['network-unavailable only with hostNetwork', node({}, [{ key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' }]), spec(), false],
    ['network-unavailable with hostNetwork', node({}, [{ key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' }]), spec({ hostNetwork: true }), true],
  ];
  for (const [name, n, s, want] of cases) assert.equal(nodeWantsDaemon(n, s), want, name);
});

test('a daemon pod is pinned to its node by affinity and found there again', () => {
  const s = spec({ affinity: { podAntiAffinity: { x: 1 }, nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [] } }, tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 }] });
  daemonPodPlacement(s, 'node-1');
  assert.deepEqual(s.affinity, {
    podAntiAffinity: { x: 1 },
    nodeAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [],
      requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-1'] }] }] },
    },
  });
  const tolerations = s.tolerations as { key: string; effect: string; tolerationSeconds?: number }[];
  assert.equal(tolerations.length, 6); // the pod's own not-ready toleration is kept, not doubled
  assert.equal(tolerations[0]?.tolerationSeconds, 5);
  const pod = (extra: Partial<PodSpec>): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: {}, spec: { ...s, ...extra } });
  assert.equal(targetNodeName(pod({})), 'node-1');
  assert.equal(targetNodeName(pod({ nodeName: 'bound' })), 'bound');
  assert.equal(targetNodeName({ apiVersion: 'v1', kind: 'Pod', metadata: {}, spec: spec() }), undefined);
});

test('rolling update budget: maxUnavailable as a number or a percentage rounded up, at least 1', () => {
  const cases: [unknown, number, number][] = [
    [undefined, 3, 1],
    [{ rollingUpdate: { maxUnavailable: 2 } }, 3, 2],
    [{ rollingUpdate: { maxUnavailable: '50%' } }, 3, 2],
    [{ rollingUpdate: { maxUnavailable: '10%' } }, 1, 1],
    [{ rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } }, 4, 1],
  ];
  for (const [strategy, desired, want] of cases) assert.equal(maxUnavailable(strategy, desired), want, JSON.stringify(strategy));
});
