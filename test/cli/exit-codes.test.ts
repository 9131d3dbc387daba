// Exit statuses as documented in --help and README: 0 success, 1 failure, 2 usage, 128+N for a
// signal. Usage errors from commander used to exit 1; --log-level used to be a proxy option only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const bin = new URL('../../bin/sshpod.cjs', import.meta.url).pathname;
const home = mkdtempSync(join(tmpdir(), 'sshpod-exit-'));
test.after(() => rmSync(home, { recursive: true, force: true }));

function sshpod(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { PATH: process.env['PATH'], HOME: home, KUBECONFIG: join(home, 'none'), ...env } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('help and version: 0', () => {
  assert.equal(sshpod(['--help']).status, 0);
  assert.equal(sshpod(['doctor', '--help']).status, 0);
  assert.equal(sshpod(['--version']).status, 0);
});

test('--help documents the exit statuses', () => {
  const help = sshpod(['--help']).stdout;
  assert.match(help, /^Exit status:$/m);
  for (const row of [/^ {2}0 +success; through ssh, the remote command's own status/m, /^ {2}1 +sshpod could not do it/m, /^ {2}2 +usage: /m, /^ {2}128\+N +stopped by signal N/m, /^ {2}255 +\(from ssh\)/m]) {
    assert.match(help, row);
  }
});

const usageErrors: Array<[string, string[], RegExp]> = [
  ['an unknown option', ['configure', '--bogus'], /^sshpod: unknown option '--bogus'\nhint: sshpod configure --help shows its usage\n$/],
  ['an option without its value', ['proxy', '--host'], /^sshpod: option '--host <host>' argument missing\nhint: sshpod proxy --help shows its usage\n$/],
  ['a missing required option', ['proxy'], /^sshpod: required option '--host <host>' not specified\n/],
  ['an unknown command', ['connect'], /^sshpod: unknown command 'connect'\nhint: sshpod --help shows the commands\n$/],
  ['too many arguments', ['doctor', 'a.sshpod', 'b.sshpod'], /^sshpod: too many arguments for 'doctor'/],
  ['a value not among the choices', ['--log-level', 'loud', 'configure', '--print'], /Allowed choices are error, info, debug/],
  ['a hostname that does not parse', ['proxy', '--host', 'pod--x.example.com'], /^sshpod: hostname "pod--x\.example\.com" does not end in \.sshpod\nhint: /],
];

for (const [what, args, stderr] of usageErrors) {
  test(`usage error, ${what}: 2, one sshpod: line and a hint, nothing on stdout`, () => {
    const result = sshpod(args);
    assert.equal(result.status, 2, result.stderr);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, stderr);
  });
}

test('a bad SSHPOD_LOG_LEVEL is a usage error too', () => {
  const result = sshpod(['configure', '--print'], { SSHPOD_LOG_LEVEL: 'loud' });
  assert.equal(result.status, 2);
  assert.equal(result.stderr, 'sshpod: unknown log level "loud" in SSHPOD_LOG_LEVEL\nhint: use error, info or debug\n');
});

test('a failure: 1', () => {
  const result = sshpod(['proxy', '--host', 'pod--x.sshpod']);
  assert.equal(result.status, 1);
  assert.match(result.stderr, /^sshpod: no kubeconfig found/);
});

test('--log-level is global: every command takes it, before or after the command name', () => {
  const configure = sshpod(['configure', '--print', '--log-level', 'debug']);
  assert.equal(configure.status, 0, configure.stderr);
  assert.equal(sshpod(['--log-level', 'info', 'unconfigure']).status, 0);
  const proxy = sshpod(['proxy', '--host', 'pod--x.sshpod', '--log-level', 'debug']);
  assert.equal(proxy.status, 1);
  assert.match(proxy.stderr, /^sshpod +\d+ms modules loaded$/m, 'the debug timeline');
  assert.match(sshpod(['configure', '--help']).stdout, /^Global Options:\n(?: .*\n)* {2}--log-level <level>/m);
});

test('stopped by a signal: 128+N, and an exec credential plugin it was waiting for goes with it', async (t) => {
  const pidFile = join(home, 'plugin.pid');
  const plugin = join(home, 'hanging-plugin');
  writeFileSync(plugin, `#!/bin/sh\necho $$ > '${pidFile}'\nexec sleep 300\n`, { mode: 0o755 });
  const kubeconfig = join(home, 'plugin-kubeconfig');
  writeFileSync(
    kubeconfig,
    `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:9"}}]
users: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1, command: "${plugin}"}}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`,
  );
  // Through sh, which reports a death by signal N as 128+N, as a person's shell does.
  const child = spawn('sh', ['-c', `"${process.execPath}" "${bin}" proxy --host pod--x.sshpod & echo $! > '${join(home, 'sshpod.pid')}'; wait $!; echo $?`], {
    env: { PATH: process.env['PATH'], HOME: home, KUBECONFIG: kubeconfig },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  t.after(() => child.kill('SIGKILL'));
  // The file exists before the shell's echo has written into it: wait for a whole number, as
  // process.kill(0, …) would signal this test's own process group.
  const readPluginPid = () => (existsSync(pidFile) ? Number.parseInt(readFileSync(pidFile, 'utf8'), 10) : Number.NaN);
  for (let i = 0; i < 200 && !(readPluginPid() > 0); i++) await sleep(50);
  const pluginPid = readPluginPid();
  assert.ok(pluginPid > 0, 'the plugin started');
  process.kill(Number(readFileSync(join(home, 'sshpod.pid'), 'utf8')), 'SIGTERM');
  await exited;
  assert.equal(output.trim(), '143');
  // Killed, the plugin is reparented to PID 1 and stays a zombie until PID 1 reaps it, which this
  // machine's init does when it gets to it: a zombie counts as gone.
  const running = (): boolean => {
    try {
      return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pluginPid}/stat`, 'utf8'));
    } catch {
      return false;
    }
  };
  let alive = true;
  for (let i = 0; i < 100 && alive; i++) {
    alive = running();
    if (alive) await sleep(50);
  }
  assert.equal(alive, false, 'the plugin was killed with sshpod');
});
