// The rows of `sshpod ls`, from on-demand pods and remembered sshds, and the table they make.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatTable, installedRow, onDemandRow } from '../../src/housekeeping/rows.ts';
import type { Pod } from '../../src/kube/types.ts';

const now = Date.parse('2025-01-01T12:00:00Z');
const onDemand = (status: Pod['status'], extra: { labels?: Record<string, string>; annotations?: Record<string, string> } = {}): Pod => ({
  metadata: {
    name: 'sshpod-debug-x7k2q',
    namespace: 'tools',
    labels: { 'sshpod/template': 'debug', ...extra.labels },
    annotations: { 'sshpod/owner': 'alice@laptop', 'sshpod/kube-user': 'alice', 'sshpod/container': 'debug', ...extra.annotations },
  },
  spec: { containers: [{ name: 'debug' }] },
  status,
});
const target = {
  file: '/x',
  key: { context: 'eu', namespace: 'shop', host: 'pod--api.sshpod' },
  endpoint: { namespace: 'shop', pod: 'api', podUid: 'u', container: 'main', port: 24242, arch: 'x86_64', hostKey: 'k', login: 'root' },
};

test('on-demand pods: state, template, sharing, idle, owner', () => {
  assert.deepEqual(onDemandRow('eu', onDemand({ phase: 'Running' }), now), {
    context: 'eu', namespace: 'tools', pod: 'sshpod-debug-x7k2q', container: 'debug', state: 'running, template debug', port: '-', idle: 'in use', owner: 'alice@laptop (alice)',
  });
  const shared = onDemand({ phase: 'Running' }, { labels: { 'sshpod/share': 'k' }, annotations: { 'sshpod/holders': 'a b' } });
  assert.equal(onDemandRow('eu', shared, now).state, 'running, template debug, shared by 2');
  const ended = onDemand({ phase: 'Succeeded', containerStatuses: [{ name: 'debug', state: { terminated: { exitCode: 0, finishedAt: '2025-01-01T11:55:00Z' } as { exitCode: number } } }] });
  assert.deepEqual([onDemandRow('eu', ended, now).state, onDemandRow('eu', ended, now).idle], ['completed, template debug', 'ended 5m ago']);
});

test('remembered sshds: what a GET says, and what --check saw inside', () => {
  assert.deepEqual(installedRow('eu', target, { state: 'present' }, undefined, 'bob@desk'), {
    context: 'eu', namespace: 'shop', pod: 'api', container: 'main', state: 'sshd installed', port: '24242', idle: '?', owner: 'bob@desk (as root)',
  });
  assert.equal(installedRow('eu', target, { state: 'gone' }, undefined, 'b').state, 'pod gone');
  assert.equal(installedRow('eu', target, { state: 'unknown', why: 'not allowed' }, undefined, 'b').state, 'unknown: not allowed');
  const idle = installedRow('eu', target, { state: 'present' }, [{ dir: '/tmp/sshpod/u/main', running: true, port: 25000, sessions: 0, idleAtMost: 600 }], 'b');
  assert.deepEqual([idle.state, idle.port, idle.idle], ['sshd running, 0 sessions', '25000', '<=10m']);
  const busy = installedRow('eu', target, { state: 'present' }, [{ dir: '/d', running: true, sessions: 1 }], 'b');
  assert.deepEqual([busy.state, busy.idle], ['sshd running, 1 session', 'in use']);
  assert.equal(installedRow('eu', target, { state: 'present' }, [], 'b').state, 'not installed (sshd exited idle)');
  assert.equal(installedRow('eu', target, { state: 'present' }, 'no exec', 'b').state, 'sshd installed; could not look inside: no exec');
});

test('the table: a header, padded columns, nothing raw from the cluster', () => {
  const text = formatTable([onDemandRow('eu', onDemand({ phase: 'Running' }, { annotations: { 'sshpod/owner': 'mallory\u001b[2J' } }), now)]);
  const [header, row] = text.split('\n');
  assert.match(header ?? '', /^CONTEXT   NAMESPACE   POD\s+CONTAINER\s+STATE\s+PORT\s+IDLE\s+OWNER$/);
  assert.equal(row?.indexOf('sshpod-debug'), header?.indexOf('POD'));
  assert.ok(!text.includes('\u001b'));
});
