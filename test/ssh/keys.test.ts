import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair, isEd25519PublicKey, publicKeyOfPrivate } from '../../src/ssh/openssh-key.ts';
import { ensureKeys } from '../../src/ssh/keys.ts';
import { sshpodPaths } from '../../src/ssh/paths.ts';
import { hostPattern, pinHostKey, updatedKnownHosts } from '../../src/ssh/known-hosts.ts';

test('generated keys are what ssh-keygen reads', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sshpod-keys-'));
  try {
    const pair = generateKeyPair('test@sshpod');
    const file = join(dir, 'key');
    writeFileSync(file, pair.privateKey, { mode: 0o600 });
    const derived = execFileSync('ssh-keygen', ['-y', '-f', file], { encoding: 'utf8' }).trim();
    assert.equal(derived, pair.publicKey);
    assert.equal(publicKeyOfPrivate(pair.privateKey, 'test@sshpod'), pair.publicKey);
    assert.ok(isEd25519PublicKey(pair.publicKey));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('public key lines are checked strictly', () => {
  const good = generateKeyPair('').publicKey;
  assert.ok(isEd25519PublicKey(good));
  assert.ok(isEd25519PublicKey(`${good} comment`));
  for (const bad of ['', 'ssh-rsa AAAAB3NzaC1yc2E', `${good}\nsecond line`, `${good} a b`, 'ssh-ed25519 AAAA', `ssh-ed25519 ${Buffer.alloc(51).toString('base64')}`]) {
    assert.equal(isEd25519PublicKey(bad), false, JSON.stringify(bad));
  }
});

test('keys are made once, private ones 0600 in a 0700 directory', () => {
  const home = mkdtempSync(join(tmpdir(), 'sshpod-home-'));
  try {
    const paths = sshpodPaths(home);
    const first = ensureKeys(paths);
    const second = ensureKeys(paths);
    assert.deepEqual(second, first);
    assert.equal(statSync(paths.cacheDir).mode & 0o777, 0o700);
    assert.equal(statSync(paths.clientKey).mode & 0o777, 0o600);
    assert.equal(statSync(paths.hostKey).mode & 0o777, 0o600);
    assert.equal(readFileSync(`${paths.clientKey}.pub`, 'utf8'), `${first.client.publicKey}\n`);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test('processes racing to make the first key all end up with the same one', async () => {
  const home = mkdtempSync(join(tmpdir(), 'sshpod-race-'));
  try {
    const module = new URL('../../src/ssh/keys.ts', import.meta.url).href;
    const pathsModule = new URL('../../src/ssh/paths.ts', import.meta.url).href;
    const code = `const { ensureKeys } = await import(${JSON.stringify(module)}); const { sshpodPaths } = await import(${JSON.stringify(pathsModule)}); process.stdout.write(ensureKeys(sshpodPaths(${JSON.stringify(home)})).client.publicKey);`;
    const outputs = await Promise.all(
      Array.from({ length: 8 }, () =>
        new Promise<string>((resolve, reject) => {
          const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code]);
          let out = '';
          child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
          child.on('close', (status) => (status === 0 ? resolve(out) : reject(new Error(`exit ${status}`))));
        }),
      ),
    );
    assert.equal(new Set(outputs).size, 1);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

const own = 'ssh-ed25519 AAAAown sshpod-local';
const foreign = 'ssh-ed25519 AAAApod sshpod@ns/pod/c';

test("known_hosts: the local key for *.sshpod (either spelling), each pod's key pinned to its hostname only", () => {
  const fresh = updatedKnownHosts('', own, 'pod--a.sshpod', own);
  assert.match(fresh, /^\*\.sshpod,\*\.sshpod\. ssh-ed25519 AAAAown$/m);
  assert.match(updatedKnownHosts('*.sshpod ssh-ed25519 AAAAold\n', own, 'pod--a.sshpod', own), /^\*\.sshpod,\*\.sshpod\. ssh-ed25519 AAAAown\n$/m, 'an older wildcard line is replaced');
  assert.equal(updatedKnownHosts(fresh, own, 'pod--a.sshpod', own), fresh, 'unchanged when nothing is new');
  const pinned = updatedKnownHosts(fresh, own, 'pod--b.sshpod', foreign);
  assert.match(pinned, /^pod--b\.sshpod ssh-ed25519 AAAApod$/m);
  const replaced = updatedKnownHosts(pinned, own, 'pod--b.sshpod', 'ssh-ed25519 AAAAnewer x');
  assert.doesNotMatch(replaced, /AAAApod/);
  assert.match(replaced, /^pod--b\.sshpod ssh-ed25519 AAAAnewer$/m);
  const back = updatedKnownHosts(replaced, own, 'pod--b.sshpod', own);
  assert.doesNotMatch(back, /^pod--b/m, 'a host back on our key needs no pin');
});

test('known_hosts patterns follow ssh: lower case, trailing dot kept (ssh looks it up so), [host]:port off port 22', () => {
  assert.equal(hostPattern('POD--A.sshpod.', 22), 'pod--a.sshpod.');
  assert.equal(hostPattern('POD--A.sshpod', 22), 'pod--a.sshpod');
  assert.equal(hostPattern('pod--a.sshpod', 2222), '[pod--a.sshpod]:2222');
});

test('pinning writes the file only when it changes, mode 0600', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sshpod-kh-'));
  try {
    const file = join(dir, 'known_hosts');
    pinHostKey(file, own, 'pod--a.sshpod', foreign);
    const before = statSync(file);
    assert.equal(before.mode & 0o777, 0o600);
    pinHostKey(file, own, 'pod--a.sshpod', foreign);
    assert.equal(statSync(file).ino, before.ino, 'not rewritten');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('on-demand pins: added beside the others for a hostname, each removed with its pod', async () => {
  const { withoutPin, pinnedPatterns } = await import('../../src/ssh/known-hosts.ts');
  const own = 'ssh-ed25519 AAAAown sshpod';
  const first = updatedKnownHosts('', own, 'template--debug.sshpod', 'ssh-ed25519 AAAAone pod', 'add');
  const both = updatedKnownHosts(first, own, 'template--debug.sshpod', 'ssh-ed25519 AAAAtwo pod', 'add');
  assert.match(both, /^template--debug\.sshpod ssh-ed25519 AAAAone$/m);
  assert.match(both, /^template--debug\.sshpod ssh-ed25519 AAAAtwo$/m);
  assert.equal(updatedKnownHosts(both, own, 'template--debug.sshpod', 'ssh-ed25519 AAAAtwo pod', 'add'), both, 'adding the same key twice changes nothing');
  const one = withoutPin(both, own, 'template--debug.sshpod', 'ssh-ed25519 AAAAone');
  assert.doesNotMatch(one, /AAAAone/);
  assert.match(one, /AAAAtwo/);
  assert.deepEqual(pinnedPatterns(one), ['template--debug.sshpod']);
  assert.deepEqual(pinnedPatterns(withoutPin(both, own, 'template--debug.sshpod')), [], 'every pin of the hostname');
  assert.match(updatedKnownHosts(both, own, 'template--debug.sshpod', 'ssh-ed25519 AAAAthree pod'), /^template--debug\.sshpod ssh-ed25519 AAAAthree$/m);
  assert.doesNotMatch(updatedKnownHosts(both, own, 'template--debug.sshpod', 'ssh-ed25519 AAAAthree pod'), /AAAAone|AAAAtwo/, 'replace leaves one');
});
