// The connect path's transports against a fake API server: a refused port-forward falls back to
// `sshd -i` over exec and is remembered; a remembered refusal goes to exec first (the warm path
// included); a forced port-forward that is refused says how to get in; a container without a
// shell goes through sshpod's ephemeral container, and a later cold connection straight there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reachSshd } from '../../src/reach/reach-sshd.ts';
import type { SshdEndpoint, TargetCache } from '../../src/reach/target-cache.ts';
import type { TransportMemory } from '../../src/reach/transport.ts';
import { installId } from '../../src/remote/install-id.ts';
import { INETD_SCRIPT } from '../../src/remote/inetd-sshd.ts';
import { bundleVersion, loadManifest, targetForMachine } from '../../src/remote/bundles.ts';
import { MARKER_VARIABLE } from '../../src/ephemeral/debug-container.ts';
import { parseHostname } from '../../src/target/hostname.ts';
import { generateKeyPair } from '../../src/ssh/openssh-key.ts';
import { SshpodError } from '../../src/errors.ts';
import { FakeSocket, fakeApi } from './fake-api.ts';

const manifest = loadManifest();
const version = bundleVersion(manifest, targetForMachine(manifest, 'x86_64'));
const hostKey = generateKeyPair('pod').publicKey;
const uid = 'uid-web-1';
const podPath = '/api/v1/namespaces/shop/pods/web-1';
const request = { spec: parseHostname('pod--web-1.namespace--shop.sshpod'), host: 'pod--web-1.namespace--shop.sshpod', login: 'root', authorizedKey: 'ssh-ed25519 AAAA me', defaultNamespace: 'default' };
const runningPod = (extra: object = {}) => ({
  metadata: { name: 'web-1', uid },
  spec: { containers: [{ name: 'app' }] },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [{ name: 'app', state: { running: {} } }] },
  ...extra,
});

function memoryCache(initial?: SshdEndpoint): TargetCache & { entry?: SshdEndpoint } {
  const cache: TargetCache & { entry?: SshdEndpoint } = { entry: initial, read: () => cache.entry, write: (_n, _h, e) => (cache.entry = e), forget: () => (cache.entry = undefined) };
  return cache;
}

function memory(refusedAt?: number): TransportMemory & { at?: number } {
  const m: TransportMemory & { at?: number } = { at: refusedAt, refusedAt: () => m.at, rememberRefusal: (now) => (m.at = now), forget: () => (m.at = undefined) };
  return m;
}

/** The prepare exec answering `ready` (from container `container`). */
function prepared(container: string): FakeSocket {
  const socket = new FakeSocket('v5.channel.k8s.io');
  setImmediate(() => {
    socket.frame(1, `status=ready\nport=24000\nhostkey=${hostKey}\ndir=/tmp/sshpod/${uid}/${container}\nuser=root\narch=x86_64\nend=ready\n`);
    socket.frame(3, '{"metadata":{},"status":"Success"}');
    socket.close();
  });
  return socket;
}

/** `sshd -i` through exec: its banner on stdout. */
function inetd(container: string): FakeSocket {
  const socket = new FakeSocket('v5.channel.k8s.io');
  setImmediate(() => socket.frame(1, `SSH-2.0-OpenSSH_9.2p1 ${installId(uid, container, version)}\r\n`));
  return socket;
}

const isInetd = (query: URLSearchParams): boolean => query.getAll('command')[2] === INETD_SCRIPT;
const forbidden = (): never => {
  throw new SshpodError('forbidden', 'not allowed to get pods/portforward "web-1"', { hint: 'ask your cluster admin for RBAC permission to get pods/portforward' });
};

