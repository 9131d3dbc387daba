// The clean-up script, run for real by dash and busybox sh against an install laid out as
// prepare-sshd.sh leaves it: it reports (status) and removes (remove) exactly sshpod's files, stops
// only a listener that is really an sshd of ours, respects a connection's lock, and touches nothing
// another uid could have put in its way (another owner, a symlink on the path).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { parseRemoveReplies, removeCommand, type InstallState } from '../../src/remote/remove-sshd.ts';

const isRoot = process.getuid?.() === 0;
const shells = [['dash', ['dash']], ['busybox sh', ['busybox', 'sh']]] as const;
const sleepPath = spawnSync('sh', ['-c', 'command -v sleep'], { encoding: 'utf8' }).stdout.trim();

interface Layout {
  base: string;
  podUid: string;
  dir: string;
}

/** An install as prepare-sshd.sh leaves it, with a running "sshd" (a copy of sleep of that name). */
function install(options: { listener?: boolean } = {}): Layout & { sshd?: ChildProcess } {
  const base = mkdtempSync(join(tmpdir(), 'sshpod-remove-'));
  const podUid = randomUUID();
  const dir = join(base, 'sshpod', podUid, 'app');
  mkdirSync(join(dir, 'empty'), { recursive: true, mode: 0o711 });
  for (const name of ['sshd_config', 'version', 'arch', 'ssh_host_ed25519_key', 'ssh_host_ed25519_key.pub', 'authorized_keys', 'passwd', 'sshd.log']) writeFileSync(join(dir, name), 'x\n');
  copyFileSync(sleepPath, join(dir, 'sshd'));
  spawnSync('chmod', ['755', join(dir, 'sshd')]);
  writeFileSync(join(dir, 'port'), '24242\n');
  if (options.listener === false) return { base, podUid, dir };
  const sshd = spawn(join(dir, 'sshd'), ['60'], { stdio: 'ignore' });
  writeFileSync(join(dir, 'sshd.pid'), `${sshd.pid}\n`);
  return { base, podUid, dir, sshd };
}

function runScript(shell: readonly string[], layout: Layout, mode: 'status' | 'remove'): Promise<{ installs: InstallState[]; end: string }> {
  const { command, script } = removeCommand({ podUid: layout.podUid, container: 'app' }, mode);
  const [program, ...prefix] = shell;
  const child = spawn(program as string, [...prefix, ...command.slice(1)], { env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', TMPDIR: layout.base, HOME: '/nonexistent' }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stdin.on('error', () => undefined);
  child.stdin.write(script);
  return new Promise((resolve, reject) =>
    child.on('close', () => {
      const parsed = parseRemoveReplies(stdout);
      if (typeof parsed === 'string') reject(new Error(`${parsed}: ${stdout}`));
      else resolve(parsed);
    }),
  );
}

const alive = (child: ChildProcess | undefined): boolean => child !== undefined && child.exitCode === null && child.signalCode === null;

test('replies: parsed with their bounds', () => {
  assert.deepEqual(parseRemoveReplies('dir=/tmp/sshpod/u/app\nrunning=1\npid=42\nport=2424\nsessions=2\nidle=\nremoved=1\nend=finished\n'), {
    installs: [{ dir: '/tmp/sshpod/u/app', running: true, pid: 42, port: 2424, sessions: 2, removed: true }],
    end: 'finished',
  });
  assert.equal(parseRemoveReplies('running=1\n'), 'no end');
  assert.equal(parseRemoveReplies('garbage\nend=finished\n'), 'a line without key=value');
  assert.equal(parseRemoveReplies(`${'dir=/x\n'.repeat(17)}end=finished\n`), 'too many installs');
  assert.equal((parseRemoveReplies('dir=/tmp/\u001b[31mred\nend=finished\n') as { installs: InstallState[] }).installs[0]?.dir, '/tmp/??31mred');
});

test('the script passes shellcheck', { skip: spawnSync('shellcheck', ['--version']).status === 0 ? false : 'shellcheck is not installed' }, () => {
  const result = spawnSync('shellcheck', ['-s', 'sh', '-S', 'warning', new URL('../../src/remote/remove-sshd.sh', import.meta.url).pathname], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stdout);
});

for (const [name, shell] of shells) {
  describe(`the clean-up script under ${name}`, { skip: isRoot ? false : 'needs root (ownership checks)' }, () => {
    test('status reports the install and changes nothing', async () => {
      const layout = install();
      const { installs, end } = await runScript(shell, layout, 'status');
      assert.equal(end, 'finished');
      assert.equal(installs.length, 1);
      assert.equal(installs[0]?.dir, layout.dir);
      assert.equal(installs[0]?.running, true);
      assert.equal(installs[0]?.pid, layout.sshd?.pid);
      assert.equal(installs[0]?.port, 24242);
      assert.equal(installs[0]?.sessions, 0);
      assert.equal(typeof installs[0]?.idleAtMost, 'number');
      assert.ok(alive(layout.sshd));
      assert.ok(existsSync(join(layout.dir, 'sshd')));
      layout.sshd?.kill();
    });

    test('remove stops the listener and takes every file and directory of sshpod away', async () => {
      const layout = install();
      const exited = new Promise((resolve) => layout.sshd?.once('exit', resolve));
      const { installs } = await runScript(shell, layout, 'remove');
      assert.equal(installs[0]?.removed, true);
      await exited;
      assert.deepEqual(readdirSync(layout.base), [], 'sshpod/<uid>/<container> removed, up to sshpod/');
    });

    test("a pid file naming a process that is not an sshd: nothing is killed", async () => {
      const layout = install({ listener: false });
      const other = spawn(sleepPath, ['60'], { stdio: 'ignore' });
      writeFileSync(join(layout.dir, 'sshd.pid'), `${other.pid}\n`);
      const { installs } = await runScript(shell, layout, 'remove');
      assert.equal(installs[0]?.running, false);
      assert.ok(alive(other));
      other.kill();
    });

    test('a connection holding the lock: left alone (busy)', async () => {
      const layout = install();
      mkdirSync(join(layout.dir, 'lock'));
      writeFileSync(join(layout.dir, 'lock', 'pid'), `${process.pid}\n`);
      const { installs } = await runScript(shell, layout, 'remove');
      assert.equal(installs[0]?.busy, true);
      assert.equal(installs[0]?.removed, false);
      assert.ok(existsSync(join(layout.dir, 'sshd')));
      assert.ok(alive(layout.sshd));
      layout.sshd?.kill();
    });

    test("a directory another uid owns, or reached through a symlink, is not sshpod's: not touched", async () => {
      const foreign = install();
      chownSync(join(foreign.base, 'sshpod', foreign.podUid), 4242, 4242);
      assert.deepEqual((await runScript(shell, foreign, 'remove')).installs, []);
      assert.ok(existsSync(join(foreign.dir, 'sshd')));
      assert.ok(alive(foreign.sshd));
      foreign.sshd?.kill();

      const real = install();
      const base = mkdtempSync(join(tmpdir(), 'sshpod-remove-'));
      symlinkSync(join(real.base, 'sshpod'), join(base, 'sshpod'));
      assert.deepEqual((await runScript(shell, { ...real, base }, 'remove')).installs, []);
      assert.ok(existsSync(join(real.dir, 'sshd')));
      real.sshd?.kill();
    });

    test('nothing installed: nothing reported', async () => {
      const base = mkdtempSync(join(tmpdir(), 'sshpod-remove-'));
      assert.deepEqual(await runScript(shell, { base, podUid: randomUUID(), dir: '' }, 'remove'), { installs: [], end: 'finished' });
    });
  });
}
