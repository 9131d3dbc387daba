// deploy/gateway/ checked by a real kube-apiserver (v1.20.2): `kubectl apply --dry-run=server` with
// -k and -f passes (RBAC, Deployment, Service and ConfigMap validated by the server itself). The
// namespace is created for real first (a dry run creates nothing, and namespaced objects need
// their namespace) and deleted at the end. The stand-in's twin is test/e2e/gateway-deploy.test.ts.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repo } from '../e2e/harness.ts';
import { realClusterInfo, realLaneSkipReason } from './harness.ts';

const deployDir = join(repo, 'deploy', 'gateway');

function kubectl(kubeconfig: string, cacheDir: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, ...args], { env: { ...process.env, HOME: cacheDir }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('deploy/gateway/ on a real Kubernetes', { skip: realLaneSkipReason(), timeout: 180_000 }, () => {
  let cacheDir: string;
  let k: (args: string[]) => ReturnType<typeof kubectl>;

  before(async () => {
    cacheDir = mkdtempSync(join(tmpdir(), 'sshpod-real-deploy-'));
    const kubeconfig = realClusterInfo().kubeconfigs.admin;
    k = (args) => kubectl(kubeconfig, cacheDir, args);
    const ns = await k(['apply', '-f', join(deployDir, '00-namespace.yaml')]);
    assert.equal(ns.code, 0, ns.stderr);
  });
  after(async () => {
    await k?.(['delete', 'namespace', 'sshpod-gateway', '--wait=false', '--ignore-not-found']);
    if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
  });

  for (const flag of ['-k', '-f']) {
    test(`kubectl apply --dry-run=server ${flag} deploy/gateway/ passes`, async () => {
      const result = await k(['apply', '--dry-run=server', flag, deployDir]);
      assert.equal(result.code, 0, result.stderr);
      for (const object of ['clusterrole.rbac.authorization.k8s.io/sshpod-gateway', 'deployment.apps/sshpod-gateway', 'service/sshpod-gateway', 'configmap/sshpod-gateway-users']) {
        assert.match(result.stdout, new RegExp(`^${object.replaceAll('.', '\\.')} .*\\(server dry run\\)$`, 'm'), result.stdout);
      }
    });
  }
});