function api(options: { get?: Record<string, unknown>; noShell?: boolean } = {}) {
  const calls: string[] = [];
  const fake = fakeApi({
    get: { [podPath]: runningPod(), ...options.get },
    upgrade: (path, query) => {
      if (path.endsWith('/portforward')) forbidden();
      const container = query.get('container') ?? '';
      const view = query.getAll('command').at(-1) === 'view' ? ' (view)' : '';
      calls.push(`${isInetd(query) ? 'inetd' : 'prepare'} ${container}${isInetd(query) ? ` ${query.getAll('command')[4]}` : view}`);
      if (isInetd(query)) return inetd(container);
      if (options.noShell && container === 'app') {
        const socket = new FakeSocket('v5.channel.k8s.io');
        setImmediate(() => {
          socket.frame(2, 'OCI runtime exec failed: exec: "sh": executable file not found in $PATH: unknown');
          socket.frame(3, JSON.stringify({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '127' }] } }));
          socket.close();
        });
        return socket;
      }
      return prepared(container);
    },
  });
  return Object.assign(fake, { calls });
}

test('auto: a refused port-forward falls back to sshd -i over exec, remembered for the context', async () => {
  const fake = api();
  const remembered = memory();
  const cache = memoryCache();
  const reached = await reachSshd(fake, request, cache, remembered);
  assert.equal(reached.transport, 'exec');
  assert.deepEqual(fake.calls, ['prepare app', `inetd app /tmp/sshpod/${uid}/app`]);
  assert.ok(remembered.at !== undefined);
  assert.equal(cache.entry?.dir, `/tmp/sshpod/${uid}/app`);
  reached.stream.destroy();

  // The next connection: exec first, straight to the remembered sshd; no port-forward, no prepare.
  fake.requests.length = 0;
  fake.calls.length = 0;
  const warm = await reachSshd(fake, request, cache, remembered);
  assert.equal(warm.path, 'warm');
  assert.equal(warm.transport, 'exec');
  assert.deepEqual(fake.requests, [`WS ${podPath}/exec`]);
  warm.stream.destroy();
});

test('forced port-forward that is refused: the hint names SSHPOD_TRANSPORT=exec', async () => {
  await assert.rejects(reachSshd(api(), { ...request, transport: 'port-forward' }, memoryCache(), memory()), (error: SshpodError) => {
    assert.equal(error.kind, 'forbidden');
    assert.match(error.hint ?? '', /get pods\/portforward; or carry SSH over exec instead: SSHPOD_TRANSPORT=exec$/);
    return true;
  });
});

test('no shell: sshd in the ephemeral container, in view mode; later cold connections go straight there', async () => {
  const ephemeral = { ephemeralContainers: [{ name: 'sshpod-app', image: 'busybox:1.36', targetContainerName: 'app', env: [{ name: MARKER_VARIABLE, value: 'app' }] }] };
  const withDebug = runningPod({ spec: { containers: [{ name: 'app' }], ...ephemeral }, status: { ...runningPod().status, ephemeralContainerStatuses: [{ name: 'sshpod-app', state: { running: {} } }] } });
  const fake = api({ noShell: true, get: { [`${podPath}/ephemeralcontainers`]: withDebug } });
  let gets = 0;
  const original = fake.request.bind(fake);
  fake.request = (async (method: string, path: string, ...rest: unknown[]) => {
    if (method === 'GET' && path === podPath && gets++ > 0) {
      fake.requests.push(`GET ${path}`);
      return withDebug;
    }
    return (original as (...a: unknown[]) => Promise<unknown>)(method, path, ...rest);
  }) as typeof fake.request;
  const cache = memoryCache();
  const reached = await reachSshd(fake, { ...request, transport: 'exec' }, cache, memory());
  assert.deepEqual(fake.calls, ['prepare app', 'prepare sshpod-app (view)', `inetd sshpod-app /tmp/sshpod/${uid}/sshpod-app`]);
  assert.equal(cache.entry?.container, 'sshpod-app');
  assert.equal(cache.entry?.viewOf, 'app');
  reached.stream.destroy();

  // Cold again (the remembered sshd is not answering): no failing exec into the target first.
  fake.calls.length = 0;
  cache.entry = { ...(cache.entry as SshdEndpoint), arch: 'unknown-arch' };
  const again = await reachSshd(fake, { ...request, transport: 'exec' }, cache, memory());
  assert.deepEqual(fake.calls, ['prepare sshpod-app (view)', `inetd sshpod-app /tmp/sshpod/${uid}/sshpod-app`]);
  again.stream.destroy();
});
