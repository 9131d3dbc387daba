// The real lane's side of the e2e harness: a namespace of the running real Kubernetes (started by
// `npm run test:real`, described by its ready.json) as an E2ECluster, so test/e2e/harness.ts drives
// ssh/scp/sftp/rsync against it exactly as against the stand-in. Objects go in through kubectl
// (a test tool here) with the lane's images, never pulled, on the one node. Pod deletion through
// the 1.20 kubelet can take 60–80 s: waits are generous, and nothing asserts a duration.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { attachE2E, type E2E, type E2ECluster } from '../e2e/harness.ts';
import { forRealCluster } from './cluster/config.ts';
import type { RealClusterInfo } from './cluster/access.ts';

/** Set by scripts/test-real.mjs: the running cluster's ready.json. */
const READY_ENV = 'SSHPOD_REAL_CLUSTER';

/** Why the real-lane suites cannot run here, or undefined. */
export function realLaneSkipReason(): string | undefined {
  if (!process.env[READY_ENV]) return 'no real Kubernetes is running for this run (npm run test:real builds and starts one)';
  return undefined;
}

export function realClusterInfo(): RealClusterInfo {
  return JSON.parse(readFileSync(process.env[READY_ENV] as string, 'utf8')) as RealClusterInfo;
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export type RealUser = 'admin' | 'getOnly' | 'createOnly';

/** One suite's namespace on the real cluster. */
export class RealNamespace implements E2ECluster {
  private readonly cacheDir = mkdtempSync(join(tmpdir(), 'sshpod-real-kubectl-'));

  constructor(
    readonly info: RealClusterInfo,
    readonly namespace: string,
  ) {}

  kubectl(args: string[], input?: string, user: RealUser = 'admin'): Promise<KubectlResult> {
    return new Promise((resolve, reject) => {
      const child = spawn('kubectl', ['--kubeconfig', this.info.kubeconfigs[user], '--cache-dir', this.cacheDir, '-n', this.namespace, ...args], {
        env: { ...process.env, HOME: this.cacheDir },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
      child.stdin.end(input ?? '');
    });
  }

  async mustKubectl(args: string[], input?: string): Promise<string> {
    const r = await this.kubectl(args, input);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${r.stderr}`);
    return r.stdout;
  }

  /** Creates (or updates) objects in this namespace; with `wait`, until every pod in it is Ready. */
  async apply(objects: object[], options: { wait?: boolean } = {}): Promise<void> {
    const items = objects.map((o) => forRealCluster(o));
    await this.mustKubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
    if (options.wait) await this.waitForReadyPods();
  }

  /** Waits until the namespace's pods exist and are all Ready (not those a Job finished). */
  async waitForReadyPods(timeoutS = 240): Promise<void> {
    const deadline = Date.now() + timeoutS * 1000;
    for (;;) {
      const pods = JSON.parse(await this.mustKubectl(['get', 'pods', '-o', 'json'])) as {
        items: { metadata: { name: string; deletionTimestamp?: string }; status?: { phase?: string; conditions?: { type: string; status: string }[] } }[];
      };
      const live = pods.items.filter((p) => !p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
      if (live.length > 0 && live.every((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))) return;
      if (Date.now() > deadline) throw new Error(`pods in ${this.namespace} not Ready after ${timeoutS} s: ${live.map((p) => `${p.metadata.name} ${p.status?.phase ?? '?'}`).join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  async podUid(name: string): Promise<string> {
    return (await this.mustKubectl(['get', 'pod', name, '-o', 'jsonpath={.metadata.uid}'])).trim();
  }

  /** Deletes an object and waits until it is gone (through the kubelet: up to a few minutes). */
  async deleteAndWait(kind: string, name: string): Promise<void> {
    await this.mustKubectl(['delete', kind, name, '--wait=true', '--timeout=300s']);
  }

  /** A kubeconfig for this namespace: the admin, a test user, or a bearer token. */
  kubeconfigText(user: RealUser | { token: string; name: string } = 'admin'): string {
    const source = JSON.parse(readFileSync(this.info.kubeconfigs.admin, 'utf8')) as { users: { user: Record<string, string> }[] };
    let name: string;
    let credentials: Record<string, string>;
    if (typeof user === 'object') {
      name = user.name;
      credentials = { token: user.token };
    } else {
      const file = JSON.parse(readFileSync(this.info.kubeconfigs[user], 'utf8')) as { users: { name: string; user: Record<string, string> }[] };
      const entry = file.users[0] ?? { name: user, user: source.users[0]?.user ?? {} };
      name = entry.name;
      credentials = {
        'client-certificate-data': readFileSync(entry.user['client-certificate'] as string).toString('base64'),
        'client-key-data': readFileSync(entry.user['client-key'] as string).toString('base64'),
      };
    }
    return JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'real', cluster: { server: this.info.server, 'certificate-authority-data': readFileSync(this.info.caFile).toString('base64') } }],
      users: [{ name, user: credentials }],
      contexts: [{ name: 'real', context: { cluster: 'real', user: name, namespace: this.namespace } }],
      'current-context': 'real',
    });
  }

  writeKubeconfigFor(path: string, user: RealUser | { token: string; name: string }): string {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileSync(path, this.kubeconfigText(user), { mode: 0o600 });
    return path;
  }

  async writeKubeconfig(path: string): Promise<void> {
    this.writeKubeconfigFor(path, 'admin');
  }

  /** The cluster's service-account token kubeconfig (bound cluster-wide to the README's Role), for this namespace. */
  serviceAccountKubeconfig(path: string): string {
    const file = JSON.parse(readFileSync(this.info.kubeconfigs.serviceAccount, 'utf8')) as { users: { name: string; user: { token: string } }[] };
    const user = file.users[0];
    if (!user) throw new Error(`${this.info.kubeconfigs.serviceAccount} has no user`);
    return this.writeKubeconfigFor(path, { name: user.name, token: user.user.token });
  }

  /** Ends the suite: its namespace goes (the kubelet finishes in the background; the run's stop removes what is left). */
  async stop(): Promise<void> {
    await this.kubectl(['delete', 'namespace', this.namespace, '--wait=false']).catch(() => undefined);
    rmSync(this.cacheDir, { recursive: true, force: true });
  }
}

/** A suite's namespace with its objects Ready, and a test HOME through the shared e2e harness. */
export async function startRealE2E(suite: string, objects: object[]): Promise<E2E<RealNamespace>> {
  const info = realClusterInfo();
  const ns = new RealNamespace(info, `e2e-${suite}`);
  await ns.mustKubectl(['create', 'namespace', ns.namespace]);
  // The ServiceAccount admission plugin refuses pods until the namespace's `default` ServiceAccount exists.
  for (let i = 0; i < 240 && (await ns.kubectl(['get', 'serviceaccount', 'default'])).code !== 0; i++) await new Promise((r) => setTimeout(r, 250));
  if (objects.length > 0) await ns.apply(objects, { wait: true });
  return attachE2E(ns);
}
