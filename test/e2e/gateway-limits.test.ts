// The gateway's bounds, hit for real through its TCP port and the OpenSSH client: a connection that
// does not authenticate in time is closed; a client that keeps offering wrong keys is cut off after
// --max-auth-tries; one source address opening connections too fast is refused while another is
// not; sessions beyond --max-sessions-per-user or --max-sessions are refused with words, and
// accepted again once others end; a connection idle for --idle-timeout is closed while a busy one
// lives on; a client that stops answering keep-alives is dropped. Each bound is its own gateway (started as an administrator would, small limits), on one
// test cluster. Audit lines and metrics say what happened; nothing here measures time.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { container, e2eSkipReason, hasStackTrace, pod, startE2E, type E2E } from './harness.ts';
import { GATEWAY_SA, startGateway, type AuditRecord, type Person } from './gateway-fixture.ts';
import { gatewayServiceAccountRules } from './gateway-rbac.ts';

type Gateway = Awaited<ReturnType<typeof startGateway>>;

const usersYaml =
  (...names: string[]) =>
  (keys: Record<string, string>): string =>
    `users:\n${names.map((name) => `  ${name}:\n    keys: ["${keys[name]}"]\n    default: pod--api.namespace--team\n`).join('')}`;

/** A raw TCP connection to the gateway from `localAddress`: what it sent first, and when it closed. */
function rawConnection(port: number, localAddress = '127.0.0.1'): { socket: Socket; banner: Promise<string>; closed: Promise<void> } {
  const socket = connect({ port, host: '127.0.0.1', localAddress });
  socket.on('error', () => undefined);
  let received = '';
  const banner = new Promise<string>((resolve) => {
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      if (received.includes('\n')) resolve(received.split('\n')[0] as string);
    });
    socket.once('close', () => resolve(received));
  });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return { socket, banner, closed };
}

