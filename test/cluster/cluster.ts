// The test cluster as one object: state directory, certificates, object store and registry,
// controllers, the kubelet glue over the container runtime, and the HTTPS API server. Test
// code and the `npm run cluster` command both start it through startCluster().
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Runtime } from './runtime/types.ts';
import { createRuntime, prepareImages } from './runtime/index.ts';
import { Store } from './api/store.ts';
import { Registry } from './api/registry.ts';
import { StatusError } from './api/status.ts';
import type { Json, KubeObject, Pod, StoredObject } from './api/types.ts';
import type { ResourceType } from './api/resources.ts';
import { findKind, resourceByName, resourceTypes } from './api/resources.ts';
import { Authenticator } from './api/authn.ts';
import { ServiceAccountTokens } from './api/service-account-tokens.ts';
import { Authorizer } from './api/authz.ts';
import type { AccessRule } from './api/authz.ts';
import { RequestLog } from './api/request-log.ts';
import type { RequestRecord } from './api/request-log.ts';
import { ApiServer } from './api/server.ts';
import { serverVersion } from './api/discovery.ts';
import { Kubelet } from './kubelet/kubelet.ts';
import { startControllers } from './controllers/index.ts';
import { clientCertificate, loadOrCreatePki } from './pki/certs.ts';
import type { ClusterPki } from './pki/certs.ts';
import { renderKubeconfig } from './kubeconfig.ts';
import type { ClusterUser, KubeconfigContext } from './kubeconfig.ts';
import { flattenObjects, parseManifests } from './manifests.ts';
import { claimDir, cleanStaleRuns, createRunDir, isDirOwnedByLiveProcess } from './state-dir.ts';
import { PodWaitError, describePod, podCondition } from './pod-wait.ts';
import type { PodCondition } from './pod-wait.ts';

export type { AccessRule, ClusterUser, KubeconfigContext, PodCondition, RequestRecord };
export { PodWaitError };

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const clusterName = 'sshpod-test';
export const nodeName = 'sshpod-test-node';
const hostIP = '172.18.0.2';

export class ClusterError extends Error {}

export interface ClusterOptions {
  /** This cluster's state directory (default: a fresh one under <cacheDir>/cluster/runs). */
  stateDir?: string;
  /** Certificates (cluster/pki), images (images/) and run directories live here. Default <repo>/.cache. */
  cacheDir?: string;
  /** Manifest files (YAML or JSON) applied once the API server is up. */
  manifests?: string[];
  /** Objects applied after the manifests. */
  objects?: object[];
  /** Wait until the pods of manifests and objects run (default true). */
  waitForPods?: boolean;
  /** Listen address; default 127.0.0.1 and a free port. */
  host?: string;
  port?: number;
  /** Diagnostics (default: stderr when SSHPOD_CLUSTER_DEBUG is set). */
  log?: (line: string) => void;
  /** A runtime to use instead of the real one (tests of this package only). */
  runtime?: Runtime;
  /**
   * The WebSocket exec protocols the API server accepts (default: all it implements). ['v4.channel.k8s.io']
   * behaves like kube-apiserver before 1.30, where stdin cannot be half-closed.
   */
  execProtocols?: string[];
  /**
   * kube-apiserver 1.35's AuthorizePodWebsocketUpgradeCreatePermission (default true): a WebSocket
   * exec/attach/port-forward needs `create` as well as `get`. false behaves like 1.20–1.34, where
   * `get` alone lets it in and a 403 names `get`. Also settable later: setWebsocketUpgradeCreateCheck().
   */
  websocketUpgradeCreateCheck?: boolean;
  /**
   * How long after a pod's deletion its open port-forwards end (default 3000 ms, as kubelet +
   * containerd take once the container is killed): a normal WebSocket close (1000), no error frame.
   */
  portForwardCloseDelayMs?: number;
  /** Whether pods/ephemeralcontainers is served (default true); false answers 404 as a cluster
   *  with the EphemeralContainers feature off does. Also settable later: setEphemeralContainers(). */
  ephemeralContainers?: boolean;
}

export interface ApplyOptions {
  /** Wait until pods of the applied objects run (Ready, or finished for pods that exit). */
  wait?: boolean;
  timeoutMs?: number;
}

export interface WriteKubeconfigOptions {
  contexts?: KubeconfigContext[];
  currentContext?: string;
}

