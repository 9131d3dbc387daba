import { test } from 'node:test';
import assert from 'node:assert/strict';
import { roundSummary, summarize } from './stats.ts';

test('summaries: min, median (odd and even counts), max', () => {
  assert.deepEqual(summarize([3, 1, 2]), { min: 1, median: 2, max: 3, runs: 3 });
  assert.deepEqual(summarize([4, 1, 3, 2]), { min: 1, median: 2.5, max: 4, runs: 4 });
  assert.deepEqual(roundSummary(summarize([0.12345, 0.2])), { min: 0.123, median: 0.162, max: 0.2, runs: 2 });
  assert.throws(() => summarize([]), /no samples/);
});