/** An ssh session held open until `release()`: its command reads stdin, which stays open till then. */
function hold(gw: Gateway, person: Person, command = 'cat >/dev/null; echo released'): { child: ChildProcess; release(): void; done: Promise<{ code: number | null; stdout: string; stderr: string }> } {
  const child = spawn('ssh', ['-F', person.config, 'gw', command], { env: { HOME: gw.dir, PATH: process.env['PATH'] ?? '/usr/bin:/bin', LANG: 'C.UTF-8' }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdin?.on('error', () => undefined);
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
  return { child, release: () => child.stdin?.end(), done };
}

function count(gw: Gateway, check: (record: AuditRecord) => boolean): number {
  return gw.audit().filter(check).length;
}

async function waitForCount(gw: Gateway, what: string, check: (record: AuditRecord) => boolean, wanted: number): Promise<void> {
  await gw.waitForAudit(what, () => count(gw, check) >= wanted, 60_000);
}

function metric(text: string, line: string): number {
  return Number(new RegExp(`^${line.replace(/[{}"]/g, (c) => `\\${c}`)} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
}

describe('sshpod gateway: limits', { skip: e2eSkipReason() }, () => {
  let e: E2E;
  const gateways: Gateway[] = [];
  const start = async (people: string[], extraArgs: string[]): Promise<Gateway> => {
    const gw = await startGateway(e.cluster, { people, users: usersYaml(...people), extraArgs });
    gateways.push(gw);
    return gw;
  };

  before(async () => {
    e = await startE2E({
      objects: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } }, pod('api', { containers: [container('main', 'busybox')] }, { namespace: 'team' })],
    });
    // The gateway may do what deploy/gateway/ lets it do, and nothing else.
    e.cluster.deny({ user: GATEWAY_SA });
    for (const rule of gatewayServiceAccountRules(GATEWAY_SA)) e.cluster.allow(rule);
  });
  after(async () => {
    for (const gw of gateways) await gw.stop();
    await e?.stop();
  });

  describe('authentication and connection rate', () => {
    let gw: Gateway;
    before(async () => {
      gw = await start(['alice'], ['--auth-timeout', '2', '--max-auth-tries', '2', '--rate', '4']);
    });

    test('a connection that does not authenticate in time is closed', async () => {
      const { banner, closed } = rawConnection(gw.port);
      assert.match(await banner, /^SSH-2\.0-sshpod-gateway/);
      // It says nothing after the banner; the gateway closes it (within a minute, not a fixed time).
      await Promise.race([closed, new Promise((_, reject) => setTimeout(() => reject(new Error('not closed')), 60_000))]);
      await gw.waitForAudit('auth-timeout', (r) => r.event === 'auth-timeout' && r['source'] === '127.0.0.1');
      assert.ok(metric(await gw.metrics(), 'sshpod_gateway_auth_timeouts_total') >= 1);
    });

    test('a client offering wrong keys is cut off after --max-auth-tries', async () => {
      const wrong = [gw.newKey('w1'), gw.newKey('w2'), gw.newKey('w3')];
      const mallory = gw.person('alice', wrong[0]);
      const result = await mallory.ssh(['-i', wrong[1]?.key as string, '-i', wrong[2]?.key as string, 'gw', 'true']);
      assert.equal(result.code, 255);
      assert.ok(!hasStackTrace(result.stderr));
      const cut = await gw.waitForAudit('auth-too-many', (r) => r.event === 'auth-too-many');
      // Two keys were refused on that connection, and the third was never looked at.
      assert.equal(count(gw, (r) => r.event === 'auth-failure' && r['connection'] === cut['connection']), 2);
      assert.ok(!gw.audit().some((r) => r.event === 'auth-success'));
    });

    test('one source address opening connections too fast is refused; another address is not', async () => {
      // --rate 4: a burst of 4 per minute per address, two of them taken by the tests above.
      let accepted = 0;
      let refused = false;
      for (let i = 0; i < 8 && !refused; i++) {
        const { socket, banner } = rawConnection(gw.port);
        const first = await banner;
        if (first.startsWith('SSH-2.0-')) accepted += 1;
        else refused = true;
        socket.destroy();
      }
      assert.ok(refused, 'a connection was refused');
      assert.ok(accepted <= 4, `at most the burst was accepted (${accepted})`);
      await gw.waitForAudit('rate-limit', (r) => r.event === 'connection-refused' && r['reason'] === 'rate-limit' && r['source'] === '127.0.0.1');
      // The OpenSSH client from the same address is turned away at once, without a hang.
      const alice = gw.person('alice');
      const blocked = await alice.ssh(['gw', 'true'], { timeoutMs: 30_000 });
      assert.equal(blocked.code, 255);
      // Another source address has its own allowance.
      const other = rawConnection(gw.port, '127.0.0.2');
      assert.match(await other.banner, /^SSH-2\.0-sshpod-gateway/);
      other.socket.destroy();
      assert.ok(metric(await gw.metrics(), 'sshpod_gateway_connections_refused_total{reason="rate-limit"}') >= 2);
    });
  });

  describe('sessions at once', () => {
    let gw: Gateway;
    before(async () => {
      gw = await start(['alice', 'bob', 'carol'], ['--max-sessions', '3', '--max-sessions-per-user', '2']);
    });

    test('beyond --max-sessions-per-user and --max-sessions, sessions are refused with words; freed, they are taken again', async () => {
      const alice = gw.person('alice');
      const opened = (user: string) => (r: AuditRecord) => r.event === 'channel-open' && r['user'] === user && r['type'] === 'session';
      const held = [hold(gw, alice), hold(gw, alice)];
      await waitForCount(gw, 'two sessions of alice', opened('alice'), 2);

      const third = await alice.ssh(['gw', 'true']);
      assert.equal(third.code, 255);
      assert.match(third.stderr, /^sshpod: you have as many sessions open as the gateway allows one person$/m);
      assert.match(third.stderr, /^hint: /m);

      const bob = hold(gw, gw.person('bob'));
      held.push(bob);
      await waitForCount(gw, 'a session of bob', opened('bob'), 1);
      const carol = gw.person('carol');
      const full = await carol.ssh(['gw', 'true']);
      assert.equal(full.code, 255);
      assert.match(full.stderr, /^sshpod: the gateway has as many sessions as it takes; try again later$/m);

      // One ends: carol gets in.
      const first = held.shift();
      first?.release();
      const ended = await first?.done;
      assert.equal(ended?.code, 0, ended?.stderr);
      assert.equal(ended?.stdout, 'released\n');
      await waitForCount(gw, 'a session closed', (r) => r.event === 'channel-close' && r['type'] === 'session', 1);
      const now = await carol.ssh(['gw', 'echo in']);
      assert.equal(now.code, 0, now.stderr);
      assert.equal(now.stdout, 'in\n');

      for (const h of held) h.release();
      for (const h of held) assert.equal((await h.done).code, 0);
      const text = await gw.metrics();
      assert.equal(metric(text, 'sshpod_gateway_sessions_refused_total{reason="per-user"}'), 1, text);
      assert.equal(metric(text, 'sshpod_gateway_sessions_refused_total{reason="total"}'), 1, text);
      assert.equal(count(gw, (r) => r.event === 'session-refused'), 2);
    });
  });

  describe('idle connections', () => {
    let gw: Gateway;
    before(async () => {
      gw = await start(['alice'], ['--idle-timeout', '2']);
    });

    test('a connection idle for --idle-timeout is closed; one that moves bytes lives on', async () => {
      const alice = gw.person('alice');
      const busy = alice.ssh(['gw', 'i=0; while [ $i -lt 12 ]; do echo tick; sleep 1; i=$((i+1)); done'], { timeoutMs: 90_000 });
      const idle = await alice.ssh(['gw', 'sleep 60; echo woke'], { timeoutMs: 90_000 });
      assert.equal(idle.code, 255, idle.stderr);
      assert.doesNotMatch(idle.stdout, /woke/);
      await gw.waitForAudit('idle-timeout', (r) => r.event === 'idle-timeout' && r['user'] === 'alice');
      const lived = await busy;
      assert.equal(lived.code, 0, lived.stderr);
      assert.equal(lived.stdout, 'tick\n'.repeat(12));
      assert.equal(count(gw, (r) => r.event === 'idle-timeout'), 1);
    });
  });

  describe('keep-alives', () => {
    let gw: Gateway;
    before(async () => {
      gw = await start(['alice'], ['--keepalive', '1', '--idle-timeout', '0']);
    });

    test('a client that stops answering keep-alives is dropped; one that answers stays', async () => {
      const alice = gw.person('alice');
      const frozen = hold(gw, alice);
      const alive = hold(gw, alice);
      await waitForCount(gw, 'two sessions', (r) => r.event === 'channel-open' && r['type'] === 'session', 2);
      // ssh2 counts unanswered keep-alives from the last packet: both connections are quiet now.
      const connections = gw.audit().filter((r) => r.event === 'auth-success').map((r) => r['connection']);
      // A stopped ssh keeps its TCP connection (the kernel still acknowledges) but answers nothing.
      frozen.child.kill('SIGSTOP');
      try {
        const dropped = await gw.waitForAudit('the frozen client dropped', (r) => r.event === 'keepalive-timeout' && connections.includes(r['connection']), 60_000);
        await gw.waitForAudit('its connection closed', (r) => r.event === 'connection-closed' && r['connection'] === dropped['connection'], 60_000);
      } finally {
        frozen.child.kill('SIGCONT');
      }
      assert.equal((await frozen.done).code, 255);
      // The other one, answering all along, still works.
      alive.release();
      const ended = await alive.done;
      assert.equal(ended.code, 0, ended.stderr);
      assert.equal(ended.stdout, 'released\n');
      assert.equal(count(gw, (r) => r.event === 'idle-timeout'), 0);
    });
  });
});
