// SSHPOD_PASSWD: when the container's /etc/passwd lacks an entry sshd needs, sshd looks in the
// file sshpod writes. The two cases sshpod writes it for: a non-root container whose uid has
// no entry (the login name maps to that uid), and a root image without `nobody` (sshd's
// privilege-separation user). Also: a locked password field ("!", as useradd and adduser -D
// leave it) must not refuse a public-key login.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { arches } from './bundle.ts';
import { skipUnless } from './host.ts';
import { SshdScratch, asUser, inPrivateMountNamespace } from './sshd-fixture.ts';

const uid = 4242;
const nobody = 'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin';

function hasPasswdEntry(id: number): boolean {
  return readFileSync('/etc/passwd', 'utf8').split('\n').some((l) => l.split(':')[2] === String(id));
}

for (const arch of arches) {
  describe(`linux/${arch} sshd with SSHPOD_PASSWD`, { skip: skipUnless(arch, { root: true }) }, () => {
    test('a non-root sshd logs in a name known only from SSHPOD_PASSWD, as its own uid', async (t) => {
      assert.ok(!hasPasswdEntry(uid), `uid ${uid} must have no /etc/passwd entry for this test`);
      const s = new SshdScratch(arch);
      t.after(() => s.cleanup());
      const fallback = join(s.dir, 'passwd');
      writeFileSync(fallback, `app:x:${uid}:${uid}:sshpod app:${s.dir}:/bin/sh\n`);
      s.chownAll(uid, uid);
      const started = await s.start({ wrapper: asUser(uid, uid), env: { SSHPOD_PASSWD: fallback } });
      const r = s.ssh(started.port, 'app', 'id -u; id -g; echo "$HOME $USER"');
      assert.equal(r.stdout, `${uid}\n${uid}\n${s.dir} app\n`, `${r.stderr}\n${s.readLog()}`);
      assert.equal(r.status, 0);
      await s.stop(started.pid);

      // The same sshd without the file: the name is unknown, so the login is refused.
      const without = await s.start({ wrapper: asUser(uid, uid) });
      const refused = s.ssh(without.port, 'app', 'true');
      assert.equal(refused.status, 255);
      assert.match(s.readLog(), /Invalid user app from 127\.0\.0\.1/);
    });

    test('SSHPOD_PASSWD is searched before /etc/passwd: `root` maps to a non-root sshd\'s own uid', async (t) => {
      assert.ok(!hasPasswdEntry(uid), `uid ${uid} must have no /etc/passwd entry for this test`);
      const s = new SshdScratch(arch);
      t.after(() => s.cleanup());
      const fallback = join(s.dir, 'passwd');
      writeFileSync(fallback, `root:x:${uid}:${uid}:sshpod:${s.dir}:/bin/sh\n`);
      s.chownAll(uid, uid);
      const started = await s.start({ wrapper: asUser(uid, uid), env: { SSHPOD_PASSWD: fallback } });
      const r = s.ssh(started.port, 'root', 'id -u; echo "$USER"');
      assert.equal(r.stdout, `${uid}\nroot\n`, `${r.stderr}\n${s.readLog()}`);
      assert.equal(r.status, 0);
      await s.stop(started.pid);
    });

    test('a root sshd in an image without nobody starts with SSHPOD_PASSWD, and says why not without', async (t) => {
      const s = new SshdScratch(arch);
      t.after(() => s.cleanup());
      const passwd = join(s.dir, 'etc-passwd-without-nobody');
      const hostPasswd = readFileSync('/etc/passwd', 'utf8').split('\n');
      writeFileSync(passwd, hostPasswd.filter((l) => !l.startsWith('nobody:')).join('\n'));
      const image = inPrivateMountNamespace('mount --bind "$1" /etc/passwd', passwd);
      const env = { SSHPOD_PRIVSEP_DIR: s.privsepDir };

      await assert.rejects(s.start({ wrapper: image, env }), /Privilege separation user nobody does not exist/);

      const fallback = join(s.dir, 'passwd');
      writeFileSync(fallback, `${nobody}\n`);
      const { port } = await s.start({ wrapper: image, config: ['LogLevel DEBUG3'], env: { ...env, SSHPOD_PASSWD: fallback } });
      const r = s.ssh(port, 'root', 'grep -q "^nobody:" /etc/passwd && echo has-nobody || echo no-nobody');
      assert.equal(r.stdout, 'no-nobody\n', `${r.stderr}\n${s.readLog()}`);
      assert.equal(r.status, 0);
      assert.match(s.readLog(), /privsep user:group 65534:65534/);
    });

    test('a locked password field ("!") does not refuse a public-key login', async (t) => {
      const s = new SshdScratch(arch);
      t.after(() => s.cleanup());
      const fallback = join(s.dir, 'passwd');
      writeFileSync(fallback, `locked:!:4243:4243:locked account:${s.dir}:/bin/sh\n`);
      const { port } = await s.start({ env: { SSHPOD_PRIVSEP_DIR: s.privsepDir, SSHPOD_PASSWD: fallback } });
      const r = s.ssh(port, 'locked', 'id -u');
      assert.equal(r.stdout, '4243\n', `${r.stderr}\n${s.readLog()}`);
      assert.equal(r.status, 0);
    });
  });
}
