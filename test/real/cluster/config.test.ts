// The real lane's configuration is a pure function of its directories and ports: every piece of
// state under the run directory, only loopback addresses, and pod specs made runnable there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commands, containerdToml, forRealCluster, kubeletConfig, realImage, type Layout } from './config.ts';

const layout: Layout = { cacheDir: '/cache', runDir: '/run/x', ports: { etcdClient: 1001, etcdPeer: 1002, apiserver: 1003, kubelet: 1004 } };

test('containerd keeps its root, state, sockets and runc state under the run directory', () => {
  const toml = containerdToml(layout);
  for (const key of ['root', 'state']) assert.match(toml, new RegExp(`^${key} = "/run/x/`, 'm'));
  assert.match(toml, /address = "\/run\/x\/containerd\/containerd\.sock"/);
  assert.match(toml, /Root = "\/run\/x\/runc"/);
  assert.match(toml, /netns_mounts_under_state_dir = true/);
  assert.match(toml, /restrict_oom_score_adj = true/);
  assert.match(toml, /sandbox_image = "sshpod\.local\/pause:test"/);
  assert.doesNotMatch(toml, /\/var\/lib\/containerd|"\/run\/containerd/);
});

test('every component listens on loopback only', () => {
  const all = commands(layout).flatMap((c) => c.args).join(' ');
  // Every URL a component listens on or dials (the service-account issuer is a name, not an address).
  const urls = (all.match(/https?:\/\/[^\s,]+/g) ?? []).filter((u) => u !== 'https://kubernetes.default.svc.cluster.local');
  assert.ok(urls.length >= 5);
  for (const url of urls) assert.match(url, /^https?:\/\/127\.0\.0\.1:/, url);
  assert.match(all, /--bind-address=127\.0\.0\.1 .*--secure-port=1003 --insecure-port=0/);
  assert.equal(JSON.parse(kubeletConfig(layout)).address, '127.0.0.1');
  assert.equal(JSON.parse(kubeletConfig(layout)).readOnlyPort, 0);
});

test('pods and workload templates get the local images, never pulled, on the one node', () => {
  const deployment = forRealCluster({ kind: 'Deployment', spec: { template: { spec: { containers: [{ name: 'a', image: 'docker.io/library/busybox:1.36' }] } } } });
  assert.deepEqual(deployment.spec.template.spec, {
    containers: [{ name: 'a', image: 'sshpod.local/busybox:test', imagePullPolicy: 'Never' }],
    nodeName: '127.0.0.1',
    terminationGracePeriodSeconds: 2,
  });
  const p = forRealCluster({ kind: 'Pod', spec: { nodeName: 'other', containers: [{ name: 'a', image: 'debian' }] } });
  assert.equal(p.spec.nodeName, 'other');
  assert.equal(p.spec.containers[0]?.image, 'sshpod.local/debian:test');
  assert.equal(realImage('gcr.io/distroless/distroless:nonroot'), 'sshpod.local/distroless:test');
  assert.equal(realImage('sshpod.local/debian:test'), 'sshpod.local/debian:test');
});
