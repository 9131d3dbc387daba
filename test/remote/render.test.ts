import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { ReplyReader, ReplyFormatError, REPLY_LIMITS } from '../../src/remote/reply.ts';
import { renderSshdConfig } from '../../src/remote/sshd-config.ts';
import { sessionEnvironment } from '../../src/remote/environment.ts';
import { renderInstallPayload } from '../../src/remote/install-payload.ts';
import { BOOTSTRAP, compactScript, prepareCommand, candidatePorts } from '../../src/remote/script.ts';

test('replies are read across arbitrary chunk boundaries, raw environ included', () => {
  const stream = Buffer.concat([
    Buffer.from('status=need-install\ndir=/tmp/sshpod/u/c\narch=aarch64\ngzip=0\nenviron-bytes=10\n'),
    Buffer.from('A=1\0B=x\ny\0'),
    Buffer.from('status=ready\nport=20001\nhostkey=ssh-ed25519 AAAA x\ndir=/tmp/sshpod/u/c\nuser=app\narch=aarch64\nend=ready\n'),
  ]);
  for (const size of [1, 3, 7, stream.length]) {
    const reader = new ReplyReader();
    const replies = [];
    for (let i = 0; i < stream.length; i += size) replies.push(...reader.push(stream.subarray(i, i + size)));
    assert.deepEqual(replies, [
      { status: 'need-install', dir: '/tmp/sshpod/u/c', arch: 'aarch64', gzip: false, environ: Buffer.from('A=1\0B=x\ny\0') },
      { status: 'ready', port: 20001, hostKey: 'ssh-ed25519 AAAA x', dir: '/tmp/sshpod/u/c', user: 'app', arch: 'aarch64' },
    ]);
    assert.equal(reader.leftover().length, 0);
  }
});

test('error replies carry the code, message and users', () => {
  const reader = new ReplyReader();
  assert.deepEqual(reader.push(Buffer.from('status=error\nerror=wrong-user\nmessage=runs as "app"\nusers=app\nend=error\n')), [
    { status: 'error', error: 'wrong-user', message: 'runs as "app"', users: ['app'] },
  ]);
});

test('malformed replies are refused', () => {
  assert.throws(() => new ReplyReader().push(Buffer.from('hello world\n')), ReplyFormatError);
  assert.throws(() => new ReplyReader().push(Buffer.from('status=ready\nport=99999\nend=ready\n')), /bad port/);
  assert.throws(() => new ReplyReader().push(Buffer.from('status=ready\nport=2\nhostkey=k\ndir=d\nuser=u\nend=ready\n')), /no arch=/);
  assert.throws(() => new ReplyReader().push(Buffer.from('status=ready\nend=ready\n')), /no port=/);
  assert.throws(() => new ReplyReader().push(Buffer.from('status=maybe\nend=x\n')), /unknown status/);
});

test('hostile replies are bounded: line length, fields, environment size, total size', () => {
  assert.throws(() => new ReplyReader().push(Buffer.alloc(REPLY_LIMITS.lineBytes + 1, 0x61)), /line longer than/);
  const fields = Array.from({ length: REPLY_LIMITS.fieldsPerReply + 1 }, (_, i) => `k${i}=v`).join('\n');
  assert.throws(() => new ReplyReader().push(Buffer.from(`status=error\n${fields}\n`)), /more than \d+ fields/);
  assert.throws(() => new ReplyReader().push(Buffer.from('status=need-install\nenviron-bytes=999999999999\n')), /an environment of 999999999999 bytes/);
  const reader = new ReplyReader();
  const waiting = Buffer.from('status=waiting\nreason=lock\nend=waiting\n');
  assert.throws(() => {
    for (let sent = 0; sent <= REPLY_LIMITS.totalBytes; sent += waiting.length) reader.push(waiting);
  }, /more than \d+ bytes of replies/);
});

test('a line without end is refused as soon as it passes the bound, not after the whole flood', () => {
  // 20 MB without a newline took 19.7 s of CPU when every chunk was concatenated to the rest.
  const reader = new ReplyReader();
  const chunk = Buffer.alloc(64, 0x61);
  let sent = 0;
  assert.throws(() => {
    for (; sent < 20 * 1024 * 1024; sent += chunk.length) reader.push(chunk);
  }, /line longer than/);
  assert.ok(sent <= REPLY_LIMITS.lineBytes, `refused after ${sent} bytes`);
});

test('waiting notices are replies of their own', () => {
  assert.deepEqual(new ReplyReader().push(Buffer.from('status=waiting\nreason=lock\nend=waiting\n')), [{ status: 'waiting', reason: 'lock' }]);
});

test('sshd_config: loopback, keys only, sftp, and the session environment on one SetEnv line', () => {
  const config = renderSshdConfig({
    environment: [['PATH', '/usr/bin:/bin'], ['GREETING', 'say "hi" it\'s \\ok']],
    sshpodVersion: '1.2.3',
    installId: 'sshpod-0123abcd',
  });
  const lines = config.trimEnd().split('\n');
  assert.ok(lines.includes('ListenAddress 127.0.0.1'));
  // sshd's own working directory, never a path another uid could rename (prepare-sshd.sh).
  assert.ok(lines.includes('HostKey /proc/self/cwd/ssh_host_ed25519_key'));
  assert.ok(lines.includes('AuthorizedKeysFile /proc/self/cwd/authorized_keys'));
  assert.ok(lines.includes('PidFile /proc/self/cwd/sshd.pid'));
  assert.ok(lines.includes('PasswordAuthentication no'));
  assert.ok(lines.includes('Subsystem sftp internal-sftp'));
  assert.ok(!lines.some((line) => /^Port /.test(line)), 'the port comes from -p');
  assert.ok(lines.includes('VersionAddendum sshpod-0123abcd'), 'the install id in the banner');
  assert.equal(lines.filter((line) => line.startsWith('SetEnv ')).length, 1);
  assert.equal(lines.at(-1), 'SetEnv "PATH=/usr/bin:/bin" "GREETING=say \\"hi\\" it\\\'s \\\\ok"');
});

