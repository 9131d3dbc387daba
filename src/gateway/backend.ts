// The gateway's side of the cluster: for a person and a hostname, the same connect path the
// ProxyCommand takes (parse → resolve → prepare through one exec → port-forward, src/reach), made
// with the API identity that person has here: the gateway's own credentials plus Impersonate-User
// and Impersonate-Group (the cluster's RBAC decides), or, in static mode, the gateway's own identity
// after the users file's allow-list said yes. A `template--` hostname makes a pod for the channel
// (src/ondemand) that goes when the channel does.
//
// Endpoints already reached are remembered in memory, per person and key, so that the next channel
// takes the warm path (one port-forward, made as that person, so RBAC still decides); nothing is
// kept on disk: replicas are interchangeable.
import type { Duplex } from 'node:stream';
import type { KubeConfig } from '@kubernetes/client-node/dist/config.js';
import { ApiConnection } from '../kube/connection.ts';
import { selectContext, type SelectedContext } from '../kube/kubeconfig.ts';
import type { KubeApi } from '../kube/api.ts';
import { reachSshd } from '../reach/reach-sshd.ts';
import { sshdIdleSeconds } from '../reach/sshd-idle.ts';
import type { SshdEndpoint, TargetCache } from '../reach/target-cache.ts';
import { canonicalHost, parseHostname, type TargetSpec } from '../target/hostname.ts';
import { SshpodError } from '../errors.ts';
import { allowedByPatterns, type GatewayUser } from './users.ts';

export type AuthorizationMode = 'impersonate' | 'static';

export interface BackendOptions {
  kubeConfig: KubeConfig;
  mode: AuthorizationMode;
  /** Where `template--NAME` finds NAME.yaml (besides the built-in templates). */
  templatesDir?: string;
  onPodStart?: () => void;
}

export interface ReachedTarget {
  stream: Duplex;
  sshd: SshdEndpoint;
  /** `namespace/pod/container`, for the audit log. */
  where: string;
  /** The on-demand pod goes (a no-op for existing pods). Never throws. */
  release(): Promise<void>;
}

const MAX_REMEMBERED = 10_000;

/** In-memory endpoints, keyed by everything that makes one valid for a request. */
class MemoryCache {
  private readonly entries = new Map<string, SshdEndpoint>();
  forUser(prefix: string): TargetCache {
    const key = (namespace: string, host: string): string => `${prefix}\0${namespace}\0${canonicalHost(host)}`;
    return {
      read: (namespace, host) => this.entries.get(key(namespace, host)),
      write: (namespace, host, endpoint) => {
        if (this.entries.size >= MAX_REMEMBERED) this.entries.delete(this.entries.keys().next().value as string);
        this.entries.set(key(namespace, host), endpoint);
      },
      forget: (namespace, host) => void this.entries.delete(key(namespace, host)),
    };
  }
}

export class Backend {
  private readonly connections = new Map<string, Promise<{ selected: SelectedContext; api: ApiConnection }>>();
  private readonly cache = new MemoryCache();
  private readonly onDemand = new Set<() => Promise<void>>();

  constructor(private readonly options: BackendOptions) {}

  /** The gateway's own connection for a context (the hostname's, else the current one). */
  private connection(context: string | undefined): Promise<{ selected: SelectedContext; api: ApiConnection }> {
    const name = context ?? '';
    let opened = this.connections.get(name);
    if (!opened) {
      opened = (async () => {
        const selected = selectContext(this.options.kubeConfig, context);
        return { selected, api: await ApiConnection.open(selected) };
      })();
      opened.catch(() => this.connections.delete(name));
      this.connections.set(name, opened);
    }
    return opened;
  }

  /** The gateway's own API (for the users ConfigMap/Secret). */
  async ownApi(): Promise<KubeApi> {
    return (await this.connection(undefined)).api;
  }

  /** The API as `user` (impersonating) for a context: the web terminal's connections (impersonation only). */
  async apiAs(user: GatewayUser, context: string | undefined): Promise<{ api: KubeApi; context: string; namespace: string }> {
    const { selected, api } = await this.connection(context);
    return { api: api.impersonating(user.kubeUser, user.groups), context: selected.context, namespace: selected.namespace };
  }

  /** The kubeconfig's contexts (what the web page offers). */
  contexts(): { names: string[]; current: string } {
    return { names: this.options.kubeConfig.getContexts().map((c) => c.name), current: this.options.kubeConfig.getCurrentContext() };
  }

  get templatesDir(): string | undefined {
    return this.options.templatesDir;
  }

  /** Whether `user` may try `host` at all (static mode); impersonation leaves it to the cluster. */
  private authorize(user: GatewayUser, host: string): void {
    if (this.options.mode !== 'static') return;
    if (allowedByPatterns(user.allow, canonicalHost(host))) return;
    throw new SshpodError('forbidden', `gateway user "${user.name}" may not reach ${canonicalHost(host)}`, {
      hint: "ask the gateway's administrator to add it to your allow list in the users file",
    });
  }

  async reach(user: GatewayUser, host: string, request: { login: string; authorizedKey: string; keyFingerprint: string; signal?: AbortSignal }): Promise<ReachedTarget> {
    const spec = parseHostname(host);
    this.authorize(user, host);
    const { selected, api: own } = await this.connection(spec.context);
    const api = this.options.mode === 'impersonate' ? own.impersonating(user.kubeUser, user.groups) : own;
    let target: TargetSpec = spec;
    let idleSeconds = sshdIdleSeconds();
    let release = async (): Promise<void> => undefined;
    if (spec.kind === 'template') {
      const { loadTemplate } = await import('../ondemand/template-file.ts');
      const { startOnDemandPod } = await import('../ondemand/on-demand-pod.ts');
      const { podStartTimeoutMs } = await import('../ondemand/wait-for-pod.ts');
      const template = await loadTemplate(spec.name, this.options.templatesDir);
      const pod = await startOnDemandPod(api, {
        template,
        namespace: spec.namespace ?? template.namespace ?? selected.namespace,
        owner: { local: `${user.name}@sshpod-gateway`, kubeUser: user.kubeUser },
        hostname: canonicalHost(host),
        ...(spec.container === undefined ? {} : { container: spec.container }),
        startTimeoutMs: podStartTimeoutMs(),
        ...(request.signal ? { signal: request.signal } : {}),
      });
      this.options.onPodStart?.();
      target = { kind: 'pod', name: pod.pod, namespace: pod.namespace, container: pod.container, continuations: [] };
      idleSeconds = pod.idleSeconds || idleSeconds;
      const done = (): Promise<void> => {
        this.onDemand.delete(done);
        return pod.release();
      };
      this.onDemand.add(done);
      release = done;
    }
    try {
      const cache = spec.kind === 'template' ? undefined : this.cache.forUser(`${selected.context}\0${user.name}\0${user.kubeUser}\0${request.keyFingerprint}`);
      const reached = await reachSshd(
        api,
        { spec: target, host, login: request.login, authorizedKey: request.authorizedKey, defaultNamespace: selected.namespace, idleSeconds },
        cache,
      );
      const { sshd } = reached;
      return { stream: reached.stream, sshd, where: `${sshd.namespace}/${sshd.pod}/${sshd.container}`, release };
    } catch (error) {
      await release();
      throw error;
    }
  }

  /** At shutdown: every on-demand pod still held goes, then the connections close. */
  async close(): Promise<void> {
    await Promise.all([...this.onDemand].map((release) => release()));
    for (const opened of this.connections.values()) {
      void opened.then(({ api }) => api.close(), () => undefined);
    }
  }
}
