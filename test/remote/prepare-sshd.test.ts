// The remote script, run for real by dash and by busybox sh on this machine, with a fake sshd:
// the protocol, the files and modes it leaves, locking, reuse and the errors it reports.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { prepareCommand } from '../../src/remote/script.ts';
import { ReplyReader, type Reply } from '../../src/remote/reply.ts';
import { renderInstallPayload } from '../../src/remote/install-payload.ts';

const fakeSshd = readFileSync(new URL('./fixtures/fake-sshd.sh', import.meta.url));
const machine = spawnSync('uname', ['-m'], { encoding: 'utf8' }).stdout.trim();
const clientKey = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKey1 alice@laptop';
const otherKey = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKey2 bob@desk';
const hostPublic = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHost sshpod-host';
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
}

function runScript(shell: readonly string[], options: RunOptions): Promise<Run> {
  const [command, ...prefix] = shell;
  // The argv sshpod sends, minus its `sh`: this shell runs the script instead.
  const argv = prepareCommand({
    podUid: options.podUid,
    container: 'app',
    login: options.login ?? 'root',
    versions: options.versions ?? { [machine]: options.version ?? 'v1', other: 'v0' },
    publicKey: options.key ?? clientKey,
    ports: [20001, 20002, 20003],
  });
  const args = [...prefix, ...argv.slice(1)];
  const child = spawn(command as string, args, {
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', TMPDIR: options.base, HOME: '/root', POD_GREETING: 'hello pod' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const reader = new ReplyReader();
  const replies: Reply[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.on('error', () => {});
  child.stdout.on('data', (chunk: Buffer) => {
    for (const reply of reader.push(chunk)) {
      replies.push(reply);
      if (reply.status === 'need-install') {
        const payload = renderInstallPayload({
          hostPrivateKey: hostPrivate,
          hostPublicKey: hostPublic,
          sshdConfig: `# test config\nPidFile "${reply.dir}/sshd.pid"\n`,
          bundle: options.gzip
            ? { bytes: gzipSync(fakeSshd), rawBytes: fakeSshd.length, format: 'gzip' }
            : { bytes: fakeSshd, rawBytes: fakeSshd.length, format: 'raw' },
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

/** Fake sshd daemons started from under `dir` (a container dir, or the whole test base). */
function fakeSshdPids(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.startsWith(`/bin/sh\0${dir}/`) && cmdline.includes('/sshd\0--daemon\0')) pids.push(Number(entry));
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

function mode(path: string): string {
  return (statSync(path).mode & 0o7777).toString(8);
}

for (const [shellName, shell] of shells) {
  describe(`prepare-sshd.sh under ${shellName}`, () => {
    let base: string;
    before(() => {
      base = mkdtempSync(join(tmpdir(), 'sshpod-script-'));
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
      assert.equal(mode(join(dir, 'host_ed25519_key')), '600');
      assert.equal(mode(join(dir, 'sshd_config')), '600');
      assert.equal(mode(join(dir, 'authorized_keys')), '644');
      assert.equal(mode(join(dir, 'sshd')), '755');
      assert.equal(mode(join(dir, 'empty')), '755');
      assert.equal(readFileSync(join(dir, 'host_ed25519_key'), 'utf8'), hostPrivate);
      assert.deepEqual(readFileSync(join(dir, 'sshd')), fakeSshd);
      assert.equal(readFileSync(join(dir, 'authorized_keys'), 'utf8'), `${clientKey}\n`);
      assert.equal(readFileSync(join(dir, 'version'), 'utf8'), 'v1\n');
      assert.equal(readFileSync(join(dir, 'port'), 'utf8'), '20001\n');
      assert.equal(readFileSync(join(dir, 'fake-sshd.starts'), 'utf8'), `passwd=${dir}/passwd privsep=${dir}/empty port=20001\n`);
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

    test('an upload cut short leaves no sshd behind and releases the lock', async () => {
      const podUid = randomUUID();
      const dir = join(base, 'sshpod', podUid, 'app');
      const run = await runScript(shell, { base, podUid, truncate: true });
      const last = run.replies.at(-1);
      assert.ok(last?.status === 'error' && last.error === 'transfer', JSON.stringify(run.replies));
      assert.ok(!existsSync(join(dir, 'sshd')) && !existsSync(join(dir, 'sshd.new')));
      assert.ok(!existsSync(join(dir, 'lock')));
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
