// What a user sees when something is wrong: one sshpod line saying what and one hint line saying
// what to do, no stack trace, no half-written files — through the real ssh.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { container, e2eSkipReason, hasStackTrace, pod, sshpodLines, startE2E, type E2E } from './harness.ts';

describe('sshpod error messages', { skip: e2eSkipReason() }, () => {
  let e: E2E;
  before(async () => {
    e = await startE2E({
      objects: [
        pod('api', { containers: [container('main', 'busybox')] }),
        pod('worker', { containers: [container('main', 'busybox')] }),
        pod('nobody', { containers: [container('main', 'busybox', { securityContext: { runAsUser: 65534 } })] }),
        pod('distroless', { containers: [container('main', 'gcr.io/distroless/distroless:nonroot')] }),
      ],
    });
  });
  after(async () => {
    await e?.stop();
  });

  const failure = async (user: string, host: string, env?: Record<string, string>): Promise<string[]> => {
    const result = await e.ssh(`${user}@${host}`, ['true'], env ? { env } : {});
    assert.equal(result.code, 255, `ssh must fail: ${result.stdout} ${result.stderr}`);
    assert.ok(!hasStackTrace(result.stderr), `no stack trace:\n${result.stderr}`);
    const lines = sshpodLines(result.stderr);
    assert.equal(lines.length, 2, `one message and one hint:\n${result.stderr}`);
    assert.match(lines[1] ?? '', /^hint: /);
    return lines;
  };

  test('a misspelt hostname key', async () => {
    const [message, hint] = await failure('root', 'pod--api.namepsace--default.sshpod');
    assert.equal(message, 'sshpod: hostname "pod--api.namepsace--default.sshpod": "namepsace--default" has an unknown key "namepsace--" (did you mean "namespace--"?)');
    assert.match(hint ?? '', /accepted form: \[container--C\.\]\(pod--P/);
  });

  test('an unknown context lists the contexts', async () => {
    const [message, hint] = await failure('root', 'pod--api.context--nope.sshpod');
    assert.equal(message, 'sshpod: no context "nope" in your kubeconfig');
    assert.equal(hint, 'hint: use one of: sshpod-test');
  });

  test('a pod that does not exist lists the pods there', async () => {
    const [message, hint] = await failure('root', 'pod--apx.sshpod');
    assert.equal(message, 'sshpod: pod "apx" not found in namespace "default"');
    assert.equal(hint, 'hint: pods in namespace "default": api, distroless, nobody, worker');
  });

  test('a deployment that does not exist', async () => {
    const [message] = await failure('root', 'deployment--web.sshpod');
    assert.equal(message, 'sshpod: deployment "web" not found in namespace "default"');
  });

  test('exec forbidden by RBAC names the verb and resource to ask for (1.35+: create, checked after get)', async () => {
    e.cluster.deny({ user: 'admin', verb: 'create', resource: 'pods/exec', namespace: 'default' });
    try {
      const [message, hint] = await failure('root', 'pod--worker.sshpod');
      assert.match(message ?? '', /^sshpod: not allowed to create pods\/exec "worker" in namespace "default": pods "worker" is forbidden: User "admin" cannot create resource "pods\/exec"/);
      assert.match(hint ?? '', /RBAC permission to create pods\/exec in namespace "default"/);
    } finally {
      e.cluster.resetAccess();
    }
  });

  test('port-forward forbidden by RBAC, likewise when forced (auto falls back to the exec transport)', async () => {
    e.cluster.deny({ user: 'admin', verb: 'create', resource: 'pods/portforward', namespace: 'default' });
    try {
      const [message, hint] = await failure('root', 'pod--worker.sshpod', { SSHPOD_TRANSPORT: 'port-forward' });
      assert.match(message ?? '', /^sshpod: not allowed to create pods\/portforward "worker" in namespace "default"/);
      assert.match(hint ?? '', /create pods\/portforward.*SSHPOD_TRANSPORT=exec/);
      assert.equal((await e.ssh('root@pod--worker.sshpod', ['echo over exec'])).stdout, 'over exec\n');
    } finally {
      e.cluster.resetAccess();
    }
  });

  test('a server that authorises WebSocket exec as get (before 1.35, like 1.20): message and hint say get', async () => {
    e.cluster.setWebsocketUpgradeCreateCheck(false);
    e.cluster.deny({ user: 'admin', verb: 'get', resource: 'pods/exec', namespace: 'default' });
    try {
      const [message, hint] = await failure('root', 'pod--worker.sshpod');
      assert.equal(message, 'sshpod: not allowed to get pods/exec "worker" in namespace "default": pods "worker" is forbidden: User "admin" cannot get resource "pods/exec" in API group "" in the namespace "default"');
      assert.match(hint ?? '', /^hint: ask your cluster admin for RBAC permission to get pods\/exec in namespace "default" \(sshpod needs .*get and create on pods\/exec and pods\/portforward\)$/);
      // Only `create` held: still refused there, because `get` is what that server checks.
      e.cluster.resetAccess();
      e.cluster.deny({ user: 'admin', verb: 'create', resource: 'pods/exec', namespace: 'default' });
      assert.equal((await e.ssh('root@pod--worker.sshpod', ['echo in'])).stdout, 'in\n', 'create is not checked for a WebSocket before 1.35');
    } finally {
      e.cluster.resetAccess();
      e.cluster.setWebsocketUpgradeCreateCheck(true);
    }
  });

  test('a container without a shell, where RBAC forbids the ephemeral container sshpod would add', async () => {
    e.cluster.deny({ user: 'admin', verb: 'patch', resource: 'pods/ephemeralcontainers', namespace: 'default' });
    try {
      const [message, hint] = await failure('root', 'pod--distroless.sshpod');
      assert.equal(message, 'sshpod: container "main" of pod "distroless" has no shell (sh), and you may not add the ephemeral container sshpod would run sshd in: RBAC denies "patch" on "pods/ephemeralcontainers"');
      assert.match(hint ?? '', /^hint: ask your cluster admin for "patch" on "pods\/ephemeralcontainers" in namespace "default"/);
    } finally {
      e.cluster.resetAccess();
    }
  });

  test('the wrong user for a non-root container names the right one', async () => {
    const [message, hint] = await failure('root', 'pod--nobody.sshpod');
    assert.equal(message, 'sshpod: container "main" of pod "nobody" runs as "nobody" (uid 65534), and only that user can log in');
    assert.equal(hint, 'hint: ssh nobody@pod--nobody.sshpod');
  });

  test('an unknown user names users that would work', async () => {
    const [message, hint] = await failure('alice', 'pod--api.sshpod');
    assert.equal(message, 'sshpod: user "alice" does not exist in this container (container "main" of pod "api")');
    assert.match(hint ?? '', /^hint: log in as one of: root\b/);
  });

  test('a hostile user name is refused and harms nothing', async () => {
    // ssh itself refuses such names on its command line, but a ProxyCommand can get them from
    // configs and other callers: sshpod checks too, and quotes nothing into shell code anyway.
    const result = await e.sshpod(['proxy', '--host', 'pod--api.sshpod', '--user', "x';touch /tmp/pwned;'", '--port', '22']);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '', 'nothing on the SSH stream');
    assert.deepEqual(sshpodLines(result.stderr), [
      'sshpod: the ssh user name is not a valid user name',
      'hint: user names may contain only letters, digits, ".", "_" and "-", and may not start with "-"',
    ]);
    assert.equal((await e.podShell('default', 'api', 'main', 'ls /tmp/pwned 2>&1 || true')).trim(), 'ls: /tmp/pwned: No such file or directory');
  });

  test('an API server whose certificate the kubeconfig CA did not sign is refused', async () => {
    const other = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', '/dev/null', '-subj', '/CN=not-the-cluster-ca', '-days', '1'], { encoding: 'utf8' });
    assert.equal(other.status, 0, other.stderr);
    const original = readFileSync(e.env['KUBECONFIG'] as string, 'utf8');
    const tampered = join(e.home, 'tampered-kubeconfig');
    writeFileSync(tampered, original.replace(/certificate-authority-data: \S+/, `certificate-authority-data: ${Buffer.from(other.stdout).toString('base64')}`));
    const result = await e.ssh('root@pod--api.sshpod', ['true'], { env: { KUBECONFIG: tampered } });
    assert.equal(result.code, 255);
    const [message, hint] = sshpodLines(result.stderr);
    assert.match(message ?? '', /^sshpod: cannot verify the TLS certificate of the Kubernetes API at https:\/\/127\.0\.0\.1:\d+ \(context "sshpod-test"\)/);
    assert.equal(hint, "hint: check the cluster's certificate-authority in your kubeconfig");
  });

  test('no error leaves temporary files behind', () => {
    const cache = join(e.home, '.cache', 'sshpod');
    assert.deepEqual(readdirSync(cache).filter((name) => name.endsWith('.tmp') || name.endsWith('.lock')), []);
  });
});
