// The gateway under load, for correctness only (the figures are `npm run bench`'s, from the same
// code in test/bench/gateway.ts): 200 jump sessions held at once through one gateway process with
// the real OpenSSH client, all of them answered and ended cleanly, and 20 concurrent scp transfers
// each way through it with every checksum equal. Loopback only; every step has a deadline.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { e2eSkipReason } from './harness.ts';
import { benchGateway } from '../bench/gateway.ts';

test('200 concurrent sessions and 20 concurrent scp transfers through one gateway', { skip: e2eSkipReason(), timeout: 900_000 }, async () => {
  const result = await benchGateway({ sessions: 200, transfers: 20, megabytes: 2, runs: 1 });
  assert.equal(result.sessions, 200);
  assert.equal(result.checksumsEqual, true);
});
