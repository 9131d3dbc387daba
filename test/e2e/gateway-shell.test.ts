// Shell mode through `sshpod gateway`, with the real OpenSSH client: `ssh -p PORT alice@gw` lands
// in alice's default target — a pty shell, exec with exit status and env, scp and sftp over the
// sftp subsystem — and an on-demand default (`template--NAME`) makes a pod at login that goes at
// logout. A person without a default is told what to do; SIGTERM lets open sessions finish.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { container, e2eSkipReason, hasStackTrace, pod, run, shellQuote, startE2E, type E2E } from './harness.ts';
import { resourceByName, type ResourceType } from '../cluster/api/resources.ts';
import { GATEWAY_SA, startGateway, type Person } from './gateway-fixture.ts';

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('sshpod gateway: shell mode', { skip: e2eSkipReason() }, () => {
  let e: E2E;
  let gw: Awaited<ReturnType<typeof startGateway>>;
  let alice: Person;

  before(async () => {
    e = await startE2E({
      objects: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } }, pod('api', { containers: [container('main', 'debian')] }, { namespace: 'team' })],
    });
    e.cluster.deny({ user: GATEWAY_SA });
    e.cluster.allow({ user: GATEWAY_SA, verb: 'impersonate' });
    gw = await startGateway(e.cluster, {
      people: ['alice', 'bob', 'dave'],
      users: (keys) =>
        [
          'users:',
          '  alice:',
          `    keys: ["${keys['alice']}"]`,
          '    default: pod--api.namespace--team',
          '  bob:',
          `    keys: ["${keys['bob']}"]`,
          '    default: template--box.namespace--team',
          '  dave:',
          `    keys: ["${keys['dave']}"]`,
          '',
        ].join('\n'),
      templates: { box: 'spec:\n  containers:\n    - name: main\n      image: busybox\n' },
    });
    alice = gw.person('alice');
  });
  after(async () => {
    if (process.env['GATEWAY_DEBUG']) writeFileSync(process.env['GATEWAY_DEBUG'], `${gw?.stderr()}\n${JSON.stringify(gw?.audit(), null, 1)}`);
    await gw?.stop();
    await e?.stop();
  });

  test('exec runs in the default target with its exit status, stderr and env', async () => {
    const result = await alice.ssh(['-o', 'SetEnv=GREETING=hello\\ there', 'gw', 'echo "$(hostname): $GREETING"; echo oops >&2; exit 5']);
    assert.equal(result.code, 5, result.stderr);
    assert.equal(result.stdout, 'api: hello there\n');
    assert.match(result.stderr, /oops/);
    const closed = await gw.waitForAudit('session close', (r) => r.event === 'channel-close' && r['type'] === 'session' && r['exitStatus'] === 5);
    assert.equal(closed['request'], 'exec');
    assert.match(String(closed['command']), /exit 5/);
    const target = await gw.waitForAudit('target', (r) => r.event === 'target' && r['mode'] === 'shell');
    assert.equal(target['pod'], 'team/api/main');
  });

  test('a pty shell: the terminal, its size, and the exit status', async () => {
    // In a terminal of 33 rows and 101 columns, as a person's: what they type goes to ssh through it.
    const script = `stty rows 33 cols 101; ssh -F ${shellQuote(alice.config)} -t gw`;
    const result = await run('script', ['-qec', script, '/dev/null'], { env: { HOME: gw.dir, PATH: process.env['PATH'] ?? '' }, input: 'stty size; tty; exit 3\n' });
    assert.match(result.stdout, /33 101/);
    assert.match(result.stdout, /\/dev\/pts\//);
    assert.equal(result.code, 3, result.stdout);
  });

  test('the command ends when the client goes (stdin closed, channel closed)', async () => {
    const result = await alice.ssh(['gw', 'cat; echo "stdin ended"'], { input: 'line\n', timeoutMs: 30_000 });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'line\nstdin ended\n');
  });

  test('scp and sftp through the sftp subsystem', async () => {
    const data = randomBytes(3 * 1024 * 1024);
    writeFileSync(join(gw.dir, 'file.bin'), data);
    const up = await alice.scp([join(gw.dir, 'file.bin'), 'gw:/tmp/file.bin']);
    assert.equal(up.code, 0, up.stderr);
    const batch = join(gw.dir, 'batch');
    writeFileSync(batch, `ls -l /tmp/file.bin\nget /tmp/file.bin ${join(gw.dir, 'back.bin')}\n`);
    const sftp = await alice.sftp(['-b', batch, 'gw']);
    assert.equal(sftp.code, 0, sftp.stderr);
    assert.equal(sha256(readFileSync(join(gw.dir, 'back.bin'))), sha256(data));
    await gw.waitForAudit('sftp', (r) => r.event === 'channel-open' && r['subsystem'] === 'sftp');
  });

  test('an on-demand default: a pod made at login, deleted at logout', async () => {
    const bob = gw.person('bob');
    const result = await bob.ssh(['gw', 'cat /proc/1/cmdline >/dev/null; hostname'], { timeoutMs: 120_000 });
    assert.equal(result.code, 0, result.stderr);
    const podName = result.stdout.trim();
    assert.ok(podName.length > 0);
    const made = e.cluster.requests({ verb: 'create', resource: 'pods', subresource: '', namespace: 'team' });
    assert.ok(made.length > 0 && made.every((r) => r.user === 'bob' && r.impersonatedBy === GATEWAY_SA));
    // Deleted at logout (the gateway releases it when the connection closes).
    const pods = resourceByName('pods') as ResourceType;
    for (let i = 0; i < 150 && e.cluster.registry.tryGet(pods, 'team', podName); i++) await pause(200);
    assert.equal(e.cluster.registry.tryGet(pods, 'team', podName), undefined, 'the on-demand pod is gone');
    const text = await gw.metrics();
    assert.match(text, /^sshpod_gateway_pod_starts_total 1$/m);
  });

  test('no default target: the person is told what to do', async () => {
    const dave = gw.person('dave');
    const result = await dave.ssh(['gw', 'true']);
    assert.equal(result.code, 255);
    assert.match(result.stderr, /^sshpod: gateway user "dave" has no default target/m);
    assert.match(result.stderr, /^hint: jump to a pod instead/m);
    assert.ok(!hasStackTrace(result.stderr));
  });

  test('SIGTERM: new connections are refused, open sessions finish', async () => {
    const running = alice.ssh(['gw', 'sleep 2; echo finished'], { timeoutMs: 60_000 });
    await gw.waitForAudit('the long session', (r) => r.event === 'channel-open' && String(r['command']).startsWith('sleep 2'));
    gw.process.kill('SIGTERM');
    await gw.waitForAudit('shutdown', (r) => r.event === 'shutdown');
    const late = await alice.ssh(['-o', 'ConnectTimeout=5', 'gw', 'true']);
    assert.equal(late.code, 255);
    const result = await running;
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'finished\n');
    const code = await new Promise<number | null>((resolve) => (gw.process.exitCode !== null ? resolve(gw.process.exitCode) : gw.process.once('exit', resolve)));
    assert.equal(code, 0);
  });
});
