// deploy/krew/ssh.yaml is a krew plugin manifest (apiVersion krew.googlecontainertools.github.com/
// v1alpha2, kind Plugin) for this version, and what it tells krew to do with the npm tarball
// gives a working kubectl-ssh.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';

const root = new URL('../..', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string; files: string[] };

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: {
    version: string;
    homepage: string;
    shortDescription: string;
    description: string;
    caveats: string;
    platforms: Array<{ selector: { matchExpressions: Array<{ key: string; operator: string; values: string[] }> }; uri: string; sha256: string; files: Array<{ from: string; to: string }>; bin: string }>;
  };
}

const manifest = parse(readFileSync(join(root, 'deploy', 'krew', 'ssh.yaml'), 'utf8')) as Manifest;

test('a krew Plugin named ssh, for this version', () => {
  assert.equal(manifest.apiVersion, 'krew.googlecontainertools.github.com/v1alpha2');
  assert.equal(manifest.kind, 'Plugin');
  assert.equal(manifest.metadata.name, 'ssh');
  assert.equal(manifest.spec.version, `v${pkg.version}`);
  assert.match(manifest.spec.homepage, /^https:\/\//);
  assert.ok(manifest.spec.shortDescription.length > 0 && manifest.spec.shortDescription.length <= 50, manifest.spec.shortDescription);
  assert.ok(manifest.spec.description.length > 0 && manifest.spec.caveats.length > 0);
});

test('each platform: a selector, the npm tarball of this version with a sha256, files, and the launcher as bin', () => {
  assert.ok(manifest.spec.platforms.length > 0);
  for (const platform of manifest.spec.platforms) {
    for (const expression of platform.selector.matchExpressions) {
      assert.equal(expression.key, 'os');
      assert.equal(expression.operator, 'In');
      for (const os of expression.values) assert.ok(['linux', 'darwin'].includes(os), `${os}: krew wants a .exe bin on windows`);
    }
    assert.equal(platform.uri, `https://registry.npmjs.org/sshpod/-/sshpod-${pkg.version}.tgz`);
    assert.match(platform.sha256, /^[0-9a-f]{64}$/);
    assert.deepEqual(platform.files, [{ from: 'package/*', to: '.' }]);
    assert.equal(platform.bin, 'bin/kubectl-ssh.cjs');
  }
});

test('what krew does with the npm tarball gives a working kubectl-ssh', () => {
  const work = mkdtempSync(join(tmpdir(), 'sshpod-krew-'));
  try {
    const packed = spawnSync('npm', ['pack', '--silent', '--pack-destination', work], { cwd: root, encoding: 'utf8' });
    assert.equal(packed.status, 0, packed.stderr);
    const extracted = join(work, 'extracted');
    mkdirSync(extracted);
    assert.equal(spawnSync('tar', ['-xzf', join(work, packed.stdout.trim().split('\n').at(-1) as string), '-C', extracted]).status, 0);
    // krew: copy `files` into the plugin's store directory, link `bin` into its bin directory.
    const store = join(work, 'store');
    cpSync(join(extracted, 'package'), store, { recursive: true });
    const krewBin = join(work, 'krew-bin');
    mkdirSync(krewBin);
    const platform = manifest.spec.platforms[0];
    symlinkSync(join(store, platform?.bin ?? ''), join(krewBin, 'kubectl-ssh'));
    // ssh reads the test HOME's config (it finds ~ through passwd, not $HOME).
    const realSsh = spawnSync('sh', ['-c', 'command -v ssh'], { encoding: 'utf8' }).stdout.trim();
    writeFileSync(join(krewBin, 'ssh'), `#!/bin/sh\nexec '${realSsh}' -F "$HOME/.ssh/config" "$@"\n`, { mode: 0o755 });
    mkdirSync(join(work, '.ssh'));
    writeFileSync(join(work, '.ssh', 'config'), '');
    writeFileSync(join(work, 'kubeconfig'), 'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: dev, context: {cluster: c, user: u}}]\ncurrent-context: dev\n');
    const env = { PATH: `${krewBin}:/usr/local/bin:/usr/bin:/bin`, HOME: work, KUBECONFIG: join(work, 'kubeconfig') };
    const version = spawnSync('kubectl', ['ssh', '--version'], { env, encoding: 'utf8' });
    assert.equal(version.stdout.trim(), pkg.version, version.stderr);
    // Not configured yet (and no sshpod command on PATH): it names the command that configures
    // ssh with this copy; that command works.
    const first = spawnSync('kubectl', ['ssh', 'api'], { env, encoding: 'utf8' });
    assert.equal(first.status, 1);
    const hint = /^hint: run: (.*)$/m.exec(first.stderr)?.[1];
    assert.equal(hint, `'${process.execPath}' '${join(store, 'bin', 'sshpod.cjs')}' configure`, first.stderr);
    const configured = spawnSync('sh', ['-c', `${hint} --yes`], { env, encoding: 'utf8' });
    assert.equal(configured.status, 0, configured.stderr);
    assert.ok(readFileSync(join(work, '.ssh', 'config'), 'utf8').includes(join(store, 'bin', 'sshpod.cjs')));
    // An upgrade moves the store: the block then names a program that is gone, and it says so.
    renameSync(store, `${store}-old`);
    symlinkSync(join(`${store}-old`, platform?.bin ?? ''), join(krewBin, 'kubectl-ssh-moved'));
    const stale = spawnSync(join(krewBin, 'kubectl-ssh-moved'), ['api'], { env, encoding: 'utf8' });
    assert.equal(stale.status, 1);
    assert.match(stale.stderr, /^error: the \*\.sshpod block in your ssh config runs .*\/store\/bin\/sshpod\.cjs, which no longer exists\nhint: run: .*configure\n$/);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
