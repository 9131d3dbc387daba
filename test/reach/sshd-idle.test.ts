// The idle period given to a newly started sshd: SSHPOD_SSHD_IDLE, else 30 minutes; 0 keeps it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_SSHD_IDLE_SECONDS, sshdIdleSeconds } from '../../src/reach/sshd-idle.ts';

test('SSHPOD_SSHD_IDLE, else thirty minutes; a word is refused with its name', () => {
  assert.equal(DEFAULT_SSHD_IDLE_SECONDS, 1800);
  assert.equal(sshdIdleSeconds({}), 1800);
  assert.equal(sshdIdleSeconds({ SSHPOD_SSHD_IDLE: '' }), 1800);
  assert.equal(sshdIdleSeconds({ SSHPOD_SSHD_IDLE: '0' }), 0);
  assert.equal(sshdIdleSeconds({ SSHPOD_SSHD_IDLE: ' 600 ' }), 600);
  for (const bad of ['10m', '-1', '1e3', '9999999999']) {
    assert.throws(() => sshdIdleSeconds({ SSHPOD_SSHD_IDLE: bad }), (error: Error & { kind?: string; hint?: string }) => error.kind === 'usage' && /^SSHPOD_SSHD_IDLE is ".*", not a number of seconds$/.test(error.message) && /0: until the pod ends/.test(error.hint ?? ''));
  }
});
