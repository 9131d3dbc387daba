import { test } from 'node:test';
import assert from 'node:assert/strict';
import { humanDuration, toTable } from './table.ts';
import { acceptedForm } from './http.ts';
import type { KubeObject } from './types.ts';

test('HumanDuration as kubectl prints ages', () => {
  const s = 1000;
  const cases: [number, string][] = [[0, '0s'], [59 * s, '59s'], [119 * s, '119s'], [125 * s, '2m5s'], [600 * s, '10m'], [3 * 3600 * s, '3h'], [3 * 3600 * s + 60 * s, '3h1m'], [9 * 3600 * s, '9h'], [50 * 3600 * s, '2d2h'], [10 * 24 * 3600 * s, '10d']];
  for (const [ms, want] of cases) assert.equal(humanDuration(ms), want, String(ms));
});

test('pod table rows: READY, STATUS (Terminating, waiting reasons), RESTARTS', () => {
  const now = Date.parse('2024-01-01T00:01:00Z');
  const pod = (extra: object): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', creationTimestamp: '2024-01-01T00:00:00Z' },
    spec: { containers: [{ name: 'a' }, { name: 'b' }] },
    ...extra,
  });
  const running = { status: { phase: 'Running', podIP: '10.0.0.1', containerStatuses: [{ name: 'a', ready: true, restartCount: 0, state: { running: {} } }, { name: 'b', ready: false, restartCount: 1, state: { waiting: { reason: 'CrashLoopBackOff' } } }] } };
  const table = toTable('pods', [pod(running)], '5', 'Metadata', 'meta.k8s.io/v1', now) as unknown as { rows: { cells: unknown[]; object: { kind: string } }[]; columnDefinitions: { name: string; priority: number }[] };
  assert.deepEqual(table.columnDefinitions.filter((c) => c.priority === 0).map((c) => c.name), ['Name', 'Ready', 'Status', 'Restarts', 'Age']);
  assert.deepEqual(table.rows[0]?.cells.slice(0, 6), ['p', '1/2', 'CrashLoopBackOff', 1, '60s', '10.0.0.1']);
  assert.equal(table.rows[0]?.object.kind, 'PartialObjectMetadata');
  const terminating = toTable('pods', [pod({ ...running, metadata: { name: 'p', creationTimestamp: '2024-01-01T00:00:00Z', deletionTimestamp: 'x' } })], '5', 'None', 'meta.k8s.io/v1', now) as unknown as { rows: { cells: unknown[] }[] };
  assert.equal(terminating.rows[0]?.cells[2], 'Terminating');
});

test('Accept negotiation picks the Table kubectl asks for', () => {
  assert.deepEqual(acceptedForm('application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json'), { as: 'Table', version: 'meta.k8s.io/v1' });
  assert.deepEqual(acceptedForm('application/json'), { as: 'object', version: '' });
  assert.deepEqual(acceptedForm(undefined), { as: 'object', version: '' });
  assert.deepEqual(acceptedForm('application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io,application/json'), { as: 'object', version: '' });
});
