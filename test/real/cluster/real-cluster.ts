// Starts and stops the real lane's single-node Kubernetes on 127.0.0.1: etcd, containerd, kube-apiserver,
// kube-controller-manager and kubelet as child processes, every one with its state under one run
// directory. stop() (and cleanupLeftovers() after a crash) ends every process it started, removes
// its containers, mounts, network bridge and cgroups, and the few host directories the kubelet and
// CNI insist on creating (only when this run created them). Binaries and images come from the
// cache that build-kubernetes.sh and build-images.sh fill.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, rmdirSync, statSync, writeFileSync, closeSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { request } from 'node:https';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { clientCertificate, loadOrCreatePki, type ClusterPki, type KeyPairPem } from '../../cluster/pki/certs.ts';
import { BRIDGE, IMAGES, NODE_NAME, cniConflist, commands, containerdToml, kubeletConfig, paths, type Layout, type Ports } from './config.ts';
import { rbacObjects, SERVICE_ACCOUNT, TEST_USERS, type RealClusterInfo } from './access.ts';

export const DEFAULT_CACHE_DIR = process.env['SSHPOD_REAL_CACHE'] ?? '/var/cache/sshpod-real-k8s';
export const DEFAULT_RUN_DIR = '/run/sshpod-real-k8s';

/** Host directories the 1.20 kubelet and libcni create whatever they are told; removed at stop if this run made them. */
const HOST_DIRS = ['/var/log/pods', '/var/log/containers', '/var/lib/cni', '/run/containerd', '/etc/cni', '/opt/cni', '/var/lib/kubelet'];

export interface StartOptions {
  cacheDir?: string;
  runDir?: string;
  log?: (line: string) => void;
}

export interface RealCluster {
  info: RealClusterInfo;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function write(path: string, content: string, mode = 0o600): void {
  mkdirSync(join(path, '..'), { recursive: true, mode: 0o700 });
  writeFileSync(path, content, { mode });
}

function kubeconfigText(info: { server: string; caFile: string }, user: string, credentials: Record<string, string>, namespace = 'default'): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'real', cluster: { server: info.server, 'certificate-authority': info.caFile } }],
    users: [{ name: user, user: credentials }],
    contexts: [{ name: 'real', context: { cluster: 'real', user, namespace } }],
    'current-context': 'real',
  });
}

function certFiles(dir: string, name: string, pair: KeyPairPem): { crt: string; key: string } {
  const crt = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  write(crt, pair.certPem, 0o644);
  write(key, pair.keyPem);
  return { crt, key };
}

/** GET on the API server with a client certificate: status code and body. */
function apiGet(info: { server: string; caFile: string }, cert: { crt: string; key: string }, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = request(
      new URL(path, info.server),
      { ca: readFileSync(info.caFile), cert: readFileSync(cert.crt), key: readFileSync(cert.key), timeout: 5000 },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', () => resolve({ status: 0, body: '' }));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

async function waitUntil(what: string, check: () => Promise<boolean> | boolean, timeoutMs: number, died?: () => string | undefined): Promise<void> {
  const start = Date.now();
  for (;;) {
    if (await check()) return;
    const dead = died?.();
    if (dead) throw new Error(`${what}: ${dead}`);
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
    await sleep(250);
  }
}

function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Mount points at or under `dir`, deepest first. */
function mountsUnder(dir: string): string[] {
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4]?.replace(/\\040/g, ' '))
    .filter((m): m is string => !!m && (m === dir || m.startsWith(`${dir}/`)));
  return [...new Set(mounts)].sort((a, b) => b.length - a.length);
}

/** Processes whose command line contains `needle` (our containerd's socket path names its shims). */
function pidsWithArg(needle: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').some((arg) => arg.includes(needle))) pids.push(Number(entry));
    } catch {
      // gone
    }
  }
  return pids;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Empty cgroups the kubelet and runc made (kubepods…), in every v1 hierarchy, deepest first. */
function removeKubeCgroups(): void {
  const root = '/sys/fs/cgroup';
  let hierarchies: string[] = [];
  try {
    hierarchies = readdirSync(root).map((h) => join(root, h));
  } catch {
    return;
  }
  const removeTree = (dir: string): void => {
    let entries: string[] = [];
    try {
      entries = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => join(dir, e.name));
    } catch {
      return;
    }
    entries.forEach(removeTree);
    try {
      rmdirSync(dir);
    } catch {
      // still has processes, or not ours
    }
  };
  for (const h of [root, ...hierarchies]) {
    for (const name of ['kubepods', 'kubepods.slice']) if (existsSync(join(h, name))) removeTree(join(h, name));
  }
}

