// bundles/compat/large-block-cache.c keeps a few freed large blocks for the next malloc() of the
// same size (see the file for why); linked as the sshd build links it, with musl's allocator.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCompatCheck, skipWithoutMusl } from './compat-c.ts';

test('the large-block cache reuses exact sizes only, keeps at most four, and calloc stays zero', { skip: skipWithoutMusl() }, () => {
  const { status, stdout } = runCompatCheck('large-block-cache', 'large-block-cache-check.c', ['-Wl,--wrap=malloc,--wrap=free,--wrap=calloc']);
  assert.equal(status, 0, stdout);
  assert.doesNotMatch(stdout, /FAIL/);
  assert.equal(stdout.split('\n').filter((l) => l.startsWith('ok ')).length, 7, stdout);
});
