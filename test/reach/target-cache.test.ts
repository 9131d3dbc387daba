import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileTargetCache, listRemembered, sameEndpoint } from '../../src/reach/target-cache.ts';
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

test('every remembered endpoint can be listed with what it is for; the key never leaks into reads', () => {
  const home = mkdtempSync(join(tmpdir(), 'sshpod-cache-'));
  try {
    const paths = sshpodPaths(home);
    fileTargetCache(paths, 'eu').write('shop', 'POD--web-1.sshpod.', endpoint);
    fileTargetCache(paths, 'us').write('dev', 'pod--api.sshpod', { ...endpoint, pod: 'api' });
    assert.deepEqual(fileTargetCache(paths, 'eu').read('shop', 'pod--web-1.sshpod'), endpoint, 'read gives the endpoint alone (sameEndpoint compares every field)');
    const listed = listRemembered(paths).sort((a, b) => (a.key?.context ?? '').localeCompare(b.key?.context ?? ''));
    assert.deepEqual(listed.map((t) => t.key), [{ context: 'eu', namespace: 'shop', host: 'pod--web-1.sshpod' }, { context: 'us', namespace: 'dev', host: 'pod--api.sshpod' }]);
    assert.deepEqual(listed[0]?.endpoint, endpoint);
    // A file from before the key was written: listed, with neither.
    writeFileSync(join(paths.cacheDir, 'targets', `${'0'.repeat(32)}.json`), JSON.stringify(endpoint));
    const old = listRemembered(paths).find((t) => t.file.endsWith(`${'0'.repeat(32)}.json`));
    assert.equal(old?.key, undefined);
    assert.deepEqual(old?.endpoint, endpoint);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
