// The on-demand pods of web terminals and their heartbeat, on a fake clock: a pod lives while its
// page beats, goes once the beats stopped for the heartbeat time, at once when closed, all of them
// at shutdown; each is released once; one person cannot reach another's pod by its id.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TerminalPods, type ReleaseReason, type TerminalPod } from '../../src/web/terminal-pods.ts';

function setup(heartbeatMs = 1000) {
  let now = 0;
  const released: Array<[string, ReleaseReason]> = [];
  const deleted: string[] = [];
  const pods = new TerminalPods(heartbeatMs, (pod, reason) => released.push([pod.id, reason]), () => now);
  const make = (id: string, user = 'ana'): TerminalPod => ({
    id,
    user,
    hostname: 'template--debug.sshpod',
    context: 'c',
    namespace: 'default',
    pod: `sshpod-debug-${id}`,
    container: 'debug',
    release: async () => {
      deleted.push(id);
    },
  });
  return { pods, make, released, deleted, at: (ms: number) => (now = ms) };
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test('ids are unguessable and distinct', () => {
  const a = TerminalPods.newId();
  assert.match(a, /^[A-Za-z0-9_-]{24}$/);
  assert.notEqual(a, TerminalPods.newId());
});

test('the heartbeat: kept while beating, released once it stopped for longer than the heartbeat time', async () => {
  const { pods, make, released, deleted, at } = setup(1000);
  pods.add(make('a'));
  pods.add(make('b'));
  // [time, who beats then, what the sweep releases]
  const steps: Array<[number, string[], string[]]> = [
    [500, ['a'], []],
    [1000, [], []], // b's last beat (its start) is exactly the heartbeat time ago: still kept
    [1001, [], ['b']],
    [1400, ['a'], []],
    [2400, [], []],
    [2401, [], ['a']],
    [9999, [], []], // released once, not at every sweep
  ];
  for (const [time, beating, expected] of steps) {
    at(time);
    for (const id of beating) pods.beat(id);
    assert.deepEqual(pods.sweep(), expected, `at ${time}`);
    await settle();
  }
  assert.deepEqual(released, [['b', 'heartbeat'], ['a', 'heartbeat']]);
  assert.deepEqual(deleted, ['b', 'a']);
  assert.equal(pods.size, 0);
});

test('attaching (a reconnect) counts as a beat; detaching does not stop the clock', async () => {
  const { pods, make, at } = setup(1000);
  pods.add(make('a'));
  at(900);
  pods.attach('a');
  at(1200);
  pods.detach('a'); // the connection dropped
  at(1800);
  assert.deepEqual(pods.sweep(), [], 'within the heartbeat time of the last beat');
  pods.attach('a'); // the page reconnected
  at(2700);
  assert.deepEqual(pods.sweep(), []);
  at(2801);
  assert.deepEqual(pods.sweep(), ['a']);
});

test("a pod is found by its id for its own user only, and not while it goes", async () => {
  const { pods, make } = setup();
  pods.add(make('a', 'ana'));
  assert.equal(pods.find('a', 'ana')?.pod, 'sshpod-debug-a');
  assert.equal(pods.find('a', 'bob'), undefined);
  assert.equal(pods.find('nope', 'ana'), undefined);
  const going = pods.release('a', 'closed');
  assert.equal(pods.find('a', 'ana'), undefined, 'a reconnect cannot take a pod being deleted');
  await going;
  assert.equal(pods.size, 0);
});

test('release is once, whoever asks and how often', async () => {
  const { pods, make, released, deleted } = setup();
  pods.add(make('a'));
  await Promise.all([pods.release('a', 'closed'), pods.release('a', 'heartbeat'), pods.release('a', 'shutdown')]);
  await pods.release('a', 'closed');
  await pods.release('never-added', 'closed');
  assert.deepEqual(released, [['a', 'closed']]);
  assert.deepEqual(deleted, ['a']);
});

test('a beat for a pod being released does not bring it back', async () => {
  const { pods, make, at } = setup(1000);
  pods.add(make('a'));
  at(2000);
  assert.deepEqual(pods.sweep(), ['a']);
  pods.beat('a');
  pods.attach('a');
  assert.deepEqual(pods.sweep(), []);
  assert.equal(pods.find('a', 'ana'), undefined);
});

test("the per-person count: pods alive and starts under way, not the ones going", async () => {
  const { pods, make } = setup();
  assert.equal(pods.countOf('ana'), 0);
  const startA = pods.startFor('ana');
  const startB = pods.startFor('ana');
  assert.equal(pods.countOf('ana'), 2);
  assert.equal(pods.countOf('bob'), 0);
  pods.add(make('a'));
  startA();
  startA(); // ending a start twice counts once
  assert.equal(pods.countOf('ana'), 2);
  startB();
  assert.equal(pods.countOf('ana'), 1);
  pods.add(make('b', 'bob'));
  assert.equal(pods.countOf('bob'), 1);
  const going = pods.release('a', 'closed');
  assert.equal(pods.countOf('ana'), 0, 'a pod being deleted is not counted');
  await going;
});

test('shutdown releases every pod', async () => {
  const { pods, make, released } = setup();
  for (const id of ['a', 'b', 'c']) pods.add(make(id));
  await pods.releaseAll('shutdown');
  assert.equal(pods.size, 0);
  assert.deepEqual(released.map(([, reason]) => reason), ['shutdown', 'shutdown', 'shutdown']);
});

test('a release that fails does not reject (the sweep would crash the server) and forgets the pod', async () => {
  const { pods, make, at } = setup(1000);
  pods.add({ ...make('a'), release: () => Promise.reject(new Error('API down')) });
  at(5000);
  assert.deepEqual(pods.sweep(), ['a']);
  await pods.release('a', 'heartbeat');
  assert.equal(pods.size, 0);
});
