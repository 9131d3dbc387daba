// Getting sshpod's ephemeral container running, against a fake API server: the round trips of
// reuse and of adding it, and each refusal in words.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureDebugContainer } from '../../src/ephemeral/ensure-debug-container.ts';
import { MARKER_VARIABLE } from '../../src/ephemeral/debug-container.ts';
import { SshpodError } from '../../src/errors.ts';
import type { Pod } from '../../src/kube/types.ts';
import { fakeApi } from '../reach/fake-api.ts';

const target = { namespace: 'shop', pod: 'web-1', podUid: 'uid-1', container: 'main' };
const podPath = '/api/v1/namespaces/shop/pods/web-1';
const subresource = `${podPath}/ephemeralcontainers`;

function pod(ephemeral: boolean, state?: object): Pod {
  return {
    metadata: { name: 'web-1', uid: 'uid-1' },
    spec: {
      containers: [{ name: 'main' }],
      ...(ephemeral ? { ephemeralContainers: [{ name: 'sshpod-main', image: 'busybox:1.36', targetContainerName: 'main', env: [{ name: MARKER_VARIABLE, value: 'main' }] }] } : {}),
    },
    status: state ? { ephemeralContainerStatuses: [{ name: 'sshpod-main', state }] } : {},
  };
}

const refuse = (error: SshpodError) => async () => {
  throw error;
};

test('a running one is reused: one GET', async () => {
  const api = fakeApi({ get: { [podPath]: pod(true, { running: {} }) }, upgrade: () => assert.fail('no upgrade') });
  assert.equal(await ensureDebugContainer(api, target, 'busybox:1.36'), 'sshpod-main');
  assert.deepEqual(api.requests, [`GET ${podPath}`]);
});

test('none yet: one PATCH of the subresource, then GETs until it runs', async () => {
  let gets = 0;
  const api = fakeApi({
    get: {
      [subresource]: pod(true, { waiting: { reason: 'ContainerCreating' } }),
      [podPath]: async () => (gets++ === 0 ? pod(false) : pod(true, { running: {} })),
    },
    upgrade: () => assert.fail('no upgrade'),
  });
  assert.equal(await ensureDebugContainer(api, target, 'busybox:1.36'), 'sshpod-main');
  assert.deepEqual(api.requests, [`GET ${podPath}`, `PATCH ${subresource}`, `GET ${podPath}`]);
});

test('RBAC: the verb and subresource are named', async () => {
  const api = fakeApi({ get: { [podPath]: pod(false), [subresource]: refuse(new SshpodError('forbidden', 'not allowed to patch pods/ephemeralcontainers')) }, upgrade: () => assert.fail() });
  await assert.rejects(ensureDebugContainer(api, target, 'busybox:1.36'), (error: SshpodError) => {
    assert.equal(error.kind, 'forbidden');
    assert.match(error.message, /RBAC denies "patch" on "pods\/ephemeralcontainers"$/);
    assert.match(error.hint ?? '', /ask your cluster admin for "patch" on "pods\/ephemeralcontainers" in namespace "shop"/);
    return true;
  });
});

test('a cluster that does not serve the subresource', async () => {
  const api = fakeApi({ get: { [podPath]: pod(false), [subresource]: refuse(new SshpodError('not-found', 'the server could not find the requested resource')) }, upgrade: () => assert.fail() });
  await assert.rejects(ensureDebugContainer(api, target, 'busybox:1.36'), /does not serve ephemeral containers \(pods\/ephemeralcontainers: 404\)/);
});

test('a pre-1.23 server that answers without our container', async () => {
  const api = fakeApi({ get: { [podPath]: pod(false), [subresource]: pod(false) }, upgrade: () => assert.fail() });
  await assert.rejects(ensureDebugContainer(api, target, 'busybox:1.36'), /ephemeral containers API is an older one/);
});

test('an image that cannot be pulled: a message naming SSHPOD_DEBUG_IMAGE, at once', async () => {
  const api = fakeApi({ get: { [podPath]: pod(true, { waiting: { reason: 'ErrImagePull', message: 'pull access denied' } }) }, upgrade: () => assert.fail() });
  await assert.rejects(ensureDebugContainer(api, target, 'busybox:1.36'), (error: SshpodError) => {
    assert.match(error.message, /cannot start \(ErrImagePull: pull access denied\)/);
    assert.match(error.hint ?? '', /SSHPOD_DEBUG_IMAGE/);
    return true;
  });
});

