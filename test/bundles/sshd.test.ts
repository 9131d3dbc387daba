// Each bundled sshd, run as sshpod runs it, serves the machine's real OpenSSH clients:
// config test, shell commands with their exit status, SFTP (what modern scp uses), inetd mode
// behind a ProxyCommand, and a clean failure when its port is taken. arm64 runs through
// qemu-user-static (registered in binfmt_misc by scripts/install-host-deps.sh).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readlinkSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { arches } from './bundle.ts';
import { isNative, skipUnless } from './host.ts';
import { type ProcFacts, descendantsOf, procFacts } from './proc.ts';
import { SshdScratch } from './sshd-fixture.ts';

function readBanner(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.setEncoding('utf8');
    socket.once('data', (line: string) => {
      socket.destroy();
      resolve(line);
    });
    socket.once('error', reject);
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

function nobodyUid(): number {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('nobody:'));
  assert.ok(line, 'this machine has no nobody user in /etc/passwd');
  return Number(line.split(':')[2]);
}

for (const arch of arches) {
  const native = isNative(arch);
  describe(`linux/${arch} sshd`, { skip: skipUnless(arch, { root: true }) }, () => {
    test('sshd -t accepts a minimal config and names what is wrong in a bad one', async (t) => {
      const s = new SshdScratch(arch);
      t.after(() => s.cleanup());
      const env = { SSHPOD_PRIVSEP_DIR: s.privsepDir };
      const ok = s.test(s.writeConfig(), env);
      assert.equal(ok.status, 0, ok.stderr);
      const bad = s.test(s.writeConfig(['NoSuchOption yes'], 'bad_config'), env);
      assert.notEqual(bad.status, 0);
      assert.match(bad.stderr, /Bad configuration option: NoSuchOption/);
    });

    test('serves a real ssh session and passes the exit status back', async (t) => {
      const s = new SshdScratch(arch);
      t.after(() => s.cleanup());
      const { port } = await s.start({ env: { SSHPOD_PRIVSEP_DIR: s.privsepDir } });
      const r = s.ssh(port, 'root', 'echo hi; exit 3');
      assert.equal(r.stdout, 'hi\n', r.stderr);
      assert.equal(r.status, 3);
      assert.match(s.readLog(), /Accepted publickey for root from 127\.0\.0\.1/);
    });

    test(`runs the pre-auth child as nobody, chrooted in SSHPOD_PRIVSEP_DIR${native ? ', under seccomp' : ''}`, async (t) => {
      const s = new SshdScratch(arch);
      t.after(() => s.cleanup());
      const { port, pid } = await s.start({ env: { SSHPOD_PRIVSEP_DIR: s.privsepDir } });
      // A client that sends its banner and then waits keeps sshd in its pre-auth phase.
      const socket = connect(port, '127.0.0.1');
      try {
        await new Promise((resolve) => socket.once('data', resolve));
        socket.write('SSH-2.0-sshpod-test\r\n');
        let child: ProcFacts | undefined;
        for (let i = 0; i < 300 && !child; i++) {
          // The only process of this sshd that gave up root (under qemu, /proc shows qemu's
          // command line, not sshd's "sshd: [net]" title).
          child = descendantsOf(pid).map(procFacts).find((p) => p !== undefined && p.uid !== 0);
          if (!child) await sleep(100);
        }
        assert.ok(child, 'no unprivileged pre-auth child appeared');
        assert.equal(child.uid, nobodyUid());
        assert.equal(child.root, s.privsepDir);
        // qemu-user refuses seccomp filters (they would apply to qemu itself), so arm64
        // gets its filter only on real arm64 hardware.
        if (native) assert.equal(child.seccomp, 2, 'no seccomp filter on the pre-auth child');
      } finally {
        socket.destroy();
      }
    });

    test('serves sftp: a put and a get round-trip a file unchanged', async (t) => {
      const s = new SshdScratch(arch);
      t.after(() => s.cleanup());
      const { port } = await s.start({ env: { SSHPOD_PRIVSEP_DIR: s.privsepDir } });
      const original = join(s.dir, 'payload');
      writeFileSync(original, randomBytes(1 << 20));
      const uploaded = join(s.dir, 'uploaded');
      const downloaded = join(s.dir, 'downloaded');
      const r = s.sftp(port, 'root', `put ${original} ${uploaded}\nget ${uploaded} ${downloaded}\n`);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(sha256(uploaded), sha256(original));
      assert.equal(sha256(downloaded), sha256(original));

      const copied = join(s.dir, 'copied-by-scp');
      const c = s.scp(port, original, `root@127.0.0.1:${copied}`);
      assert.equal(c.status, 0, c.stderr);
      assert.equal(sha256(copied), sha256(original));
    });

    test('allocates a pty for interactive sessions', async (t) => {
      const s = new SshdScratch(arch);
      t.after(() => s.cleanup());
      const { port } = await s.start({ env: { SSHPOD_PRIVSEP_DIR: s.privsepDir } });
      const r = s.ssh(port, 'root', 'tty', ['-tt']);
      assert.match(r.stdout, /^\/dev\/pts\/\d+\r?\n$/, `${r.stderr}\n${s.readLog()}`);
      assert.equal(r.status, 0);
    });

    test('accepts Ed25519 user keys and refuses RSA and ECDSA ones (no OpenSSL in the build)', async (t) => {
      const s = new SshdScratch(arch);
      t.after(() => s.cleanup());
      const rsa = s.addUserKey('rsa', 'user_rsa');
      const ecdsa = s.addUserKey('ecdsa', 'user_ecdsa');
      const { port } = await s.start({ env: { SSHPOD_PRIVSEP_DIR: s.privsepDir } });
      assert.equal(s.ssh(port, 'root', 'true').status, 0);
      for (const key of [rsa, ecdsa]) {
        const r = s.ssh(port, 'root', 'true', [], key);
        assert.equal(r.status, 255, `${key} was accepted`);
        assert.match(r.stderr, /Permission denied \(publickey\)/);
      }
    });

    test('keeps its working directory: renaming it and planting another at its path changes nothing for sshd', async (t) => {
      const s = new SshdScratch(arch);
      const install = join(s.dir, 'install');
      const moved = join(s.dir, 'moved');
      t.after(async () => {
        rmSync(install, { recursive: true, force: true });
        await s.cleanup();
      });
      mkdirSync(install, { mode: 0o711 });
      const env = { SSHPOD_PRIVSEP_DIR: '/proc/self/cwd/empty' };
      const { port, pid } = await s.start({ installDir: install, env });
      // Another uid renames the install away and plants its own authorized_keys where it was.
      renameSync(install, moved);
      mkdirSync(join(install, 'empty'), { recursive: true });
      const intruder = s.addUserKey('ed25519', 'intruder');
      writeFileSync(join(install, 'authorized_keys'), readFileSync(`${intruder}.pub`));
      assert.equal(readlinkSync(`/proc/${pid}/cwd`), moved);
      const owner = s.ssh(port, 'root', 'echo still-served');
      assert.equal(owner.stdout, 'still-served\n', `${owner.stderr}\n${s.readLog(moved)}`);
      const refused = s.ssh(port, 'root', 'true', [], intruder);
      assert.equal(refused.status, 255, 'the planted authorized_keys is never read');
      rmSync(install, { recursive: true, force: true });
      renameSync(moved, install);
    });

    test('with SSHPOD_IDLE_EXIT, exits once no connection has been open that long, and removes its directory', async (t) => {
      const s = new SshdScratch(arch);
      t.after(() => s.cleanup());
      // As sshpod lays it out: <pod-uid>/<container>/, both removed; the scratch dir stays.
      const install = join(s.dir, 'pod-uid', 'container');
      mkdirSync(install, { recursive: true, mode: 0o711 });
      const { port, pid } = await s.start({ installDir: install, env: { SSHPOD_PRIVSEP_DIR: '/proc/self/cwd/empty', SSHPOD_IDLE_EXIT: '2' } });
      // A session longer than the idle time keeps it: only time without connections counts.
      const session = s.ssh(port, 'root', 'sleep 3; echo done');
      assert.equal(session.stdout, 'done\n', session.stderr);
      assert.ok(!s.gone(pid), 'alive right after a session longer than the idle time');
      for (let i = 0; i < 150 && !s.gone(pid); i++) await sleep(100);
      assert.ok(s.gone(pid), 'exited when idle');
      assert.ok(!existsSync(join(s.dir, 'pod-uid')), 'its directory and the empty parent are gone');
    });

    test('with SSHPOD_IDLE_EXIT, waits while a connection is being prepared (the lock exists)', async (t) => {
      const s = new SshdScratch(arch);
      t.after(() => s.cleanup());
      const install = join(s.dir, 'pod-uid', 'container');
      mkdirSync(join(install, 'lock'), { recursive: true, mode: 0o711 });
      writeFileSync(join(install, 'lock', 'pid'), `${process.pid}\n`);
      const { pid } = await s.start({ installDir: install, env: { SSHPOD_PRIVSEP_DIR: '/proc/self/cwd/empty', SSHPOD_IDLE_EXIT: '1' } });
      await sleep(2500);
      assert.ok(!s.gone(pid), 'a held lock keeps it');
      rmSync(join(install, 'lock'), { recursive: true });
      for (let i = 0; i < 150 && !s.gone(pid); i++) await sleep(100);
      assert.ok(s.gone(pid), 'exited once the lock was released');
    });

    test('sshd -i serves a session over stdin/stdout behind a ProxyCommand', async (t) => {
      const s = new SshdScratch(arch);
      t.after(() => s.cleanup());
      const config = s.writeConfig();
      const proxy = `env SSHPOD_PRIVSEP_DIR=${s.privsepDir} ${s.sshd} -i -f ${config} -E ${s.log}`;
      const r = s.ssh(null, 'root', 'echo inetd; exit 7', ['-o', `ProxyCommand=${proxy}`]);
      assert.equal(r.stdout, 'inetd\n', `${r.stderr}\n${s.readLog()}`);
      assert.equal(r.status, 7);
    });

    test('the starting process exits 0 only once sshd listens: the port answers at once', async (t) => {
      const s = new SshdScratch(arch);
      t.after(() => s.cleanup());
      const port = await freePort();
      const r = s.spawnDaemon(s.writeConfig(), port, { env: { SSHPOD_PRIVSEP_DIR: s.privsepDir } });
      assert.equal(r.status, 0, s.readLog());
      const banner = readBanner(port);
      await s.waitForPid(); // so that cleanup() stops the daemon, whatever the banner does
      assert.match(await banner, /^SSH-2\.0-OpenSSH_/);
    });

    test('exits non-zero before daemonising when its port is taken', async (t) => {
      const s = new SshdScratch(arch);
      const taken = createServer();
      t.after(async () => {
        taken.close();
        await s.cleanup();
      });
      await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
      const { port } = taken.address() as AddressInfo;
      const r = s.spawnDaemon(s.writeConfig(), port, { env: { SSHPOD_PRIVSEP_DIR: s.privsepDir } });
      // Were it to start anyway, it could bind once `taken` closes: make cleanup() stop it.
      if (r.status === 0) await s.waitForPid();
      assert.equal(r.status, 255, 'the status of sshd\'s fatal()');
      const log = s.readLog();
      assert.match(log, new RegExp(`Bind to port ${port} on 127\\.0\\.0\\.1 failed: Address (already )?in use`));
      assert.match(log, /Cannot bind any address/);
    });
  });
}
