// The kubectl workstation's pure parts: what a template's annotations ask for, what the pod gets,
// the kubeconfig, and the pod-side script that writes it (run here with the machine's sh and dash).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { lstatSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { templateFromDocument } from '../../src/ondemand/template.ts';
import { renderPod } from '../../src/ondemand/render-pod.ts';
import { builtinTemplate } from '../../src/ondemand/builtin-templates.ts';
import { IN_CLUSTER_SERVER, KUBE_DIR, KUBECONFIG_PATH, WRITE_KUBECONFIG_SCRIPT, kubeconfigText, withWorkstation, workstationOptions } from '../../src/ondemand/workstation.ts';
import { SshpodError } from '../../src/errors.ts';

function template(annotations: Record<string, string>, spec: Record<string, unknown> = {}) {
  return templateFromDocument({ metadata: { annotations }, spec: { containers: [{ name: 'main', image: 'kubectl' }], ...spec } }, 'ws', '/t/ws.yaml');
}

test('annotations: the ServiceAccount turns it on; server and lifetime have defaults and bounds', () => {
  const cases: Array<[string, Record<string, string>, Record<string, unknown>, unknown]> = [
    ['not a workstation', {}, {}, undefined],
    ['defaults', { 'sshpod/kubectl-service-account': 'alice' }, {}, { serviceAccount: 'alice', server: 'in-cluster', tokenSeconds: 3600 }],
    ['a URL and a lifetime', { 'sshpod/kubectl-service-account': 'alice', 'sshpod/kubectl-server': 'https://api.example.com:6443', 'sshpod/kubectl-token-seconds': '900' }, {}, { serviceAccount: 'alice', server: 'https://api.example.com:6443', tokenSeconds: 900 }],
    ['the same account in the spec', { 'sshpod/kubectl-service-account': 'alice' }, { serviceAccountName: 'alice' }, { serviceAccount: 'alice', server: 'in-cluster', tokenSeconds: 3600 }],
    ['not a name', { 'sshpod/kubectl-service-account': 'Alice Smith' }, {}, /kubectl-service-account is "Alice Smith"/],
    ['plain http', { 'sshpod/kubectl-service-account': 'a', 'sshpod/kubectl-server': 'http://api:80' }, {}, /kubectl-server/],
    ['a URL with a password', { 'sshpod/kubectl-service-account': 'a', 'sshpod/kubectl-server': 'https://u:p@api' }, {}, /kubectl-server/],
    ['too short', { 'sshpod/kubectl-service-account': 'a', 'sshpod/kubectl-token-seconds': '599' }, {}, /from 600 to 86400/],
    ['too long', { 'sshpod/kubectl-service-account': 'a', 'sshpod/kubectl-token-seconds': '86401' }, {}, /from 600 to 86400/],
    ['server without an account', { 'sshpod/kubectl-server': 'in-cluster' }, {}, /together with sshpod\/kubectl-service-account/],
    ['another account in the spec', { 'sshpod/kubectl-service-account': 'alice' }, { serviceAccountName: 'builder' }, /runs as ServiceAccount "builder"/],
  ];
  for (const [name, annotations, spec, expected] of cases) {
    if (expected instanceof RegExp) {
      assert.throws(() => workstationOptions(template(annotations, spec)), (error: unknown) => error instanceof SshpodError && error.kind === 'config' && expected.test(`${error.message} ${error.hint ?? ''}`) && error.hint !== undefined, name);
    } else {
      assert.deepEqual(workstationOptions(template(annotations, spec)), expected, name);
    }
  }
});

test('the pod: runs as the account, no automounted token, an in-memory kubeconfig volume, the environment', () => {
  const spec = {
    containers: [
      { name: 'main', image: 'k', env: [{ name: 'KUBECONFIG', value: '/elsewhere' }, { name: 'KEEP', value: '1' }], volumeMounts: [{ name: 'data', mountPath: '/data' }] },
      { name: 'side', image: 's' },
    ],
    volumes: [{ name: 'data', emptyDir: {} }],
  };
  const out = withWorkstation(spec, 'main', { serviceAccount: 'alice', server: 'in-cluster', tokenSeconds: 3600 }, { namespace: 'team', user: 'alice@example.com' });
  assert.equal(out['serviceAccountName'], 'alice');
  assert.equal(out['automountServiceAccountToken'], false);
  assert.deepEqual(out['volumes'], [{ name: 'data', emptyDir: {} }, { name: 'sshpod-kube', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } }]);
  const [main, side] = out['containers'] as Array<Record<string, unknown>>;
  assert.deepEqual(main?.['env'], [
    { name: 'KEEP', value: '1' },
    { name: 'KUBECONFIG', value: KUBECONFIG_PATH },
    { name: 'KUBE_NAMESPACE', value: 'team' },
    { name: 'KUBE_USER', value: 'alice@example.com' },
  ]);
  assert.deepEqual(main?.['volumeMounts'], [{ name: 'data', mountPath: '/data' }, { name: 'sshpod-kube', mountPath: KUBE_DIR }]);
  assert.deepEqual(side, { name: 'side', image: 's' }, 'other containers get nothing');
  assert.deepEqual(spec.containers[0]?.env?.[0], { name: 'KUBECONFIG', value: '/elsewhere' }, 'the template is not changed');
  assert.throws(() => withWorkstation({ ...spec, volumes: [{ name: 'sshpod-kube' }] }, 'main', { serviceAccount: 'a', server: 'in-cluster', tokenSeconds: 600 }, { namespace: 'n', user: 'u' }), /already has a volume "sshpod-kube"/);
});

