// The setup scripts are real shell: they must parse with dash (Debian's /bin/sh) and pass
// shellcheck when it is installed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const scripts = ['sandbox.sh', 'container-setup.sh'].map((f) => new URL(f, import.meta.url).pathname);
const hasShellcheck = spawnSync('shellcheck', ['--version']).status === 0;

test('setup scripts parse with sh -n', () => {
  for (const script of scripts) {
    const r = spawnSync('sh', ['-n', script], { encoding: 'utf8' });
    assert.equal(r.status, 0, `${script}: ${r.stderr}`);
  }
});

test('setup scripts pass shellcheck', { skip: !hasShellcheck && 'shellcheck is not installed' }, () => {
  const r = spawnSync('shellcheck', scripts, { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout);
});
