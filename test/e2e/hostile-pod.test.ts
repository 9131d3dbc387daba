// A pod whose answers are hostile or never come, and an API server that never answers: sshpod
// says which step failed, within SSHPOD_TIMEOUT, bounds what it reads, and never prints the pod's
// control characters raw. Each pod's /bin/sh is replaced by a program that plays the hostile part.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPair } from '../../src/ssh/openssh-key.ts';
import { container, e2eSkipReason, hasStackTrace, pod, sshpodLines, startE2E, type E2E } from './harness.ts';

/** A debian pod whose `sh` is `program` (bash), so sshpod's exec runs that instead of its script. */
function hostile(name: string, program: string): object {
  const setup = `cat > /opt/hostile <<'EOF'\n#!/bin/bash\n${program}\nEOF\nchmod 755 /opt/hostile && ln -sf /opt/hostile /bin/sh && exec sleep infinity`;
  return pod(name, { containers: [container('main', 'debian', { command: ['bash', '-c', setup] })] });
}

describe('hostile pods and silent servers', { skip: e2eSkipReason() }, () => {
  let e: E2E;
  before(async () => {
    e = await startE2E({
      objects: [
        hostile('silent', 'sleep 3600'),
        hostile('flood', "printf 'status=need-install\\ndir=/x\\narch=x86_64\\ngzip=1\\nenviron-bytes=999999999999\\n'; sleep 3600"),
        hostile('endless', "head -c 20000000 /dev/zero | tr '\\0' a; sleep 3600"),
        // Answers `ready` for a port where something listens and never speaks.
        hostile(
          'mute',
          `python3 -c 'import socket,time; s=socket.socket(); s.bind(("127.0.0.1", 23999)); s.listen(); c=s.accept(); time.sleep(3600)' &
sleep 0.5; printf 'status=ready\\nport=23999\\nhostkey=${generateKeyPair('mute').publicKey}\\ndir=/tmp\\nuser=root\\narch=x86_64\\nend=ready\\n'`,
        ),
        hostile('escapes', "printf 'status=error\\nerror=no-tools\\nmessage=\\033]0;owned\\007\\033[2J\\033[1;31mroot# \\033]8;;http://evil\\033\\\\click\\033]8;;\\033\\\\\\nend=error\\n'"),
      ],
    });
  });
  after(async () => {
    await e?.stop();
  });

  const failure = async (host: string, env: Record<string, string> = {}): Promise<string[]> => {
    const result = await e.ssh(`root@${host}`, ['true'], { env: { SSHPOD_TIMEOUT: '2', ...env }, timeoutMs: 60_000 });
    assert.equal(result.code, 255, `ssh must fail: ${result.stdout} ${result.stderr}`);
    assert.ok(!hasStackTrace(result.stderr), result.stderr);
    return sshpodLines(result.stderr);
  };

  test('a container that never answers: the step and the timeout are named', async () => {
    const [message, hint] = await failure('pod--silent.sshpod');
    assert.equal(message, 'sshpod: container "main" of pod "silent" did not answer within 2 s (checking the container)');
    assert.match(hint ?? '', /SSHPOD_TIMEOUT=SECONDS/);
  });

  test('an announced environment of 999999999999 bytes is refused at once', async () => {
    const [message] = await failure('pod--flood.sshpod');
    assert.equal(message, 'sshpod: the container answered sshpod in an unexpected way: an environment of 999999999999 bytes (at most 1048576)');
  });

  test('20 MB without a newline is refused after 16 KiB', async () => {
    const [message] = await failure('pod--endless.sshpod');
    assert.equal(message, 'sshpod: the container answered sshpod in an unexpected way: a reply line longer than 16384 bytes');
  });

  test('a port that accepts and never speaks: the first byte from sshd is waited for, not for ever', async () => {
    const [message] = await failure('pod--mute.sshpod');
    assert.equal(message, 'sshpod: sshd in pod "mute" did not answer on port 23999 within 2 s');
  });

  test("the pod's escape sequences reach the terminal as visible text, not as commands", async () => {
    const result = await e.ssh('root@pod--escapes.sshpod', ['true']);
    assert.equal(result.code, 255);
    assert.ok(!/[\x07\x1b\x9b]/.test(result.stderr), JSON.stringify(result.stderr));
    const [message] = sshpodLines(result.stderr);
    assert.match(message ?? '', /\\x1b\]0;owned\\x07\\x1b\[2J\\x1b\[1;31mroot# \\x1b\]8;;http:\/\/evil\\x1b\\click/);
  });

  test('an API server that accepts the connection and never answers: the server is named', async () => {
    const sockets: Socket[] = [];
    const server: Server = createServer((socket) => sockets.push(socket)); // accepts, says nothing
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const kubeconfig = join(e.home, 'silent-kubeconfig');
    writeFileSync(kubeconfig, readFileSync(e.env['KUBECONFIG'] as string, 'utf8').replace(/server: https:\/\/127\.0\.0\.1:\d+/, `server: https://127.0.0.1:${port}`));
    try {
      const [message, hint] = await failure('pod--silent.sshpod', { KUBECONFIG: kubeconfig });
      assert.equal(message, `sshpod: the Kubernetes API at https://127.0.0.1:${port} (context "sshpod-test") did not answer within 2 s (trying to get pods "silent" in namespace "default")`);
      assert.match(hint ?? '', /SSHPOD_TIMEOUT/);
    } finally {
      for (const socket of sockets) socket.destroy();
      server.close();
    }
  });

  test('KUBECONFIG that is not a file, or empty, is refused with words, not hung on or crashed', async () => {
    const empty = join(e.home, 'empty-kubeconfig');
    writeFileSync(empty, '');
    const fifo = join(e.home, 'fifo-kubeconfig');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    for (const [kubeconfig, expected] of [
      ['/dev/zero', 'sshpod: cannot read your kubeconfig (/dev/zero): /dev/zero is not a regular file'],
      [fifo, `sshpod: cannot read your kubeconfig (${fifo}): ${fifo} is not a regular file`],
      [empty, `sshpod: cannot read your kubeconfig (${empty}): ${empty} is empty`],
    ] as const) {
      const [message, hint] = await failure('pod--silent.sshpod', { KUBECONFIG: kubeconfig });
      assert.equal(message, expected);
      assert.equal(hint, 'hint: check that file with: kubectl config view');
    }
  });
});
