import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const launcher = new URL('../../bin/sshpod.cjs', import.meta.url).pathname;

function version(home: string): { stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [launcher, '--version'], {
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home, SSHPOD_LOG_LEVEL: 'debug' },
    encoding: 'utf8',
  });
  assert.equal(result.status, 0, result.stderr);
  return { stdout: result.stdout, stderr: result.stderr };
}

test('the launcher keeps a private V8 code cache, uses it, and rebuilds one that does not fit', () => {
  const home = mkdtempSync(join(tmpdir(), 'sshpod-launcher-'));
  try {
    const first = version(home);
    assert.match(first.stdout, /^\d+\.\d+\.\d+/);
    assert.match(first.stderr, /sshpod code cache: none yet/);
    const dir = join(home, '.cache', 'sshpod', 'code-cache');
    const files = readdirSync(dir);
    assert.equal(files.length, 1);
    const file = join(dir, files[0] as string);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.match(version(home).stderr, /sshpod code cache: used/);
    writeFileSync(file, 'not a code cache');
    assert.match(version(home).stderr, /sshpod code cache: rejected/);
    assert.match(version(home).stderr, /sshpod code cache: used/, 'rebuilt');
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test('a code cache compiled from another bundle of the same length is never used', () => {
  // V8 checks a cache against the source's length only; a bundle replaced by another of the same
  // length (and mtime) ran the old bundle's code from the cache.
  const root = mkdtempSync(join(tmpdir(), 'sshpod-launcher-swap-'));
  try {
    mkdirSync(join(root, 'bin'));
    mkdirSync(join(root, 'dist'));
    copyFileSync(launcher, join(root, 'bin', 'sshpod.cjs'));
    const bundle = join(root, 'dist', 'sshpod.cjs');
    const stamp = (body: string): string => `// sshpod-bundle-sha256=${createHash('sha256').update(body).digest('hex')}\n${body}`;
    const run = (): string =>
      spawnSync(process.execPath, [join(root, 'bin', 'sshpod.cjs')], { env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: root }, encoding: 'utf8' }).stdout;
    writeFileSync(bundle, stamp('process.stdout.write("first\\n");'));
    const { mtime } = statSync(bundle);
    assert.equal(run(), 'first\n');
    assert.equal(run(), 'first\n', 'from the cache');
    writeFileSync(bundle, stamp('process.stdout.write("other\\n");'));
    utimesSync(bundle, mtime, mtime);
    assert.equal(run(), 'other\n');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
