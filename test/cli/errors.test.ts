import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SshpodError, formatErrorForUser } from '../../src/errors.ts';

test('a user sees one message line and one hint line', () => {
  assert.equal(formatErrorForUser(new SshpodError('usage', 'bad', { hint: 'do this' })), 'sshpod: bad\nhint: do this');
  assert.equal(formatErrorForUser(new SshpodError('api', 'no hint')), 'sshpod: no hint');
  assert.equal(formatErrorForUser(new SshpodError('config', 'plugin failed:\n  line two\n', { hint: 'a\nb' })), 'sshpod: plugin failed: line two\nhint: a b');
  assert.equal(formatErrorForUser(new Error('boom')), 'sshpod: unexpected failure: boom\nhint: run again with --log-level debug and report the output');
  assert.ok(formatErrorForUser(new SshpodError('api', 'x'.repeat(1000))).length < 420);
});
