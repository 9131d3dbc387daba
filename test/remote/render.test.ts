import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { ReplyReader, ReplyFormatError } from '../../src/remote/reply.ts';
import { renderSshdConfig } from '../../src/remote/sshd-config.ts';
import { sessionEnvironment } from '../../src/remote/environment.ts';
import { renderInstallPayload } from '../../src/remote/install-payload.ts';
import { compactScript, prepareCommand, candidatePorts } from '../../src/remote/script.ts';

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

test('sshd_config: loopback, keys only, sftp, and the session environment on one SetEnv line', () => {
  const config = renderSshdConfig({
    dir: '/tmp/sshpod/uid/app',
    environment: [['PATH', '/usr/bin:/bin'], ['GREETING', 'say "hi" it\'s \\ok']],
    sshpodVersion: '1.2.3',
    installId: 'sshpod-0123abcd',
  });
  const lines = config.trimEnd().split('\n');
  assert.ok(lines.includes('ListenAddress 127.0.0.1'));
  assert.ok(lines.includes('HostKey "/tmp/sshpod/uid/app/host_ed25519_key"'));
  assert.ok(lines.includes('AuthorizedKeysFile "/tmp/sshpod/uid/app/authorized_keys"'));
  assert.ok(lines.includes('PasswordAuthentication no'));
  assert.ok(lines.includes('Subsystem sftp internal-sftp'));
  assert.ok(!lines.some((line) => /^Port /.test(line)), 'the port comes from -p');
  assert.ok(lines.includes('VersionAddendum sshpod-0123abcd'), 'the install id in the banner');
  assert.equal(lines.filter((line) => line.startsWith('SetEnv ')).length, 1);
  assert.equal(lines.at(-1), 'SetEnv "PATH=/usr/bin:/bin" "GREETING=say \\"hi\\" it\\\'s \\\\ok"');
});

test('sshd_config refuses directories it cannot express safely', () => {
  for (const dir of ['relative/dir', '/tmp/a"b', '/tmp/a\nb', '/tmp/../etc']) {
    assert.throws(() => renderSshdConfig({ dir, environment: [], sshpodVersion: '1', installId: 'sshpod-x' }), /unusable directory/);
  }
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
    bundle: { bytes: Buffer.from([0, 1, 2, 10, 255]), rawBytes: 9, format: 'gzip' },
  });
  const text = 'sshpod-install 1 2 3 5 9 gzip\nline1\nline2\nssh-ed25519 AAAA host\na\nb\nc\n';
  assert.deepEqual(payload, Buffer.concat([Buffer.from(text), Buffer.from([0, 1, 2, 10, 255])]));
});

test('the compacted script is still valid sh and keeps no comments', () => {
  const compact = compactScript(readFileSync(new URL('../../src/remote/prepare-sshd.sh', import.meta.url), 'utf8'));
  for (const shell of [['dash', '-n'], ['busybox', 'sh', '-n'], ['bash', '--posix', '-n']]) {
    const result = spawnSync(shell[0] as string, [...shell.slice(1), '-c', compact], { encoding: 'utf8' });
    assert.equal(result.status, 0, `${shell.join(' ')}: ${result.stderr}`);
  }
  assert.ok(!/^\s*#/m.test(compact));
});

test('the exec argv passes every value as a positional parameter', () => {
  const argv = prepareCommand({
    podUid: 'u-1',
    container: 'app',
    login: "x';reboot;'",
    versions: { x86_64: 'v1', aarch64: 'v2' },
    publicKey: 'ssh-ed25519 AAAA me',
    ports: [20001, 20002],
  });
  assert.deepEqual(argv.slice(0, 2), ['sh', '-c']);
  assert.deepEqual(argv.slice(3), ['sshpod', '1', 'u-1', 'app', "x';reboot;'", 'x86_64=v1 aarch64=v2', 'ssh-ed25519 AAAA me', '20001 20002']);
  assert.ok(!(argv[2] as string).includes('reboot'));
});

test('candidate ports are distinct and below the ephemeral range', () => {
  const ports = candidatePorts(8);
  assert.equal(new Set(ports).size, 8);
  for (const port of ports) assert.ok(port >= 20000 && port < 32768, String(port));
});
