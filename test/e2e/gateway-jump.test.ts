// Jump mode through `sshpod gateway`, with the real OpenSSH client: `ssh -J alice@gw` to sshpod
// hostnames. The gateway runs as a ServiceAccount that may do nothing but impersonate, so every
// pod it reaches for alice is one the cluster lets alice reach; alice's own ssh authenticates end
// to end with the pod's sshd (exec, exit status, scp, sftp, rsync, -L, -R), and is refused with the
// cluster's own words where her RBAC says no. Unknown users and wrong keys look the same; a key
// removed from the users file stops working without a restart; audit lines and metrics say what
// happened.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, connect } from 'node:net';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { container, e2eSkipReason, hasStackTrace, pod, run, startE2E, type E2E } from './harness.ts';
import { GATEWAY_SA, startGateway, type GatewayFixture, type Person } from './gateway-fixture.ts';

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

describe('sshpod gateway: jump mode', { skip: e2eSkipReason() }, () => {
  let e: E2E;
  let gw: Awaited<ReturnType<typeof startGateway>>;
  let alice: Person;

  before(async () => {
    e = await startE2E({
      objects: [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } },
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'vault' } },
        pod('api', { containers: [container('main', 'debian')] }, { namespace: 'team' }),
        pod('keys', { containers: [container('main', 'busybox')] }, { namespace: 'vault' }),
      ],
    });
    // The gateway's ServiceAccount may impersonate, and nothing else: what it reaches, it reaches as someone.
    e.cluster.deny({ user: GATEWAY_SA });
    e.cluster.allow({ user: GATEWAY_SA, verb: 'impersonate' });
    // alice may use namespace team only.
    e.cluster.deny({ user: 'alice' });
    e.cluster.allow({ user: 'alice', namespace: 'team' });
    gw = await startGateway(e.cluster, {
      people: ['alice', 'carol'],
      users: (keys) => `users:\n  alice:\n    keys: ["${keys['alice']}"]\n    default: pod--api.namespace--team\n  carol:\n    keys: ["${keys['carol']}"]\n`,
    });
    alice = gw.person('alice');
  });
  after(async () => {
    await gw?.stop();
    await e?.stop();
  });

  test('ssh -J runs a command in the pod, end to end, with its exit status', async () => {
    const result = await alice.ssh(['-J', 'gw', 'root@pod--api.namespace--team.sshpod', 'echo "in $(hostname)"; exit 7']);
    assert.equal(result.code, 7, result.stderr);
    assert.match(result.stdout, /^in api$/m);
    assert.ok(!hasStackTrace(result.stderr));
    const success = await gw.waitForAudit('auth-success', (r) => r.event === 'auth-success' && r['user'] === 'alice');
    assert.match(String(success['fingerprint']), /^SHA256:/);
    assert.equal(success['source'], '127.0.0.1');
    const target = await gw.waitForAudit('target', (r) => r.event === 'target' && r['mode'] === 'jump');
    assert.equal(target['pod'], 'team/api/main');
    const closed = await gw.waitForAudit('channel-close', (r) => r.event === 'channel-close' && r['type'] === 'direct-tcpip');
    assert.ok(Number(closed['bytesUp']) > 0 && Number(closed['bytesDown']) > 0);
    // The pod's sshd was prepared as alice: the exec and port-forward were made impersonating her.
    const asAlice = e.cluster.requests({ user: 'alice', subresource: 'portforward' });
    assert.ok(asAlice.length > 0 && asAlice.every((r) => r.impersonatedBy === GATEWAY_SA));
  });

  test('scp and sftp through the jump keep every byte', async () => {
    const data = randomBytes(5 * 1024 * 1024);
    const local = join(gw.dir, 'up.bin');
    writeFileSync(local, data);
    const up = await alice.scp(['-J', 'gw', local, 'root@pod--api.namespace--team.sshpod:/tmp/up.bin']);
    assert.equal(up.code, 0, up.stderr);
    const down = await alice.scp(['-o', 'ProxyJump=gw', 'root@pod--api.namespace--team.sshpod:/tmp/up.bin', join(gw.dir, 'down.bin')]);
    assert.equal(down.code, 0, down.stderr);
    assert.equal(sha256(readFileSync(join(gw.dir, 'down.bin'))), sha256(data));
    const batch = join(gw.dir, 'batch');
    writeFileSync(batch, `ls /tmp\nget /tmp/up.bin ${join(gw.dir, 'sftp.bin')}\n`);
    const sftp = await alice.sftp(['-J', 'gw', '-b', batch, 'root@pod--api.namespace--team.sshpod']);
    assert.equal(sftp.code, 0, sftp.stderr);
    assert.match(sftp.stdout, /up\.bin/);
    assert.equal(sha256(readFileSync(join(gw.dir, 'sftp.bin'))), sha256(data));
  });

  test('rsync over ssh -J', async () => {
    writeFileSync(join(gw.dir, 'sync.txt'), 'rsync through the gateway\n');
    const result = await run('rsync', ['-a', '-e', `ssh -F ${alice.config} -J gw`, join(gw.dir, 'sync.txt'), 'root@pod--api.namespace--team.sshpod:/tmp/'], { env: { HOME: gw.dir, PATH: process.env['PATH'] ?? '' } });
    assert.equal(result.code, 0, result.stderr);
    const check = await alice.ssh(['-J', 'gw', 'root@pod--api.namespace--team.sshpod', 'cat /tmp/sync.txt']);
    assert.equal(check.stdout, 'rsync through the gateway\n');
  });

  test('-R and -L forward through the pod end to end', async () => {
    // -R: the pod reaches a server on this machine.
    const server = createServer((socket) => socket.end('from the laptop\n'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const localPort = (server.address() as { port: number }).port;
    try {
      const remote = await alice.ssh([
        '-J', 'gw', '-o', 'ExitOnForwardFailure=yes', '-R', `127.0.0.1:40123:127.0.0.1:${localPort}`,
        'root@pod--api.namespace--team.sshpod', 'exec 3<>/dev/tcp/127.0.0.1/40123; cat <&3',
      ]);
      assert.equal(remote.code, 0, remote.stderr);
      assert.equal(remote.stdout, 'from the laptop\n');
    } finally {
      server.close();
    }
    // -L: this machine reaches the pod's own loopback (its sshd answers with its banner).
    const target = gw.audit().find((r) => r.event === 'target' && r['mode'] === 'jump');
    const sshdPort = Number(target?.['port']);
    assert.ok(sshdPort > 0);
    const forwarded = 40000 + Math.floor(Math.random() * 2000);
    const tunnel = spawn('ssh', ['-F', alice.config, '-J', 'gw', '-N', '-o', 'ExitOnForwardFailure=yes', '-L', `127.0.0.1:${forwarded}:127.0.0.1:${sshdPort}`, 'root@pod--api.namespace--team.sshpod'], { stdio: 'ignore', env: { HOME: gw.dir, PATH: process.env['PATH'] ?? '' } });
    try {
      let banner = '';
      for (let i = 0; i < 100 && !banner.startsWith('SSH-2.0-'); i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        banner = await new Promise<string>((resolve) => {
          const socket = connect(forwarded, '127.0.0.1');
          socket.once('data', (chunk) => {
            resolve(chunk.toString());
            socket.destroy();
          });
          socket.once('error', () => resolve(''));
        });
      }
      assert.match(banner, /^SSH-2\.0-/);
    } finally {
      tunnel.kill();
    }
  });

  test("where alice's RBAC says no, she is refused with the cluster's words", async () => {
    const result = await alice.ssh(['-J', 'gw', 'root@pod--keys.namespace--vault.sshpod', 'true']);
    assert.equal(result.code, 255);
    assert.match(result.stderr, /sshpod: .*alice.*(get|create).*pods.*vault/i, result.stderr);
    assert.match(result.stderr, /hint: /);
    assert.ok(!hasStackTrace(result.stderr));
    await gw.waitForAudit('target-failed', (r) => r.event === 'target-failed' && r['kind'] === 'forbidden' && r['user'] === 'alice');
  });

  test('a hostname that is not an sshpod hostname, or another port, is refused', async () => {
    const result = await alice.ssh(['-J', 'gw', '-p', '2200', 'root@pod--api.namespace--team.sshpod', 'true']);
    assert.equal(result.code, 255);
    assert.match(result.stderr, /sshpod: the gateway connects only to sshpod hostnames on port 22/);
    const other = await alice.ssh(['-J', 'gw', 'root@example.com', 'true']);
    assert.equal(other.code, 255);
    assert.match(other.stderr, /sshpod: the gateway connects only to sshpod hostnames/);
  });

  test('an unknown user and a wrong key get the same answer', async () => {
    const stranger = gw.newKey('stranger');
    const wrongKey = gw.person('alice', stranger);
    const unknownUser = gw.person('mallory', gw.keys['alice']);
    const a = await wrongKey.ssh(['gw', 'true']);
    const b = await unknownUser.ssh(['gw', 'true']);
    assert.equal(a.code, 255);
    assert.equal(b.code, 255);
    assert.equal(a.stderr.replaceAll('alice', 'USER'), b.stderr.replaceAll('mallory', 'USER'));
    assert.match(a.stderr, /Permission denied \(publickey\)/);
    const failures = gw.audit().filter((r) => r.event === 'auth-failure');
    assert.ok(failures.some((r) => r['login'] === 'mallory') && failures.some((r) => r['login'] === 'alice'));
    // Neither the audit log nor the metrics hold a key.
    const log = readFileSync(join(gw.dir, 'audit.log'), 'utf8');
    assert.ok(!log.includes(stranger.publicKey.split(' ')[1] as string));
    assert.ok(!log.includes('PRIVATE KEY'));
  });

  test('a key removed from the users file stops working without a restart', async () => {
    const second = gw.newKey('alice-second');
    const yaml = (keys: string[]): string => `users:\n  alice:\n    keys: [${keys.map((k) => JSON.stringify(k)).join(', ')}]\n    default: pod--api.namespace--team\n`;
    gw.writeUsers(yaml([gw.keys['alice']?.publicKey as string, second.publicKey]));
    await gw.waitForAudit('reload with two keys', (r) => r.event === 'users-loaded' && r['users'] === 1);
    const withSecond = gw.person('alice', second);
    const before = await withSecond.ssh(['-J', 'gw', 'root@pod--api.namespace--team.sshpod', 'echo yes']);
    assert.equal(before.code, 0, before.stderr);
    const loads = gw.audit().filter((r) => r.event === 'users-loaded').length;
    gw.writeUsers(yaml([gw.keys['alice']?.publicKey as string]));
    await gw.waitForAudit('reload without the second key', () => gw.audit().filter((r) => r.event === 'users-loaded').length > loads);
    const after = await withSecond.ssh(['gw', 'true']);
    assert.equal(after.code, 255);
    assert.match(after.stderr, /Permission denied \(publickey\)/);
    // A broken file leaves the users as they were.
    gw.writeUsers('users: [this is not a mapping');
    await gw.waitForAudit('reload failure', (r) => r.event === 'users-reload-failed');
    const still = await alice.ssh(['-J', 'gw', 'root@pod--api.namespace--team.sshpod', 'echo still']);
    assert.equal(still.stdout, 'still\n', still.stderr);
  });

  test('the metrics count what happened', async () => {
    const text = await gw.metrics();
    const value = (line: string): number => Number(new RegExp(`^${line.replace(/[{}"]/g, (c) => `\\${c}`)} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
    assert.ok(value('sshpod_gateway_auth_success_total') >= 5, text);
    assert.ok(value('sshpod_gateway_auth_failures_total') >= 2, text);
    assert.ok(value('sshpod_gateway_sessions_total{type="jump"}') >= 5, text);
    assert.ok(value('sshpod_gateway_backend_errors_total{kind="forbidden"}') >= 1, text);
    assert.ok(value('sshpod_gateway_bytes_total{direction="up"}') > 5 * 1024 * 1024, text);
    assert.equal(value('sshpod_gateway_sessions{type="jump"}'), 0, text);
  });
});
