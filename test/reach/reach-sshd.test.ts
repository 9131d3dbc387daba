// The connect path against a fake API server: which round trips each path makes, and the warm
// stream of a workload target that breaks while the workload is being looked up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reachSshd } from '../../src/reach/reach-sshd.ts';
import type { SshdEndpoint, TargetCache } from '../../src/reach/target-cache.ts';
import { installId } from '../../src/remote/install-id.ts';
import { bundleVersion, loadManifest, targetForMachine } from '../../src/remote/bundles.ts';
import { parseHostname } from '../../src/target/hostname.ts';
import { generateKeyPair } from '../../src/ssh/openssh-key.ts';
import { FakeSocket, fakeApi, portForwardPlaying } from './fake-api.ts';

const manifest = loadManifest();
const hostKey = generateKeyPair('pod').publicKey;
const uid = 'uid-web-1';
const banner = `SSH-2.0-OpenSSH_9.2p1 ${installId(uid, 'app', bundleVersion(manifest, targetForMachine(manifest, 'x86_64')))}`;

const remembered: SshdEndpoint = { namespace: 'shop', pod: 'web-1', podUid: uid, container: 'app', port: 23456, arch: 'x86_64', hostKey, login: 'root' };

function memoryCache(initial?: SshdEndpoint): TargetCache & { entry?: SshdEndpoint } {
  const cache: TargetCache & { entry?: SshdEndpoint } = {
    entry: initial,
    read: () => cache.entry,
    write: (_namespace, _host, endpoint) => {
      cache.entry = endpoint;
    },
    forget: () => {
      cache.entry = undefined;
    },
  };
  return cache;
}

const workloadAnswers = (delayMs: number): Record<string, unknown | (() => Promise<unknown>)> => ({
  '/apis/apps/v1/namespaces/shop/deployments/web': async () => {
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    return { metadata: { name: 'web' }, spec: { selector: { matchLabels: { app: 'web' } } } };
  },
  '/api/v1/namespaces/shop/pods': {
    items: [
      {
        metadata: { name: 'web-1', uid, labels: { app: 'web' }, creationTimestamp: '2026-01-01T00:00:00Z' },
        spec: { containers: [{ name: 'app' }] },
        status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [{ name: 'app', state: { running: {} } }] },
      },
    ],
  },
});

/** An exec whose script answers `ready` at once, on the port given. */
function execAnsweringReady(port: number): FakeSocket {
  const socket = new FakeSocket('v5.channel.k8s.io');
  setImmediate(() => {
    socket.frame(1, `status=ready\nport=${port}\nhostkey=${hostKey}\ndir=/tmp/sshpod/${uid}/app\nuser=root\narch=x86_64\nend=ready\n`);
    socket.frame(3, '{"metadata":{},"status":"Success"}');
    socket.close();
  });
  return socket;
}

const request = { spec: parseHostname('deployment--web.namespace--shop.sshpod'), host: 'deployment--web.namespace--shop.sshpod', login: 'root', authorizedKey: 'ssh-ed25519 AAAA me', defaultNamespace: 'default' };

test('a warm workload target: the remembered sshd is used once the lookups confirm it', async () => {
  const api = fakeApi({ get: workloadAnswers(0), upgrade: (path) => (path.endsWith('/portforward') ? portForwardPlaying(23456, banner) : execAnsweringReady(1)) });
  const reached = await reachSshd(api, request, memoryCache(remembered));
  assert.equal(reached.path, 'warm');
  assert.deepEqual(api.requests.filter((r) => r.startsWith('WS')), ['WS /api/v1/namespaces/shop/pods/web-1/portforward']);
  reached.stream.destroy();
});

test('a warm stream that breaks while the workload is looked up is not used, and nothing crashes', async () => {
  const forwards: FakeSocket[] = [];
  const api = fakeApi({
    get: workloadAnswers(50),
    upgrade: (path) => {
      if (!path.endsWith('/portforward')) return execAnsweringReady(24000);
      const socket = portForwardPlaying(forwards.length === 0 ? 23456 : 24000, banner);
      forwards.push(socket);
      if (forwards.length === 1) {
        // The banner arrives, then the stream breaks while the GET of the deployment is pending.
        setTimeout(() => socket.emit('error', new Error('connection reset by the load balancer')), 20);
      }
      return socket;
    },
  });
  const reached = await reachSshd(api, request, memoryCache(remembered));
  assert.equal(reached.path, 'exec', 'the broken warm stream was replaced through the exec path');
  assert.equal(reached.sshd.port, 24000);
  assert.equal(forwards.length, 2);
  reached.stream.destroy();
});

test('a cold pod target: one GET, one exec, one port-forward; the endpoint is remembered', async () => {
  const cache = memoryCache();
  const api = fakeApi({
    get: { '/api/v1/namespaces/shop/pods/web-1': (workloadAnswers(0)['/api/v1/namespaces/shop/pods'] as { items: unknown[] }).items[0] },
    upgrade: (path) => (path.endsWith('/portforward') ? portForwardPlaying(24000, banner) : execAnsweringReady(24000)),
  });
  const reached = await reachSshd(api, { ...request, spec: parseHostname('pod--web-1.namespace--shop.sshpod'), host: 'pod--web-1.namespace--shop.sshpod' }, cache);
  assert.equal(reached.path, 'exec');
  assert.deepEqual(api.requests, ['GET /api/v1/namespaces/shop/pods/web-1', 'WS /api/v1/namespaces/shop/pods/web-1/exec', 'WS /api/v1/namespaces/shop/pods/web-1/portforward']);
  assert.equal(cache.entry?.port, 24000);
  reached.forget();
  assert.equal(cache.entry, undefined);
  reached.stream.destroy();
});
