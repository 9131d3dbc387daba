// Which pods sshpod made are left over: ended, or Pending far longer than any connection waits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { leftOver, ABANDONED_PENDING_MS } from '../../src/ondemand/sweep.ts';
import type { Pod } from '../../src/kube/types.ts';

const now = Date.parse('2025-01-01T12:00:00Z');
const made = (phase: string | undefined, createdMsAgo: number, deleting = false): Pod => ({
  metadata: { name: 'p', creationTimestamp: new Date(now - createdMsAgo).toISOString(), ...(deleting ? { deletionTimestamp: 'x' } : {}) },
  status: phase === undefined ? {} : { phase },
});

test('ended pods and abandoned Pending ones are left over; running, young or deleting ones are not', () => {
  assert.equal(leftOver(made('Succeeded', 1000), now), 'it ended (completed)');
  assert.equal(leftOver(made('Failed', 1000), now), 'it ended (failed)');
  assert.equal(leftOver(made('Pending', ABANDONED_PENDING_MS + 1000), now), 'it has been Pending for over 30 minutes');
  assert.equal(leftOver(made('Pending', 60_000), now), undefined);
  assert.equal(leftOver(made('Running', ABANDONED_PENDING_MS * 10), now), undefined);
  assert.equal(leftOver(made('Succeeded', 1000, true), now), undefined);
});
