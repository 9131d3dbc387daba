// The remote script, run for real by dash and by busybox sh on this machine, with a fake sshd:
// the protocol, the files and modes it leaves, locking, reuse, the errors it reports, and the
// places it must refuse because another uid could change them (see its threat model).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, lchownSync, mkdtempSync, readFileSync, readlinkSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { prepareCommand } from '../../src/remote/script.ts';
import { ReplyReader, type Reply } from '../../src/remote/reply.ts';
import { renderInstallPayload } from '../../src/remote/install-payload.ts';

const fakeSshd = readFileSync(new URL('./fixtures/fake-sshd.sh', import.meta.url));
const machine = spawnSync('uname', ['-m'], { encoding: 'utf8' }).stdout.trim();
const clientKey = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKey1 alice@laptop';
const otherKey = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKey2 bob@desk';
const hostPublic = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHost sshpod-host';
const isRoot = process.getuid?.() === 0;
const hostPrivate = '-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\nBBBB\n-----END OPENSSH PRIVATE KEY-----\n';

const shells = [['dash', ['dash']], ['busybox sh', ['busybox', 'sh']]] as const;

interface Run {
  replies: Reply[];
  stderr: string;
  code: number | null;
}

interface RunOptions {
  base: string;
  podUid: string;
  login?: string;
  key?: string;
  version?: string;
  versions?: Record<string, string>;
  gzip?: boolean;
  truncate?: boolean;
  /** The sshd to send (default: the fake sshd). */
  sshd?: Buffer;
  /** The checksum to announce (default: sshd's). */
  sha256?: string;
  home?: string;
}

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

