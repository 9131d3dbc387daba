import { test } from 'node:test';
import assert from 'node:assert/strict';
import { patternListMatches, patternMatches } from '../../src/ssh/host-patterns.ts';

test("OpenSSH's host patterns", () => {
  assert.equal(patternMatches('pod--api.sshpod', '*.sshpod'), true);
  assert.equal(patternMatches('pod--api.sshpod.', '*.sshpod'), false, 'a trailing dot is another name');
  assert.equal(patternMatches('POD--API.SSHPOD', '*.sshpod'), true, 'case does not matter');
  assert.equal(patternMatches('pod--api.sshpod', 'pod--ap?.sshpod'), true);
  assert.equal(patternMatches('podxapi', 'pod.api'), false, 'dots are literal');
  assert.equal(patternListMatches('pod--api.sshpod', ['*', '!*.sshpod']), false, 'a matching negation vetoes');
  assert.equal(patternListMatches('example.com', ['*', '!*.sshpod']), true);
  assert.equal(patternListMatches('example.com', ['!*.sshpod']), false, 'a negation alone matches nothing');
});
