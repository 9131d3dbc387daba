import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileTargetCache, sameEndpoint } from '../../src/reach/target-cache.ts';
import { sshpodPaths } from '../../src/ssh/paths.ts';

const endpoint = { namespace: 'shop', pod: 'web-1', podUid: 'uid-1', container: 'app', port: 23456, arch: 'x86_64', hostKey: 'ssh-ed25519 AAAA', login: 'root' };

test('a remembered endpoint is per context, namespace and hostname, private, and survives damage', () => {
  const home = mkdtempSync(join(tmpdir(), 'sshpod-cache-'));
  try {
    const paths = sshpodPaths(home);
    const cache = fileTargetCache(paths, 'ctx');
    assert.equal(cache.read('shop', 'pod--web-1.sshpod'), undefined);
    cache.write('shop', 'pod--web-1.sshpod', endpoint);
    assert.deepEqual(cache.read('shop', 'POD--web-1.sshpod.'), endpoint, 'same host, as ssh may spell it');
    assert.equal(fileTargetCache(paths, 'other').read('shop', 'pod--web-1.sshpod'), undefined, 'another context');
    assert.equal(cache.read('dev', 'pod--web-1.sshpod'), undefined, 'another default namespace');
    const [file] = readdirSync(join(paths.cacheDir, 'targets'));
    assert.equal(statSync(join(paths.cacheDir, 'targets', file as string)).mode & 0o777, 0o600);
    writeFileSync(join(paths.cacheDir, 'targets', file as string), '{"namespace": 1');
    assert.equal(cache.read('shop', 'pod--web-1.sshpod'), undefined, 'damaged: ignored');
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test('endpoints compare on every field', () => {
  assert.ok(sameEndpoint(endpoint, { ...endpoint }));
  for (const change of [{ podUid: 'uid-2' }, { port: 1 }, { container: 'x' }, { pod: 'web-2' }, { namespace: 'n' }, { arch: 'aarch64' }, { hostKey: 'x' }, { login: 'app' }]) {
    assert.ok(!sameEndpoint(endpoint, { ...endpoint, ...change }), JSON.stringify(change));
  }
});
