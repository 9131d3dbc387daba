// `sshpod gateway --web`: the web terminal beside the SSH listener. A person signs in with the key
// they already have (`ssh -s sshpod-web` through the real OpenSSH client prints a one-time link),
// then the page's API and terminal WebSocket act as that gateway user through impersonation — the
// cluster's RBAC decides — and every terminal is in the gateway's audit log. The page itself
// (xterm.js in a browser) is src/web's; here the HTTP and WebSocket side is driven directly.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { container, e2eSkipReason, hasStackTrace, pod, run, sshpodBin, startE2E, type E2E } from './harness.ts';
import { GATEWAY_SA, startGateway, type Person } from './gateway-fixture.ts';
import { gatewayServiceAccountRules } from './gateway-rbac.ts';

type Gateway = Awaited<ReturnType<typeof startGateway>>;

/** Opens a terminal and collects what it says until `until` matches the output (or it ends). */
function terminal(base: string, cookie: string, host: string, input: string, until: RegExp): Promise<{ controls: Record<string, unknown>[]; output: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${base.replace('http', 'ws')}/api/terminal?host=${encodeURIComponent(host)}&cols=80&rows=24`, { headers: { Cookie: cookie, Origin: base } });
    const controls: Record<string, unknown>[] = [];
    let output = '';
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`no answer from the terminal: ${JSON.stringify(controls)} ${output}`));
    }, 60_000);
    const done = (): void => {
      clearTimeout(timer);
      resolve({ controls, output });
    };
    ws.on('message', (data: Buffer, binary: boolean) => {
      if (!binary) {
        const control = JSON.parse(data.toString()) as Record<string, unknown>;
        controls.push(control);
        if (control['t'] === 'ready') ws.send(Buffer.from(input));
        if (control['t'] === 'error' || control['t'] === 'exit') ws.close();
        return;
      }
      output += data.toString();
      if (until.test(output)) {
        ws.send(JSON.stringify({ t: 'close' }));
        ws.close();
      }
    });
    ws.on('close', done);
    ws.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

describe('sshpod gateway --web', { skip: e2eSkipReason() }, () => {
  let e: E2E;
  let gw: Gateway;
  let alice: Person;
  let base: string;
  let cookie: string;

  before(async () => {
    e = await startE2E({
      objects: [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } },
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'vault' } },
        pod('api', { containers: [container('main', 'busybox')] }, { namespace: 'team' }),
        pod('keys', { containers: [container('main', 'busybox')] }, { namespace: 'vault' }),
      ],
    });
    e.cluster.deny({ user: GATEWAY_SA });
    for (const rule of gatewayServiceAccountRules(GATEWAY_SA)) e.cluster.allow(rule);
    e.cluster.deny({ user: 'alice' });
    e.cluster.allow({ user: 'alice', namespace: 'team' });
    gw = await startGateway(e.cluster, {
      people: ['alice'],
      users: (keys) => `users:\n  alice:\n    keys: ["${keys['alice']}"]\n    default: pod--api.namespace--team\n`,
      extraArgs: ['--web', '127.0.0.1:0'],
    });
    alice = gw.person('alice');
  });
  after(async () => {
    await gw?.stop();
    await e?.stop();
  });

  test('ssh -s sshpod-web prints a one-time link; opening it signs alice in', async () => {
    const result = await alice.ssh(['-s', 'gw', 'sshpod-web']);
    assert.equal(result.code, 0, result.stderr);
    const link = /^(http:\/\/127\.0\.0\.1:\d+)\/\?login=([A-Za-z0-9_-]{43})$/m.exec(result.stdout);
    assert.ok(link, result.stdout);
    base = link[1] as string;
    const noCookie = await fetch(`${base}/api/contexts`);
    assert.equal(noCookie.status, 401);
    const signedIn = await fetch(link[0], { redirect: 'manual' });
    assert.equal(signedIn.status, 303);
    const setCookie = signedIn.headers.get('set-cookie') ?? '';
    assert.match(setCookie, /HttpOnly; SameSite=Strict/);
    cookie = setCookie.split(';')[0] as string;
    const again = await fetch(link[0], { redirect: 'manual' });
    assert.equal(again.status, 401, 'the link works once');
    const contexts = (await (await fetch(`${base}/api/contexts`, { headers: { Cookie: cookie } })).json()) as { user: string; names: string[] };
    assert.equal(contexts.user, 'alice');
    await gw.waitForAudit('web-sign-in', (r) => r.event === 'web-sign-in' && r['user'] === 'alice');
    assert.ok(!JSON.stringify(gw.audit()).includes(link[2] as string), 'no token in the audit log');
  });

  test('a terminal runs in the pod as alice, through impersonation, and is audited', async () => {
    e.cluster.clearRequests();
    const { controls, output } = await terminal(base, cookie, 'pod--api.namespace--team', 'echo "web-$((6*7))"; hostname\n', /web-42[\s\S]*api/);
    assert.ok(controls.some((c) => c['t'] === 'ready' && c['pod'] === 'api'), JSON.stringify(controls));
    assert.match(output, /web-42/);
    const execs = e.cluster.requests({ subresource: 'exec', namespace: 'team' });
    assert.ok(execs.length > 0 && execs.every((r) => r.user === 'alice' && r.impersonatedBy === GATEWAY_SA));
    await gw.waitForAudit('web-terminal-open', (r) => r.event === 'web-terminal-open' && r['user'] === 'alice');
    await gw.waitForAudit('web-terminal-end', (r) => r.event === 'web-terminal-end' && r['user'] === 'alice');
  });

  test("where alice's RBAC says no, the terminal says so in the cluster's words", async () => {
    const { controls } = await terminal(base, cookie, 'pod--keys.namespace--vault', 'true\n', /never/);
    const error = controls.find((c) => c['t'] === 'error');
    assert.equal(error?.['kind'], 'forbidden', JSON.stringify(controls));
    assert.match(String(error?.['message']), /alice.*vault/);
  });

  test('a page from another origin is refused', async () => {
    const refused = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${base.replace('http', 'ws')}/api/terminal?host=pod--api.namespace--team`, { headers: { Cookie: cookie, Origin: 'http://evil.example' } });
      ws.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      ws.on('open', () => resolve(101));
      ws.on('error', () => undefined);
    });
    assert.equal(refused, 403);
  });

  test('--web with --authorization static is refused at start, in one line and a hint', async () => {
    const result = await run(process.execPath, [sshpodBin, 'gateway', '--users', gw.usersFile, '--authorization', 'static', '--web', '127.0.0.1:0'], { env: { PATH: process.env['PATH'] ?? '', HOME: gw.dir } });
    assert.notEqual(result.code, 0);
    assert.equal(result.stderr, "sshpod: --web needs --authorization impersonate\nhint: the web terminal acts as each person through impersonation; the static allow lists cannot bound what the page lists\n");
    assert.ok(!hasStackTrace(result.stderr));
  });
});