function defaultLog(line: string): void {
  if (process.env.SSHPOD_CLUSTER_DEBUG) process.stderr.write(`cluster: ${line}\n`);
}

function checkHost(): void {
  if (process.platform !== 'linux') throw new ClusterError(`the sshpod test cluster runs on Linux only (this is ${process.platform})`);
  if (process.getuid?.() !== 0) throw new ClusterError('the sshpod test cluster needs root (it creates namespaces, mounts and cgroups for its containers): run it with sudo, or as root in CI');
}

export class Cluster {
  readonly server: string;
  readonly caPem: string;
  readonly stateDir: string;
  readonly kubeconfigPath: string;
  readonly registry: Registry;
  private readonly pki: ClusterPki;
  private readonly pkiDir: string;
  private readonly authenticator: Authenticator;
  private readonly authorizer: Authorizer;
  private readonly log: RequestLog;
  private readonly userTable = new Map<string, ClusterUser>();
  private readonly kubelet: Kubelet;
  private readonly api: ApiServer;
  private readonly controllers: { stop(): void }[];
  private stopping: Promise<void> | undefined;

  /** @internal use startCluster() */
  constructor(parts: {
    stateDir: string;
    pki: ClusterPki;
    pkiDir: string;
    registry: Registry;
    authenticator: Authenticator;
    authorizer: Authorizer;
    requestLog: RequestLog;
    kubelet: Kubelet;
    api: ApiServer;
    controllers: { stop(): void }[];
  }) {
    this.stateDir = parts.stateDir;
    this.pki = parts.pki;
    this.pkiDir = parts.pkiDir;
    this.caPem = parts.pki.ca.certPem;
    this.registry = parts.registry;
    this.authenticator = parts.authenticator;
    this.authorizer = parts.authorizer;
    this.log = parts.requestLog;
    this.kubelet = parts.kubelet;
    this.api = parts.api;
    this.controllers = parts.controllers;
    this.server = parts.api.url;
    this.kubeconfigPath = join(parts.stateDir, 'kubeconfig');
  }

  // ---- users and kubeconfigs ---------------------------------------------------------------

  /** Adds a user authenticated by a bearer token or a client certificate (CN = name, O = groups). */
  addUser(name: string, options: { auth: 'token' | 'certificate'; groups?: string[] }): ClusterUser {
    const groups = options.groups ?? [];
    const user: ClusterUser = { name, groups, auth: options.auth };
    if (options.auth === 'token') {
      user.token = randomBytes(24).toString('hex');
      this.authenticator.addToken(user.token, { name, groups });
    } else {
      const pair = clientCertificate(this.pkiDir, this.pki, name, groups);
      user.certPem = pair.certPem;
      user.keyPem = pair.keyPem;
    }
    this.userTable.set(name, user);
    return user;
  }

