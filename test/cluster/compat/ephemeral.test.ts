// Ephemeral containers as kube-apiserver and kubelet serve them, proven with the real
// `kubectl debug`: the pods/ephemeralcontainers subresource (strategic merge patch), spec and
// status (ephemeralContainerStatuses), targetContainerName sharing the target's PID namespace
// (the target's process is PID 1 there and its root filesystem is /proc/1/root), the validation
// that keeps them from changing, RBAC naming the verb, and a cluster where the feature is off.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster } from '../index.ts';
import type { Cluster } from '../index.ts';
import type { Pod } from '../api/types.ts';
import { kubectl as runKubectl, kubectlSkipReason } from './helpers.ts';

const skip = kubectlSkipReason();

describe('ephemeral containers with kubectl debug', { skip, timeout: 180_000 }, () => {
  let cluster: Cluster;
  let dir: string;
  let kubeconfig: string;
  const k = (args: string[]) => runKubectl(kubeconfig, join(dir, 'cache'), args);
  const running = (name: string) => (pod: Pod | undefined) => Boolean(pod?.status?.ephemeralContainerStatuses?.find((s) => s.name === name)?.state.running);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sshpod-ephemeral-'));
    cluster = await startCluster({
      objects: [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'app' }, spec: { containers: [{ name: 'main', image: 'gcr.io/distroless/distroless:nonroot' }] } }],
    });
    kubeconfig = await cluster.writeKubeconfig(join(dir, 'kubeconfig'), {
      contexts: [
        { name: 'admin', user: 'admin', namespace: 'default' },
        { name: 'dev', user: 'dev', namespace: 'default' },
      ],
      currentContext: 'admin',
    });
  });

  after(async () => {
    await cluster?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('kubectl debug --target adds a container that shares the target PID namespace', async () => {
    const debug = await k(['debug', 'app', '--image=busybox:1.36', '--target=main', '-c', 'debugger', '--', 'sleep', '3600']);
    assert.equal(debug.code, 0, debug.stderr);
    assert.match(debug.stderr + debug.stdout, /Targeting container "main"/);
    const pod = await cluster.waitForPod('default', 'app', running('debugger'));
    const spec = pod?.spec.ephemeralContainers?.find((c) => c.name === 'debugger');
    assert.equal(spec?.targetContainerName, 'main');
    assert.equal(spec?.image, 'busybox:1.36');
    const status = pod?.status?.ephemeralContainerStatuses?.find((s) => s.name === 'debugger');
    assert.equal(status?.ready, false);
    assert.match(status?.containerID ?? '', /^containerd:\/\//);
    // The regular containers' statuses and readiness are not disturbed.
    assert.deepEqual(pod?.status?.containerStatuses?.map((s) => s.name), ['main']);
    assert.ok(pod?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));

    // PID 1 is the target's process; its root filesystem (the distroless image) is /proc/1/root.
    const cmdline = await k(['exec', 'app', '-c', 'debugger', '--', 'cat', '/proc/1/cmdline']);
    assert.equal(cmdline.code, 0, cmdline.stderr);
    assert.equal(cmdline.stdout.replace(/\0/g, ' ').trim(), '/sleeper');
    const listed = await k(['exec', 'app', '-c', 'debugger', '--', 'ls', '/proc/1/root/']);
    assert.match(listed.stdout, /^sleeper$/m);
    // Its own filesystem is the busybox image's.
    const own = await k(['exec', 'app', '-c', 'debugger', '--', 'ls', '/bin/busybox']);
    assert.equal(own.code, 0, own.stderr);

    const described = await k(['get', 'pod', 'app', '-o', 'jsonpath={.spec.ephemeralContainers[*].name} {.status.ephemeralContainerStatuses[*].name}']);
    assert.equal(described.stdout, 'debugger debugger');
  });

  test('without --target the ephemeral container has a PID namespace of its own', async () => {
    const debug = await k(['debug', 'app', '--image=busybox', '-c', 'alone', '--', 'sleep', '3600']);
    assert.equal(debug.code, 0, debug.stderr);
    await cluster.waitForPod('default', 'app', running('alone'));
    const cmdline = await k(['exec', 'app', '-c', 'alone', '--', 'cat', '/proc/1/cmdline']);
    assert.equal(cmdline.stdout.replace(/\0/g, ' ').trim(), 'sleep 3600');
  });

  test('validation: names stay unique, the target must exist, existing ones never change', async () => {
    const again = await k(['debug', 'app', '--image=busybox', '--target=main', '-c', 'main', '--', 'true']);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /spec\.ephemeralContainers\[\d\]\.name: Duplicate value: "main"/);
    const target = await k(['debug', 'app', '--image=busybox', '--target=nosuch', '-c', 'x', '--', 'true']);
    assert.notEqual(target.code, 0);
    assert.match(target.stderr, /targetContainerName: Invalid value: "nosuch": must be a container in the pod/);
    const patched = await k(['patch', 'pod', 'app', '--subresource=ephemeralcontainers', '--type=json', '-p', '[{"op":"remove","path":"/spec/ephemeralContainers/0"}]']);
    if (!/unknown flag|invalid subresource|--subresource must be one of/.test(patched.stderr)) {
      assert.notEqual(patched.code, 0);
      assert.match(patched.stderr, /existing ephemeral containers "debugger" may not be removed/);
    }
    // The main resource cannot add or remove them either: an update keeps them as they are.
    const pod = cluster.get('pods', 'default', 'app') as Pod;
    assert.deepEqual(pod.spec.ephemeralContainers?.map((c) => c.name), ['debugger', 'alone']);
  });

  test('RBAC: a user without patch on pods/ephemeralcontainers is told so', async () => {
    cluster.deny({ user: 'dev', resource: 'pods/ephemeralcontainers', verb: 'patch' });
    try {
      const denied = await k(['--context', 'dev', 'debug', 'app', '--image=busybox', '--target=main', '--', 'true']);
      assert.notEqual(denied.code, 0);
      assert.match(denied.stderr, /pods "app" is forbidden: User "dev" cannot patch resource "pods\/ephemeralcontainers" in API group "" in the namespace "default"/);
    } finally {
      cluster.resetAccess();
    }
  });

  test('a cluster with the feature off answers 404, which kubectl names', async () => {
    cluster.setEphemeralContainers(false);
    try {
      const off = await k(['debug', 'app', '--image=busybox', '--target=main', '--', 'true']);
      assert.notEqual(off.code, 0);
      assert.match(off.stderr, /ephemeral containers are disabled for this cluster/);
    } finally {
      cluster.setEphemeralContainers(true);
    }
  });
});
