// bundles/compat/recallocarray.c replaces OpenSSH's portable recallocarray() in the sshd build
// (see the file for why). Its contract is checked here directly, built with musl as sshd is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCompatCheck, skipWithoutMusl } from './compat-c.ts';

test('compat recallocarray() keeps the contract: zeroed growth, zeroed drops, few moves', { skip: skipWithoutMusl() }, () => {
  const { status, stdout } = runCompatCheck('recallocarray', 'recallocarray-check.c');
  assert.equal(status, 0, stdout);
  assert.doesNotMatch(stdout, /FAIL/);
  assert.equal(stdout.split('\n').filter((l) => l.startsWith('ok ')).length, 7, stdout);
});
