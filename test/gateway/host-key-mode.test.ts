import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostKeyModeProblem } from '../../src/gateway/host-key-mode.ts';

for (const [mode, ownedBySelf, problem] of [
  [0o600, true, false],
  [0o400, true, false],
  [0o640, true, true],
  [0o604, true, true],
  // A Secret volume: root's file, the pod's fsGroup may read it.
  [0o440, false, false],
  [0o400, false, false],
  [0o444, false, true],
  [0o644, false, true],
] as const) {
  test(`host key mode ${mode.toString(8)}, ${ownedBySelf ? 'own' : "another user's"} file: ${problem ? 'refused' : 'taken'}`, () => {
    assert.equal(hostKeyModeProblem(0o100000 | mode, ownedBySelf), problem);
  });
}
