// Kubeconfigs as users have them: KUBECONFIG naming several files, exec credential plugins (as
// EKS, GKE and AKS use), a legacy auth-provider entry, a proxy-url, client certificates.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { container, e2eSkipReason, pod, sshpodLines, startE2E, type E2E } from './harness.ts';

interface KubeconfigDoc {
  clusters: Array<{ name: string; cluster: Record<string, unknown> }>;
  users: Array<{ name: string; user: Record<string, unknown> }>;
  contexts: Array<{ name: string; context: Record<string, unknown> }>;
  'current-context': string;
}

describe('kubeconfig variants', { skip: e2eSkipReason() }, () => {
  let e: E2E;
  let work: string;
  let base: KubeconfigDoc;
  let token: string;
  before(async () => {
    e = await startE2E({ objects: [pod('api', { containers: [container('main', 'busybox')] })] });
    work = mkdtempSync(join(tmpdir(), 'sshpod-kubeconfig-'));
    token = e.cluster.addUser('plugin-user', { auth: 'token' }).token as string;
    base = parse(e.cluster.kubeconfig()) as KubeconfigDoc;
  });
  after(async () => {
    await e?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  const withUser = (name: string, user: Record<string, unknown>, cluster: Record<string, unknown> = {}): string => {
    const doc: KubeconfigDoc = structuredClone(base);
    doc.users.push({ name, user });
    const baseCluster = doc.clusters[0] as { name: string; cluster: Record<string, unknown> };
    doc.clusters.push({ name: `${name}-cluster`, cluster: { ...baseCluster.cluster, ...cluster } });
    doc.contexts = [{ name, context: { cluster: `${name}-cluster`, user: name, namespace: 'default' } }];
    doc['current-context'] = name;
    const file = join(work, `${name}.yaml`);
    writeFileSync(file, stringify(doc), { mode: 0o600 });
    return file;
  };

  const connects = async (kubeconfig: string): Promise<void> => {
    const result = await e.ssh('root@pod--api.sshpod', ['echo ok'], { env: { KUBECONFIG: kubeconfig } });
    assert.equal(result.stdout, 'ok\n', result.stderr);
  };

  test('an exec credential plugin provides the token', async () => {
    const plugin = join(work, 'credential-plugin');
    writeFileSync(
      plugin,
      `#!/bin/sh\nprintf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s"}}' "${token}"\n`,
      { mode: 0o755 },
    );
    await connects(withUser('exec-user', { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: plugin, interactiveMode: 'Never' } }));
  });

  test('a plugin credential that says when it expires is reused by the next connections', async () => {
    const runs = join(work, 'cached-plugin.runs');
    const expires = new Date(Date.now() + 3600_000).toISOString();
    const plugin = join(work, 'cached-plugin');
    writeFileSync(
      plugin,
      `#!/bin/sh\necho run >>'${runs}'\necho 'signing in as plugin-user' >&2\nprintf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s","expirationTimestamp":"${expires}"}}' "${token}"\n`,
      { mode: 0o755 },
    );
    const kubeconfig = withUser('cached-exec', { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: plugin, interactiveMode: 'Never' } });
    const first = await e.ssh('root@pod--api.sshpod', ['echo ok'], { env: { KUBECONFIG: kubeconfig } });
    assert.equal(first.stdout, 'ok\n', first.stderr);
    assert.match(first.stderr, /^signing in as plugin-user$/m, "the plugin's own messages reach the terminal, as with kubectl");
    await connects(kubeconfig);
    await connects(kubeconfig);
    assert.equal(readFileSync(runs, 'utf8'), 'run\n', 'the plugin ran once');
    const [cached] = readdirSync(join(e.home, '.cache', 'sshpod', 'credentials'));
    const file = join(e.home, '.cache', 'sshpod', 'credentials', cached as string);
    assert.equal(statSync(file).mode & 0o777, 0o600);

    // Revoked before it expired: the API server says 401, the plugin runs again, the connection works.
    writeFileSync(file, JSON.stringify({ token: 'revoked', expirationTimestamp: expires }));
    const revoked = await e.ssh('root@pod--api.sshpod', ['echo ok'], { env: { KUBECONFIG: kubeconfig, SSHPOD_LOG_LEVEL: 'debug' } });
    assert.equal(revoked.stdout, 'ok\n', revoked.stderr);
    assert.match(revoked.stderr, /the cached one was refused/);
    assert.equal(readFileSync(runs, 'utf8'), 'run\nrun\n');
    assert.equal((JSON.parse(readFileSync(file, 'utf8')) as { token: string }).token, token);
  });

  test('a plugin credential without an expiry is not kept', async () => {
    const runs = join(work, 'uncached-plugin.runs');
    const plugin = join(work, 'uncached-plugin');
    writeFileSync(
      plugin,
      `#!/bin/sh\necho run >>'${runs}'\nprintf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s"}}' "${token}"\n`,
      { mode: 0o755 },
    );
    const kubeconfig = withUser('uncached-exec', { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: plugin, interactiveMode: 'Never' } });
    await connects(kubeconfig);
    await connects(kubeconfig);
    assert.equal(readFileSync(runs, 'utf8'), 'run\nrun\n');
  });

  test('a failing exec plugin is reported as such', async () => {
    const result = await e.ssh('root@pod--api.sshpod', ['true'], {
      env: { KUBECONFIG: withUser('broken-exec', { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: '/nonexistent/aws', args: ['eks', 'get-token'] } }) },
    });
    assert.equal(result.code, 255);
    assert.match(sshpodLines(result.stderr)[0] ?? '', /^sshpod: the credentials of context "broken-exec" could not be obtained/);
  });

  test('a legacy gcp auth-provider entry with a cached access token', async () => {
    const expiry = new Date(Date.now() + 3600_000).toISOString();
    await connects(withUser('gcp-user', { 'auth-provider': { name: 'gcp', config: { 'access-token': token, expiry } } }));
  });

  test('KUBECONFIG with several files: the first file wins, the others add contexts', async () => {
    const first = withUser('first', { token });
    const second = join(work, 'second.yaml');
    writeFileSync(second, stringify({ ...base, 'current-context': 'sshpod-test' }));
    await connects(`${first}:${second}`);
    const viaSecond = await e.ssh('root@pod--api.context--sshpod-test.sshpod', ['echo ok'], { env: { KUBECONFIG: `${first}:${second}` } });
    assert.equal(viaSecond.stdout, 'ok\n', viaSecond.stderr);
  });

  test('a cluster behind an HTTP CONNECT proxy (proxy-url)', async () => {
    let tunnels = 0;
    const proxy: Server = createServer();
    proxy.on('connect', (request, socket, head) => {
      tunnels++;
      const [host, port] = (request.url ?? '').split(':');
      const upstream = connect(Number(port), host, () => {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(socket);
        socket.pipe(upstream);
      });
      upstream.on('error', () => socket.destroy());
      socket.on('error', () => upstream.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = proxy.address() as AddressInfo;
      await connects(withUser('proxied', { token }, { 'proxy-url': `http://127.0.0.1:${port}` }));
      assert.ok(tunnels >= 2, `the API traffic went through the proxy (${tunnels} tunnels)`);
    } finally {
      proxy.close();
    }
  });
});
