// Nothing left behind in existing pods: an idle sshd exits by itself and takes its files, and the
// next connection installs it again; `sshpod ls` shows what sshpod runs where (one LIST, no exec
// unless --check); `sshpod cleanup` removes it — by hostname, everything (--all), or only what is
// stale — and says what it did, reporting what it cannot reach instead of failing.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { container, countSshdListeners, e2eSkipReason, pod, startE2E, type E2E } from './harness.ts';

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await pause(250);
  }
}

describe('nothing left behind: idle sshd, sshpod ls, sshpod cleanup', { skip: e2eSkipReason() }, () => {
  let e: E2E;
  const uid = (namespace: string, name: string): string => (e.cluster.get('pods', namespace, name) as unknown as { metadata: { uid: string } }).metadata.uid;
  const listeners = async (namespace: string, name: string): Promise<number> => Number((await e.podShell(namespace, name, 'main', countSshdListeners)).trim());
  const installed = async (namespace: string, name: string): Promise<boolean> =>
    (await e.podShell(namespace, name, 'main', `[ -d /tmp/sshpod/${uid(namespace, name)} ] && echo yes || echo no`)).trim() === 'yes';
  const knownHosts = (): string => readFileSync(join(e.home, '.cache', 'sshpod', 'known_hosts'), 'utf8');

  before(async () => {
    e = await startE2E({
      objects: [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'sealed' } },
        pod('idler', { containers: [container('main', 'busybox')] }),
        pod('web', { containers: [container('main', 'busybox')] }),
        pod('api', { containers: [container('main', 'busybox')] }, { namespace: 'shop' }),
        pod('vault', { containers: [container('main', 'busybox')] }, { namespace: 'sealed' }),
        pod('doomed', { containers: [container('main', 'busybox')] }),
      ],
    });
  });
  after(async () => {
    await e?.stop();
  });

  test('an idle sshd exits after SSHPOD_SSHD_IDLE, removes its files, and the next connect works', async () => {
    const first = await e.ssh('root@pod--idler.sshpod', ['echo first'], { env: { SSHPOD_SSHD_IDLE: '3' } });
    assert.equal(first.stdout, 'first\n', first.stderr);
    assert.equal(await listeners('default', 'idler'), 1);
    await eventually('the idle sshd to exit and remove its files', async () => (await listeners('default', 'idler')) === 0 && !(await installed('default', 'idler')));
    const again = await e.ssh('root@pod--idler.sshpod', ['echo again']);
    assert.equal(again.stdout, 'again\n', again.stderr);
    assert.equal(await listeners('default', 'idler'), 1);
  });

  test('by default an sshd exits after 30 minutes without a connection', async () => {
    e.cluster.clearRequests();
    assert.equal((await e.ssh('root@pod--web.sshpod', ['true'])).code, 0);
    // The idle period is the prepare script's last argument (sshd rewrites its own environment).
    const exec = e.cluster.requests({ subresource: 'exec' })[0];
    const command = new URL(exec?.path ?? '/', 'https://x').searchParams.getAll('command');
    assert.equal(command.at(-1), '1800');
  });

  test('an SSHPOD_SSHD_IDLE that is not a number is named', async () => {
    const result = await e.ssh('root@pod--web.sshpod', ['true'], { env: { SSHPOD_SSHD_IDLE: 'soon' } });
    assert.equal(result.code, 255);
    assert.match(result.stderr, /sshpod: SSHPOD_SSHD_IDLE is "soon", not a number of seconds/);
  });

  test('sshpod ls: installed sshds and on-demand pods, with one LIST and no exec', async () => {
    assert.equal((await e.ssh('root@pod--api.namespace--shop.sshpod', ['true'])).code, 0);
    // An on-demand pod, kept by a connection-sharing master.
    const master = await e.ssh('root@template--debug.sshpod', ['hostname'], { shared: true });
    assert.equal(master.code, 0, master.stderr);
    const onDemand = master.stdout.trim();
    e.cluster.clearRequests();
    const listed = await e.sshpod(['ls']);
    assert.equal(listed.code, 0, listed.stderr);
    const lines = listed.stdout.trimEnd().split('\n');
    assert.match(lines[0] ?? '', /^CONTEXT\s+NAMESPACE\s+POD\s+CONTAINER\s+STATE\s+PORT\s+IDLE\s+OWNER$/);
    assert.ok(lines.some((line) => /^sshpod-test\s+default\s+web\s+main\s+sshd installed\s+\d+\s+\?\s+root@\S+ \(as root\)$/.test(line)), listed.stdout);
    assert.ok(lines.some((line) => new RegExp(`^sshpod-test\\s+default\\s+${onDemand}\\s+debug\\s+running, template debug\\s+-\\s+in use\\s+root@\\S+ \\(admin\\)$`).test(line)), listed.stdout);
    assert.ok(!listed.stdout.includes('api'), 'namespace shop is not listed without -A');
    const requests = e.cluster.requests();
    assert.equal(requests.filter((r) => r.verb === 'list').length, 1, JSON.stringify(requests));
    assert.equal(requests.filter((r) => r.subresource === 'exec').length, 0);
    assert.match(listed.stderr, /--check looks inside those pods/);

    const all = await e.sshpod(['ls', '-A', '--check']);
    assert.equal(all.code, 0, all.stderr);
    assert.match(all.stdout, /^sshpod-test\s+shop\s+api\s+main\s+sshd running, 0 sessions\s+\d+\s+<=\d+[smh]\s+/m);
    const exit = spawnSync('ssh', ['-F', e.sshConfig, '-O', 'exit', 'root@template--debug.sshpod'], { env: e.env, timeout: 10_000 });
    assert.equal(exit.status, 0);
  });

  test('sshpod cleanup --dry-run changes nothing and says what it would do', async () => {
    assert.equal((await e.ssh('root@pod--web.sshpod', ['true'])).code, 0);
    const result = await e.sshpod(['cleanup', '--all', '--dry-run']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^sshpod cleanup --dry-run: nothing changed/);
    assert.match(result.stdout, /pod default\/web, container main: would stop sshd \(pid \d+, port \d+\) and remove \/tmp\/sshpod\/[0-9a-f-]+\/main/);
    assert.equal(await listeners('default', 'web'), 1);
    assert.ok(await installed('default', 'web'));
  });

  test('sshpod cleanup HOSTNAME stops that sshd, removes its files, its memory and its pin', async () => {
    assert.equal((await e.ssh('root@pod--web.sshpod', ['true'])).code, 0);
    assert.match(knownHosts(), /^pod--web\.sshpod /m);
    const result = await e.sshpod(['cleanup', 'pod--web.sshpod']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /pod default\/web, container main: stopped sshd \(pid \d+, port \d+\) and removed \/tmp\/sshpod\/[0-9a-f-]+\/main/);
    assert.match(result.stdout, /remembered pod--web\.sshpod \(context sshpod-test, pod default\/web\): forgot it \(cleaned\)/);
    assert.match(result.stdout, /known_hosts: removed the pins of pod--web\.sshpod/);
    assert.equal(await listeners('default', 'web'), 0);
    assert.ok(!(await installed('default', 'web')));
    assert.doesNotMatch(knownHosts(), /^pod--web\.sshpod /m);
    // The next connection installs it again.
    assert.equal((await e.ssh('root@pod--web.sshpod', ['echo back'])).stdout, 'back\n');
  });

  test('sshpod cleanup --all: cleans every remembered pod, reports the unreachable, forgets the gone, prunes sockets', async () => {
    for (const host of ['pod--web.sshpod', 'pod--vault.namespace--sealed.sshpod', 'pod--doomed.sshpod']) assert.equal((await e.ssh(`root@${host}`, ['true'])).code, 0, host);
    await e.cluster.delete('pods', 'default', 'doomed', { wait: true });
    e.cluster.deny({ resource: 'pods/exec', namespace: 'sealed' });
    // A master that was killed leaves its socket behind.
    const controlDir = join(e.home, '.cache', 'sshpod', 'cm');
    mkdirSync(controlDir, { recursive: true });
    const stale = join(controlDir, 'ab'.repeat(20));
    spawnSync('python3', ['-c', `import os,socket; s=socket.socket(socket.AF_UNIX); s.bind(${JSON.stringify(stale)}); s.listen(1); os._exit(0)`]);
    assert.ok(existsSync(stale));

    const result = await e.sshpod(['cleanup', '--all']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /pod default\/web, container main: stopped sshd/);
    assert.match(result.stdout, /pod sealed\/vault, container main: could not clean it: not allowed to (get|create) pods\/exec "vault" in namespace "sealed".*\(left as it is\)/);
    assert.match(result.stdout, /remembered pod--doomed\.sshpod \(context sshpod-test, pod default\/doomed\): forgot it \(its pod is gone\)/);
    assert.match(result.stdout, /connection sharing: removed 1 socket no ssh master listens on/);
    assert.ok(!existsSync(stale));
    assert.equal(await listeners('default', 'web'), 0);
    // The pod it could not reach is still remembered, so that a later cleanup can try again.
    const remembered = readdirSync(join(e.home, '.cache', 'sshpod', 'targets')).map((f) => readFileSync(join(e.home, '.cache', 'sshpod', 'targets', f), 'utf8'));
    assert.equal(remembered.length, 1);
    assert.match(remembered[0] ?? '', /"pod":"vault"/);
    // ls reports it too, rather than failing.
    const listed = await e.sshpod(['ls', '-A', '--check']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /^sshpod-test\s+sealed\s+vault\s+main\s+sshd installed; could not look inside: not allowed to (get|create) pods\/exec "vault"/m);
    e.cluster.resetAccess();
  });

  test('sshpod cleanup template--NAME deletes the pods you made for that hostname', async () => {
    const master = await e.ssh('root@template--debug.sshpod', ['hostname'], { shared: true });
    assert.equal(master.code, 0, master.stderr);
    const name = master.stdout.trim();
    const result = await e.sshpod(['cleanup', 'template--debug.sshpod']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`on-demand pod default/${name} \\(context sshpod-test\\): deleted \\(yours, for this hostname\\)`));
    await eventually('the pod to go', async () => e.cluster.get('pods', 'default', name) === undefined);
    spawnSync('ssh', ['-F', e.sshConfig, '-O', 'exit', 'root@template--debug.sshpod'], { env: e.env, timeout: 10_000 });
  });

  test('sshpod cleanup with nothing to do says so', async () => {
    assert.equal((await e.sshpod(['cleanup', '--all'])).code, 0);
    const result = await e.sshpod(['cleanup']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'Nothing to clean up.\n');
  });
});