function runScript(shell: readonly string[], options: RunOptions): Promise<Run> {
  const [command, ...prefix] = shell;
  // The argv sshpod sends, minus its `sh`: this shell runs the script instead.
  const { command: argv, script } = prepareCommand({
    podUid: options.podUid,
    container: 'app',
    login: options.login ?? 'root',
    versions: options.versions ?? { [machine]: options.version ?? 'v1', other: 'v0' },
    publicKey: options.key ?? clientKey,
    ports: [20001, 20002, 20003],
  });
  const args = [...prefix, ...argv.slice(1)];
  const child = spawn(command as string, args, {
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', TMPDIR: options.base, HOME: options.home ?? '/root', POD_GREETING: 'hello pod' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const reader = new ReplyReader();
  const replies: Reply[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.on('error', () => {});
  child.stdin.write(script);
  child.stdout.on('data', (chunk: Buffer) => {
    for (const reply of reader.push(chunk)) {
      replies.push(reply);
      if (reply.status === 'need-install') {
        const sshd = options.sshd ?? fakeSshd;
        const rawSha256 = options.sha256 ?? sha256(sshd);
        const payload = renderInstallPayload({
          hostPrivateKey: hostPrivate,
          hostPublicKey: hostPublic,
          sshdConfig: `# test config\nPidFile "${reply.dir}/sshd.pid"\n`,
          bundle: options.gzip
            ? { bytes: gzipSync(sshd), rawBytes: sshd.length, rawSha256, format: 'gzip' }
            : { bytes: sshd, rawBytes: sshd.length, rawSha256, format: 'raw' },
        });
        // Never end stdin: the script must not depend on EOF (exec protocol v4).
        child.stdin.write(options.truncate ? payload.subarray(0, payload.length - 100) : payload);
        if (options.truncate) child.stdin.end();
      }
    }
  });
  return new Promise((resolve) => {
    child.on('close', (code) => {
      child.stdin.destroy();
      resolve({ replies, stderr, code });
    });
  });
}

/** Fake sshd daemons running in `dir` (a container dir) or below it (the whole test base). */
function fakeSshdPids(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      // Started as /proc/self/cwd/sshd, from its install directory, which it keeps.
      const cwd = readlinkSync(`/proc/${entry}/cwd`);
      if (cmdline.includes('/sshd\0--daemon\0') && (cwd === dir || cwd.startsWith(`${dir}/`))) pids.push(Number(entry));
    } catch {
      // the process ended meanwhile
    }
  }
  return pids;
}

function killFakeSshds(base: string): void {
  for (const pid of fakeSshdPids(base)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

const hasSha256sum = spawnSync('sh', ['-c', 'command -v sha256sum'], { stdio: 'ignore' }).status === 0;

/** Installs the script made in the host's own /tmp (or other fallbacks) when the test base was refused. */
function removeTmpInstalls(podUid: string): void {
  for (const root of ['/tmp', '/var/tmp', '/dev/shm', '/run', '/root']) {
    const dir = join(root, 'sshpod', podUid);
    if (!existsSync(dir)) continue;
    killFakeSshds(dir);
    rmSync(dir, { recursive: true, force: true });
  }
}

function mode(path: string): string {
  return (statSync(path).mode & 0o7777).toString(8);
}

for (const [shellName, shell] of shells) {
  describe(`prepare-sshd.sh under ${shellName}`, () => {
    let base: string;
    before(() => {
      base = mkdtempSync(join(tmpdir(), 'sshpod-script-'));
      chmodSync(base, 0o755); // the attacker tests' other uid must reach its directories
    });
    after(() => {
      killFakeSshds(base);
      rmSync(base, { recursive: true, force: true });
    });

    test('a fresh container: need-install, then ready, in one exec', async () => {
      const podUid = randomUUID();
      const run = await runScript(shell, { base, podUid, gzip: true });
      assert.equal(run.code, 0, run.stderr);
      const [first, second] = run.replies;
      assert.equal(first?.status, 'need-install');
      if (first?.status !== 'need-install') return;
      const dir = join(base, 'sshpod', podUid, 'app');
      assert.equal(first.dir, dir);
      assert.equal(first.arch, machine);
      assert.equal(first.gzip, true);
      assert.ok(first.environ.toString().split('\0').includes('POD_GREETING=hello pod'), 'the exec environment comes back raw');
      assert.deepEqual(second, { status: 'ready', port: 20001, hostKey: hostPublic, dir, user: 'root', arch: machine });
      assert.equal(run.replies.length, 2);

      assert.equal(mode(join(base, 'sshpod')), '711');
      assert.equal(mode(join(base, 'sshpod', podUid)), '711');
      assert.equal(mode(dir), '711');
      assert.equal(mode(join(dir, 'ssh_host_ed25519_key')), '600');
      assert.equal(mode(join(dir, 'ssh_host_ed25519_key.pub')), '644');
      assert.equal(mode(join(dir, 'sshd_config')), '600');
      assert.equal(mode(join(dir, 'authorized_keys')), '644');
      assert.equal(mode(join(dir, 'sshd')), '755');
      assert.equal(mode(join(dir, 'empty')), '755');
      assert.equal(readFileSync(join(dir, 'ssh_host_ed25519_key'), 'utf8'), hostPrivate);
      assert.deepEqual(readFileSync(join(dir, 'sshd')), fakeSshd);
      assert.equal(readFileSync(join(dir, 'authorized_keys'), 'utf8'), `${clientKey}\n`);
      assert.equal(readFileSync(join(dir, 'version'), 'utf8'), 'v1\n');
      assert.equal(readFileSync(join(dir, 'port'), 'utf8'), '20001\n');
      assert.equal(readFileSync(join(dir, 'fake-sshd.starts'), 'utf8'), 'passwd=/proc/self/cwd/passwd privsep=/proc/self/cwd/empty port=20001\n');
      assert.ok(!existsSync(join(dir, 'lock')), 'the lock is released');
      assert.equal(fakeSshdPids(dir).length, 1);
    });

    test('warm: the running sshd is reused without reading stdin; keys accumulate', async () => {
      const podUid = randomUUID();
      const dir = join(base, 'sshpod', podUid, 'app');
      await runScript(shell, { base, podUid });
      const again = await runScript(shell, { base, podUid });
      assert.deepEqual(again.replies, [{ status: 'ready', port: 20001, hostKey: hostPublic, dir, user: 'root', arch: machine }]);
      const other = await runScript(shell, { base, podUid, key: otherKey });
      assert.equal(other.replies.length, 1);
      assert.equal(other.replies[0]?.status, 'ready');
      assert.equal(readFileSync(join(dir, 'authorized_keys'), 'utf8'), `${clientKey}\n${otherKey}\n`);
      assert.equal(fakeSshdPids(dir).length, 1, 'still one sshd');
    });

    test('a dead sshd is restarted without reinstalling', async () => {
      const podUid = randomUUID();
      const dir = join(base, 'sshpod', podUid, 'app');
      await runScript(shell, { base, podUid });
      killFakeSshds(dir);
      const run = await runScript(shell, { base, podUid });
      assert.deepEqual(run.replies.map((r) => r.status), ['ready']);
      assert.equal(fakeSshdPids(dir).length, 1);
    });

    test('a new bundle version replaces the old install and its listener', async () => {
      const podUid = randomUUID();
      const dir = join(base, 'sshpod', podUid, 'app');
      await runScript(shell, { base, podUid });
      const [oldPid] = fakeSshdPids(dir);
      const run = await runScript(shell, { base, podUid, version: 'v2' });
      assert.deepEqual(run.replies.map((r) => r.status), ['need-install', 'ready']);
      assert.equal(readFileSync(join(dir, 'version'), 'utf8'), 'v2\n');
      const pids = fakeSshdPids(dir);
      assert.equal(pids.length, 1);
      assert.notEqual(pids[0], oldPid);
    });

    test('a taken port is skipped for the next candidate', async () => {
      const podUid = randomUUID();
      mkdirSync(join(base, 'sshpod', podUid), { recursive: true });
      writeFileSync(join(base, 'sshpod', podUid, 'taken-20001'), '');
      const run = await runScript(shell, { base, podUid });
      const last = run.replies.at(-1);
      assert.ok(last?.status === 'ready' && last.port === 20002);
    });

    test('every candidate port taken: an error that says so', async () => {
      const podUid = randomUUID();
      mkdirSync(join(base, 'sshpod', podUid), { recursive: true });
      for (const port of [20001, 20002, 20003]) writeFileSync(join(base, 'sshpod', podUid, `taken-${port}`), '');
      const run = await runScript(shell, { base, podUid });
      const last = run.replies.at(-1);
      assert.ok(last?.status === 'error' && last.error === 'ports-taken', JSON.stringify(run.replies));
      assert.equal(last.message, 'every port sshpod tried (3 of them) is taken in this pod');
    });

    test('parallel first connections: one install, one sshd, all ready on one port', async () => {
      const podUid = randomUUID();
      const dir = join(base, 'sshpod', podUid, 'app');
      const runs = await Promise.all(Array.from({ length: 10 }, () => runScript(shell, { base, podUid })));
      const installs = runs.filter((r) => r.replies[0]?.status === 'need-install').length;
      assert.equal(installs, 1, 'exactly one connection installs');
      for (const run of runs) {
        const last = run.replies.at(-1);
        assert.ok(last?.status === 'ready' && last.port === 20001, JSON.stringify(run));
      }
      assert.equal(fakeSshdPids(dir).length, 1);
    });

    test('a stale lock from a dead connection is taken over', async () => {
      const podUid = randomUUID();
      const dir = join(base, 'sshpod', podUid, 'app');
      mkdirSync(join(dir, 'lock'), { recursive: true });
      writeFileSync(join(dir, 'lock', 'pid'), '999999\n');
      const run = await runScript(shell, { base, podUid });
      assert.equal(run.replies.at(-1)?.status, 'ready');
    });

    test('an upload cut short leaves no sshd, no directory and no lock behind', async () => {
      const podUid = randomUUID();
      const dir = join(base, 'sshpod', podUid, 'app');
      const run = await runScript(shell, { base, podUid, truncate: true });
      const last = run.replies.at(-1);
      assert.ok(last?.status === 'error' && last.error === 'protocol', JSON.stringify(run.replies));
      assert.ok(!existsSync(dir), 'the directory it made for the install is gone');
      assert.ok(!existsSync(join(base, 'sshpod', podUid)));
    });

    test('an sshd that does not match its checksum is never put in place', { skip: hasSha256sum ? false : 'no sha256sum here' }, async () => {
      const podUid = randomUUID();
      const run = await runScript(shell, { base, podUid, sha256: 'f'.repeat(64) });
      const last = run.replies.at(-1);
      assert.ok(last?.status === 'error' && last.error === 'no-writable-dir', JSON.stringify(run.replies));
      assert.match(last.message, /checksum mismatch/);
      for (const reply of run.replies) if (reply.status === 'need-install') assert.ok(!existsSync(join(reply.dir, 'sshd')), reply.dir);
      removeTmpInstalls(podUid);
    });

    describe('what another uid can change never changes what root installs, reads or runs', { skip: isRoot ? false : 'needs root (other uids, mounts)' }, () => {
      const attacker = 1000;
      /** A fresh base directory with the given mode and owner. */
      const makeBase = (mode: number, owner = 0): string => {
        const dir = mkdtempSync(join(base, 'b-'));
        chmodSync(dir, mode);
        chownSync(dir, owner, owner);
        return dir;
      };
      const readyDir = (run: Run): string => {
        const last = run.replies.at(-1);
        assert.ok(last?.status === 'ready', JSON.stringify(run.replies));
        return last.dir;
      };
      const asAttacker = (script: string): void => {
        const result = spawnSync('setpriv', ['--reuid', String(attacker), '--regid', String(attacker), '--clear-groups', 'sh', '-c', script], { encoding: 'utf8' });
        assert.equal(result.status, 0, result.stderr);
      };

      test('an emptyDir /tmp (0777, no sticky bit): the install there keeps working when another uid renames it away', async () => {
        const podUid = randomUUID();
        const emptyDir = makeBase(0o777);
        const first = await runScript(shell, { base: emptyDir, podUid });
        assert.equal(readyDir(first), join(emptyDir, 'sshpod', podUid, 'app'));
        const [pid] = fakeSshdPids(join(emptyDir, 'sshpod', podUid, 'app'));
        assert.ok(pid, 'sshd runs');
        // The attacker moves our tree aside and plants its own where it was.
        asAttacker(`cd ${emptyDir} && mv sshpod moved && mkdir -p sshpod/${podUid}/app && cd sshpod/${podUid}/app && echo ${machine} > arch && echo v1 > version && echo 31337 > port && echo $$ > sshd.pid`);
        assert.equal(readlinkSync(`/proc/${pid}/cwd`), join(emptyDir, 'moved', podUid, 'app'), 'sshd still works in its own directory');
        const again = await runScript(shell, { base: emptyDir, podUid });
        const last = again.replies.at(-1);
        assert.ok(last?.status === 'ready' && last.port !== 31337 && !last.dir.startsWith(join(emptyDir, 'sshpod')), JSON.stringify(again.replies));
        removeTmpInstalls(podUid);
      });

      test("a base owned by the app's uid (its $HOME): root's directory there is root's alone", async () => {
        const podUid = randomUUID();
        const home = makeBase(0o755, attacker);
        const dir = readyDir(await runScript(shell, { base: home, podUid }));
        assert.equal(dir, join(home, 'sshpod', podUid, 'app'));
        for (const part of ['sshpod', `sshpod/${podUid}`, `sshpod/${podUid}/app`]) assert.equal(statSync(join(home, part)).uid, 0, part);
        assert.equal(mode(join(home, 'sshpod', podUid, 'app')), '711', 'nobody else can add or rename anything in it');
      });

      test('a planted sshpod symlink is refused and nothing is created where it points', async () => {
        const podUid = randomUUID();
        const sticky = makeBase(0o1777);
        const etc = makeBase(0o755);
        symlinkSync(etc, join(sticky, 'sshpod'));
        lchownSync(join(sticky, 'sshpod'), attacker, attacker);
        const run = await runScript(shell, { base: sticky, podUid });
        assert.ok(!readyDir(run).startsWith(sticky));
        assert.deepEqual(readdirSync(etc), [], 'root created nothing through the symlink');
        removeTmpInstalls(podUid);
      });

      test('an sshpod directory made by another uid is refused, and its files are never read', async () => {
        const podUid = randomUUID();
        const sticky = makeBase(0o1777);
        asAttacker(`cd ${sticky} && mkdir -p sshpod/${podUid}/app && cd sshpod/${podUid}/app && echo ${machine} > arch && echo v1 > version && echo 31337 > port`);
        const run = await runScript(shell, { base: sticky, podUid });
        const last = run.replies.at(-1);
        assert.ok(last?.status === 'ready' && last.port !== 31337 && !last.dir.startsWith(sticky), JSON.stringify(run.replies));
        removeTmpInstalls(podUid);
      });

      test('a process of another uid racing the install in an emptyDir /tmp never gets its sshd run by root', async () => {
        const podUid = randomUUID();
        const emptyDir = makeBase(0o777);
        const evil = join(makeBase(0o755, attacker), 'evil-sshd');
        const ranAsRoot = join(base, `evil-ran-${podUid}`);
        writeFileSync(evil, `#!/bin/sh\nid -u > ${ranAsRoot}\n`, { mode: 0o755 });
        // What the attacker did: swap the sshpod tree for its own, over and over, and
        // keep its sshd where root's was.
        const race = spawn('setpriv', ['--reuid', String(attacker), '--regid', String(attacker), '--clear-groups', 'sh', '-c', `
          cd ${emptyDir} || exit 1
          touch racing
          n=0
          while :; do
            n=$((n + 1))
            if [ -d sshpod ] && [ ! -O sshpod ]; then mv sshpod gone.$n 2>/dev/null; fi
            mkdir -p sshpod/${podUid}/app 2>/dev/null && chmod -R 777 sshpod 2>/dev/null
            cp ${evil} sshpod/${podUid}/app/.e 2>/dev/null && mv -f sshpod/${podUid}/app/.e sshpod/${podUid}/app/sshd 2>/dev/null
            echo ${machine} > sshpod/${podUid}/app/arch 2>/dev/null; echo v1 > sshpod/${podUid}/app/version 2>/dev/null
          done`], { stdio: 'ignore' });
        try {
          for (let i = 0; i < 100 && !existsSync(join(emptyDir, 'racing')); i++) await new Promise((r) => setTimeout(r, 20));
          assert.ok(existsSync(join(emptyDir, 'racing')), 'the attacker runs');
          for (let i = 0; i < 5; i++) readyDir(await runScript(shell, { base: emptyDir, podUid }));
        } finally {
          race.kill('SIGKILL');
        }
        assert.ok(!existsSync(ranAsRoot), 'the planted sshd never ran');
        killFakeSshds(emptyDir);
        removeTmpInstalls(podUid);
      });

      test('a full disk falls back to the next directory and leaves nothing behind', async () => {
        const podUid = randomUUID();
        const small = makeBase(0o1777);
        assert.equal(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=1777', 'sshpod-test-full', small]).status, 0);
        try {
          // Bigger than the disk: a valid script with a long comment.
          const big = Buffer.concat([fakeSshd, Buffer.from(`#${'x'.repeat(200 * 1024)}\n`)]);
          const run = await runScript(shell, { base: small, podUid, sshd: big });
          const [first] = run.replies;
          assert.ok(first?.status === 'need-install' && first.dir.startsWith(small), JSON.stringify(run.replies));
          assert.ok(!readyDir(run).startsWith(small), 'installed elsewhere');
          assert.deepEqual(readdirSync(join(small, 'sshpod')), [], 'no half-written files, no directory of this pod');
        } finally {
          spawnSync('umount', [small]);
          removeTmpInstalls(podUid);
        }
      });
    });

    test('unknown users are refused with the users that would work', async () => {
      const run = await runScript(shell, { base, podUid: randomUUID(), login: 'nosuchuser' });
      const [reply] = run.replies;
      assert.ok(reply?.status === 'error');
      assert.equal(reply.error, 'unknown-user');
      assert.equal(reply.message, 'user "nosuchuser" does not exist in this container');
      assert.ok(reply.users.includes('root'), reply.users.join(' '));
    });

    test('a user whose login shell cannot run commands gets sh, as kubectl exec would', async () => {
      const podUid = randomUUID();
      const dir = join(base, 'sshpod', podUid, 'app');
      const run = await runScript(shell, { base, podUid, login: 'daemon' });
      assert.equal(run.replies.at(-1)?.status, 'ready', JSON.stringify(run.replies));
      const daemon = readFileSync('/etc/passwd', 'utf8').split('\n').find((line) => line.startsWith('daemon:'))?.split(':') ?? [];
      assert.equal(readFileSync(join(dir, 'passwd'), 'utf8'), `daemon:x:${daemon[2]}:${daemon[3]}:sshpod:${daemon[5]}:/bin/sh\n`);
    });

    test('hostile user names are rejected before any use', async () => {
      for (const login of ["x';reboot;'", '$(id)', '-oProxyCommand=x', 'a b', 'x:0:0']) {
        const run = await runScript(shell, { base, podUid: randomUUID(), login });
        const [reply] = run.replies;
        assert.ok(reply?.status === 'error' && reply.error === 'bad-user', `${login}: ${JSON.stringify(run.replies)}`);
      }
    });

    test('an architecture without a bundle is reported', async () => {
      const run = await runScript(shell, { base, podUid: randomUUID(), versions: { riscv64: 'v1' } });
      const last = run.replies.at(-1);
      assert.ok(last?.status === 'error' && last.error === 'unsupported-arch', JSON.stringify(run.replies));
      assert.equal(last.message, `this container's architecture (${machine}) has no sshd bundle`);
    });
  });
}