test('renderPod: the built-in kubectl template is a workstation for the person', () => {
  const builtin = templateFromDocument(builtinTemplate('kubectl', { SSHPOD_KUBECTL_IMAGE: 'debian', SSHPOD_KUBECTL_SERVICE_ACCOUNT: 'alice-ws' }), 'kubectl', 'built in');
  const { manifest, container } = renderPod({
    template: builtin,
    options: { shared: false, idleSeconds: 120 },
    namespace: 'team',
    owner: { local: 'alice@laptop', kubeUser: 'alice' },
    hostname: 'template--kubectl.sshpod',
    watchdogScript: 'WATCHDOG',
    now: new Date(0),
  });
  assert.equal(container, 'kubectl');
  assert.equal(manifest.spec['serviceAccountName'], 'alice-ws');
  assert.equal(manifest.metadata.annotations['sshpod/kubectl-service-account'], 'alice-ws');
  const [only] = manifest.spec['containers'] as Array<{ image: string; command: string[]; env: Array<{ name: string; value: string }> }>;
  assert.equal(only?.image, 'debian');
  assert.equal(only?.command[0], 'sh', 'still under the safeguard');
  assert.deepEqual(only?.env.find((e) => e.name === 'KUBE_USER'), { name: 'KUBE_USER', value: 'alice' });
  const defaults = templateFromDocument(builtinTemplate('kubectl', {}), 'kubectl', 'built in');
  assert.deepEqual(workstationOptions(defaults), { serviceAccount: 'sshpod-kubectl', server: 'in-cluster', tokenSeconds: 3600 });
});

test('the kubeconfig: one line of JSON with the server, CA, token, namespace and user', () => {
  const text = kubeconfigText({ server: IN_CLUSTER_SERVER, caPem: '-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----\n', token: 'a.b.c', namespace: 'team', user: 'alice smith' });
  assert.ok(!text.includes('\n'));
  const config = JSON.parse(text) as { clusters: Array<{ cluster: Record<string, string> }>; users: Array<{ name: string; user: { token: string } }>; contexts: Array<{ context: Record<string, string> }>; 'current-context': string };
  assert.equal(config.clusters[0]?.cluster['server'], IN_CLUSTER_SERVER);
  assert.match(Buffer.from(config.clusters[0]?.cluster['certificate-authority-data'] ?? '', 'base64').toString(), /BEGIN CERTIFICATE/);
  assert.equal(config.users[0]?.user.token, 'a.b.c');
  assert.equal(config.users[0]?.name, 'alice_smith');
  assert.deepEqual(config.contexts[0]?.context, { cluster: 'sshpod', user: 'alice_smith', namespace: 'team' });
  assert.equal(config['current-context'], 'alice_smith');
});

for (const shell of ['sh', 'dash', 'busybox']) {
  const available = spawnSync('sh', ['-c', `command -v ${shell}`]).status === 0;
  test(`the pod-side script (${shell}): in-cluster address from the environment, 0600, through a new file`, { skip: available ? false : `${shell} is not installed` }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'sshpod-kube-'));
    try {
      const script = WRITE_KUBECONFIG_SCRIPT.replace(`cd ${KUBE_DIR}`, `cd '${dir}'`);
      const argv = shell === 'busybox' ? ['sh', '-c', script, 'sshpod-kubeconfig'] : ['-c', script, 'sshpod-kubeconfig'];
      const run = (env: Record<string, string>, line: string) => spawnSync(shell, argv, { input: `${line}\n`, env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...env }, encoding: 'utf8' });
      // Someone else's link where the file goes: replaced, not followed.
      writeFileSync(join(dir, 'target'), 'keep');
      symlinkSync(join(dir, 'target'), join(dir, 'config'));
      const line = kubeconfigText({ server: IN_CLUSTER_SERVER, caPem: 'CA', token: 't', namespace: 'n', user: 'u' });
      const written = run({ KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' }, line);
      assert.equal(written.status, 0, written.stderr);
      assert.equal(written.stdout, 'written\n');
      assert.equal(readFileSync(join(dir, 'target'), 'utf8'), 'keep');
      const stat = lstatSync(join(dir, 'config'));
      assert.ok(stat.isFile());
      assert.equal(stat.mode & 0o777, 0o600);
      assert.equal(lstatSync(dir).mode & 0o777, 0o700, 'the directory made private');
      assert.equal((JSON.parse(readFileSync(join(dir, 'config'), 'utf8')) as { clusters: Array<{ cluster: { server: string } }> }).clusters[0]?.cluster.server, 'https://10.96.0.1:443');
      const v6 = run({ KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' }, line);
      assert.equal(v6.status, 0, v6.stderr);
      assert.match(readFileSync(join(dir, 'config'), 'utf8'), /"server":"https:\/\/\[fd00::1\]:443"/);
      const none = run({}, line);
      assert.equal(none.status, 0, none.stderr);
      assert.match(readFileSync(join(dir, 'config'), 'utf8'), /"server":"https:\/\/kubernetes\.default\.svc:443"/);
      const hostile = run({ KUBERNETES_SERVICE_HOST: 'x","token":"evil' }, line);
      assert.notEqual(hostile.status, 0);
      assert.match(hostile.stderr, /not an address/);
      const url = run({}, kubeconfigText({ server: 'https://api.example.com', caPem: 'CA', token: 't', namespace: 'n', user: 'u' }));
      assert.equal(url.status, 0, url.stderr);
      assert.match(readFileSync(join(dir, 'config'), 'utf8'), /"server":"https:\/\/api\.example\.com"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
