// The kubectl workstation (`template--kubectl`) through the configured block with the real
// OpenSSH client: the real kubectl inside the pod (the `debian` test image is the host's root, so
// it has the host's kubectl) acts as the ServiceAccount that stands for the person, with a token
// sshpod requested with the person's credentials and bound to the pod; RBAC refuses what the
// account may not do; the token is rejected once the pod is gone; a person who may not request
// the token, or a missing account, gets one clear error and no pod left behind (and sshpod doctor
// says so beforehand). The same template
// from the web terminal (`sshpod web`, its WebSocket as the page uses it): kubectl works there too.
// Through the gateway, the token is requested as the signed-in person (impersonated), never as
// the gateway itself.
//
// The test cluster routes no Services, so each test routes the `kubernetes` Service into the pod
// (kube-service-route.ts) once the connection-sharing master has made it, before kubectl runs.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import WebSocket from 'ws';
import { e2eSkipReason, hasStackTrace, run, sshpodBin, sshpodLines, startE2E, waitUntil, type E2E } from './harness.ts';
import { routeKubernetesService } from '../cluster/kube-service-route.ts';
import { GATEWAY_SA, startGateway } from './gateway-fixture.ts';

const MANAGED = 'app.kubernetes.io/managed-by=sshpod';
const ACCOUNT = 'sshpod-kubectl';
const ACCOUNT_USER = `system:serviceaccount:default:${ACCOUNT}`;
const HOST = 'root@template--kubectl.sshpod';
/** The built-in template with an image of the test cluster that has kubectl. */
const IMAGE = { SSHPOD_KUBECTL_IMAGE: 'debian' };

interface PodObject {
  metadata: { name: string; labels?: Record<string, string>; deletionTimestamp?: string };
  spec: { serviceAccountName?: string; automountServiceAccountToken?: boolean };
  status?: { phase?: string };
}



