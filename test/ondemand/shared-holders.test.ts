// A shared pod's reference count in its holders annotation: join, leave, the last one deletes it,
// and a write that raced another client's is read again rather than lost.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { joinOrCreateShared, leaveShared, parseHolders } from '../../src/ondemand/shared-holders.ts';
import { FakePods } from './fake-pods.ts';

const manifest = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'sshpod-box-0123456789', namespace: 'tools', annotations: { 'sshpod/holders': 'a' } }, spec: { containers: [] } };
const template = { name: 'box', source: 'f' };

test('holders: ids only, each once', () => {
  assert.deepEqual(parseHolders(' a  b a $(x) c'), ['a', 'b', 'c']);
  assert.deepEqual(parseHolders(undefined), []);
});

test('the first connection creates, the next ones join, the last one deletes', async () => {
  const api = new FakePods();
  const first = await joinOrCreateShared(api, manifest, 'a', template);
  assert.equal(first.created, true);
  const second = await joinOrCreateShared(api, manifest, 'b', template);
  assert.equal(second.created, false);
  const ref = { namespace: 'tools', pod: 'sshpod-box-0123456789', podUid: first.pod.metadata.uid ?? '' };
  assert.equal(api.pods.get('tools/sshpod-box-0123456789')?.metadata.annotations?.['sshpod/holders'], 'a b');
  assert.equal(await leaveShared(api, ref, 'a'), 'left');
  assert.equal(api.pods.get('tools/sshpod-box-0123456789')?.metadata.annotations?.['sshpod/holders'], 'b');
  assert.equal(await leaveShared(api, ref, 'b'), 'deleted');
  assert.equal(api.pods.size, 0);
  assert.equal(await leaveShared(api, ref, 'b'), 'gone');
});

test('someone joining while the last holder leaves: the delete fails its precondition, the pod stays', async () => {
  const api = new FakePods();
  const made = await joinOrCreateShared(api, manifest, 'a', template);
  const ref = { namespace: 'tools', pod: 'sshpod-box-0123456789', podUid: made.pod.metadata.uid ?? '' };
  let joined = false;
  api.beforeWrite = () => {
    if (joined) return;
    joined = true;
    const pod = api.pods.get('tools/sshpod-box-0123456789');
    if (pod) {
      pod.metadata.annotations = { ...pod.metadata.annotations, 'sshpod/holders': 'a c' };
      api.bump(pod);
    }
  };
  assert.equal(await leaveShared(api, ref, 'a'), 'left');
  assert.equal(api.pods.get('tools/sshpod-box-0123456789')?.metadata.annotations?.['sshpod/holders'], 'c');
});

test('two first connections at once: the second create is refused, and it joins', async () => {
  const api = new FakePods();
  let raced = false;
  const original = api.request.bind(api);
  api.request = async (method, path, operation, options) => {
    if (method === 'POST' && !raced) {
      raced = true;
      await original('POST', path, operation, { body: { ...manifest, metadata: { ...manifest.metadata, annotations: { 'sshpod/holders': 'other' } } } });
    }
    return original(method, path, operation, options);
  };
  const result = await joinOrCreateShared(api, manifest, 'a', template);
  assert.equal(result.created, false);
  assert.equal(api.pods.get('tools/sshpod-box-0123456789')?.metadata.annotations?.['sshpod/holders'], 'other a');
});

test('a finished shared pod is deleted and made anew', async () => {
  const api = new FakePods();
  await joinOrCreateShared(api, manifest, 'a', template);
  const pod = api.pods.get('tools/sshpod-box-0123456789');
  if (pod) pod.status = { phase: 'Succeeded' };
  const again = await joinOrCreateShared(api, manifest, 'b', template);
  assert.equal(again.created, true);
  assert.notEqual(again.pod.metadata.uid, pod?.metadata.uid);
});
