// The safeguard of on-demand pods, run for real by dash and busybox sh as PID 1 of a fresh PID
// namespace (as in a container, and so that it sees no other process's sshd): it ends when no ssh
// session has existed for its time, not while one exists, with the template's command when that
// ends, and at once on SIGTERM (a pod being deleted).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { watchdogScript } from '../../src/ondemand/watchdog-script.ts';

const isRoot = process.getuid?.() === 0;
const shells = [['dash', ['dash']], ['busybox sh', ['busybox', 'sh']]] as const;

interface Ended {
  code: number | null;
  stdout: string;
}

function run(shell: readonly string[], args: string[], onStart?: (pid1: () => number | undefined) => void): Promise<Ended> {
  const child = spawn('unshare', ['--pid', '--fork', '--mount-proc', ...shell, '-c', watchdogScript(), 'sshpod-watchdog', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  onStart?.(() => {
    try {
      return Number(readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(' ')[0]) || undefined;
    } catch {
      return undefined;
    }
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout })));
}

/** A fake ssh session: an `sshd` (a copy of the shell) whose child is an `sshd` (a copy of sleep). */
function fakeSshd(): { dir: string; parent: string; sleeper: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sshpod-watchdog-'));
  mkdirSync(join(dir, 'sleeper'));
  copyFileSync('/bin/dash', join(dir, 'sshd'));
  copyFileSync(spawnSync('sh', ['-c', 'command -v sleep'], { encoding: 'utf8' }).stdout.trim(), join(dir, 'sleeper', 'sshd'));
  spawnSync('chmod', ['755', join(dir, 'sshd'), join(dir, 'sleeper', 'sshd')]);
  return { dir, parent: join(dir, 'sshd'), sleeper: join(dir, 'sleeper', 'sshd') };
}

test('the script passes shellcheck', { skip: spawnSync('shellcheck', ['--version']).status === 0 ? false : 'shellcheck is not installed' }, () => {
  const result = spawnSync('shellcheck', ['-s', 'sh', '-S', 'warning', new URL('../../src/ondemand/pod-watchdog.sh', import.meta.url).pathname], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stdout);
});

for (const [name, shell] of shells) {
  describe(`the watchdog under ${name}`, { skip: isRoot ? false : 'needs root for a PID namespace' }, () => {
    test('with no ssh session it ends the pod after its time (exit 0)', async () => {
      const ended = await run(shell, ['1']);
      assert.equal(ended.code, 0);
      assert.match(ended.stdout, /sshpod-watchdog: no ssh or terminal session for 1s: ending this pod/);
    });

    test('a session keeps it; it ends after the session did', async () => {
      const fake = fakeSshd();
      const marker = join(fake.dir, 'session-ended');
      const command = `${fake.parent} -c '${fake.sleeper} 3; :'; touch ${marker}; exec sleep 60`;
      const ended = await run(shell, ['1', 'sh', '-c', command]);
      assert.equal(ended.code, 0);
      assert.match(ended.stdout, /no ssh or terminal session for 1s/);
      assert.ok(existsSync(marker), 'it did not end while the session lived');
    });

    test('a terminal the exec API started (parent outside the container, a tty) keeps it, as sshpod web needs', async () => {
      const marker = join(mkdtempSync(join(tmpdir(), 'sshpod-watchdog-')), 'terminal-ended');
      let pid1: (() => number | undefined) | undefined;
      const ending = run(shell, ['2'], (find) => (pid1 = find));
      let pid: number | undefined;
      for (let i = 0; i < 100 && pid === undefined; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        pid = pid1?.();
      }
      assert.ok(pid, 'PID 1 of the namespace');
      // As runc does for `kubectl exec -it`: join the PID namespace from outside (so the parent is
      // 0 inside), a new session whose controlling terminal is a pty (util-linux script's).
      const terminal = spawn('script', ['-qec', `nsenter -t ${pid} --pid setsid -c sh -c 'sleep 4; touch ${marker}'`, '/dev/null'], { stdio: ['pipe', 'ignore', 'ignore'] });
      const ended = await ending;
      terminal.kill();
      assert.equal(ended.code, 0);
      assert.match(ended.stdout, /no ssh or terminal session for 2s/);
      assert.ok(existsSync(marker), 'it did not end while the terminal lived');
    });

    test("the template's command runs beneath it, and its end (and status) ends the pod", async () => {
      const ended = await run(shell, ['60', 'sh', '-c', 'echo from-the-template; exit 3']);
      assert.equal(ended.code, 3);
      assert.match(ended.stdout, /from-the-template/);
      assert.match(ended.stdout, /the container's command ended \(status 3\)/);
    });

    test('SIGTERM (the pod deleted) ends it at once, with its command', async () => {
      let pid1: (() => number | undefined) | undefined;
      const ending = run(shell, ['600', 'sleep', '600'], (find) => (pid1 = find));
      let pid: number | undefined;
      for (let i = 0; i < 100 && pid === undefined; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        pid = pid1?.();
      }
      assert.ok(pid, 'PID 1 of the namespace');
      await new Promise((resolve) => setTimeout(resolve, 300)); // its trap is set
      process.kill(pid, 'SIGTERM');
      const ended = await ending;
      assert.equal(ended.code, 0);
    });

    test('an idle time that is not a number is refused', async () => {
      const ended = await run(shell, ['soon']);
      assert.equal(ended.code, 2);
    });
  });
}
