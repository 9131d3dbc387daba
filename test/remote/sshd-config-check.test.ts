// The sshd_config sshpod renders, checked by the sshd it ships (`sshd -t`): every option must
// be one this build knows, or sshd logs warnings on every connection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unpackSshd } from '../bundles/bundle.ts';
import { renderSshdConfig } from '../../src/remote/sshd-config.ts';
import { generateKeyPair } from '../../src/ssh/openssh-key.ts';

test('the rendered sshd_config passes sshd -t of the amd64 bundle without a warning', { skip: process.arch !== 'x64' ? 'needs x86-64' : false }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'sshpod-config-check-'));
  try {
    const sshd = unpackSshd('amd64', join(dir, 'sshd'));
    const key = generateKeyPair('host');
    writeFileSync(join(dir, 'ssh_host_ed25519_key'), key.privateKey, { mode: 0o600 });
    mkdirSync(join(dir, 'empty'), { mode: 0o755 });
    const config = renderSshdConfig({
      environment: [['PATH', '/usr/bin:/bin'], ['QUOTED', 'a "b" \'c\' \\d #e']],
      sshpodVersion: 'test',
      installId: 'sshpod-0123456789abcdef01234567',
    });
    writeFileSync(join(dir, 'sshd_config'), config, { mode: 0o600 });
    // As sshpod runs it: from its directory, every file through /proc/self/cwd.
    const result = spawnSync(sshd, ['-t', '-f', '/proc/self/cwd/sshd_config'], {
      cwd: dir,
      encoding: 'utf8',
      env: { SSHPOD_PRIVSEP_DIR: '/proc/self/cwd/empty', PATH: '/usr/bin:/bin' },
    });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stderr, '');
    const dump = spawnSync(sshd, ['-T', '-f', '/proc/self/cwd/sshd_config'], {
      cwd: dir,
      encoding: 'utf8',
      env: { SSHPOD_PRIVSEP_DIR: '/proc/self/cwd/empty', PATH: '/usr/bin:/bin' },
    });
    assert.match(dump.stdout, /^setenv PATH=\/usr\/bin:\/bin$/m);
    assert.ok(dump.stdout.split('\n').includes(`setenv QUOTED=a "b" 'c' \\d #e`), 'values survive quoting exactly');
    assert.match(dump.stdout, /^listenaddress 127\.0\.0\.1:22$/m);
    assert.match(dump.stdout, /^passwordauthentication no$/m);
    assert.match(dump.stdout, /^versionaddendum sshpod-0123456789abcdef01234567$/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