/**
 * Ends everything a run in `runDir` started, whether this process started it or a crashed one did:
 * the processes recorded in pids.json, the containers (their shims name our socket), mounts under
 * the run directory, the bridge, kube cgroups, the host directories the run created; then the run directory.
 */
export async function cleanupLeftovers(runDir: string, log: (line: string) => void = () => undefined): Promise<void> {
  if (!existsSync(runDir)) return;
  const layout: Layout = { cacheDir: DEFAULT_CACHE_DIR, runDir, ports: { etcdClient: 0, etcdPeer: 0, apiserver: 0, kubelet: 0 } };
  const p = paths(layout);
  let recorded: Record<string, number> = {};
  try {
    recorded = JSON.parse(readFileSync(join(runDir, 'pids.json'), 'utf8')) as Record<string, number>;
  } catch {
    // none recorded
  }
  const stopPids = async (pids: number[], signal: NodeJS.Signals): Promise<void> => {
    for (const pid of pids) if (alive(pid)) process.kill(pid, signal);
    for (let i = 0; i < 40 && pids.some(alive); i++) await sleep(250);
    for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 20 && pids.some(alive); i++) await sleep(100);
  };
  // The control plane first, so nothing restarts what is being removed.
  const byName = (name: string): number[] => (recorded[name] && alive(recorded[name]) && pidsWithArg(runDir).includes(recorded[name]) ? [recorded[name]] : []);
  await stopPids([...byName('kubelet'), ...byName('kube-controller-manager'), ...byName('kube-apiserver')], 'SIGTERM');

  // Containers: kill and delete every task and container through containerd while it runs.
  if (existsSync(p.containerdSocket) && byName('containerd').length) {
    const ctr = (args: string[]): string =>
      spawnSync('ctr', ['--address', p.containerdSocket, '--namespace', 'k8s.io', ...args], { encoding: 'utf8', timeout: 30_000 }).stdout ?? '';
    const tasks = ctr(['tasks', 'ls', '-q']).split('\n').filter(Boolean);
    for (const id of tasks) ctr(['tasks', 'kill', '--signal', 'SIGKILL', id]);
    for (const id of tasks) ctr(['tasks', 'delete', '--force', id]);
    for (const id of ctr(['containers', 'ls', '-q']).split('\n').filter(Boolean)) ctr(['containers', 'delete', id]);
    log(`removed ${tasks.length} container tasks`);
  }
  // Shims still running (containerd gone, or a task that would not die) and what they run.
  const shims = pidsWithArg(p.containerdSocket).filter((pid) => pid !== recorded['containerd']);
  await stopPids([...byName('containerd'), ...shims], 'SIGTERM');
  await stopPids(byName('etcd'), 'SIGTERM');

  for (const mount of mountsUnder(runDir)) {
    const r = spawnSync('umount', ['--lazy', mount], { encoding: 'utf8' });
    if (r.status !== 0) log(`umount ${mount}: ${r.stderr.trim()}`);
  }
  spawnSync('ip', ['link', 'delete', BRIDGE], { stdio: 'ignore' });
  removeKubeCgroups();

  let created: string[] = [];
  try {
    created = JSON.parse(readFileSync(join(runDir, 'created-host-dirs.json'), 'utf8')) as string[];
  } catch {
    // none recorded
  }
  for (const dir of created) rmSync(dir, { recursive: true, force: true });
  rmSync(runDir, { recursive: true, force: true });
}

