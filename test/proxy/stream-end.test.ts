// What sshpod says when the port-forward ends under a live ssh session, from one look at the pod.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { streamEndError } from '../../src/proxy/stream-end.ts';
import type { TargetRef } from '../../src/target/target-ref.ts';
import { relay } from '../../src/relay/relay.ts';
import type { Pod } from '../../src/kube/types.ts';

const target: TargetRef = { namespace: 'shop', pod: 'api', podUid: 'uid-1', container: 'main' };
const running = (extra: Partial<Pod['metadata']> = {}): Pod => ({
  metadata: { name: 'api', uid: 'uid-1', ...extra },
  status: { phase: 'Running', containerStatuses: [{ name: 'main', state: { running: {} } }] },
});

test('the pod is gone: deleted during the session', () => {
  const error = streamEndError(target, { notFound: true });
  assert.equal(error?.message, 'the pod "api" in namespace "shop" was deleted during the session');
  assert.match(error?.hint ?? '', /connect again/);
});

test('the pod is terminating: deleted during the session', () => {
  assert.equal(streamEndError(target, { found: running({ deletionTimestamp: '2026-12-01T08:00:00Z' }) })?.message, 'the pod "api" in namespace "shop" was deleted during the session (it is terminating)');
});

test('another pod of the same name: replaced', () => {
  assert.match(streamEndError(target, { found: running({ uid: 'uid-2' }) })?.message ?? '', /was deleted during the session and a new pod of that name replaced it/);
});

test('the container stopped', () => {
  const pod = running();
  pod.status = { phase: 'Running', containerStatuses: [{ name: 'main', state: { terminated: { reason: 'OOMKilled', exitCode: 137 } } }] };
  assert.equal(streamEndError(target, { found: pod })?.message, 'container "main" of the pod "api" in namespace "shop" stopped during the session (OOMKilled)');
});

test('a reason that is not a kubelet word is not printed raw', () => {
  const pod = running();
  pod.status = { phase: 'Running', containerStatuses: [{ name: 'main', state: { waiting: { reason: '\u001b]0;owned\u0007' } } }] };
  assert.equal(streamEndError(target, { found: pod })?.message, 'container "main" of the pod "api" in namespace "shop" stopped during the session (not running)');
});

test('the pod is there as it was: sshd ended the connection, nothing to say', () => {
  assert.equal(streamEndError(target, { found: running() }), undefined);
});

test('the lookup failed: said so', () => {
  assert.match(streamEndError(target, { failed: 'connect ECONNREFUSED' })?.message ?? '', /ended while ssh was still using it, and the pod could not be looked at: connect ECONNREFUSED/);
});

test('relay: a remote end while ssh is connected asks first, and fails with the reason', async () => {
  const input = new PassThrough();
  const output = new PassThrough();
  const remote = new PassThrough();
  let asked = 0;
  const done = relay(input, output, remote, {
    remoteEndedFirst: async () => {
      asked++;
      return new Error('the pod went away');
    },
  });
  remote.end();
  await assert.rejects(done, /the pod went away/);
  assert.equal(asked, 1);
});

test('relay: a remote end after ssh closed its side is a normal end, no question asked', async () => {
  const input = new PassThrough();
  const output = new PassThrough();
  output.resume();
  const remote = new PassThrough();
  let asked = 0;
  const done = relay(input, output, remote, { remoteEndedFirst: async () => (asked++, new Error('no')) });
  input.end();
  await new Promise((resolve) => setImmediate(resolve));
  remote.end();
  await done;
  assert.equal(asked, 0);
});
