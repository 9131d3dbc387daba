// Editors' remote modes against a pod, through the block `sshpod configure` wrote, doing what the
// editors do (their public docs, logs and the open-source reimplementations show it):
//  - VS Code Remote-SSH: ssh without a terminal (-T) with a dynamic forward (-D), the setup script
//    on stdin — to `bash` (remote.SSH.useLocalServer false) or to the login shell (true) — that
//    probes the platform, installs the server the client uploaded (scp), starts it on a loopback
//    port and reports `listeningOn==PORT==`; the editor then reaches that port through the SOCKS
//    proxy, or through -L (remote.SSH.enableDynamicForwarding false). A reconnect finds the
//    server running.
//  - JetBrains Gateway: its own SSH client (not OpenSSH) that takes ProxyCommand, IdentityFile and
//    the known hosts from the ssh config, runs commands without a terminal, uploads the backend
//    over SFTP, starts it and reaches its port through a direct-tcpip forward (-L). ssh2 plays
//    that client here.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { Duplex } from 'node:stream';
import { Client, type ClientChannel, type SFTPWrapper } from 'ssh2';
import { knownHostsAccept, lookupName } from '../../src/failure/known-hosts-match.ts';
import { container, e2eSkipReason, pod, repo, run, startE2E, type E2E } from './harness.ts';

const fixtures = join(repo, 'test', 'e2e', 'fixtures');
const host = 'pod--dev.namespace--editors.sshpod';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** An HTTP GET over an open socket; the body. */
function get(socket: Duplex, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let response = '';
    socket.on('data', (chunk: Buffer) => (response += chunk.toString()));
    socket.on('end', () => resolve(response.slice(response.indexOf('\r\n\r\n') + 4)));
    socket.on('error', reject);
    socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
  });
}

