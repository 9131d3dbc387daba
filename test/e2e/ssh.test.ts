// ssh into pods through sshpod: commands and exit status, terminals, the container's environment,
// port and agent forwarding, connection sharing, API round trips, and many first connections at once.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { container, countSshdListeners, e2eSkipReason, pod, sshOptions, startE2E, type E2E } from './harness.ts';

const env = [{ name: 'GREETING', value: 'hello from the pod spec' }, { name: 'WITH_SPACES', value: 'a b  c' }];

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function httpGet(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('ssh through sshpod', { skip: e2eSkipReason() }, () => {
  let e: E2E;
  before(async () => {
    e = await startE2E({
      objects: [
        pod('deb', { containers: [container('main', 'debian', { env })] }),
        pod('bb', { containers: [container('main', 'busybox', { env })] }),
        pod('fresh', { containers: [container('main', 'busybox')] }),
        pod('counted', { containers: [container('main', 'busybox')] }),
        pod('reborn', { containers: [container('main', 'busybox')] }),
      ],
    });
  });
  after(async () => {
    await e?.stop();
  });

  test('a command runs in the container and its exit status comes back', async () => {
    const result = await e.ssh('root@pod--deb.sshpod', ['echo hello; cat /etc/hostname; exit 3']);
    assert.equal(result.stdout, 'hello\ndeb\n', result.stderr);
    assert.equal(result.code, 3);
  });

  test('a hostname with a trailing dot, as a person through the configured block: the same pod', async () => {
    const result = await e.asPerson(['ssh', '-F', e.sshConfig, '-o', 'BatchMode=yes', 'root@pod--deb.sshpod.', 'cat /etc/hostname']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'deb\n');
  });

  test('stdin reaches the command and binary output comes back intact', async () => {
    const input = Buffer.from(Array.from({ length: 256 * 64 }, (_, i) => i % 256));
    const result = await e.ssh('root@pod--bb.sshpod', ['wc -c; echo done'], { input });
    assert.equal(result.stdout.trim().split(/\s+/).join(' '), `${input.length} done`, result.stderr);
  });

  test('the session sees the container environment as kubectl exec does', async () => {
    const result = await e.ssh('root@pod--deb.sshpod', ['env']);
    assert.equal(result.code, 0, result.stderr);
    const vars = new Map(result.stdout.trim().split('\n').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
    assert.equal(vars.get('GREETING'), 'hello from the pod spec');
    assert.equal(vars.get('WITH_SPACES'), 'a b  c');
    assert.equal(vars.get('HOSTNAME'), 'deb');
    assert.ok(vars.get('KUBERNETES_SERVICE_HOST'), 'KUBERNETES_* variables');
    assert.equal(vars.get('HOME'), '/root', 'home from the passwd entry');
    assert.equal(vars.get('USER'), 'root');
    assert.equal(vars.get('SHELL'), '/bin/bash', 'shell from the passwd entry');
    const exec = await e.podShell('default', 'deb', 'main', 'echo "$PATH"');
    assert.equal(vars.get('PATH'), exec.trim(), 'the PATH kubectl exec sees');
  });

  test('ssh -tt gives the command a terminal', async () => {
    const result = await e.ssh('root@pod--bb.sshpod', ['tty; echo "term=$TERM"'], { sshOptions: ['-tt', '-o', 'SetEnv=TERM=xterm'] });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^\/dev\/pts\/\d+\r?$/m);
  });

  test('ssh -L reaches a server listening inside the pod', async () => {
    const started = await e.ssh('root@pod--deb.sshpod', [
      'mkdir -p /tmp/www && echo served-from-the-pod > /tmp/www/index.txt && cd /tmp/www && (setsid python3 -m http.server 8123 --bind 127.0.0.1 >/dev/null 2>&1 &) && sleep 1',
    ]);
    assert.equal(started.code, 0, started.stderr);
    const local = await freePort();
    const forward = spawn('ssh', ['-F', join(e.home, '.ssh', 'config'), ...sshOptions, '-o', 'ExitOnForwardFailure=yes', '-N', '-L', `${local}:127.0.0.1:8123`, 'root@pod--deb.sshpod'], {
      env: e.env,
      stdio: 'ignore',
    });
    try {
      let body = '';
      for (let attempt = 0; attempt < 100 && body === ''; attempt++) {
        body = await httpGet(local, '/index.txt').catch(() => new Promise<string>((resolve) => setTimeout(() => resolve(''), 100)));
      }
      assert.equal(body, 'served-from-the-pod\n');
    } finally {
      forward.kill();
    }
  });

  test('ssh -A makes the local agent usable inside', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sshpod-agent-'));
    const socket = join(dir, 'agent.sock');
    const agent = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
    try {
      for (let i = 0; i < 50 && spawnSync('test', ['-S', socket]).status !== 0; i++) await new Promise((r) => setTimeout(r, 50));
      spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'agent-key-for-test', '-f', join(dir, 'key')]);
      const added = spawnSync('ssh-add', [join(dir, 'key')], { env: { ...e.env, SSH_AUTH_SOCK: socket }, encoding: 'utf8' });
      assert.equal(added.status, 0, added.stderr);
      const result = await e.ssh('root@pod--deb.sshpod', ['ssh-add -l'], { sshOptions: ['-A'], env: { SSH_AUTH_SOCK: socket } });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /agent-key-for-test/);
    } finally {
      agent.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('round trips: cold, one GET, one exec and one port-forward; warm, just the port-forward', async () => {
    const summary = (): string[] =>
      e.cluster
        .requests({ name: 'counted' })
        .map((r) => `${r.method} ${r.resource}${r.subresource ? `/${r.subresource}` : ''}`)
        .sort();
    e.cluster.clearRequests();
    const cold = await e.ssh('root@pod--counted.sshpod', ['true']);
    assert.equal(cold.code, 0, cold.stderr);
    assert.deepEqual(summary(), ['GET pods', 'GET pods/exec', 'GET pods/portforward']);
    e.cluster.clearRequests();
    const warm = await e.ssh('root@pod--counted.sshpod', ['true'], { env: { SSHPOD_LOG_LEVEL: 'debug' } });
    assert.equal(warm.code, 0, warm.stderr);
    assert.deepEqual(summary(), ['GET pods/portforward']);
    assert.equal(e.cluster.requests().length, 1, 'nothing else either');
    assert.match(warm.stderr, /remembered sshd answered with its install id/);
  });

  test('another login name takes the exec path once (its key and user are checked there)', async () => {
    e.cluster.clearRequests();
    const other = await e.ssh('daemon@pod--counted.sshpod', ['id -un']);
    assert.equal(other.stdout, 'daemon\n', other.stderr);
    assert.equal(e.cluster.requests({ name: 'counted', subresource: 'exec' }).length, 1);
  });

  test('a pod recreated under the same name: the remembered sshd is not used', async () => {
    assert.equal((await e.ssh('root@pod--reborn.sshpod', ['echo first'])).code, 0);
    await e.cluster.delete('pods', 'default', 'reborn', { wait: true });
    await e.cluster.apply(pod('reborn', { containers: [container('main', 'busybox', { env: [{ name: 'GENERATION', value: 'second' }] })] }), { wait: true });
    const again = await e.ssh('root@pod--reborn.sshpod', ['echo "$GENERATION"'], { env: { SSHPOD_LOG_LEVEL: 'debug' } });
    assert.equal(again.stdout, 'second\n', again.stderr);
    assert.match(again.stderr, /remembered sshd( not found|: port-forward failed)/);
  });

  test('an sshd that died is started again by the exec path', async () => {
    assert.equal((await e.ssh('root@pod--reborn.sshpod', ['true'])).code, 0);
    await e.podShell('default', 'reborn', 'main', 'kill $(cat /tmp/sshpod/*/main/sshd.pid)');
    const again = await e.ssh('root@pod--reborn.sshpod', ['echo back'], { env: { SSHPOD_LOG_LEVEL: 'debug' } });
    assert.equal(again.stdout, 'back\n', again.stderr);
    assert.match(again.stderr, /remembered sshd( not found|: port-forward failed)/);
  });

  test('connection sharing: a second ssh rides the first one and makes no API request', async () => {
    const first = await e.ssh('root@pod--bb.sshpod', ['echo first'], { shared: true });
    assert.equal(first.code, 0, first.stderr);
    e.cluster.clearRequests();
    const second = await e.ssh('root@pod--bb.sshpod', ['echo second'], { shared: true });
    assert.equal(second.stdout, 'second\n', second.stderr);
    assert.equal(e.cluster.requests().length, 0);
  });

  test("after ~/.cache/sshpod is removed, connection sharing still works (its socket directory is made again)", async () => {
    rmSync(join(e.home, '.cache', 'sshpod'), { recursive: true, force: true });
    const result = await e.ssh('root@pod--bb.sshpod', ['echo shared-again'], { shared: true });
    assert.equal(result.stdout, 'shared-again\n', result.stderr);
  });

  test('20 simultaneous first connections to a fresh pod all succeed, with one sshd', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => e.ssh('root@pod--fresh.sshpod', [`echo ok-${i}`])));
    results.forEach((result, i) => {
      assert.equal(result.code, 0, `connection ${i}: ${result.stderr}`);
      assert.equal(result.stdout, `ok-${i}\n`);
    });
    assert.equal((await e.podShell('default', 'fresh', 'main', countSshdListeners)).trim(), '1');
  });

  test('sshd listens on the pod loopback only', async () => {
    const listening = await e.podShell('default', 'bb', 'main', "cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk '$4 == \"0A\" { print $2 }'");
    const addresses = listening.trim().split('\n').filter(Boolean);
    assert.ok(addresses.length > 0);
    for (const address of addresses) assert.match(address, /^0100007F:/, `listens on ${address}`);
  });

  test("sshd's host key and its config (which holds the pod's environment) are 0600 in the pod", async () => {
    const modes = await e.podShell('default', 'bb', 'main', 'stat -c "%a %n" /tmp/sshpod/*/main/ssh_host_ed25519_key /tmp/sshpod/*/main/sshd_config');
    for (const line of modes.trim().split('\n')) assert.match(line, /^600 /, line);
  });
});
