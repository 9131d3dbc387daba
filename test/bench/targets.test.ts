// The benchmark's targets: which figures meet them, bounds inclusive, a missing figure never met.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { targetRows, type Figures } from './targets.ts';

const meeting: Figures = { cold_over_floor: 1.5, warm_over_floor: 1.2, shared_over_kubectl_exec: 0.05, scp_over_kubectl_cp: 1, tree_over_kubectl_cp: 0.5, memory: 64 };

test('figures at their limits meet every target', () => {
  assert.deepEqual(
    targetRows(meeting).map((row) => [row.name, row.met]),
    Object.keys(meeting).map((name) => [name, true]),
  );
});

test('each target is missed on its own side of the limit', () => {
  const missing: Figures = { cold_over_floor: 1.76, warm_over_floor: 1.48, shared_over_kubectl_exec: 0.2, scp_over_kubectl_cp: 0.8, tree_over_kubectl_cp: 0.6, memory: 93 };
  assert.ok(targetRows(missing).every((row) => !row.met));
  assert.equal(targetRows(missing).find((row) => row.name === 'scp_over_kubectl_cp')?.target, '≥ 1');
});

test('a figure that could not be measured is not met', () => {
  assert.equal(targetRows({ ...meeting, memory: Number.NaN }).find((row) => row.name === 'memory')?.met, false);
});
