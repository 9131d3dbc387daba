import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCachedTarget, sameTarget, writeCachedTarget } from '../../src/proxy/target-cache.ts';
import { sshpodPaths } from '../../src/ssh/paths.ts';

const target = { namespace: 'shop', pod: 'web-1', podUid: 'uid-1', container: 'app', port: 23456, arch: 'x86_64', hostKey: 'ssh-ed25519 AAAA', login: 'root' };

test('a remembered target is per context, namespace and hostname, private, and survives damage', () => {
  const home = mkdtempSync(join(tmpdir(), 'sshpod-cache-'));
  try {
    const paths = sshpodPaths(home);
    const key = { context: 'ctx', namespace: 'shop', host: 'pod--web-1.sshpod' };
    assert.equal(readCachedTarget(paths, key), undefined);
    writeCachedTarget(paths, key, target);
    assert.deepEqual(readCachedTarget(paths, { ...key, host: 'POD--web-1.sshpod.' }), target, 'same host, as ssh may spell it');
    assert.equal(readCachedTarget(paths, { ...key, context: 'other' }), undefined, 'another context');
    assert.equal(readCachedTarget(paths, { ...key, namespace: 'dev' }), undefined, 'another default namespace');
    const [file] = readdirSync(join(paths.cacheDir, 'targets'));
    assert.equal(statSync(join(paths.cacheDir, 'targets', file as string)).mode & 0o777, 0o600);
    writeFileSync(join(paths.cacheDir, 'targets', file as string), '{"namespace": 1');
    assert.equal(readCachedTarget(paths, key), undefined, 'damaged: ignored');
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test('targets compare on every field', () => {
  assert.ok(sameTarget(target, { ...target }));
  for (const change of [{ podUid: 'uid-2' }, { port: 1 }, { container: 'x' }, { pod: 'web-2' }, { namespace: 'n' }, { arch: 'aarch64' }, { hostKey: 'x' }, { login: 'app' }]) {
    assert.ok(!sameTarget(target, { ...target, ...change }), JSON.stringify(change));
  }
});