  /**
   * A ServiceAccount (created if absent) and a bearer token for it, as the token a pod of that
   * account mounts: user system:serviceaccount:NS:NAME, groups system:serviceaccounts and
   * system:serviceaccounts:NS. Its kubeconfig context names the user by that name.
   */
  async addServiceAccount(namespace: string, name: string): Promise<ClusterUser> {
    const type = resourceByName('serviceaccounts') as ResourceType;
    if (!this.registry.tryGet(type, namespace, name)) await this.apply({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } });
    return this.addUser(`system:serviceaccount:${namespace}:${name}`, { auth: 'token', groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`] });
  }

  users(): ClusterUser[] {
    return [...this.userTable.values()];
  }

  user(name: string): ClusterUser {
    const u = this.userTable.get(name);
    if (!u) throw new ClusterError(`no test cluster user "${name}" (known: ${[...this.userTable.keys()].join(', ')})`);
    return u;
  }

  /** The kubeconfig text; by default one context `sshpod-test` for admin in namespace default. */
  kubeconfig(options: WriteKubeconfigOptions = {}): string {
    const contexts = options.contexts ?? [{ name: clusterName, user: 'admin', namespace: 'default' }];
    return renderKubeconfig({
      clusterName,
      server: this.server,
      caPem: this.caPem,
      users: this.users(),
      contexts,
      currentContext: options.currentContext ?? contexts[0]?.name ?? clusterName,
    });
  }

  async writeKubeconfig(path: string, options: WriteKubeconfigOptions = {}): Promise<string> {
    await mkdir(dirname(resolve(path)), { recursive: true });
    // Written aside and renamed: scripts (and npm run cluster's callers) take the file's
    // appearance as "ready" and read it at once, so it must never be seen half written.
    const partial = `${path}.${process.pid}.partial`;
    await writeFile(partial, this.kubeconfig(options), { mode: 0o600 });
    await rename(partial, path);
    return path;
  }

  // ---- objects ------------------------------------------------------------------------------

  private typeOf(obj: KubeObject): ResourceType {
    const type = findKind(obj.apiVersion, obj.kind);
    if (!type || type.createOnly) throw new ClusterError(`the test cluster does not serve ${obj.kind} (${obj.apiVersion}); it knows ${resourceTypes.filter((t) => !t.createOnly).map((t) => t.kind).join(', ')}`);
    return type;
  }

  /** Creates objects (YAML/JSON text, one object, or a list; Namespaces first), or updates
   *  existing ones with a strategic merge as `kubectl apply` does. */
  async apply(input: string | object | object[], options: ApplyOptions = {}): Promise<StoredObject[]> {
    const objects = typeof input === 'string' ? parseManifests(input) : flattenObjects(Array.isArray(input) ? input : [input], 'apply');
    const ordered = [...objects.filter((o) => o.kind === 'Namespace'), ...objects.filter((o) => o.kind !== 'Namespace')];
    const applied: StoredObject[] = [];
    for (const obj of ordered) {
      const type = this.typeOf(obj);
      const namespace = type.namespaced ? (obj.metadata.namespace ?? 'default') : '';
      const name = obj.metadata.name ?? '';
      const existing = name ? this.registry.tryGet(type, namespace, name) : undefined;
      if (existing && !existing.metadata.deletionTimestamp) {
        // Like `kubectl apply` (without pruning fields a previous apply set): a strategic merge.
        const { status: _status, ...patch } = obj;
        void _status;
        const { resourceVersion: _rv, ...metadata } = obj.metadata;
        void _rv;
        applied.push(this.registry.patch(type, namespace, name, 'strategic', { ...patch, metadata } as unknown as Json));
      } else {
        if (existing) await this.waitFor(type, namespace, name, (o) => o === undefined, options.timeoutMs ?? 60_000, 'to finish deleting');
        applied.push(this.registry.create(type, namespace, obj));
      }
    }
    if (options.wait) await Promise.all(applied.map((o) => this.waitForWorkload(o, options.timeoutMs ?? 120_000)));
    return applied;
  }

  get(resource: string, namespace: string, name: string): StoredObject | undefined {
    const type = resourceByName(resource);
    if (!type) throw new ClusterError(`unknown resource "${resource}"`);
    return this.registry.tryGet(type, namespace, name);
  }

  list(resource: string, namespace = '', labelSelector = ''): StoredObject[] {
    const type = resourceByName(resource);
    if (!type) throw new ClusterError(`unknown resource "${resource}"`);
    return this.registry.list(type, namespace, { labelSelector }).items;
  }

  /** Deletes an object as `kubectl delete` does (background propagation); with wait, until it is gone. */
  async delete(resource: string, namespace: string, name: string, options: { wait?: boolean; gracePeriodSeconds?: number; timeoutMs?: number } = {}): Promise<void> {
    const type = resourceByName(resource);
    if (!type) throw new ClusterError(`unknown resource "${resource}"`);
    try {
      const opts: { propagationPolicy: 'Background'; gracePeriodSeconds?: number } = { propagationPolicy: 'Background' };
      if (options.gracePeriodSeconds !== undefined) opts.gracePeriodSeconds = options.gracePeriodSeconds;
      this.registry.delete(type, namespace, name, opts);
    } catch (error) {
      if (error instanceof StatusError && error.status.code === 404) return;
      throw error;
    }
    if (options.wait) await this.waitFor(type, namespace, name, (o) => o === undefined, options.timeoutMs ?? 60_000, 'to be deleted');
  }

  private waitFor(type: ResourceType, namespace: string, name: string, done: (obj: StoredObject | undefined) => boolean, timeoutMs: number, what: string): Promise<StoredObject | undefined> {
    return new Promise((resolvePromise, reject) => {
      const check = (): boolean => {
        const obj = this.registry.tryGet(type, namespace, name);
        if (!done(obj)) return false;
        cleanup();
        resolvePromise(obj);
        return true;
      };
      const unsubscribe = this.registry.store.subscribe((e) => {
        if (e.resource === type && e.object.metadata.name === name) queueMicrotask(check);
      });
      const timer = setTimeout(() => {
        cleanup();
        reject(new ClusterError(`timed out after ${timeoutMs} ms waiting for ${type.resource} ${namespace ? `${namespace}/` : ''}${name} ${what}`));
      }, timeoutMs);
      const cleanup = (): void => {
        unsubscribe();
        clearTimeout(timer);
      };
      check();
    });
  }

  /** Waits for a pod condition: 'Running', 'Ready', 'Succeeded', 'Failed', 'Deleted', or a predicate.
   *  Rejects early with the pod's reason when it cannot get there (ErrImagePull, a failed container). */
  async waitForPod(namespace: string, name: string, condition: PodCondition = 'Ready', options: { timeoutMs?: number } = {}): Promise<Pod | undefined> {
    const pods = resourceByName('pods') as ResourceType;
    const timeoutMs = options.timeoutMs ?? 60_000;
    let failure: string | undefined;
    const result = await this.waitFor(pods, namespace, name, (obj) => {
      const verdict = podCondition(obj as Pod | undefined, condition);
      if (verdict === 'impossible') failure = describePod(obj as Pod);
      return verdict !== 'not-yet';
    }, timeoutMs, `to be ${typeof condition === 'string' ? condition : 'as expected'}`).catch((error: unknown) => {
      const pod = this.registry.tryGet(pods, namespace, name) as Pod | undefined;
      throw new PodWaitError(`${error instanceof Error ? error.message : String(error)}${pod ? `; pod is ${describePod(pod)}` : '; pod does not exist'}`);
    });
    if (failure) throw new PodWaitError(`pod ${namespace}/${name} cannot become ${typeof condition === 'string' ? condition : 'as expected'}: ${failure}`);
    return result as Pod | undefined;
  }

  /** Pods an applied object stands for are running: a Pod itself, or a workload's pods. */
  private async waitForWorkload(obj: StoredObject, timeoutMs: number): Promise<void> {
    const namespace = obj.metadata.namespace ?? '';
    const pods = resourceByName('pods') as ResourceType;
    if (obj.kind === 'Pod') {
      await this.waitForPod(namespace, obj.metadata.name, 'Started', { timeoutMs });
      return;
    }
    if (!['Deployment', 'ReplicaSet', 'StatefulSet', 'Job', 'DaemonSet'].includes(obj.kind)) return;
    const type = this.typeOf(obj);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const current = this.registry.tryGet(type, namespace, obj.metadata.name);
      if (!current) throw new ClusterError(`${obj.kind} ${namespace}/${obj.metadata.name} was deleted while waiting for its pods`);
      const replicas = wantedPods(current);
      if (replicas === 0) return;
      const owned = this.ownedPods(current);
      const started = owned.filter((p) => podCondition(p, 'Started') === 'done');
      const broken = owned.find((p) => podCondition(p, 'Started') === 'impossible');
      if (broken) throw new PodWaitError(`pod ${namespace}/${broken.metadata.name} of ${obj.kind} ${obj.metadata.name} cannot start: ${describePod(broken)}`);
      if (replicas !== undefined && started.length >= replicas) return;
      if (Date.now() > deadline) throw new PodWaitError(`timed out waiting for the pods of ${obj.kind} ${namespace}/${obj.metadata.name}: ${owned.map((p) => `${p.metadata.name} ${describePod(p)}`).join('; ') || 'no pods yet'}`);
      await new Promise<void>((r) => {
        const un = this.registry.store.subscribe((e) => {
          if (e.resource === pods || e.resource === type) {
            un();
            setImmediate(r);
          }
        });
        setTimeout(() => {
          un();
          r();
        }, 1000);
      });
    }
  }

  /** Pods owned (directly or through a ReplicaSet) by a workload. */
  private ownedPods(owner: StoredObject): Pod[] {
    const pods = this.registry.store.list(resourceByName('pods') as ResourceType, owner.metadata.namespace) as Pod[];
    const owners = new Set([owner.metadata.uid]);
    if (owner.kind === 'Deployment') {
      for (const rs of this.registry.store.list(resourceByName('replicasets') as ResourceType, owner.metadata.namespace)) {
        if (rs.metadata.ownerReferences?.some((r) => r.uid === owner.metadata.uid)) owners.add(rs.metadata.uid);
      }
    }
    return pods.filter((p) => p.metadata.ownerReferences?.some((r) => owners.has(r.uid)) && !p.metadata.deletionTimestamp);
  }

  // ---- access control and request log -------------------------------------------------------

  /** Denies requests matching `rule` (later rules win over earlier ones). */
  deny(rule: AccessRule): void {
    this.authorizer.deny(rule);
  }

  /** Allows requests matching `rule`, overriding earlier denials. */
  allow(rule: AccessRule): void {
    this.authorizer.allow(rule);
  }

  /** Back to allow-all. */
  resetAccess(): void {
    this.authorizer.reset();
  }

  /** See ClusterOptions.ephemeralContainers. */
  setEphemeralContainers(enabled: boolean): void {
    this.registry.ephemeralContainersEnabled = enabled;
  }

  /** See ClusterOptions.websocketUpgradeCreateCheck. */
  setWebsocketUpgradeCreateCheck(enabled: boolean): void {
    this.authorizer.websocketUpgradeCreateCheck = enabled;
  }

  requests(filter?: Partial<Omit<RequestRecord, 'time'>>): RequestRecord[] {
    return this.log.list(filter).map((r) => ({ ...r }));
  }

  clearRequests(): void {
    this.log.clear();
  }

  // ---- pods ---------------------------------------------------------------------------------

  /** The pod's network namespace (e.g. for `nsenter --net=<it>`), while it runs. */
  podNetnsPath(namespace: string, name: string): string {
    const pod = this.get('pods', namespace, name);
    if (!pod) throw new ClusterError(`pod ${namespace}/${name} not found`);
    const handle = this.kubelet.handleFor(pod.metadata.uid);
    if (!handle) throw new ClusterError(`pod ${namespace}/${name} is not running`);
    return handle.netnsPath;
  }

  /** Stops the API server and every pod, releases the runtime's mounts and namespaces, removes the state directory. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await this.api.close();
      for (const c of this.controllers) c.stop();
      await this.kubelet.shutdown();
      await rm(this.stateDir, { recursive: true, force: true });
    })();
    return this.stopping;
  }
}

function bootstrapObjects(): object[] {
  const ns = (name: string): object => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  return [
    ns('default'),
    ns('kube-system'),
    ns('kube-public'),
    ns('kube-node-lease'),
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
      spec: { clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }] },
    },
    {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: nodeName, labels: { 'kubernetes.io/hostname': nodeName, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', 'node-role.kubernetes.io/control-plane': '' } },
      spec: { podCIDR: '10.244.0.0/16', podCIDRs: ['10.244.0.0/16'] },
      status: {
        conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }],
        addresses: [
          { type: 'InternalIP', address: hostIP },
          { type: 'Hostname', address: nodeName },
        ],
        nodeInfo: { kubeletVersion: serverVersion.gitVersion, kubeProxyVersion: serverVersion.gitVersion, operatingSystem: 'linux', architecture: 'amd64', osImage: 'sshpod test cluster', kernelVersion: '', containerRuntimeVersion: 'sshpod-test://1' },
      },
    },
  ];
}

/** How many running pods a workload stands for; undefined while its controller has not yet
 *  looked at its current generation (a DaemonSet's count depends on the nodes). */
function wantedPods(workload: StoredObject): number | undefined {
  if (workload.kind === 'Job') return 1;
  if (workload.kind !== 'DaemonSet') return (workload.spec as { replicas?: number } | undefined)?.replicas ?? 1;
  const status = (workload.status ?? {}) as { observedGeneration?: number; desiredNumberScheduled?: number };
  if ((status.observedGeneration ?? 0) < (workload.metadata.generation ?? 1)) return undefined;
  return status.desiredNumberScheduled ?? 0;
}

export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const log = options.log ?? defaultLog;
  if (!options.runtime) checkHost();
  const cacheDir = resolve(options.cacheDir ?? join(repoRoot, '.cache'));
  const imageCacheDir = join(cacheDir, 'images');
  const runsBase = join(cacheDir, 'cluster', 'runs');
  const cleanupRun = async (dir: string): Promise<void> => {
    const stale = await createRuntime({ stateDir: join(dir, 'runtime'), imageCacheDir });
    await stale.shutdown();
  };

  let stateDir: string;
  if (options.stateDir) {
    stateDir = resolve(options.stateDir);
    if (await isDirOwnedByLiveProcess(stateDir)) throw new ClusterError(`the state directory ${stateDir} belongs to a running cluster; stop it or use another --state-dir`);
    if (!options.runtime) await cleanupRun(stateDir).catch(() => undefined);
    await rm(stateDir, { recursive: true, force: true });
    await claimDir(stateDir);
  } else {
    if (!options.runtime) await cleanStaleRuns(runsBase, cleanupRun, log);
    stateDir = await createRunDir(runsBase);
  }

  const parts: { runtime?: Runtime; api?: ApiServer; controllers: { stop(): void }[]; kubelet?: Kubelet } = { controllers: [] };
  try {
    const pkiDir = join(cacheDir, 'cluster', 'pki');
    const pki = loadOrCreatePki(pkiDir);
    if (!options.runtime) await prepareImages(imageCacheDir);
    const runtime = options.runtime ?? (await createRuntime({ stateDir: join(stateDir, 'runtime'), imageCacheDir }));
    parts.runtime = runtime;

    const store = new Store();
    const registry = new Registry(store);
    registry.ephemeralContainersEnabled = options.ephemeralContainers ?? true;
    for (const obj of bootstrapObjects()) {
      const type = findKind((obj as KubeObject).apiVersion, (obj as KubeObject).kind) as ResourceType;
      const created = registry.create(type, (obj as KubeObject).metadata.namespace ?? '', obj);
      if ((obj as { status?: unknown }).status) registry.mutate(type, created.metadata.namespace ?? '', created.metadata.name, (o) => { o.status = (obj as { status?: unknown }).status; }, 'status');
    }
    const onError = (key: string, error: unknown): void => log(`controller: ${key}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    parts.controllers.push(...startControllers(registry, store, pki.ca.certPem, onError));
    const kubelet = new Kubelet(registry, runtime, { nodeName, hostIP, log });
    parts.kubelet = kubelet;
    const authenticator = new Authenticator();
    const serviceAccountTokens = new ServiceAccountTokens(registry);
    authenticator.addTokenAuthenticator((token) => serviceAccountTokens.authenticate(token));
    const authorizer = new Authorizer();
    authorizer.websocketUpgradeCreateCheck = options.websocketUpgradeCreateCheck ?? true;
    const requestLog = new RequestLog();
    const api = await ApiServer.start({
      host: options.host ?? '127.0.0.1',
      port: options.port ?? 0,
      pki,
      registry,
      authenticator,
      authorizer,
      requestLog,
      serviceAccountTokens,
      handleFor: (uid) => kubelet.handleFor(uid),
      execProtocols: options.execProtocols,
      portForwardCloseDelayMs: options.portForwardCloseDelayMs,
      log,
    });
    parts.api = api;
    kubelet.start();

    const cluster = new Cluster({ stateDir, pki, pkiDir, registry, authenticator, authorizer, requestLog, kubelet, api, controllers: parts.controllers });
    cluster.addUser('admin', { auth: 'token', groups: ['system:masters'] });
    cluster.addUser('dev', { auth: 'certificate', groups: ['developers'] });
    await cluster.writeKubeconfig(cluster.kubeconfigPath);

    const wait = options.waitForPods ?? true;
    for (const file of options.manifests ?? []) {
      const text = await readFile(file, 'utf8').catch((error: unknown) => {
        throw new ClusterError(`cannot read manifest ${file}: ${error instanceof Error ? error.message : String(error)}`);
      });
      await cluster.apply(text, { wait });
    }
    if (options.objects && options.objects.length > 0) await cluster.apply(options.objects, { wait });
    return cluster;
  } catch (error) {
    await parts.api?.close().catch(() => undefined);
    for (const c of parts.controllers) c.stop();
    if (parts.kubelet) await parts.kubelet.shutdown().catch(() => undefined);
    else await parts.runtime?.shutdown().catch(() => undefined);
    await rm(stateDir, { recursive: true, force: true });
    throw error;
  }
}