function connected(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** A SOCKS5 CONNECT (what VS Code does through ssh -D) to 127.0.0.1:port on the far side. */
async function throughSocks(socksPort: number, port: number): Promise<Socket> {
  const socket = await connected(socksPort);
  const read = (bytes: number): Promise<Buffer> =>
    new Promise((resolve, reject) => {
      const onReadable = (): void => {
        const chunk = socket.read(bytes) as Buffer | null;
        if (chunk) {
          socket.off('readable', onReadable);
          resolve(chunk);
        }
      };
      socket.on('readable', onReadable);
      socket.once('error', reject);
      onReadable();
    });
  socket.write(Buffer.from([5, 1, 0]));
  assert.deepEqual([...(await read(2))], [5, 0], 'SOCKS5, no authentication');
  socket.write(Buffer.from([5, 1, 0, 1, 127, 0, 0, 1, port >> 8, port & 0xff]));
  const reply = await read(10);
  assert.equal(reply[1], 0, `SOCKS CONNECT answered ${reply[1]}`);
  return socket;
}

/** An ssh that stays up (as the editors keep theirs), its output read as it comes. */
class LongSsh {
  readonly child: ChildProcessWithoutNullStreams;
  stdout = '';
  stderr = '';
  constructor(args: string[], env: Record<string, string>) {
    this.child = spawn('ssh', args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
    this.child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
  }
  waitFor(text: string, timeoutMs = 60_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "${text}" within ${timeoutMs} ms:\nstdout: ${this.stdout}\nstderr: ${this.stderr}`)), timeoutMs);
      const check = (): void => {
        if (!this.stdout.includes(text)) return;
        clearTimeout(timer);
        this.child.stdout.off('data', check);
        resolve();
      };
      this.child.stdout.on('data', check);
      this.child.once('exit', () => setImmediate(() => (this.stdout.includes(text) ? undefined : reject(new Error(`ssh ended (${this.child.exitCode}) before "${text}":\n${this.stderr}`)))));
      check();
    });
  }
  /** Closing stdin ends the remote shell, then ssh. */
  async close(): Promise<number | null> {
    this.child.stdin.end();
    if (this.child.exitCode !== null) return this.child.exitCode;
    return new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }
}

/** The key==value== lines VS Code reads between "<id>: start" and "<id>: end". */
function report(stdout: string, id: string): Record<string, string> {
  const body = stdout.slice(stdout.indexOf(`${id}: start`), stdout.indexOf(`${id}: end`));
  return Object.fromEntries([...body.matchAll(/^(\w+)==(.*)==$/gm)].map((m) => [m[1] as string, m[2] as string]));
}

describe('editors\' remote modes', { skip: e2eSkipReason() }, () => {
  let e: E2E;
  let config: string;
  let env: Record<string, string>;
  const commit = randomBytes(20).toString('hex');
  before(async () => {
    e = await startE2E({
      objects: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'editors' } }, pod('dev', { containers: [container('main', 'debian')] }, { namespace: 'editors' })],
    });
    config = join(e.home, '.ssh', 'config');
    env = { ...e.env };
    // The VS Code server tarball the client downloads and uploads (remote.SSH.localServerDownload).
    const tree = join(e.home, 'vscode-server-linux-x64');
    mkdirSync(join(tree, 'bin'), { recursive: true });
    copyFileSync(join(fixtures, 'editor-server.py'), join(tree, 'server.py'));
    writeFileSync(join(tree, 'bin', 'code-server'), '#!/bin/sh\nexec python3 "$(dirname "$0")/../server.py" "$@"\n');
    chmodSync(join(tree, 'bin', 'code-server'), 0o755);
    assert.equal(spawnSync('tar', ['-czf', join(e.home, 'vscode-server.tar.gz'), '-C', e.home, 'vscode-server-linux-x64']).status, 0);
    // The JetBrains backend Gateway uploads.
    const backend = join(e.home, 'backend');
    mkdirSync(join(backend, 'bin'), { recursive: true });
    copyFileSync(join(fixtures, 'editor-server.py'), join(backend, 'server.py'));
    copyFileSync(join(fixtures, 'jetbrains-remote-dev-server.sh'), join(backend, 'bin', 'remote-dev-server.sh'));
    chmodSync(join(backend, 'bin', 'remote-dev-server.sh'), 0o755);
    assert.equal(spawnSync('tar', ['-czf', join(e.home, 'backend.tar.gz'), '-C', e.home, 'backend']).status, 0);
  });
  after(async () => {
    await e?.stop();
  });

  /** What VS Code runs: the block as written (connection sharing included), no terminal, -D. */
  const vscodeConnect = async (useLocalServer: boolean, socksPort: number): Promise<{ ssh: LongSsh; result: Record<string, string> }> => {
    const id = randomBytes(6).toString('hex');
    const args = ['-F', config, '-o', 'BatchMode=yes', ...(useLocalServer ? ['-v'] : []), '-T', '-D', String(socksPort), '-o', 'ConnectTimeout=15', `root@${host}`, ...(useLocalServer ? [] : ['bash'])];
    const ssh = new LongSsh(args, env);
    const script = `ID=${id}\nCOMMIT=${commit}\nTOKEN=tok-${id}\n${readFileSync(join(fixtures, 'vscode-server-setup.sh'), 'utf8')}`;
    ssh.child.stdin.write(script); // stdin stays open, as VS Code keeps it
    await ssh.waitFor(`${id}: end`);
    return { ssh, result: report(ssh.stdout, id) };
  };

  test('VS Code (useLocalServer false): ssh -T -D … bash, setup script on stdin, server reached through the SOCKS proxy; a reconnect finds it running', async () => {
    // The client's upload of the server it downloaded (remote.SSH.localServerDownload), into the data directory.
    // (run, not spawnSync: a ControlPersist master keeps the ProxyCommand's stderr open after ssh exits.)
    assert.equal((await run('ssh', ['-F', config, '-o', 'BatchMode=yes', '-T', `root@${host}`, 'mkdir -p .vscode-server'], { env })).code, 0);
    const uploaded = await run('scp', ['-F', config, '-o', 'BatchMode=yes', join(e.home, 'vscode-server.tar.gz'), `root@${host}:.vscode-server/vscode-server-${commit}.tar.gz`], { env });
    assert.equal(uploaded.code, 0, uploaded.stderr);
    const socksPort = await freePort();
    const { ssh, result } = await vscodeConnect(false, socksPort);
    assert.match(ssh.stdout, /^Linux \S+ #/m, 'uname -rsv');
    assert.match(ssh.stdout, /Installing to /);
    assert.deepEqual({ exitCode: result['exitCode'], platform: result['platform'], osReleaseId: result['osReleaseId'] }, { exitCode: '0', platform: 'linux', osReleaseId: 'debian' });
    const port = Number(result['listeningOn']);
    assert.ok(port > 0, JSON.stringify(result));
    assert.equal(await get(await throughSocks(socksPort, port), `/?tkn=${result['connectionToken']}`), 'editor server in dev\n');
    assert.equal(await ssh.close(), 0, ssh.stderr);

    const reconnect = await vscodeConnect(false, await freePort());
    assert.match(reconnect.ssh.stdout, /Found existing installation/);
    assert.match(reconnect.ssh.stdout, /Found running server/);
    assert.equal(reconnect.result['listeningOn'], String(port));
    assert.equal(await reconnect.ssh.close(), 0);
  });

  test('VS Code (useLocalServer true): ssh -v -T -D … with the script on the login shell\'s stdin', async () => {
    const socksPort = await freePort();
    const { ssh, result } = await vscodeConnect(true, socksPort);
    const port = Number(result['listeningOn']);
    assert.equal(await get(await throughSocks(socksPort, port), `/?tkn=${result['connectionToken']}`), 'editor server in dev\n');
    assert.equal(await get(await throughSocks(socksPort, port), '/?tkn=guess'), 'wrong token\n', 'the server checks its token');
    assert.equal(await ssh.close(), 0, ssh.stderr);
  });

  test('VS Code (enableDynamicForwarding false): ssh -T -N -L to the server\'s port', async () => {
    const { ssh, result } = await vscodeConnect(false, await freePort());
    const localPort = await freePort();
    const forward = new LongSsh(['-F', config, '-o', 'BatchMode=yes', '-o', 'ExitOnForwardFailure=yes', '-T', '-N', '-L', `127.0.0.1:${localPort}:127.0.0.1:${result['listeningOn']}`, `root@${host}`], env);
    let body = '';
    for (let attempt = 0; attempt < 100 && body === ''; attempt++) {
      try {
        body = await get(await connected(localPort), `/?tkn=${result['connectionToken']}`);
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100)); // the forward is not listening yet
      }
    }
    assert.equal(body, 'editor server in dev\n');
    forward.child.kill('SIGTERM');
    await forward.close();
    assert.equal(await ssh.close(), 0);
  });

  test('JetBrains Gateway: its own SSH client with the config\'s ProxyCommand, key and known hosts; probes, SFTP upload, start, port forward', async () => {
    // What Gateway reads from ~/.ssh/config for the host, as ssh itself resolves it.
    const resolved = spawnSync('ssh', ['-F', config, '-G', '-T', `root@${host}`], { env, encoding: 'utf8' }).stdout;
    const option = (name: string): string => new RegExp(`^${name} (.*)$`, 'm').exec(resolved)?.[1] ?? '';
    const knownHostsFile = option('userknownhostsfile').split(' ')[0] as string;
    const proxy = spawn('sh', ['-c', option('proxycommand').replace(/%h/g, host).replace(/%r/g, 'root').replace(/%p/g, '22')], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let proxyErrors = '';
    proxy.stderr.on('data', (chunk: Buffer) => (proxyErrors += chunk.toString()));
    const client = new Client();
    await new Promise<void>((resolve, reject) => {
      client.once('ready', resolve).once('error', (error) => reject(new Error(`${error.message}\n${proxyErrors}`)));
      client.connect({
        sock: Duplex.from({ readable: proxy.stdout, writable: proxy.stdin }),
        username: 'root',
        privateKey: readFileSync(option('identityfile').replace(/^~/, e.home)),
        // The host key must be one known_hosts pins for this name, as ssh checks it (Gateway checks
        // known hosts too): sshpod pins the pod's own key for the hostname before it relays.
        hostVerifier: (key: Buffer) => knownHostsAccept(readFileSync(knownHostsFile, 'utf8'), lookupName(host, 22), `ssh-ed25519 ${key.toString('base64')}`),
      });
    });
    try {
      const exec = (command: string): Promise<{ stdout: string; code: number }> =>
        new Promise((resolve, reject) => {
          client.exec(command, (error: Error | undefined, channel: ClientChannel) => {
            if (error) return reject(error);
            let stdout = '';
            channel.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
            channel.stderr.on('data', () => undefined);
            channel.on('close', (code: number) => resolve({ stdout, code }));
          });
        });
      assert.equal((await exec('uname -sm')).stdout, `Linux ${spawnSync('uname', ['-m'], { encoding: 'utf8' }).stdout}`);
      assert.equal((await exec('echo $HOME')).stdout, '/root\n');
      assert.equal((await exec('mkdir -p .cache/JetBrains/RemoteDev/dist')).code, 0);
      const sftp = await new Promise<SFTPWrapper>((resolve, reject) => client.sftp((error: Error | undefined, s: SFTPWrapper) => (error ? reject(error) : resolve(s))));
      await new Promise<void>((resolve, reject) => sftp.fastPut(join(e.home, 'backend.tar.gz'), '.cache/JetBrains/RemoteDev/dist/backend.tar.gz', (error: Error | null | undefined) => (error ? reject(error) : resolve())));
      sftp.end();
      const started = await exec('cd .cache/JetBrains/RemoteDev/dist && tar -xzf backend.tar.gz && (nohup setsid backend/bin/remote-dev-server.sh run /root >backend.log 2>&1 </dev/null &) && for i in $(seq 100); do grep -q "Join link" backend.log && break; sleep 0.1; done; cat backend.log');
      const link = /Join link: tcp:\/\/127\.0\.0\.1:(\d+)#jt=([\w-]+)/.exec(started.stdout);
      assert.ok(link, started.stdout);
      const stream = await new Promise<ClientChannel>((resolve, reject) => client.forwardOut('127.0.0.1', 0, '127.0.0.1', Number(link[1]), (error: Error | undefined, channel: ClientChannel) => (error ? reject(error) : resolve(channel))));
      assert.equal(await get(stream, `/?tkn=${link[2]}`), 'editor server in dev\n');
    } finally {
      client.end();
      proxy.kill();
    }
  });
});
