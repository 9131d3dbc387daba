// What cleanup prunes on this machine: sockets no master listens on, pins nothing leads to.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostOfPattern, stalePins, staleSockets } from '../../src/housekeeping/local-state.ts';

test('pins: the hostname of each pattern, and which ones nothing wants kept', () => {
  assert.equal(hostOfPattern('[pod--a.sshpod]:2222'), 'pod--a.sshpod');
  assert.equal(hostOfPattern('POD--a.sshpod.'), 'pod--a.sshpod');
  const text = '# header\n*.sshpod,*.sshpod. ssh-ed25519 AAAAown\npod--a.sshpod ssh-ed25519 AAAA1\n[pod--b.sshpod]:2222 ssh-ed25519 AAAA2\n';
  assert.deepEqual(stalePins(text, (host) => host === 'pod--a.sshpod'), ['[pod--b.sshpod]:2222']);
});

test('sockets: a dead master\'s socket is stale, a live one is not, other names are not looked at', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sshpod-cm-'));
  const dead = join(dir, 'a'.repeat(40));
  spawnSync('python3', ['-c', `import os,socket; s=socket.socket(socket.AF_UNIX); s.bind(${JSON.stringify(dead)}); s.listen(1); os._exit(0)`]);
  const live = join(dir, 'b'.repeat(40));
  const server = createServer().listen(live);
  await new Promise((resolve) => server.once('listening', resolve));
  writeFileSync(join(dir, `${'c'.repeat(40)}.tmp123`), '');
  try {
    assert.deepEqual(await staleSockets(dir), [dead]);
    assert.deepEqual(await staleSockets(join(dir, 'none')), []);
  } finally {
    server.close();
  }
});
