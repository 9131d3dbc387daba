// Where a starting pod stands, from its status and events: running, waiting (and for what), or
// unable to start (and why, in words that name the template and what to do).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startState, startTimeoutError, withLatestWarning, type StartingPod } from '../../src/ondemand/pod-start.ts';
import type { KubeEvent, Pod } from '../../src/kube/types.ts';

const target: StartingPod = { namespace: 'tools', pod: 'sshpod-box-x7k2q', container: 'main', template: 'box', source: '/t/box.yaml' };

function pod(status: Pod['status'], spec: Pod['spec'] = { nodeName: 'node-1' }, deleting = false): Pod {
  return { metadata: { name: target.pod, uid: 'u', ...(deleting ? { deletionTimestamp: 'now' } : {}) }, spec, status };
}

function event(type: string, reason: string, message: string, at: string): KubeEvent {
  return { metadata: { creationTimestamp: at }, type, reason, message, lastTimestamp: at };
}

const waitingFor = (reason: string, message?: string): Pod['status'] => ({ phase: 'Pending', containerStatuses: [{ name: 'main', state: { waiting: { reason, ...(message ? { message } : {}) } } }] });

test('running when the phase is Running and the container runs', () => {
  assert.deepEqual(startState(pod({ phase: 'Running', containerStatuses: [{ name: 'main', state: { running: {} } }] }), [], target), { state: 'running' });
});

test('waiting: for a node, for scheduling, for the container, with what kubelet says it does', () => {
  const unschedulable = pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/3 nodes are available: 3 Insufficient cpu.' }] }, {});
  assert.deepEqual(startState(unschedulable, [], target), { state: 'waiting', progress: 'waiting for a node (Unschedulable: 0/3 nodes are available: 3 Insufficient cpu.)' });
  assert.deepEqual(startState(pod({ phase: 'Pending' }, {}), [], target), { state: 'waiting', progress: 'waiting to be scheduled' });
  const pulling = [event('Normal', 'Scheduled', 'Successfully assigned', '2025-01-01T00:00:00Z'), event('Normal', 'Pulling', 'Pulling image "python:3.12"', '2025-01-01T00:00:01Z')];
  assert.deepEqual(startState(pod(waitingFor('ContainerCreating')), pulling, target), { state: 'waiting', progress: 'ContainerCreating: Pulling image "python:3.12"' });
});

test('cannot start: an image that cannot be pulled, with the image hint', () => {
  const events = [event('Warning', 'Failed', 'Failed to pull image "nope": not found', '2025-01-01T00:00:01Z'), event('Warning', 'Failed', 'Error: ErrImagePull', '2025-01-01T00:00:02Z')];
  const state = startState(pod(waitingFor('ErrImagePull', 'rpc error: not found')), events, target);
  assert.equal(state.state, 'failed');
  if (state.state !== 'failed') return;
  assert.equal(state.error.message, 'the pod for template "box" (sshpod-box-x7k2q in namespace "tools") cannot start: ErrImagePull: rpc error: not found (Failed: Failed to pull image "nope": not found)');
  assert.match(state.error.hint ?? '', /^check the image of template "box", and that the cluster can pull it; fix \/t\/box\.yaml$/);
});

test('cannot start: bad configuration, an ended container, a pod being deleted', () => {
  const config = startState(pod(waitingFor('CreateContainerConfigError', 'secret "db" not found')), [], target);
  assert.equal(config.state === 'failed' && config.error.message, 'the pod for template "box" (sshpod-box-x7k2q in namespace "tools") cannot start: CreateContainerConfigError: secret "db" not found');
  assert.match(config.state === 'failed' ? (config.error.hint ?? '') : '', /^fix \/t\/box\.yaml; sshpod deleted the pod/);
  const ended = startState(pod({ phase: 'Failed', containerStatuses: [{ name: 'main', state: { terminated: { reason: 'Error', exitCode: 127, message: 'sh: not found' } } }] }), [], target);
  assert.match(ended.state === 'failed' ? ended.error.message : '', /its container "main" ended \(Error, exit code 127\): sh: not found/);
  assert.equal(startState(pod(waitingFor('ContainerCreating'), { nodeName: 'n' }, true), [], target).state, 'failed');
});

test('the built-in template says how to change it', () => {
  const state = startState(pod(waitingFor('ImagePullBackOff')), [], { ...target, template: 'debug', source: 'built in' });
  assert.match(state.state === 'failed' ? (state.error.hint ?? '') : '', /\(SSHPOD_DEBUG_IMAGE names another\).*write your own template--debug in ~\/\.config\/sshpod\/templates\/debug\.yaml/);
});

test('a warning already said is not repeated; bare "Error: X" events are skipped', () => {
  const events = [event('Warning', 'FailedScheduling', '0/1 nodes are available', '2025-01-01T00:00:01Z')];
  assert.equal(withLatestWarning('waiting (0/1 nodes are available)', events), 'waiting (0/1 nodes are available)');
  assert.equal(withLatestWarning('waiting', events), 'waiting (FailedScheduling: 0/1 nodes are available)');
  assert.equal(withLatestWarning('waiting', [event('Warning', 'Failed', 'Error: ErrImagePull', '2025-01-01T00:00:01Z')]), 'waiting');
});

test('the timeout names what it waited for and how to allow more time', () => {
  const error = startTimeoutError(target, '180 s', 'waiting for a node (Unschedulable)', []);
  assert.equal(error.kind, 'timeout');
  assert.equal(error.message, 'the pod for template "box" (sshpod-box-x7k2q in namespace "tools") did not start within 180 s: waiting for a node (Unschedulable)');
  assert.match(error.hint ?? '', /SSHPOD_POD_TIMEOUT=SECONDS/);
});

test('nothing from the pod is shown raw at length', () => {
  const state = startState(pod(waitingFor('ErrImagePull', 'x'.repeat(1000))), [], target);
  assert.ok(state.state === 'failed' && state.error.message.length < 500);
});
