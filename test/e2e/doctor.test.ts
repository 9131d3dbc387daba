// sshpod doctor on the local cluster: everything passes on a configured machine; a context whose
// API server is gone, a permission RBAC refuses (all verbs, or only the `get` that some API
// servers check for WebSocket exec) and a broken block each give a ✘ with a hint and exit 1; the
// last failed connection is shown.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { container, e2eSkipReason, pod, startE2E, type E2E } from './harness.ts';

describe('sshpod doctor', { skip: e2eSkipReason() }, () => {
  let e: E2E;
  before(async () => {
    e = await startE2E({ objects: [pod('api', { containers: [container('main', 'busybox')] })] });
  });
  after(async () => {
    await e?.stop();
  });

  const lines = (text: string): string[] => text.split('\n').filter(Boolean);

  test('a configured machine and a reachable cluster: every check passes, exit 0', async () => {
    const result = await e.sshpod(['doctor']);
    assert.equal(result.code, 0, result.stdout);
    const out = lines(result.stdout);
    assert.ok(!out.some((line) => line.startsWith('✘')), result.stdout);
    for (const expected of [
      `✔ the sshpod block is in ${join(e.home, '.ssh', 'config')}`,
      '✔ ssh uses the sshpod block for *.sshpod names',
      '✔ ssh uses the sshpod block for names with a trailing dot (pod--x.sshpod.)',
      `✔ sshpod's directory ${join(e.home, '.cache', 'sshpod')} is 0700`,
      `✔ the client key ${join(e.home, '.cache', 'sshpod', 'id_ed25519')} is 0600`,
      `✔ ${join(e.home, '.cache', 'sshpod', 'known_hosts')} pins the local host key for *.sshpod`,
      '✔ the kubeconfig (' + (e.env['KUBECONFIG'] as string) + '): 1 context, current "sshpod-test"',
    ]) {
      assert.ok(out.includes(expected), `${expected}\nin:\n${result.stdout}`);
    }
    assert.ok(out.some((line) => /^✔ context "sshpod-test" \(current\): https:\/\/127\.0\.0\.1:\d+ answers \(Kubernetes v[\d.]+.*\) and accepts your credentials$/.test(line)), result.stdout);
    assert.ok(out.some((line) => /^✔ Node\.js v\d+/.test(line)) && out.some((line) => /^✔ OpenSSH_/.test(line)));
    assert.match(out.at(-1) ?? '', /^sshpod: all \d+ checks passed$/);
  });

  test('with a hostname: the permissions sshpod needs there', async () => {
    const result = await e.sshpod(['doctor', 'pod--api.sshpod']);
    assert.equal(result.code, 0, result.stdout);
    const out = lines(result.stdout);
    assert.ok(out.includes('· pod--api.sshpod: pod "api" in namespace "default", context "sshpod-test"'), result.stdout);
    assert.ok(out.includes('✔ you may get pods "api" in namespace "default"'));
    assert.ok(out.includes('✔ you may create and get pods/exec "api" in namespace "default"'));
    assert.ok(out.includes('✔ you may create and get pods/portforward "api" in namespace "default"'));
    assert.ok(out.includes('✔ you may patch pods/ephemeralcontainers "api" in namespace "default"'), result.stdout);
  });

  test('RBAC refusing the ephemeral container: a note saying what it means, not a ✘', async () => {
    e.cluster.deny({ user: 'admin', resource: 'pods/ephemeralcontainers', verb: 'patch', namespace: 'default' });
    try {
      const result = await e.sshpod(['doctor', 'pod--api.sshpod']);
      assert.equal(result.code, 0, result.stdout);
      const out = lines(result.stdout);
      const at = out.indexOf('· you may not patch pods/ephemeralcontainers "api" in namespace "default"');
      assert.ok(at >= 0, result.stdout);
      assert.equal(
        out[at + 1],
        '  containers with a shell are unaffected; a container without one (distroless, scratch) cannot be reached there: sshpod adds an ephemeral container beside it to run sshd, which takes patch on pods/ephemeralcontainers (as kubectl debug does): ask your cluster admin for it if you need those',
      );
      assert.ok(!out.some((line) => line.startsWith('✘')), result.stdout);
      assert.match(out.at(-1) ?? '', /^sshpod: all \d+ checks passed$/);
    } finally {
      e.cluster.resetAccess();
    }
  });

  test('RBAC refusing port-forward: a note that sshpod goes over exec, not a ✘', async () => {
    e.cluster.deny({ user: 'admin', resource: 'pods/portforward', namespace: 'default' });
    try {
      const result = await e.sshpod(['doctor', 'pod--api.sshpod']);
      assert.equal(result.code, 0, result.stdout);
      const out = lines(result.stdout);
      const at = out.indexOf('· you may not create and get pods/portforward "api" in namespace "default"');
      assert.ok(at >= 0, result.stdout);
      assert.match(out[at + 1] ?? '', /^ {2}sshpod carries SSH over the exec channel instead, by itself/);
      assert.ok(out.includes('✔ you may create and get pods/exec "api" in namespace "default"'));
    } finally {
      e.cluster.resetAccess();
    }
  });

  test('RBAC refusing exec: ✘ with what to ask for, exit 1', async () => {
    e.cluster.deny({ user: 'admin', resource: 'pods/exec', namespace: 'default' });
    try {
      const result = await e.sshpod(['doctor', 'pod--api.sshpod']);
      assert.equal(result.code, 1);
      const out = lines(result.stdout);
      const at = out.indexOf('✘ you may create and get pods/exec "api" in namespace "default"');
      assert.ok(at >= 0, result.stdout);
      assert.equal(
        out[at + 1],
        '  hint: ask your cluster admin for RBAC permission to create and get pods/exec "api" in namespace "default" (API servers differ in which of the two the WebSocket connection sshpod opens needs: grant both)',
      );
      assert.ok(out.includes('✔ you may create and get pods/portforward "api" in namespace "default"'));
      assert.match(out.at(-1) ?? '', /^sshpod: 1 of \d+ checks failed$/);
    } finally {
      e.cluster.resetAccess();
    }
  });

  test('only `get` on pods/exec refused (what a 1.20 API server checks for a WebSocket exec): ✘ too', async () => {
    e.cluster.deny({ user: 'admin', resource: 'pods/exec', verb: 'get', namespace: 'default' });
    try {
      const result = await e.sshpod(['doctor', 'pod--api.sshpod']);
      assert.equal(result.code, 1);
      assert.ok(lines(result.stdout).includes('✘ you may create and get pods/exec "api" in namespace "default" (get is refused)'), result.stdout);
    } finally {
      e.cluster.resetAccess();
    }
  });

  test('a context whose API server is gone: ✘ naming it, the others still checked', async () => {
    const gone = join(e.home, 'gone-kubeconfig');
    writeFileSync(
      gone,
      `apiVersion: v1
kind: Config
clusters: [{name: gone, cluster: {server: "https://127.0.0.1:9"}}]
users: [{name: nobody, user: {token: x}}]
contexts: [{name: gone, context: {cluster: gone, user: nobody}}]
`,
    );
    const result = await e.sshpod(['doctor'], { env: { KUBECONFIG: `${e.env['KUBECONFIG']}:${gone}` } });
    assert.equal(result.code, 1);
    const out = lines(result.stdout);
    const at = out.findIndex((line) => line.startsWith('✘ context "gone": cannot reach the Kubernetes API at https://127.0.0.1:9 (context "gone")'));
    assert.ok(at >= 0, result.stdout);
    assert.match(out[at + 1] ?? '', /^ {2}hint: check that the cluster is up and reachable from here/);
    assert.ok(out.some((line) => line.startsWith('✔ context "sshpod-test" (current)')));
  });

  test('a block shadowed by an earlier Host *: ✘ naming the line', async () => {
    const config = join(e.home, '.ssh', 'config');
    const original = readFileSync(config, 'utf8');
    writeFileSync(config, `Host *\n    ProxyCommand none\n\n${original}`);
    try {
      const result = await e.sshpod(['doctor']);
      assert.equal(result.code, 1);
      const out = lines(result.stdout);
      const at = out.indexOf('✘ ssh uses the sshpod block for *.sshpod names');
      assert.ok(at >= 0, result.stdout);
      assert.match(out[at + 1] ?? '', /^ {2}hint: ssh would run no ProxyCommand: earlier lines apply first \(line 2: ProxyCommand none\); run sshpod configure/);
    } finally {
      writeFileSync(config, original);
    }
  });

  test('the last failed connection is shown', async () => {
    await e.asPerson(['ssh', '-F', e.sshConfig, 'root@pod--apx.sshpod', 'true']);
    const result = await e.sshpod(['doctor']);
    const out = lines(result.stdout);
    const at = out.findIndex((line) => /^· last failure: root@pod--apx\.sshpod, \d+ seconds? ago \(.*\), shown by ssh$/.test(line));
    assert.ok(at >= 0, result.stdout);
    assert.equal(out[at + 1], '  sshpod: pod "apx" not found in namespace "default"');
    assert.equal(out[at + 2], '  hint: pods in namespace "default": api');
  });
});
