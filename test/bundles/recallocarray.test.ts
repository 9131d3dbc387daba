// bundles/compat/recallocarray.c replaces OpenSSH's portable recallocarray() in the sshd build
// (see the file for why). Its contract is checked here directly: the C file and a check program
// are compiled with the host's gcc and run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const source = new URL('../../bundles/compat/recallocarray.c', import.meta.url).pathname;
const check = new URL('./fixtures/recallocarray-check.c', import.meta.url).pathname;

test('compat recallocarray() keeps the contract: zeroed growth, zeroed drops, few moves', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sshpod-recallocarray-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const binary = join(dir, 'check');
  const built = spawnSync('gcc', ['-O2', '-Wall', '-Wextra', '-Werror', '-o', binary, source, check], { encoding: 'utf8' });
  assert.equal(built.status, 0, built.stderr);
  const ran = spawnSync(binary, { encoding: 'utf8' });
  assert.equal(ran.status, 0, ran.stdout + ran.stderr);
  assert.doesNotMatch(ran.stdout, /FAIL/);
  assert.equal(ran.stdout.split('\n').filter((l) => l.startsWith('ok ')).length, 7, ran.stdout);
});
