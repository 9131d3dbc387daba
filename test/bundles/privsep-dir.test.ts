// SSHPOD_PRIVSEP_DIR: a root sshd chroots its pre-auth child into an empty root-owned
// directory; sshpod creates one next to the sshd it installs and names it in this variable.
// Without it, the compiled-in /tmp/sshpod/empty is used. Each test hides any real
// /tmp/sshpod of this machine behind an empty tmpfs, in a private mount namespace.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync } from 'node:fs';
import { arches, readManifest } from './bundle.ts';
import { skipUnless } from './host.ts';
import { SshdScratch, inPrivateMountNamespace } from './sshd-fixture.ts';

const defaultDir = readManifest().configure.find((f) => f.startsWith('--with-privsep-path='))?.split('=')[1];
const withoutDefaultDir = inPrivateMountNamespace('[ ! -d /tmp/sshpod ] || mount -t tmpfs -o mode=0755 sshpod-test /tmp/sshpod');

for (const arch of arches) {
  describe(`linux/${arch} sshd with SSHPOD_PRIVSEP_DIR`, { skip: skipUnless(arch, { root: true }) }, () => {
    test('the compiled-in default is /tmp/sshpod/empty, also when the variable is empty', async (t) => {
      assert.equal(defaultDir, '/tmp/sshpod/empty');
      const s = new SshdScratch(arch);
      t.after(() => s.cleanup());
      const missing = /Missing privilege separation directory: \/tmp\/sshpod\/empty/;
      await assert.rejects(s.start({ wrapper: withoutDefaultDir }), missing);
      await assert.rejects(s.start({ wrapper: withoutDefaultDir, env: { SSHPOD_PRIVSEP_DIR: '' } }), missing);
    });

    test('the variable replaces the default, for the daemon and for each re-executed connection', async (t) => {
      const s = new SshdScratch(arch);
      t.after(() => s.cleanup());
      const { port } = await s.start({ wrapper: withoutDefaultDir, env: { SSHPOD_PRIVSEP_DIR: s.privsepDir } });
      for (const word of ['first', 'second']) {
        const r = s.ssh(port, 'root', `echo ${word}`);
        assert.equal(r.stdout, `${word}\n`, `${r.stderr}\n${s.readLog()}`);
      }
    });

    test('the directory must be root-owned and not group- or world-writable', async (t) => {
      const s = new SshdScratch(arch);
      t.after(() => s.cleanup());
      chmodSync(s.privsepDir, 0o775);
      const escaped = s.privsepDir.replace(/[.+]/g, '\\$&');
      await assert.rejects(
        s.start({ env: { SSHPOD_PRIVSEP_DIR: s.privsepDir } }),
        new RegExp(`${escaped} must be owned by root and not group or world-writable`),
      );
    });
  });
}
