// sshpod trusts manifest.json to name the bundle it installs (`<debian>-<rawSha256 prefix>`)
// and to pick the file for `uname -m`: it must describe exactly the committed files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { arches, bundlesDir, readManifest, readRawSshd, target } from './bundle.ts';

const sha256 = (buf: Buffer) => createHash('sha256').update(buf).digest('hex');

test('the manifest names the OpenSSH source, the toolchain and both targets', () => {
  const m = readManifest();
  assert.equal(m.schema, 1);
  assert.match(m.openssh.upstream, /^\d+\.\d+p\d+$/);
  assert.match(m.openssh.debian, /^1:\d+\.\d+p\d+-\S+$/);
  assert.ok(m.openssh.debian.includes(m.openssh.upstream), 'the Debian version is of the upstream release');
  for (const key of ['musl', 'gcc', 'aarch64-gcc'] as const) assert.ok(m.toolchain[key], `toolchain.${key} is empty`);
  assert.deepEqual(Object.keys(m.targets).sort(), ['linux/amd64', 'linux/arm64']);
  assert.deepEqual(target(m, 'amd64').unameMachines, ['x86_64', 'amd64']);
  assert.deepEqual(target(m, 'arm64').unameMachines, ['aarch64', 'arm64']);
});

test('the manifest records the configure flags the design requires', () => {
  const { configure } = readManifest();
  for (const flag of [
    '--without-openssl', '--without-zlib', '--without-pam', '--without-libedit', '--without-selinux',
    '--disable-lastlog', '--disable-utmp', '--disable-utmpx', '--disable-wtmp', '--disable-wtmpx',
    '--with-privsep-user=nobody',
  ]) {
    assert.ok(configure.includes(flag), `missing ${flag}`);
  }
  assert.ok(configure.some((f) => /^--with-privsep-path=\/tmp\//.test(f)), 'privsep path is not under /tmp');
});

for (const arch of arches) {
  test(`linux/${arch}: checksums and sizes match the committed files`, () => {
    const t = target(readManifest(), arch);
    assert.equal(t.file, `sshd-linux-${arch}.gz`);
    const gz = readFileSync(join(bundlesDir(), t.file));
    assert.equal(gz.length, t.size);
    assert.equal(sha256(gz), t.sha256);
    const raw = readRawSshd(arch);
    assert.equal(raw.length, t.rawSize);
    assert.equal(sha256(raw), t.rawSha256);
    // gzip -n: no name and no timestamp in the header, so equal binaries give equal .gz files.
    assert.equal(gz.readUInt32LE(4), 0, 'gzip header carries a timestamp');
    assert.equal(gz[3]! & 0x08, 0, 'gzip header carries a file name');
  });
}