test('the session environment keeps the container env and leaves per-login variables to sshd', () => {
  const environ = Buffer.from(
    ['PATH=/usr/local/bin:/usr/bin', 'HOME=/root', 'HOSTNAME=api-0', 'KUBERNETES_SERVICE_HOST=10.96.0.1', 'MULTI=a\nb', 'SSH_AUTH_SOCK=x', 'SSHPOD_PASSWD=y', 'EMPTY=', 'PATH=/dup', 'bad-name=1', 'TERM=xterm', ''].join('\0'),
  );
  assert.deepEqual(sessionEnvironment(environ), [
    ['PATH', '/usr/local/bin:/usr/bin'],
    ['HOSTNAME', 'api-0'],
    ['KUBERNETES_SERVICE_HOST', '10.96.0.1'],
    ['EMPTY', ''],
  ]);
});

test('the install payload announces every length', () => {
  const payload = renderInstallPayload({
    hostPrivateKey: 'line1\nline2\n',
    hostPublicKey: 'ssh-ed25519 AAAA host',
    sshdConfig: 'a\nb\nc\n',
    bundle: { bytes: Buffer.from([0, 1, 2, 10, 255]), rawBytes: 9, rawSha256: 'ab'.repeat(32), format: 'gzip' },
  });
  const text = `sshpod-install 2 2 3 5 9 gzip ${'ab'.repeat(32)}\nline1\nline2\nssh-ed25519 AAAA host\na\nb\nc\n`;
  assert.deepEqual(payload, Buffer.concat([Buffer.from(text), Buffer.from([0, 1, 2, 10, 255])]));
});

test('the script passes shellcheck', { skip: spawnSync('shellcheck', ['--version']).status === 0 ? false : 'shellcheck is not installed' }, () => {
  const result = spawnSync('shellcheck', ['-s', 'sh', '-S', 'warning', new URL('../../src/remote/prepare-sshd.sh', import.meta.url).pathname], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stdout);
});

test('the compacted script is still valid sh and keeps no comments', () => {
  const compact = compactScript(readFileSync(new URL('../../src/remote/prepare-sshd.sh', import.meta.url), 'utf8'));
  for (const shell of [['dash', '-n'], ['busybox', 'sh', '-n'], ['bash', '--posix', '-n']]) {
    const result = spawnSync(shell[0] as string, [...shell.slice(1), '-c', compact], { encoding: 'utf8' });
    assert.equal(result.status, 0, `${shell.join(' ')}: ${result.stderr}`);
  }
  assert.ok(!/^\s*#/m.test(compact));
});

test('the exec argv is a one-line bootstrap and every value as a positional parameter', () => {
  const { command, script } = prepareCommand({
    podUid: 'u-1',
    container: 'app',
    login: "x';reboot;'",
    versions: { x86_64: 'v1', aarch64: 'v2' },
    publicKey: 'ssh-ed25519 AAAA me',
    ports: [20001, 20002],
    idleSeconds: 900,
  });
  assert.deepEqual(command.slice(0, 3), ['sh', '-c', BOOTSTRAP]);
  assert.deepEqual(command.slice(3), ['sshpod', String(script.length), '2', 'u-1', 'app', "x';reboot;'", 'x86_64=v1 aarch64=v2', 'ssh-ed25519 AAAA me', '20001 20002', '900']);
  assert.ok(!script.toString().includes('reboot'));
  // Proxies in front of API servers limit the request line (nginx: 8 KB); the script is on stdin.
  const query = new URLSearchParams();
  for (const part of command) query.append('command', part);
  assert.ok(query.toString().length < 2048, `${query.toString().length} bytes of query`);
});

test('the bootstrap runs the script from stdin; what sshpod sends after the script answers reaches it', async () => {
  // As in the protocol: sshpod writes the install only after the script asked for it (busybox's
  // head may read past the count when more is already waiting in the pipe).
  const script = Buffer.from('echo more; read -r rest; printf "%s|%s|%s\\n" "$1" "$2" "$rest"');
  for (const shell of [['dash'], ['busybox', 'sh']]) {
    const child = spawn(shell[0] as string, [...shell.slice(1), '-c', BOOTSTRAP, 'sshpod', String(script.length), 'a b', 'c']);
    child.stdin.write(script);
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout === 'more\n') child.stdin.write('after the script\n');
    });
    await new Promise((resolve) => child.on('close', resolve));
    assert.equal(stdout, 'more\na b|c|after the script\n', shell.join(' '));
  }
});

test('candidate ports are distinct and below the ephemeral range', () => {
  const ports = candidatePorts(8);
  assert.equal(new Set(ports).size, 8);
  for (const port of ports) assert.ok(port >= 20000 && port < 32768, String(port));
});
