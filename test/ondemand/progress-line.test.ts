// When the starting pod's state is worth a line on stderr.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProgressLine } from '../../src/ondemand/progress-line.ts';

test('quiet at first, then on change and every ten seconds', () => {
  const line = new ProgressLine(1000, 10_000);
  assert.equal(line.next('ContainerCreating', 200), undefined);
  assert.equal(line.started, false);
  assert.equal(line.next('ContainerCreating', 1100), 'ContainerCreating (1 s)');
  assert.equal(line.started, true);
  assert.equal(line.next('ContainerCreating', 3000), undefined);
  assert.equal(line.next('pulling', 3500), 'pulling (4 s)');
  assert.equal(line.next('pulling', 13_000), undefined);
  assert.equal(line.next('pulling', 13_600), 'pulling (14 s)');
});
