// The build itself, only when asked (it installs packages and takes a few minutes):
//   SSHPOD_BUILD_BUNDLES=1 npm test
// It rebuilds both bundles from Debian's source into a temp dir and checks the result against
// the committed manifest: same versions, flags and toolchain, and, since the build is
// reproducible, the same SHA-256 for every file. To run the behavioural suites on a build
// that differs, point them at it: SSHPOD_BUNDLES_DIR=<dir> node --import tsx --test test/bundles/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { arches, committedBundlesDir, readManifest, target } from './bundle.ts';

const asked = process.env.SSHPOD_BUILD_BUNDLES === '1';

test('bundles/build.sh is valid bash (always checked; the build itself only when asked)', () => {
  const r = spawnSync('bash', ['-n', join(committedBundlesDir, 'build.sh')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});

test('bundles/build.sh reproduces the committed bundles', { skip: !asked && 'set SSHPOD_BUILD_BUNDLES=1 to rebuild (takes minutes)' }, (t) => {
  const out = mkdtempSync(join(tmpdir(), 'sshpod-bundles-build-'));
  t.after(() => rmSync(out, { recursive: true, force: true }));
  const r = spawnSync('bash', [join(committedBundlesDir, 'build.sh'), out], {
    env: { ...process.env, SSHPOD_BUNDLES_WORK: join(out, 'work') },
    stdio: ['ignore', 'inherit', 'inherit'],
    timeout: 45 * 60_000,
  });
  assert.equal(r.status, 0, `bundles/build.sh failed (${r.status ?? r.signal}); its log is above`);

  const committed = readManifest(committedBundlesDir);
  const fresh = readManifest(out);
  assert.equal(
    fresh.openssh.debian,
    committed.openssh.debian,
    'Debian now ships another openssh: run `npm run bundles:build` and commit bundles/',
  );
  assert.deepEqual(fresh.configure, committed.configure);
  assert.deepEqual(fresh.toolchain, committed.toolchain, 'the toolchain changed: rebuild and commit bundles/');
  for (const arch of arches) {
    const [a, b] = [target(fresh, arch), target(committed, arch)];
    assert.equal(a.rawSha256, b.rawSha256, `linux/${arch}: the rebuilt sshd differs from the committed one`);
    assert.deepEqual(a, b);
  }
});
