import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostRootMasks } from './catalog.ts';
import { parseLdd } from './skeleton.ts';

test("hostRootMasks hides the host's own top-level entries, home and scratch directories", () => {
  const masks = hostRootMasks(['bin', 'etc', 'usr', 'var', 'work', 'farm', 'container_info.json', 'lost+found', 'tmp', 'root'], ['/etc/ssh/ssh_host_ed25519_key']);
  for (const hidden of ['/work', '/farm', '/container_info.json', '/lost+found', '/root', '/home', '/tmp', '/var/tmp', '/usr/local', '/etc/ssh/ssh_host_ed25519_key']) {
    assert.ok(masks.hidden.includes(hidden), hidden);
  }
  for (const kept of ['/bin', '/etc', '/usr', '/var']) assert.ok(!masks.hidden.includes(kept), kept);
  assert.deepEqual(
    masks.emptyDirs.filter((d) => ['/root', '/tmp', '/run/lock'].includes(d.path)),
    [
      { path: '/root', mode: 0o700 },
      { path: '/tmp', mode: 0o1777 },
      { path: '/run/lock', mode: 0o1777 },
    ],
  );
});

test('parseLdd finds the libraries and the loader', () => {
  const output = [
    '\tlinux-vdso.so.1 (0x00007ffd5a1f2000)',
    '\tlibresolv.so.2 => /lib/x86_64-linux-gnu/libresolv.so.2 (0x00007f0c1b2a1000)',
    '\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f0c1b0c0000)',
    '\t/lib64/ld-linux-x86-64.so.2 (0x00007f0c1b2c5000)',
  ].join('\n');
  assert.deepEqual(parseLdd(output), ['/lib/x86_64-linux-gnu/libresolv.so.2', '/lib/x86_64-linux-gnu/libc.so.6', '/lib64/ld-linux-x86-64.so.2']);
});