export async function startRealCluster(options: StartOptions = {}): Promise<RealCluster> {
  const cacheDir = options.cacheDir ?? DEFAULT_CACHE_DIR;
  const runDir = options.runDir ?? DEFAULT_RUN_DIR;
  const log = options.log ?? (() => undefined);
  for (const b of ['kube-apiserver', 'kubelet', 'kube-controller-manager']) {
    if (!existsSync(join(cacheDir, 'bin', b))) throw new Error(`${join(cacheDir, 'bin', b)} is missing: run test/real/cluster/build-kubernetes.sh`);
  }
  for (const image of IMAGES) {
    if (!existsSync(join(cacheDir, 'images', `${image}.tar`))) throw new Error(`image ${image} is missing: run test/real/cluster/build-images.sh`);
  }

  await cleanupLeftovers(runDir, log);
  mkdirSync(runDir, { recursive: true, mode: 0o700 });
  writeFileSync(join(runDir, 'created-host-dirs.json'), JSON.stringify(HOST_DIRS.filter((d) => !existsSync(d))));

  const ports: Ports = { etcdClient: await freePort(), etcdPeer: await freePort(), apiserver: await freePort(), kubelet: await freePort() };
  const layout: Layout = { cacheDir, runDir, ports };
  const p = paths(layout);
  rmSync(p.logs, { recursive: true, force: true });
  for (const dir of [p.pki, p.kubeconfigs, p.logs, p.cniConfDir, p.kubeletRoot]) mkdirSync(dir, { recursive: true, mode: 0o700 });

  // PKI: one CA; its serving certificate (127.0.0.1 and the kubernetes names) serves the API server and the kubelet.
  const pki: ClusterPki = loadOrCreatePki(p.pki);
  const caFile = join(p.pki, 'ca.crt');
  write(caFile, pki.ca.certPem, 0o644);
  certFiles(p.pki, 'apiserver', pki.server);
  certFiles(p.pki, 'kubelet', pki.server);
  certFiles(p.pki, 'apiserver-kubelet-client', clientCertificate(p.pki, pki, 'kube-apiserver-kubelet-client', ['system:masters']));
  const sa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  write(join(p.pki, 'sa.key'), sa.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString());
  write(join(p.pki, 'sa.pub'), sa.publicKey.export({ type: 'spki', format: 'pem' }).toString(), 0o644);

  const server = `https://127.0.0.1:${ports.apiserver}`;
  const base = { server, caFile };
  const userKubeconfig = (file: string, user: string, groups: string[]): { crt: string; key: string } => {
    const cert = certFiles(p.pki, user.replace(/[^a-z0-9.-]/gi, '_'), clientCertificate(p.pki, pki, user, groups));
    write(join(p.kubeconfigs, file), kubeconfigText(base, user, { 'client-certificate': cert.crt, 'client-key': cert.key }));
    return cert;
  };
  const admin = userKubeconfig('admin.kubeconfig', 'sshpod-admin', ['system:masters']);
  userKubeconfig('controller-manager.kubeconfig', 'system:kube-controller-manager', []);
  userKubeconfig('kubelet.kubeconfig', `system:node:${NODE_NAME}`, ['system:nodes']);
  for (const user of Object.values(TEST_USERS)) userKubeconfig(`${user}.kubeconfig`, user, []);

  write(p.containerdConfig, containerdToml(layout));
  write(join(p.cniConfDir, '10-sshpod.conflist'), cniConflist(layout), 0o644);
  write(p.kubeletConfig, kubeletConfig(layout));

  const children = new Map<string, ChildProcess>();
  const exits = new Map<string, string>();
  const pids: Record<string, number> = {};
  const startProcess = (name: string): void => {
    const command = commands(layout).find((c) => c.name === name);
    if (!command) throw new Error(`no command ${name}`);
    const logFile = join(p.logs, `${name}.log`);
    const fd = openSync(logFile, 'a');
    const child = spawn(command.file, command.args, { stdio: ['ignore', fd, fd], env: { PATH: process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin', HOME: runDir } });
    closeSync(fd);
    children.set(name, child);
    pids[name] = child.pid ?? 0;
    writeFileSync(join(runDir, 'pids.json'), JSON.stringify(pids));
    child.on('exit', (code, signal) => exits.set(name, `${name} exited (${code ?? signal}); its log ends:\n${tail(logFile)}`));
  };
  const died = (name: string) => () => exits.get(name);

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await cleanupLeftovers(runDir, log);
  };

  try {
    const startedAt = Date.now();
    startProcess('etcd');
    await waitUntil('etcd', async () => (await fetch(`http://127.0.0.1:${ports.etcdClient}/health`).then((r) => r.ok).catch(() => false)), 60_000, died('etcd'));
    startProcess('containerd');
    await waitUntil('containerd', () => existsSync(p.containerdSocket), 60_000, died('containerd'));
    for (const image of IMAGES) {
      const r = spawnSync('ctr', ['--address', p.containerdSocket, '--namespace', 'k8s.io', 'images', 'import', '--no-unpack', join(cacheDir, 'images', `${image}.tar`)], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`ctr images import ${image}: ${r.stderr}`);
    }
    log(`etcd and containerd up, images imported (${Math.round((Date.now() - startedAt) / 1000)} s)`);
    startProcess('kube-apiserver');
    await waitUntil('kube-apiserver', async () => (await apiGet(base, admin, '/readyz')).status === 200, 120_000, died('kube-apiserver'));
    log(`kube-apiserver ready (${Math.round((Date.now() - startedAt) / 1000)} s)`);
    const applied = spawnSync('kubectl', ['--kubeconfig', join(p.kubeconfigs, 'admin.kubeconfig'), 'apply', '-f', '-'], {
      input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: rbacObjects() }),
      encoding: 'utf8',
      env: { ...process.env, HOME: runDir },
    });
    if (applied.status !== 0) throw new Error(`kubectl apply (RBAC): ${applied.stderr}`);
    startProcess('kube-controller-manager');
    startProcess('kubelet');
    await waitUntil(
      `node ${NODE_NAME} to be Ready`,
      async () => {
        const r = await apiGet(base, admin, `/api/v1/nodes/${NODE_NAME}`);
        if (r.status !== 200) return false;
        const node = JSON.parse(r.body) as { status?: { conditions?: { type: string; status: string }[] } };
        return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
      },
      180_000,
      () => died('kubelet')() ?? died('kube-controller-manager')() ?? died('containerd')(),
    );
    // The default ServiceAccount must exist before a pod can be created (the ServiceAccount admission plugin).
    await waitUntil('the default ServiceAccount', async () => (await apiGet(base, admin, '/api/v1/namespaces/default/serviceaccounts/default')).status === 200, 60_000, died('kube-controller-manager'));
    // The service account's token: 1.20's token controller (in kube-controller-manager) puts it in a Secret.
    let token = '';
    await waitUntil(
      `a token for ServiceAccount ${SERVICE_ACCOUNT.name}`,
      async () => {
        const sa = await apiGet(base, admin, `/api/v1/namespaces/${SERVICE_ACCOUNT.namespace}/serviceaccounts/${SERVICE_ACCOUNT.name}`);
        const secret = sa.status === 200 ? (JSON.parse(sa.body) as { secrets?: { name: string }[] }).secrets?.[0]?.name : undefined;
        if (!secret) return false;
        const got = await apiGet(base, admin, `/api/v1/namespaces/${SERVICE_ACCOUNT.namespace}/secrets/${secret}`);
        token = got.status === 200 ? Buffer.from((JSON.parse(got.body) as { data?: { token?: string } }).data?.token ?? '', 'base64').toString('utf8') : '';
        return token !== '';
      },
      60_000,
      died('kube-controller-manager'),
    );
    write(join(p.kubeconfigs, 'service-account.kubeconfig'), kubeconfigText(base, `system:serviceaccount:${SERVICE_ACCOUNT.namespace}:${SERVICE_ACCOUNT.name}`, { token }));
    log(`node ready (${Math.round((Date.now() - startedAt) / 1000)} s)`);
  } catch (error) {
    await stop();
    throw error;
  }

  const info: RealClusterInfo = {
    server,
    caFile,
    kubeconfigs: {
      admin: join(p.kubeconfigs, 'admin.kubeconfig'),
      getOnly: join(p.kubeconfigs, `${TEST_USERS.getOnly}.kubeconfig`),
      createOnly: join(p.kubeconfigs, `${TEST_USERS.createOnly}.kubeconfig`),
      serviceAccount: join(p.kubeconfigs, 'service-account.kubeconfig'),
    },
    users: TEST_USERS,
    logs: p.logs,
    version: 'v1.20.2',
  };
  writeFileSync(`${p.ready}.tmp`, JSON.stringify(info, null, 2));
  spawnSync('mv', [`${p.ready}.tmp`, p.ready]);
  return { info, stop };
}

/** The size of a directory tree in bytes (the cache, for the report). */
export function treeSize(dir: string): number {
  let total = 0;
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.isFile()) total += statSync(full).size;
    }
  };
  if (existsSync(dir)) walk(dir);
  return total;
}
