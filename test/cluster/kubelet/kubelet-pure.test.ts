import { test } from 'node:test';
import assert from 'node:assert/strict';
import { imageNameOf } from './image-name.ts';
import { containerEnv, expand, serviceEnv } from './container-env.ts';
import { runtimeSpec } from './runtime-spec.ts';
import { runningPodStatus } from './pod-status.ts';
import type { Pod } from '../api/types.ts';

test('image references map to runtime images by their last path element', () => {
  const cases: [string, string | undefined][] = [
    ['busybox', 'busybox'],
    ['docker.io/library/busybox:1.36', 'busybox'],
    ['localhost:5000/team/debian@sha256:abcd', 'debian'],
    ['gcr.io/distroless/static:nonroot', undefined],
    ['ghcr.io/x/distroless:latest', 'distroless'],
    ['nginx', undefined],
  ];
  for (const [ref, want] of cases) assert.equal(imageNameOf(ref), want, ref);
});

test('the kubernetes service variables, as kubelet sets them', () => {
  assert.deepEqual(Object.fromEntries(serviceEnv([{ name: 'kubernetes', clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP' }] }])), {
    KUBERNETES_SERVICE_HOST: '10.96.0.1',
    KUBERNETES_SERVICE_PORT: '443',
    KUBERNETES_SERVICE_PORT_HTTPS: '443',
    KUBERNETES_PORT: 'tcp://10.96.0.1:443',
    KUBERNETES_PORT_443_TCP: 'tcp://10.96.0.1:443',
    KUBERNETES_PORT_443_TCP_PROTO: 'tcp',
    KUBERNETES_PORT_443_TCP_PORT: '443',
    KUBERNETES_PORT_443_TCP_ADDR: '10.96.0.1',
  });
});

test('$(VAR) expansion and $$ escapes', () => {
  const env: Record<string, string> = { A: 'x' };
  assert.equal(expand('$(A)-$(B)-$$(A)-$', (n) => env[n]), 'x-$(B)-$(A)-$');
});

const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-1', namespace: 'shop', uid: 'u-1', resourceVersion: '1', creationTimestamp: '2024-01-01T00:00:00Z', labels: { app: 'web' }, annotations: { 'sshpod.test/noexec-tmp': 'true' } },
  spec: {
    nodeName: 'node',
    containers: [
      {
        name: 'app',
        image: 'docker.io/library/busybox:1.36',
        command: ['sh', '-c', 'echo $(GREETING)'],
        env: [
          { name: 'GREETING', value: 'hi $(POD_NAME)' },
          { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          { name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
          { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
          { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
          { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
        ],
        securityContext: { runAsUser: 1000, readOnlyRootFilesystem: true },
        workingDir: '/tmp',
        volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }],
      },
    ],
    volumes: [{ name: 'scratch', emptyDir: { medium: 'Memory' } }],
    securityContext: { runAsGroup: 2000 },
  },
} as unknown as Pod;

const noSources = { configMap: () => undefined, secret: () => undefined };

test('downward API env, HOSTNAME, service variables and knobs reach the runtime spec', () => {
  const built = runtimeSpec(pod, { podIP: '10.244.0.9', hostIP: '172.18.0.2', services: [{ name: 'kubernetes', clusterIP: '10.96.0.1', ports: [{ port: 443 }] }], sources: noSources });
  assert.ok('spec' in built);
  const c = built.spec.containers[0];
  assert.ok(c);
  assert.equal(c.image, 'busybox');
  assert.equal(c.env.HOSTNAME, 'web-1');
  assert.equal(c.env.POD_NAME, 'web-1');
  assert.equal(c.env.NS, 'shop');
  assert.equal(c.env.IP, '10.244.0.9');
  assert.equal(c.env.NODE, 'node');
  assert.equal(c.env.APP, 'web');
  assert.equal(c.env.GREETING, 'hi $(POD_NAME)', 'references to later variables stay unexpanded, as in kubelet');
  assert.equal(c.env.KUBERNETES_SERVICE_HOST, '10.96.0.1');
  assert.deepEqual(c.command, ['sh', '-c', 'echo hi $(POD_NAME)']);
  assert.equal(c.runAsUser, 1000);
  assert.equal(c.runAsGroup, 2000);
  assert.equal(c.readOnlyRootFilesystem, true);
  assert.equal(c.noexecTmp, true);
  assert.equal(c.workingDir, '/tmp');
  assert.deepEqual(built.spec.volumes, [{ name: 'scratch', emptyDir: { medium: 'Memory' } }]);
});

test('an unknown image leaves the pod waiting with ErrImagePull; a missing ConfigMap with CreateContainerConfigError', () => {
  const nginx = { ...pod, spec: { ...pod.spec, containers: [{ name: 'app', image: 'nginx:1.27' }], volumes: [] } } as Pod;
  const built = runtimeSpec(nginx, { podIP: '', hostIP: '', services: [], sources: noSources });
  assert.ok('waiting' in built);
  assert.equal(built.waiting.reason, 'ErrImagePull');
  assert.match(built.waiting.message ?? '', /Failed to pull image "nginx:1.27"/);
  assert.throws(() => containerEnv(nginx, { name: 'x', env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'k' } } }] }, { podIP: '', hostIP: '', services: [], sources: noSources }), /configmap "cfg" not found/);
});

test('pod status: Running and Ready while containers run; Succeeded/Failed when all exit (no restarts)', () => {
  const started = new Date('2024-01-01T00:00:01Z');
  const running = runningPodStatus(pod, [{ name: 'app', running: true, startedAt: started }], '10.244.0.9', '172.18.0.2');
  assert.equal(running.phase, 'Running');
  assert.equal(running.podIP, '10.244.0.9');
  assert.deepEqual(running.conditions?.map((c) => `${c.type}=${c.status}`), ['PodReadyToStartContainers=True', 'Initialized=True', 'Ready=True', 'ContainersReady=True', 'PodScheduled=True']);
  assert.deepEqual(running.containerStatuses?.[0]?.state, { running: { startedAt: '2024-01-01T00:00:01Z' } });
  const never = { ...pod, spec: { ...pod.spec, restartPolicy: 'Never' } } as Pod;
  const failed = runningPodStatus(never, [{ name: 'app', running: false, exitCode: 2, startedAt: started, finishedAt: started }], '10.244.0.9', '172.18.0.2');
  assert.equal(failed.phase, 'Failed');
  assert.equal(failed.containerStatuses?.[0]?.state.terminated?.reason, 'Error');
  assert.equal(failed.conditions?.find((c) => c.type === 'Ready')?.reason, 'PodCompleted');
});
