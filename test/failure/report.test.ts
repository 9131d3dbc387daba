// The failure path end to end without a cluster: the real ssh, the block `sshpod configure` wrote
// (sharing on, so ssh sends sshpod's stderr to /dev/null), and a connection that fails before any
// API call (no kubeconfig). What the person sees at each of ssh's log levels, and afterwards.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const bin = new URL('../../bin/sshpod.cjs', import.meta.url).pathname;
const noSsh = spawnSync('ssh', ['-V']).error ? 'no OpenSSH client here' : undefined;

describe('a failed connection through the configured block', { skip: noSsh }, () => {
  let home: string;
  let env: NodeJS.ProcessEnv;
  let config: string;
  const message = (): string => `sshpod: no kubeconfig found (looked for ${join(home, 'absent-kubeconfig')})`;
  const hint = 'hint: point KUBECONFIG at your kubeconfig, or create ~/.kube/config (e.g. with your cloud CLI)';

  before(() => {
    home = mkdtempSync(join(tmpdir(), 'sshpod-report-'));
    env = { PATH: process.env['PATH'], HOME: home, KUBECONFIG: join(home, 'absent-kubeconfig'), LANG: 'C.UTF-8' };
    config = join(home, '.ssh', 'config');
    const configured = spawnSync(process.execPath, [bin, 'configure', '--yes'], { env, encoding: 'utf8' });
    assert.equal(configured.status, 0, configured.stderr);
  });
  after(() => rmSync(home, { recursive: true, force: true }));

  const ssh = (...args: string[]): { status: number | null; stdout: string; lines: string[] } => {
    const result = spawnSync('ssh', ['-F', config, ...args], { env, encoding: 'utf8', timeout: 60_000 });
    return { status: result.status, stdout: result.stdout, lines: result.stderr.split(/\r*\n/).filter(Boolean) };
  };
  const sshpod = (...args: string[]): { status: number | null; stdout: string; stderr: string } => {
    const result = spawnSync(process.execPath, [bin, ...args], { env, encoding: 'utf8' });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  };

  test("at ssh's default log level: the lines as the server's banner, then a pointer to sshpod last-error", () => {
    const result = ssh('root@pod--api.sshpod', 'true');
    assert.equal(result.status, 255);
    assert.equal(result.stdout, '');
    assert.deepEqual(result.lines, [
      message(),
      hint,
      'Received disconnect from UNKNOWN port 65535:11: sshpod could not connect to pod--api.sshpod (sshpod last-error shows why)',
      'Disconnected from UNKNOWN port 65535',
    ]);
  });

  test('at LogLevel ERROR (a common global setting): the pointer', () => {
    assert.deepEqual(ssh('-o', 'LogLevel=ERROR', 'root@pod--api.sshpod', 'true').lines, [
      'Received disconnect from UNKNOWN port 65535:11: sshpod could not connect to pod--api.sshpod (sshpod last-error shows why)',
    ]);
  });

  test('ssh -q prints nothing; sshpod last-error has it all, with the timeline on request', () => {
    assert.deepEqual(ssh('-q', 'alice@pod--web.sshpod', 'true').lines, []);
    const shown = sshpod('last-error');
    assert.equal(shown.status, 0);
    const lines = shown.stdout.split('\n');
    assert.match(lines[0] ?? '', /^last failure: alice@pod--web\.sshpod, \d+ seconds? ago \(.+\), shown by ssh$/);
    assert.deepEqual(lines.slice(1, 3), [message(), hint]);
    const timeline = sshpod('last-error', '--timeline').stdout;
    assert.match(timeline, /^timeline \(milliseconds since that sshpod started\):$/m);
    assert.match(timeline, /^ +\d+ms sshpod [\d.]+ proxy --host pod--web\.sshpod --user alice$/m);
    assert.match(timeline, /^ +\d+ms SshpodError: no kubeconfig found/m, 'with the stack, as --log-level debug would have printed');
  });

  test('without sharing (stderr reaches the terminal) the lines come once, from sshpod itself', () => {
    const result = ssh('-o', 'ControlPersist=no', 'root@pod--api.sshpod', 'true');
    assert.equal(result.lines.filter((line) => line === message()).length, 1);
    assert.deepEqual(result.lines.slice(0, 2), [message(), hint]);
  });

  test('a deleted known_hosts is pinned again before sshpod answers', () => {
    rmSync(join(home, '.cache', 'sshpod', 'known_hosts'));
    assert.deepEqual(ssh('root@pod--api.sshpod', 'true').lines.slice(0, 2), [message(), hint]);
  });

  test('names the *.sshpod pin does not cover (another port) get the lines in a disconnect before key exchange', () => {
    const result = ssh('-p', '2222', 'root@pod--api.sshpod', 'true');
    assert.equal(result.status, 255);
    assert.deepEqual(result.lines, [
      'Received disconnect from UNKNOWN port 65535:11: sshpod could not connect to pod--api.sshpod:',
      message(),
      hint,
      'Disconnected from UNKNOWN port 65535',
    ]);
  });

  test('so do failures that leave no host key to answer with', () => {
    const hostKey = readdirSync(join(home, '.cache', 'sshpod')).find((name) => /host.*key$/.test(name));
    assert.ok(hostKey, 'the local host key exists');
    writeFileSync(join(home, '.cache', 'sshpod', hostKey), 'damaged\n');
    const result = ssh('root@pod--api.sshpod', 'true');
    assert.deepEqual(result.lines.slice(1, 3), [message(), hint]);
  });
});