test('a pod replaced meanwhile is named, not mistaken for the target', async () => {
  const api = fakeApi({ get: { [podPath]: { ...pod(true, { running: {} }), metadata: { name: 'web-1', uid: 'uid-2' } } }, upgrade: () => assert.fail() });
  await assert.rejects(ensureDebugContainer(api, target, 'busybox:1.36'), /was replaced/);
});

/** The fake API, with the body of each request kept. */
function recording(api: ReturnType<typeof fakeApi>): { api: ReturnType<typeof fakeApi>; bodies: unknown[] } {
  const bodies: unknown[] = [];
  const inner = api.request.bind(api);
  api.request = (async (method: Parameters<typeof api.request>[0], path: string, operation: unknown, options?: { body?: unknown }) => {
    if (options?.body !== undefined) bodies.push(JSON.parse(String(options.body)));
    return inner(method, path, operation as never, options as never);
  }) as typeof api.request;
  return { api, bodies };
}

const capabilities = (body: unknown): unknown => (body as { spec: { ephemeralContainers: Array<{ securityContext?: unknown }> } }).spec.ephemeralContainers[0]?.securityContext;

test('added with SYS_PTRACE (a target of another user needs it) when the namespace allows it: one PATCH', async () => {
  let gets = 0;
  const { api, bodies } = recording(
    fakeApi({
      get: { [subresource]: pod(true, { waiting: { reason: 'ContainerCreating' } }), [podPath]: async () => (gets++ === 0 ? pod(false) : pod(true, { running: {} })) },
      upgrade: () => assert.fail('no upgrade'),
    }),
  );
  assert.equal(await ensureDebugContainer(api, target, 'busybox:1.36'), 'sshpod-main');
  assert.deepEqual(bodies.map(capabilities), [{ capabilities: { add: ['SYS_PTRACE'] } }]);
});

test('PodSecurity refusing SYS_PTRACE: the same container again without it, a second PATCH', async () => {
  let gets = 0;
  let patches = 0;
  const baseline = 'pods "web-1" is forbidden: violates PodSecurity "baseline:latest": non-default capabilities (container "sshpod-main" must not include "SYS_PTRACE" in securityContext.capabilities.add)';
  const { api, bodies } = recording(
    fakeApi({
      get: {
        [subresource]: async () => {
          if (patches++ === 0) throw new SshpodError('forbidden', `not allowed to patch pods/ephemeralcontainers "web-1" in namespace "shop": ${baseline}`);
          return pod(true, { waiting: { reason: 'ContainerCreating' } });
        },
        [podPath]: async () => (gets++ === 0 ? pod(false) : pod(true, { running: {} })),
      },
      upgrade: () => assert.fail('no upgrade'),
    }),
  );
  assert.equal(await ensureDebugContainer(api, target, 'busybox:1.36'), 'sshpod-main');
  assert.deepEqual(api.requests, [`GET ${podPath}`, `PATCH ${subresource}`, `PATCH ${subresource}`, `GET ${podPath}`]);
  assert.deepEqual(bodies.map(capabilities), [{ capabilities: { add: ['SYS_PTRACE'] } }, undefined]);
});

test('a policy refusing the root container itself (PodSecurity "restricted"): a message about the policy, not RBAC', async () => {
  const restricted = 'pods "web-1" is forbidden: violates PodSecurity "restricted:latest": runAsNonRoot != true (container "sshpod-main" must set securityContext.runAsNonRoot=true)';
  const api = fakeApi({
    get: { [podPath]: pod(false), [subresource]: refuse(new SshpodError('forbidden', `not allowed to patch pods/ephemeralcontainers "web-1" in namespace "shop": ${restricted}`)) },
    upgrade: () => assert.fail(),
  });
  await assert.rejects(ensureDebugContainer(api, target, 'busybox:1.36'), (error: SshpodError) => {
    assert.equal(error.kind, 'forbidden');
    assert.match(error.message, /^container "main" of pod "web-1" has no shell \(sh\), and the namespace's admission policy refuses the ephemeral container sshpod would run sshd in \(root, image busybox:1\.36\): pods "web-1" is forbidden: violates PodSecurity "restricted:latest"/);
    assert.match(error.hint ?? '', /PodSecurity "restricted" forbids containers running as root/);
    return true;
  });
  assert.equal(api.requests.filter((r) => r.startsWith('PATCH')).length, 2);
});
