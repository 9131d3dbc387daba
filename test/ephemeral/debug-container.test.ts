// sshpod's ephemeral container, as values: its name, spec and patch, what the pod says about it,
// and when to reuse one or add another.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_DEBUG_IMAGE, MARKER_VARIABLE, addPatch, debugContainerName, debugContainerSpec, debugImage, debugState, decide, refusedByPolicy } from '../../src/ephemeral/debug-container.ts';
import type { ContainerStatus, Pod } from '../../src/kube/types.ts';
import { SshpodError } from '../../src/errors.ts';

test('the image: SSHPOD_DEBUG_IMAGE, else busybox; nonsense is a usage error', () => {
  assert.equal(debugImage({}), DEFAULT_DEBUG_IMAGE);
  assert.equal(debugImage({ SSHPOD_DEBUG_IMAGE: ' registry.example.com:5000/mirror/busybox:1.36@sha256:abc ' }), 'registry.example.com:5000/mirror/busybox:1.36@sha256:abc');
  assert.throws(() => debugImage({ SSHPOD_DEBUG_IMAGE: 'busybox; rm -rf /' }), (error: SshpodError) => error.kind === 'usage' && /SSHPOD_DEBUG_IMAGE/.test(error.message));
});

test('names are DNS labels of at most 63 characters, distinct per target and number', () => {
  assert.equal(debugContainerName('main'), 'sshpod-main');
  assert.equal(debugContainerName('main', 2), 'sshpod-main-2');
  const long = 'a'.repeat(63);
  for (const n of [1, 2, 12]) {
    const name = debugContainerName(long, n);
    assert.ok(name.length <= 63, name);
    assert.match(name, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  }
  assert.notEqual(debugContainerName(`${'b'.repeat(60)}-x`), debugContainerName(`${'b'.repeat(60)}-y`));
});

test('the spec targets the container, holds itself open, carries the marker; the patch merges by name', () => {
  const spec = debugContainerSpec('sshpod-main', 'main', 'busybox:1.36');
  assert.equal(spec.targetContainerName, 'main');
  assert.deepEqual(spec.env, [{ name: MARKER_VARIABLE, value: 'main' }]);
  assert.deepEqual(JSON.parse(addPatch(spec)), { spec: { ephemeralContainers: [spec] } });
  // Deterministic: two connections adding it at once send the same patch.
  assert.equal(addPatch(spec), addPatch(debugContainerSpec('sshpod-main', 'main', 'busybox:1.36')));
});

const status = (name: string, state: ContainerStatus['state']): ContainerStatus => ({ name, state });
function podWith(ephemeral: Array<{ name: string; target: string; image?: string; ours?: boolean }>, statuses: ContainerStatus[]): Pod {
  return {
    metadata: { name: 'p', uid: 'u' },
    spec: {
      containers: [{ name: 'main' }, { name: 'sshpod-main-3' }],
      ephemeralContainers: ephemeral.map((c) => ({ name: c.name, image: c.image ?? 'busybox:1.36', targetContainerName: c.target, env: c.ours === false ? [] : [{ name: MARKER_VARIABLE, value: c.target }] })),
    },
    status: { ephemeralContainerStatuses: statuses },
  };
}

test('the state the pod reports', () => {
  const pod = podWith([], [
    status('a', { running: {} }),
    status('b', { waiting: { reason: 'ContainerCreating' } }),
    status('c', { waiting: { reason: 'ErrImagePull', message: 'not found' } }),
    status('d', { terminated: { reason: 'Error', exitCode: 137 } }),
  ]);
  assert.deepEqual(debugState(pod, 'a'), { state: 'running' });
  assert.deepEqual(debugState(pod, 'b'), { state: 'starting', reason: 'ContainerCreating' });
  assert.deepEqual(debugState(pod, 'c'), { state: 'failed', reason: 'ErrImagePull', message: 'not found' });
  assert.deepEqual(debugState(pod, 'd'), { state: 'ended', reason: 'Error' });
  assert.deepEqual(debugState(pod, 'unknown'), { state: 'starting', reason: 'ContainerCreating' });
});

test('reuse the newest of ours that can serve; add the next free name otherwise', () => {
  const cases: Array<[string, Pod, string, ReturnType<typeof decide>]> = [
    ['none yet', podWith([], []), 'busybox:1.36', { add: 'sshpod-main' }],
    ['ours runs', podWith([{ name: 'sshpod-main', target: 'main' }], [status('sshpod-main', { running: {} })]), 'busybox:1.36', { use: 'sshpod-main' }],
    ['ours is starting', podWith([{ name: 'sshpod-main', target: 'main' }], []), 'busybox:1.36', { use: 'sshpod-main' }],
    ["someone else's kubectl debug is not ours", podWith([{ name: 'sshpod-main', target: 'main', ours: false }], [status('sshpod-main', { running: {} })]), 'busybox:1.36', { add: 'sshpod-main-2' }],
    ['ours ended with its target: a new one, past taken names', podWith([{ name: 'sshpod-main', target: 'main' }, { name: 'sshpod-main-2', target: 'main' }], [status('sshpod-main', { terminated: { exitCode: 137 } }), status('sshpod-main-2', { terminated: { exitCode: 137 } })]), 'busybox:1.36', { add: 'sshpod-main-4' }],
    ['ours cannot pull the same image: reused (and its error shown)', podWith([{ name: 'sshpod-main', target: 'main' }], [status('sshpod-main', { waiting: { reason: 'ErrImagePull' } })]), 'busybox:1.36', { use: 'sshpod-main' }],
    ['ours cannot pull, and another image is asked for now', podWith([{ name: 'sshpod-main', target: 'main' }], [status('sshpod-main', { waiting: { reason: 'ErrImagePull' } })]), 'mirror/busybox:1.36', { add: 'sshpod-main-2' }],
    ['ours for another container', podWith([{ name: 'sshpod-side', target: 'side' }], [status('sshpod-side', { running: {} })]), 'busybox:1.36', { add: 'sshpod-main' }],
  ];
  for (const [name, pod, image, expected] of cases) assert.deepEqual(decide(pod, 'main', image), expected, name);
});

test('with ptrace the spec holds SYS_PTRACE, as kubectl debug --profile=general does; without, no securityContext', () => {
  assert.deepEqual(debugContainerSpec('sshpod-main', 'main', 'busybox:1.36', true).securityContext, { capabilities: { add: ['SYS_PTRACE'] } });
  assert.equal(debugContainerSpec('sshpod-main', 'main', 'busybox:1.36').securityContext, undefined);
});

test('an admission policy refusing the spec is told from RBAC refusing the verb', () => {
  const cases: Array<[string, boolean]> = [
    ['pods "web-1" is forbidden: violates PodSecurity "baseline:latest": non-default capabilities (container "sshpod-main" must not include "SYS_PTRACE" in securityContext.capabilities.add)', true],
    ['admission webhook "validate.kyverno.svc-fail" denied the request: policy disallow-capabilities', true],
    ['pods "web-1" is forbidden: User "bob" cannot patch resource "pods/ephemeralcontainers" in API group "" in the namespace "shop"', false],
    ['not allowed to patch pods/ephemeralcontainers', false],
  ];
  for (const [message, policy] of cases) assert.equal(refusedByPolicy(message), policy, message);
});
