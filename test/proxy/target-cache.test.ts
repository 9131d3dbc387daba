import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCachedTarget, sameTarget, writeCachedTarget } from '../../src/proxy/target-cache.ts';
import { sshpodPaths } from '../../src/ssh/paths.ts';

const target = { namespace: 'shop', pod: 'web-1', podUid: 'uid-1', container: 'app', port: 23456 };

test('a remembered target is per context and hostname, private, and survives damage', () => {
  const home = mkdtempSync(join(tmpdir(), 'sshpod-cache-'));
  try {
    const paths = sshpodPaths(home);
    assert.equal(readCachedTarget(paths, 'ctx', 'pod--web-1.sshpod'), undefined);
    writeCachedTarget(paths, 'ctx', 'pod--web-1.sshpod', target);
    assert.deepEqual(readCachedTarget(paths, 'ctx', 'POD--web-1.sshpod.'), target, 'same host, as ssh may spell it');
    assert.equal(readCachedTarget(paths, 'other', 'pod--web-1.sshpod'), undefined, 'another context');
    const [file] = readdirSync(join(paths.cacheDir, 'targets'));
    assert.equal(statSync(join(paths.cacheDir, 'targets', file as string)).mode & 0o777, 0o600);
    writeFileSync(join(paths.cacheDir, 'targets', file as string), '{"namespace": 1');
    assert.equal(readCachedTarget(paths, 'ctx', 'pod--web-1.sshpod'), undefined, 'damaged: ignored');
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test('targets compare on every field', () => {
  assert.ok(sameTarget(target, { ...target }));
  for (const change of [{ podUid: 'uid-2' }, { port: 1 }, { container: 'x' }, { pod: 'web-2' }, { namespace: 'n' }]) {
    assert.ok(!sameTarget(target, { ...target, ...change }), JSON.stringify(change));
  }
});