describe('kubectl workstation: template--kubectl', { skip: e2eSkipReason() }, () => {
  let e: E2E;
  const workstations = (): PodObject[] => (e.cluster.list('pods', '', MANAGED) as unknown as PodObject[]).filter((pod) => pod.metadata.labels?.['sshpod/template'] === 'kubectl');
  const noneLeft = (): Promise<true> => waitUntil('no workstation pod', () => workstations().length === 0 || undefined);
  const closeMaster = (): void => {
    const exit = spawnSync('ssh', ['-F', e.sshConfig, '-O', 'exit', HOST], { env: e.env, encoding: 'utf8', timeout: 10_000 });
    assert.equal(exit.status, 0, exit.stderr);
  };

  before(async () => {
    e = await startE2E({ objects: [{ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: ACCOUNT, namespace: 'default' } }] });
  });
  after(async () => {
    await e?.stop();
  });

  test('kubectl in the pod acts as the ServiceAccount, as RBAC allows it, and not after the pod is gone', async (t) => {
    // The master connection makes the pod and keeps it while the test looks inside (and goes, whatever happens).
    t.after(() => {
      spawnSync('ssh', ['-F', e.sshConfig, '-O', 'exit', HOST], { env: e.env, stdio: 'ignore', timeout: 10_000 });
    });
    const first = await e.ssh(HOST, ['echo "$KUBECONFIG $KUBE_NAMESPACE $KUBE_USER"; stat -c "%a %U" "$KUBECONFIG"'], { shared: true, env: IMAGE });
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout, '/run/sshpod-kube/config default admin\n600 root\n');
    const [pod] = workstations();
    assert.ok(pod, 'the workstation pod');
    assert.equal(pod.spec.serviceAccountName, ACCOUNT);
    assert.equal(pod.spec.automountServiceAccountToken, false, 'no token but the one sshpod asked for');
    // The token was requested by the person (admin here), bound to that pod.
    const tokenRequests = e.cluster.requests({ resource: 'serviceaccounts', subresource: 'token', name: ACCOUNT });
    assert.equal(tokenRequests.length, 1);
    assert.equal(tokenRequests[0]?.user, 'admin');
    assert.equal(tokenRequests[0]?.code, 201);

    const route = await routeKubernetesService(e.cluster, 'default', pod.metadata.name);
    let token: string;
    try {
      const listed = await e.ssh(HOST, ['kubectl get pods -o name'], { shared: true, env: IMAGE });
      assert.equal(listed.code, 0, listed.stderr);
      assert.equal(listed.stdout, `pod/${pod.metadata.name}\n`);
      assert.ok(e.cluster.requests({ user: ACCOUNT_USER, resource: 'pods', verb: 'list' }).length > 0, 'kubectl acted as the ServiceAccount');

      e.cluster.deny({ user: ACCOUNT_USER, resource: 'secrets' });
      const refused = await e.ssh(HOST, ['kubectl get secrets'], { shared: true, env: IMAGE });
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, new RegExp(`secrets is forbidden: User "${ACCOUNT_USER}" cannot list resource "secrets"`));

      const config = await e.ssh(HOST, ['cat "$KUBECONFIG"'], { shared: true, env: IMAGE });
      token = (JSON.parse(config.stdout) as { users: Array<{ user: { token: string } }> }).users[0]?.user.token ?? '';
      const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as { exp: number; iat: number; 'kubernetes.io': { pod?: { name: string } } };
      assert.equal(claims['kubernetes.io'].pod?.name, pod.metadata.name, 'bound to the pod');
      assert.equal(claims.exp - claims.iat, 3600, 'an hour, renewed while sshpod holds the pod');
    } finally {
      e.cluster.resetAccess();
      await route.stop();
    }

    closeMaster();
    await noneLeft();
    const after = await run('kubectl', ['--token', token, 'get', 'pods'], { env: e.env });
    assert.equal(after.code, 1);
    assert.match(after.stderr, /You must be logged in to the server/);
  });

  test('a person who may not request the token gets one error, and no pod is left', async () => {
    e.cluster.deny({ user: 'admin', resource: 'serviceaccounts/token' });
    try {
      const result = await e.ssh(HOST, ['true'], { env: IMAGE });
      assert.equal(result.code, 255);
      assert.ok(!hasStackTrace(result.stderr), result.stderr);
      const lines = sshpodLines(result.stderr);
      const at = lines.findIndex((line) => line.startsWith('sshpod: template "kubectl" needs a token for ServiceAccount "sshpod-kubectl" in namespace "default", and you may not request one'));
      assert.ok(at >= 0, result.stderr);
      assert.match(lines[at + 1] ?? '', /^hint: .*create on serviceaccounts\/token with resourceNames \[sshpod-kubectl\]/, result.stderr);
      // sshpod doctor asks the same before anyone connects.
      const doctor = await e.sshpod(['doctor', 'template--kubectl.sshpod'], { env: IMAGE });
      assert.equal(doctor.code, 1, doctor.stdout);
      assert.ok(doctor.stdout.includes('✘ you may create serviceaccounts/token "sshpod-kubectl" in namespace "default"'), doctor.stdout);
      assert.ok(doctor.stdout.includes('✔ you may get configmaps "kube-root-ca.crt" in namespace "default"'), doctor.stdout);
    } finally {
      e.cluster.resetAccess();
    }
    await noneLeft();
  });

  test('a ServiceAccount that does not exist is named', async () => {
    const result = await e.ssh(HOST, ['true'], { env: { ...IMAGE, SSHPOD_KUBECTL_SERVICE_ACCOUNT: 'ghost' } });
    assert.equal(result.code, 255);
    const lines = sshpodLines(result.stderr);
    const at = lines.findIndex((line) => line.startsWith('sshpod: template "kubectl" runs as ServiceAccount default/ghost, which does not exist'));
    assert.ok(at >= 0, result.stderr);
    assert.match(lines[at + 1] ?? '', /^hint: ask your cluster admin to create it/, result.stderr);
    await noneLeft();
  });

  test('the same template from the web terminal: kubectl in its shell acts as the ServiceAccount', async () => {
    const web = spawn(process.execPath, [sshpodBin, 'web', '--listen', '127.0.0.1:0'], { env: { ...e.env, ...IMAGE }, stdio: ['ignore', 'pipe', 'pipe'] });
    let route: { stop(): Promise<void> } | undefined;
    try {
      const url = await new Promise<URL>((resolve, reject) => {
        let out = '';
        web.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('\n')) resolve(new URL(out.trim()));
        });
        web.once('exit', (code) => reject(new Error(`sshpod web ended (${code})`)));
      });
      const socket = new WebSocket(`ws://${url.host}/api/terminal?host=template--kubectl.sshpod&cols=120&rows=30&token=${url.searchParams.get('token') ?? ''}`, { headers: { Origin: `http://${url.host}` } });
      let screen = '';
      const controls: Array<{ t: string; pod?: string; namespace?: string; message?: string }> = [];
      socket.on('message', (data: Buffer, isBinary: boolean) => {
        if (isBinary) screen += data.toString('utf8');
        else controls.push(JSON.parse(data.toString('utf8')) as { t: string });
      });
      const ready = await waitUntil('the terminal', () => controls.find((c) => c.t === 'ready' || c.t === 'error'), 60_000);
      assert.equal(ready.t, 'ready', ready.message);
      const pod = ready.pod ?? '';
      assert.match(pod, /^sshpod-kubectl-/);
      route = await routeKubernetesService(e.cluster, ready.namespace ?? 'default', pod);
      socket.send(Buffer.from('kubectl get pods -o name; echo "END-$((6*7))"\r'));
      await waitUntil('kubectl in the web terminal', () => screen.includes('END-42') || undefined, 60_000);
      assert.match(screen, new RegExp(`pod/${pod}\\r?\\n`));
      assert.ok(e.cluster.requests({ user: ACCOUNT_USER, resource: 'pods', verb: 'list' }).length > 0);
      socket.send(JSON.stringify({ t: 'close' }));
      await noneLeft();
    } finally {
      await route?.stop();
      web.kill('SIGTERM');
      await new Promise((resolve) => (web.exitCode === null ? web.once('exit', resolve) : resolve(undefined)));
    }
    await noneLeft();
  });

  test('through the gateway: the token is requested as the signed-in person, and kubectl works for them', async () => {
    const template = ['metadata:', '  annotations:', `    sshpod/kubectl-service-account: ${ACCOUNT}`, 'spec:', '  containers:', '    - { name: main, image: debian }', ''].join('\n');
    const gw = await startGateway(e.cluster, {
      people: ['carol'],
      users: (keys) => ['users:', '  carol:', `    keys: ["${keys['carol']}"]`, '    default: template--ws.namespace--default', ''].join('\n'),
      templates: { ws: template },
    });
    // The gateway itself may do nothing but impersonate: whatever is made, is made as carol.
    e.cluster.deny({ user: GATEWAY_SA });
    e.cluster.allow({ user: GATEWAY_SA, verb: 'impersonate' });
    let route: { stop(): Promise<void> } | undefined;
    try {
      const carol = gw.person('carol');
      // The command waits until the test has routed the kubernetes Service into the pod.
      const session = carol.ssh(['gw', 'while [ ! -e /tmp/go ]; do sleep 0.1; done; kubectl get pods -o name'], { timeoutMs: 120_000 });
      const ofWs = (): PodObject[] => (e.cluster.list('pods', '', MANAGED) as unknown as PodObject[]).filter((pod) => pod.metadata.labels?.['sshpod/template'] === 'ws');
      const pod = await waitUntil('the workstation pod', () => ofWs().find((p) => p.status?.phase === 'Running' && !p.metadata.deletionTimestamp), 60_000);
      await waitUntil('the token', () => e.cluster.requests({ subresource: 'token', code: 201 }).some((r) => r.user === 'carol') || undefined, 60_000);
      route = await routeKubernetesService(e.cluster, 'default', pod.metadata.name);
      await e.podShell('default', pod.metadata.name, 'main', 'touch /tmp/go');
      const result = await session;
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, `pod/${pod.metadata.name}\n`);
      const requests = e.cluster.requests({ subresource: 'token', name: ACCOUNT }).filter((r) => r.user === 'carol');
      assert.ok(requests.length > 0 && requests.every((r) => r.impersonatedBy === GATEWAY_SA && r.code === 201), JSON.stringify(requests));
      // At logout the gateway deletes the pod, although its API connection sat idle for seconds
      // (a kept-alive socket the API server had closed used to lose that DELETE).
      await waitUntil('the pod deleted at logout', () => (ofWs().every((p) => p.metadata.deletionTimestamp) ? true : undefined), 30_000);
    } finally {
      e.cluster.resetAccess();
      await route?.stop();
      await gw.stop();
    }
  });
});
