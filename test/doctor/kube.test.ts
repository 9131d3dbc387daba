// Doctor's cluster checks end in bounded time: a server that accepts the connection and never
// answers is a ✘ after SSHPOD_TIMEOUT, not a hang; one that refuses is a ✘ at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkKube } from '../../src/doctor/kube.ts';
import { sshpodPaths } from '../../src/ssh/paths.ts';

test('a silent API server and a refusing one: each a ✘ with a hint, in bounded time', async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'sshpod-doctor-kube-'));
  const sockets: Socket[] = [];
  const silent = createServer((socket) => sockets.push(socket)).listen(0, '127.0.0.1');
  await new Promise((resolve) => silent.once('listening', resolve));
  const port = (silent.address() as { port: number }).port;
  t.after(() => {
    for (const socket of sockets) socket.destroy();
    silent.close();
    rmSync(home, { recursive: true, force: true });
  });
  const kubeconfig = join(home, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    `apiVersion: v1
kind: Config
clusters:
- {name: silent, cluster: {server: "https://127.0.0.1:${port}", insecure-skip-tls-verify: true}}
- {name: refusing, cluster: {server: "https://127.0.0.1:9"}}
users: [{name: u, user: {token: t}}]
contexts:
- {name: silent, context: {cluster: silent, user: u}}
- {name: refusing, context: {cluster: refusing, user: u}}
current-context: silent
`,
  );
  const saved = process.env['KUBECONFIG'];
  process.env['KUBECONFIG'] = kubeconfig;
  t.after(() => (saved === undefined ? delete process.env['KUBECONFIG'] : (process.env['KUBECONFIG'] = saved)));
  const items = await checkKube(sshpodPaths(home), 500);
  assert.deepEqual(items[0], { ok: true, title: `the kubeconfig (${kubeconfig}): 2 contexts, current "silent"` });
  assert.deepEqual(items[1], {
    ok: false,
    title: 'context "silent" (current): no answer within 0.5 s',
    hint: 'check that the cluster is up and reachable from here (VPN, proxy); SSHPOD_TIMEOUT=SECONDS allows more time',
  });
  const refusing = items[2] as { ok: boolean; title: string; hint: string };
  assert.equal(refusing.ok, false);
  assert.match(refusing.title, /^context "refusing": cannot reach the Kubernetes API at https:\/\/127\.0\.0\.1:9 \(context "refusing"\): .*ECONNREFUSED/);
  assert.match(refusing.hint, /^check that the cluster is up and reachable from here/);
});
