// The real lane: on-demand pods through kube-apiserver + kubelet v1.20 — made from a template file,
// reached, deleted when the connection ends (the 1.20 kubelet then takes its time to remove the
// object: the pod is Terminating at once, gone later); an image that cannot be had is explained.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sshpodLines, type E2E } from '../e2e/harness.ts';
import { forRealCluster } from './cluster/config.ts';
import { realLaneSkipReason, startRealE2E, type RealNamespace } from './harness.ts';

interface Listed {
  items: Array<{ metadata: { name: string; deletionTimestamp?: string; labels?: Record<string, string> } }>;
}

describe('on-demand pods on a real Kubernetes', { skip: realLaneSkipReason() }, () => {
  let e: E2E<RealNamespace>;
  const managed = async (): Promise<Listed['items']> => (JSON.parse(await e.cluster.mustKubectl(['get', 'pods', '-l', 'app.kubernetes.io/managed-by=sshpod', '-o', 'json'])) as Listed).items;
  before(async () => {
    e = await startRealE2E('ondemand', []);
    const dir = join(e.home, '.config', 'sshpod', 'templates');
    mkdirSync(dir, { recursive: true });
    // No scheduler in this lane, and images are never pulled: the lane's own rules for pods (JSON is YAML).
    const template = (image: string): string => JSON.stringify(forRealCluster({ apiVersion: 'v1', kind: 'Pod', spec: { containers: [{ name: 'main', image }] } }));
    writeFileSync(join(dir, 'box.yaml'), template('busybox'));
    writeFileSync(join(dir, 'missing.yaml'), template('sshpod.local/nothing:test'));
  });
  after(async () => {
    await e?.stop();
  });

  test('a pod made for the connection runs the session and is deleted when it ends', async () => {
    const result = await e.ssh('root@template--box.sshpod', ['hostname']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^sshpod-box-[a-z0-9]{5}\n$/);
    const name = result.stdout.trim();
    for (let i = 0; i < 100; i++) {
      const pod = (await managed()).find((p) => p.metadata.name === name);
      if (!pod || pod.metadata.deletionTimestamp) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.fail(`pod ${name} was not deleted`);
  });

  test('an image the node cannot have: the pod is explained and deleted', async () => {
    const result = await e.ssh('root@template--missing.sshpod', ['true']);
    assert.equal(result.code, 255);
    // The kubelet here takes seconds to report the image, so progress lines may come first.
    const message = sshpodLines(result.stderr).find((line) => line.startsWith('sshpod: the pod for template'));
    assert.match(message ?? result.stderr, /^sshpod: the pod for template "missing" \(sshpod-missing-[a-z0-9]{5} in namespace "e2e-ondemand"\) cannot start: ErrImageNeverPull/);
    const left = (await managed()).filter((p) => p.metadata.labels?.['sshpod/template'] === 'missing' && !p.metadata.deletionTimestamp);
    assert.deepEqual(left, []);
  });
});
