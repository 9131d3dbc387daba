// An on-demand pod's life through a fake API: made and released; released when it cannot start,
// when the wait is aborted, and when it is never reached; a shared one left rather than deleted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startOnDemandPod, releasePod, type OnDemandRequest } from '../../src/ondemand/on-demand-pod.ts';
import { templateFromDocument } from '../../src/ondemand/template.ts';
import { SshpodError } from '../../src/errors.ts';
import { FakePods } from './fake-pods.ts';

function request(annotations: Record<string, string> = {}, extra: Partial<OnDemandRequest> = {}): OnDemandRequest {
  return {
    template: templateFromDocument({ metadata: { annotations }, spec: { containers: [{ name: 'main', image: 'busybox' }] } }, 'box', 'f'),
    namespace: 'tools',
    owner: { local: 'alice@laptop' },
    hostname: 'template--box.sshpod',
    startTimeoutMs: 5000,
    ...extra,
  };
}

test('made, running, then released: the pod is gone', async () => {
  const api = new FakePods();
  let created: unknown;
  const pod = await startOnDemandPod(api, request({}, { onCreated: (spec) => (created = spec) }));
  assert.equal(pod.container, 'main');
  assert.equal(pod.created, true);
  assert.equal(pod.idleSeconds, 120);
  assert.deepEqual(created, { namespace: 'tools', pod: pod.pod, podUid: pod.podUid });
  assert.equal(api.pods.size, 1);
  await pod.release();
  await pod.release(); // idempotent
  assert.equal(api.pods.size, 0);
  assert.equal(api.log.filter((line) => line.startsWith('DELETE')).length, 1);
});

test('a pod that cannot start is deleted before the error comes back', async () => {
  const api = new FakePods();
  api.onCreate = () => ({ phase: 'Pending', containerStatuses: [{ name: 'main', state: { waiting: { reason: 'ErrImagePull', message: 'no such image' } } }] });
  await assert.rejects(startOnDemandPod(api, request()), /cannot start: ErrImagePull: no such image/);
  assert.equal(api.pods.size, 0);
});

test('aborting the wait (Ctrl-C) deletes the pod and throws the reason', async () => {
  const api = new FakePods();
  api.onCreate = () => ({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] });
  const controller = new AbortController();
  const progress: string[] = [];
  const starting = startOnDemandPod(api, request({}, { signal: controller.signal, onProgress: (p) => progress.push(p) }));
  setTimeout(() => controller.abort(new SshpodError('stream', 'stopped by SIGINT')), 200);
  await assert.rejects(starting, /stopped by SIGINT/);
  assert.equal(api.pods.size, 0);
  assert.match(progress[0] ?? '', /^waiting for a node \(Unschedulable\)$/);
});

test('the wait is bounded', async () => {
  const api = new FakePods();
  api.onCreate = () => ({ phase: 'Pending' });
  await assert.rejects(startOnDemandPod(api, request({}, { startTimeoutMs: 300 })), (error: SshpodError) => error.kind === 'timeout' && /did not start within 0\.3 s/.test(error.message));
  assert.equal(api.pods.size, 0);
});

test('a shared template: the second connection joins, and the pod goes with the last', async () => {
  const api = new FakePods();
  const one = await startOnDemandPod(api, request({ 'sshpod/shared': 'true' }));
  const two = await startOnDemandPod(api, request({ 'sshpod/shared': 'true' }));
  assert.equal(two.pod, one.pod);
  assert.equal(two.created, false);
  assert.equal(one.shared, true);
  await one.release();
  assert.equal(api.pods.size, 1);
  await two.release();
  assert.equal(api.pods.size, 0);
});

test('releasePod with plain values (what the guard gets)', async () => {
  const api = new FakePods();
  const pod = await startOnDemandPod(api, request());
  assert.match(await releasePod(api, { namespace: pod.namespace, pod: pod.pod, podUid: pod.podUid }), /: deleted$/);
  assert.match(await releasePod(api, { namespace: pod.namespace, pod: pod.pod, podUid: pod.podUid }), /: gone$/);
});

test('finished pods of earlier connections are swept while a new one starts', async () => {
  const api = new FakePods();
  const old = await startOnDemandPod(api, request());
  const stored = api.pods.get(`tools/${old.pod}`);
  if (stored) stored.status = { phase: 'Succeeded' };
  const fresh = await startOnDemandPod(api, request());
  assert.deepEqual([...api.pods.keys()], [`tools/${fresh.pod}`]);
});
